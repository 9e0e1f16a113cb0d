from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import TYPICAL_CAMPAIGN_DAYS, CampaignScope, TargetMetric, TargetPlatform
from campaigns.services import TARGET_MAXIMUM
from departments.choices import UnitKind
from leaderboards.periods import today


class UnitOptions(forms.SelectMultiple):
    """Each option carries its unit's kind and district, so the form's script can show a scope's units."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        unit = getattr(value, "instance", None)
        if unit is not None:
            option["attrs"]["data-kind"] = unit.kind
            option["attrs"]["data-district"] = unit.district_id or ""
        return option


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CampaignForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_hi = forms.CharField(label=_("Name (Hindi)"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Last day"), widget=DateInput(), help_text=_("Inclusive, in IST: 15 days is the first day + 14.")
    )
    scope = forms.ChoiceField(label=_("Taking part"), choices=CampaignScope.choices)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=None,
        required=False,
        help_text=_("Choosing a district selects all its offices; untick those that do not take part."),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=None,
        required=False,
        widget=UnitOptions(attrs={"size": 12}),
        help_text=_(
            "Hold Ctrl (⌘ on a Mac) to choose several. The whole state takes all its districts and departments."
        ),
    )

    def __init__(self, *args, state, **kwargs):
        super().__init__(*args, **kwargs)
        self.state = state
        units = state.units.filter(is_active=True).select_related("district").order_by("kind", "name_en")
        self.fields["units"].queryset = units
        self.fields["units"].label_from_instance = lambda unit: f"{unit.name} ({unit.code})"
        self.fields["district"].queryset = units.filter(kind=UnitKind.DISTRICT).order_by("name_en")
        self.fields["district"].label_from_instance = lambda unit: unit.name

    @classmethod
    def defaults(cls) -> dict:
        first = today()
        return {
            "starts_on": first,
            "ends_on": first + timedelta(days=TYPICAL_CAMPAIGN_DAYS - 1),
            "scope": CampaignScope.DISTRICT_OFFICES,
        }

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        scope, district = data.get("scope"), data.get("district")
        if scope == CampaignScope.DISTRICT_OFFICES:
            if district is None:
                self.add_error("district", _("Choose the district whose offices take part."))
            elif not data.get("units"):
                # The district chosen and no office unticked by hand: all its offices take part.
                data["units"] = list(district.offices.filter(is_active=True))
        if scope != CampaignScope.STATE and not data.get("units") and "units" not in self.errors:
            self.add_error("units", _("Choose at least one unit to take part."))
        return data


class TargetForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=[("", "—"), *TargetMetric.choices])
    platform = forms.ChoiceField(label=_("Platform"), choices=TargetPlatform.choices, initial=TargetPlatform.X)
    value = forms.DecimalField(
        label=_("Target"),
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        error_messages={"min_value": _("A target is above zero.")},
    )
    live_minimum_minutes = forms.IntegerField(
        label=_("Lives of at least (minutes)"), required=False, min_value=1, max_value=24 * 60
    )
    unit = forms.ModelChoiceField(
        label=_("Only for"), queryset=None, required=False, empty_label=_("every unit taking part")
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: unit.name

    def clean(self):
        data = super().clean()
        metric, value = data.get("metric"), data.get("value")
        if metric and value is not None:
            if metric != TargetMetric.FOLLOWERS_PCT and value != value.to_integral():
                self.add_error("value", _("This target is a whole number."))
            elif value > TARGET_MAXIMUM[metric]:
                self.add_error("value", _("%(value)s is beyond any account.") % {"value": value})
        if data.get("live_minimum_minutes") and metric != TargetMetric.LIVES:
            self.add_error("live_minimum_minutes", _("A minimum length is only for Facebook Lives."))
        return data


class BaseTargetFormSet(forms.BaseFormSet):
    def __init__(self, *args, units=None, **kwargs):
        self.units = units
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "units": self.units}

    def clean(self):
        if any(self.errors):
            return
        if not self.targets:
            raise forms.ValidationError(_("Give at least one target."), code="no_targets")

    @property
    def targets(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("metric")
        ]


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=1, can_delete=True, max_num=20)


def target_formset(*, units, data=None, initial=None) -> BaseTargetFormSet:
    return TargetFormSet(data, initial=initial, units=units, prefix="targets")


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why close it early?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed before the last day. The report is frozen as it stands now."),
    )
