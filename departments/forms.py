from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from departments.choices import Platform, UnitKind
from departments.selectors import SORTS


class DirectoryFilterForm(forms.Form):
    """The query string of the directory; invalid values fall back to defaults."""

    state = forms.CharField(required=False, label=_("State"))
    kind = forms.ChoiceField(required=False, label=_("Kind"), choices=[("", _("All kinds")), *UnitKind.choices])
    district = forms.CharField(required=False, label=_("District"))
    missing = forms.ChoiceField(
        required=False, label=_("Without an account on"), choices=[("", "—"), *Platform.choices]
    )
    has = forms.ChoiceField(required=False, label=_("With an account on"), choices=[("", "—"), *Platform.choices])
    q = forms.CharField(required=False, label=_("Search"), max_length=100)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in SORTS])


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 CSV of units or of accounts; the layout is recognised from the header row."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.GOVSOCIAL_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": settings.GOVSOCIAL_IMPORT_MAX_BYTES // 2**20}
            )
        return upload
