from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.models import FlagStatus, Mandate, Rule, RuleLevel, RuleMetric, RulePeriod
from departments.choices import Platform, UnitKind
from departments.models import Unit


def clean_scope(form: forms.Form, data: dict, *, no_district: str, needless_district: str, no_kind: str) -> None:
    """The units a rule or an order applies to: a level, with its district or unit kind where the level needs one."""
    level, state, district = data.get("level"), data.get("state"), data.get("district")
    if level == RuleLevel.OFFICES:
        if district is None:
            form.add_error("district", no_district)
        elif state and district.state_id != state.pk:
            form.add_error("district", _("%(district)s is not in %(state)s.") % {"district": district, "state": state})
    elif district is not None:
        form.add_error("district", needless_district)
    if level == RuleLevel.KIND and not data.get("unit_kind"):
        form.add_error("unit_kind", no_kind)
    if level != RuleLevel.KIND:
        data["unit_kind"] = ""


class RuleForm(forms.ModelForm):
    platform = forms.ChoiceField(
        label=_("Platform"), required=False, choices=[("", _("All platforms")), *Platform.choices]
    )
    unit_kind = forms.ChoiceField(label=_("Unit kind"), required=False, choices=[("", "—"), *UnitKind.choices])

    class Meta:
        model = Rule
        fields = [
            "name_en",
            "name_hi",
            "state",
            "level",
            "unit_kind",
            "district",
            "metric",
            "platform",
            "comparison",
            "threshold",
            "period",
            "min_duration_minutes",
            "is_active",
        ]

    def __init__(self, *args, states=None, **kwargs):
        super().__init__(*args, **kwargs)
        if states is not None:
            self.fields["state"].queryset = states
        self.fields["district"].queryset = Unit.objects.filter(kind=UnitKind.DISTRICT).select_related("state")
        # A rule judged once by a deadline is made through an account mandate, which sets its dates.
        self.fields["period"].choices = [
            (value, label) for value, label in self.fields["period"].choices if value != RulePeriod.DEADLINE
        ]

    def clean_threshold(self):
        threshold = self.cleaned_data["threshold"]
        if threshold is not None and threshold < 0 and self.cleaned_data.get("metric") != RuleMetric.GROWTH_PCT:
            raise forms.ValidationError(_("A threshold below zero only makes sense for growth."))
        return threshold

    def clean(self):
        data = super().clean()
        clean_scope(
            self,
            data,
            no_district=_("Choose the district whose offices the rule applies to."),
            needless_district=_("A district is only needed for a rule on the offices of one district."),
            no_kind=_("Choose the kind of unit the rule applies to."),
        )
        if data.get("metric") != RuleMetric.LIVES and data.get("min_duration_minutes"):
            self.add_error("min_duration_minutes", _("A minimum length only applies to live broadcasts."))
        return data


class EvaluateForm(forms.Form):
    period_start = forms.ChoiceField(label=_("Period"))

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {period.start.isoformat(): period for period in periods}
        self.fields["period_start"].choices = [(key, period.label) for key, period in self.periods.items()]

    @property
    def period(self):
        return self.periods[self.cleaned_data["period_start"]]


class FlagStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=FlagStatus.choices)
    note = forms.CharField(label=_("Explanation or note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(value, label) for value, label in FlagStatus.choices if value in allowed]


class MandateForm(forms.ModelForm):
    unit_kind = forms.ChoiceField(label=_("Unit kind"), required=False, choices=[("", "—"), *UnitKind.choices])

    class Meta:
        model = Mandate
        fields = [
            "name_en",
            "name_hi",
            "state",
            "level",
            "unit_kind",
            "district",
            "platform",
            "starts_on",
            "deadline",
            "order_reference",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, states=None, **kwargs):
        super().__init__(*args, **kwargs)
        if states is not None:
            self.fields["state"].queryset = states
        self.fields["district"].queryset = Unit.objects.filter(kind=UnitKind.DISTRICT).select_related("state")
        if not self.is_bound and self.instance.pk is None:
            today = timezone.localdate()
            self.initial.setdefault("starts_on", today)
            self.initial.setdefault("deadline", today + timedelta(days=6))  # “within a week”, both days counted

    def clean(self):
        data = super().clean()
        starts_on, deadline = data.get("starts_on"), data.get("deadline")
        if starts_on and deadline and deadline < starts_on:
            self.add_error(
                "deadline",
                _("The deadline %(deadline)s is before the order's date %(start)s.")
                % {"deadline": deadline.isoformat(), "start": starts_on.isoformat()},
            )
        clean_scope(
            self,
            data,
            no_district=_("Choose the district whose offices the order applies to."),
            needless_district=_("A district is only needed for an order to the offices of one district."),
            no_kind=_("Choose the kind of unit the order applies to."),
        )
        return data
