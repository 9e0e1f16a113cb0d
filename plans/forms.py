from datetime import date

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from plans.models import PLAN_MONTHS, ImprovementPlan
from plans.services import TARGET_MAXIMUM


def parse_month(value: str) -> date | None:
    """``YYYY-MM`` (what an <input type="month"> sends) as the 1st of that month, or None."""
    try:
        return date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError):
        return None


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month"})
    default_error_messages = {"invalid": _("Enter a month in the form YYYY-MM.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, date) else value


class RequireForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 14}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
        error_messages={"required": _("Choose at least one unit.")},
    )
    first_month = MonthField(label=_("First month"), help_text=_("The plan covers this month and the two after."))
    due_date = forms.DateField(
        label=_("Due date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When the unit must submit its targets."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to the unit, e.g. “Judged less active in July: no Facebook Live of 30 minutes”."),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        self.fields["units"].label_from_instance = lambda unit: f"{unit.name} ({unit.code})"


class TargetForm(forms.Form):
    month = forms.DateField(widget=forms.HiddenInput)
    followers_target = forms.IntegerField(
        label=_("Followers at the month's end"),
        min_value=0,
        max_value=TARGET_MAXIMUM["followers_target"],
        error_messages={"min_value": _("A target cannot be below zero.")},
    )
    posts_target = forms.IntegerField(
        label=_("Posts"),
        min_value=0,
        max_value=TARGET_MAXIMUM["posts_target"],
        error_messages={"min_value": _("A target cannot be below zero.")},
    )
    lives_target = forms.IntegerField(
        label=_("Facebook Lives of 30+ minutes"),
        min_value=0,
        max_value=TARGET_MAXIMUM["lives_target"],
        error_messages={"min_value": _("A target cannot be below zero.")},
    )


class BaseTargetFormSet(forms.BaseFormSet):
    """The three months of a plan, one form each; the months are fixed by the plan, not chosen."""

    def __init__(self, *args, plan: ImprovementPlan, **kwargs):
        self.plan = plan
        super().__init__(*args, **kwargs)

    def clean(self):
        months = [
            form.cleaned_data.get("month")
            for form in self.forms
            if not (form.empty_permitted and not form.has_changed())
        ]
        if len(months) != PLAN_MONTHS or sorted(m for m in months if m) != self.plan.months:
            labels = ", ".join(date_format(month, "F Y") for month in self.plan.months)
            raise forms.ValidationError(
                _("A plan has targets for exactly three months: %(months)s.") % {"months": labels}, code="months"
            )

    @property
    def targets(self) -> list[dict]:
        return [dict(form.cleaned_data) for form in self.forms if form.cleaned_data]


TargetFormSet = forms.formset_factory(TargetForm, formset=BaseTargetFormSet, extra=0, min_num=PLAN_MONTHS)


def target_formset(plan: ImprovementPlan, data=None) -> BaseTargetFormSet:
    """The formset of a plan's targets: its three months, filled in with the targets in force (if any)."""
    current = {target.month: target for target in plan.targets.all()}
    initial = []
    for month in plan.months:
        row = {"month": month}
        if month in current:
            row |= {
                "followers_target": current[month].followers_target,
                "posts_target": current[month].posts_target,
                "lives_target": current[month].lives_target,
            }
        initial.append(row)
    return TargetFormSet(data, initial=initial, plan=plan, prefix="targets")


class SubmitForm(forms.Form):
    summary = forms.CharField(
        label=_("How the unit will get there"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: the campaigns, Lives and themes planned."),
    )


class DecideForm(forms.Form):
    APPROVE, RETURN = "approve", "return"

    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (RETURN, _("Send back"))], widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed to send the plan back: say what the unit should change."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what the unit should change before sending the plan back."))
        return data
