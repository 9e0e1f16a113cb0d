from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from staff.models import FollowCheckBudget, StaffMember
from staff.services import clean_x_handle


class MemberForm(forms.ModelForm):
    """A person on a roster; the handle may be typed as @name or as the profile's address."""

    class Meta:
        model = StaffMember
        fields = ["name", "designation", "x_handle", "is_active"]

    x_handle = forms.CharField(
        label=_("X handle"),
        max_length=100,
        required=False,
        help_text=_("@name or https://x.com/name; leave empty if the person has no X account yet."),
    )

    def clean_x_handle(self):
        try:
            return clean_x_handle(self.cleaned_data.get("x_handle", ""))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def validate_unique(self):
        """Uniqueness is the service's to check (the unit is not a field of this form)."""


class DeclarationForm(forms.Form):
    follows = forms.ChoiceField(
        choices=[("yes", _("Declares following")), ("no", _("Declares not following")), ("clear", _("Withdraw"))]
    )

    def value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["follows"])


class RosterImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8 CSV with the columns shown beside."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.GOVSOCIAL_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": settings.GOVSOCIAL_IMPORT_MAX_BYTES // 2**20}
            )
        return upload


class BudgetForm(forms.ModelForm):
    class Meta:
        model = FollowCheckBudget
        fields = ["enabled", "requests_per_week"]
