import re
from datetime import date, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from departments.choices import Platform, UnitKind
from leaderboards.models import SCORE_METRICS, ScoreWeights
from leaderboards.periods import Period, PeriodError, quarter_of
from leaderboards.selectors import LEVELS, SORT_KEYS

PLATFORM_CHOICES = [("", _("All platforms")), *Platform.choices]
SORT_CHOICES = [(value, value) for key in sorted(SORT_KEYS) for value in (key, f"-{key}")]


class BoardFilterForm(forms.Form):
    """The query string of a leaderboard; invalid values fall back to defaults (the period is parsed apart)."""

    level = forms.ChoiceField(required=False, label=_("Compare"), choices=LEVELS)
    state = forms.CharField(required=False, label=_("State"), max_length=8)
    district = forms.CharField(required=False, label=_("District"), max_length=64)
    kind = forms.ChoiceField(required=False, label=_("Kind"), choices=[("", "—"), *UnitKind.choices])
    platform = forms.ChoiceField(required=False, label=_("Platform"), choices=PLATFORM_CHOICES)
    q = forms.CharField(required=False, label=_("Search"), max_length=100)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)


class ScoreWeightsForm(forms.ModelForm):
    """New weights; all at zero is refused by the model's check constraint, as a form error."""

    class Meta:
        model = ScoreWeights
        fields = [*SCORE_METRICS, "note"]
        widgets = {"note": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_id = "weights-form"
        self.helper.add_input(Submit("submit", _("Set these weights")))


QUARTER_RE = re.compile(r"^(?P<year>\d{4})-Q(?P<number>[1-4])$")


def quarter_code(period: Period) -> str:
    return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"


def parse_quarter(value: str) -> Period:
    match = QUARTER_RE.match(value.strip().upper())
    if match is None or not 2000 <= int(match["year"]) <= 2100:
        raise PeriodError(_("“%(value)s” is not a quarter in the form YYYY-Qn, e.g. 2026-Q2.") % {"value": value})
    return quarter_of(date(int(match["year"]), 3 * int(match["number"]) - 2, 1))


def last_complete_quarter(today: date) -> Period:
    return quarter_of(quarter_of(today).start - timedelta(days=1))


def recent_quarters(today: date, count: int = 8) -> list[Period]:
    """The last ``count`` complete quarters, newest first."""
    quarters = [last_complete_quarter(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters
