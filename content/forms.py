from __future__ import annotations

from itertools import groupby

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from content.models import Category, SubmissionStatus, TargetState
from content.services import MAX_IMAGES, targetable_accounts
from departments.choices import Platform
from departments.models import Account, Unit
from departments.selectors import units_for
from notices.forms import MultipleFileField
from users.models import User

# The platforms govsocial publishes to; a YouTube channel takes videos, not these posts.
PUBLISHABLE_PLATFORMS = (Platform.X, Platform.FACEBOOK)

REVIEW_DECISIONS = [
    ("approve", _("Approve and publish")),
    ("request_changes", _("Ask for changes")),
    ("reject", _("Reject")),
]

RESOLVE_OUTCOMES = [
    ("published", _("It was published")),
    ("failed", _("It was not published: mark it failed")),
    ("retry", _("Send it again")),
]


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 7, "data-weighted-count": "280"}),
        help_text=_("Hindi and/or English, exactly as it will be posted."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices])
    scheme = forms.CharField(
        label=_("Scheme or programme"),
        max_length=200,
        required=False,
        help_text=_("The welfare scheme or programme the post is about, if any."),
    )
    unit = forms.ModelChoiceField(
        label=_("Submitted for"),
        queryset=Unit.objects.none(),
        help_text=_("The office or department the post is about: it gets the credit when it is published."),
    )
    accounts = forms.ModelMultipleChoiceField(
        label=_("Post to"),
        queryset=Account.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one account to post to.")},
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at (IST)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to publish as soon as the post is approved."),
    )
    images = MultipleFileField(label=_("Images"), required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["images"].help_text = gettext(
            "JPEG or PNG, at most %(count)d. Choosing new images replaces the ones already attached."
        ) % {"count": MAX_IMAGES}
        self.fields["unit"].queryset = units_for(user).select_related("state").order_by("name_en")
        self.fields["accounts"].queryset = (
            targetable_accounts(user)
            .filter(platform__in=PUBLISHABLE_PLATFORMS)
            .select_related("unit")
            .order_by("unit__name_en", "unit__pk", "platform", "handle")
        )

    def account_groups(self) -> list[tuple[Unit, list]]:
        """The account checkboxes grouped by the unit that owns the accounts (one query)."""
        options = list(self["accounts"])
        return [
            (unit, list(group))
            for unit, group in groupby(options, key=lambda option: option.data["value"].instance.unit)
        ]

    def clean_publish_at(self):
        publish_at = self.cleaned_data.get("publish_at")
        if publish_at is not None and publish_at < timezone.now():
            raise forms.ValidationError(_("This time has passed: choose a later one, or leave it empty."))
        return publish_at

    def clean_images(self):
        from content.validation import images_clean

        files = self.cleaned_data.get("images") or []
        if len(files) > MAX_IMAGES:
            raise forms.ValidationError(_("Attach at most %(count)d images.") % {"count": MAX_IMAGES})
        return images_clean(files)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=REVIEW_DECISIONS, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Text as it will be posted"),
        widget=forms.Textarea(attrs={"rows": 6, "data-weighted-count": "280"}),
        required=False,
        help_text=_("You may correct the text before approving; the history keeps the submitter's version."),
    )
    comment = forms.CharField(
        label=_("Comment to the submitter"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required to ask for changes or to reject."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") in ("request_changes", "reject") and not data.get("comment", "").strip():
            self.add_error("comment", _("Tell the submitter why."))
        return data


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=RESOLVE_OUTCOMES, widget=forms.RadioSelect)
    post_id = forms.CharField(
        label=_("Post id on the platform"),
        max_length=64,
        required=False,
        help_text=_("If it was published: the id in the post's link."),
    )
    url = forms.URLField(label=_("Link to the post"), max_length=500, required=False, assume_scheme="https")
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("To send an unknown post again, say that you checked the account and the post is not there."),
    )

    def __init__(self, *args, state: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.state = state
        if state == TargetState.FAILED:  # a definite failure can only be sent again
            self.fields["outcome"].choices = [choice for choice in RESOLVE_OUTCOMES if choice[0] == "retry"]

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == "published" and not data.get("post_id", "").strip():
            self.add_error("post_id", _("Give the post's id on the platform."))
        if outcome == "retry" and self.state == TargetState.UNKNOWN and not data.get("note", "").strip():
            self.add_error("note", _("Say that you checked the account and the post is not there."))
        return data


def submission_initial(submission) -> dict:
    return {
        "text": submission.text,
        "category": submission.category,
        "scheme": submission.scheme,
        "unit": submission.unit,
        "accounts": list(submission.accounts.all()),
        "publish_at": timezone.localtime(submission.publish_at) if submission.publish_at else None,
    }


EDITABLE = (SubmissionStatus.DRAFT, SubmissionStatus.CHANGES_REQUESTED)
