from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Unit
from notices.machine import DECISIONS, NoticeAction

DEFAULT_REPLY_DAYS = 7
MAX_ATTACHMENTS = 5


def end_of_day(day) -> datetime:
    """A deadline given as a date means the end of that day in IST."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def default_deadline():
    return timezone.localdate() + timedelta(days=DEFAULT_REPLY_DAYS)


class DeadlineField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def clean(self, value):
        day = super().clean(value)
        if day is None:
            return None
        if day <= timezone.localdate():
            raise forms.ValidationError(_("The deadline must be a day after today."))
        return end_of_day(day)


class NoticeForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Addressed to"), queryset=Unit.objects.none())
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=300, required=False)
    subject_hi = forms.CharField(label=_("Subject (Hindi)"), max_length=300, required=False)
    reason_en = forms.CharField(label=_("Reason (English)"), widget=forms.Textarea(attrs={"rows": 5}))
    reason_hi = forms.CharField(label=_("Reason (Hindi)"), widget=forms.Textarea(attrs={"rows": 5}))
    deadline = DeadlineField(label=_("Reply by"), initial=default_deadline)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units.select_related("state").order_by("state__name_en", "name_en")


class FlagNoticesForm(forms.Form):
    deadline = DeadlineField(label=_("Reply by"), initial=default_deadline)
    reason_en = forms.CharField(
        label=_("Reason (English)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Leave empty to write it from each flag's evidence."),
    )
    reason_hi = forms.CharField(
        label=_("Reason (Hindi)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Leave empty to write it from each flag's evidence."),
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("reason_en", "").strip()) != bool(data.get("reason_hi", "").strip()):
            raise forms.ValidationError(_("Write the reason in both languages, or leave both empty."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, JPEG or PNG; at most %(count)d files.") % {"count": MAX_ATTACHMENTS},
    )

    def clean_attachments(self):
        from notices.uploads import UploadRejected, upload_clean

        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("Attach at most %(count)d files.") % {"count": MAX_ATTACHMENTS})
        cleaned, errors = [], []
        for uploaded in files:
            try:
                cleaned.append(upload_clean(uploaded))
            except UploadRejected as error:
                errors.append(str(error))
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"), choices=[(value, label) for value, label in NoticeAction.choices if value in DECISIONS]
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required to reject, to ask for more information, or to escalate."),
    )
    new_deadline = DeadlineField(
        label=_("New deadline"), required=False, help_text=_("For more information, or for the escalated notice.")
    )

    def __init__(self, *args, actions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actions is not None:  # offer only the decisions the notice's status allows now
            self.fields["action"].choices = [
                (value, label) for value, label in self.fields["action"].choices if value in actions
            ]
