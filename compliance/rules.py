"""What a rule says, in words, and how each unit measures up to it for a period.

``RuleSpec`` is a rule's definition detached from the database row, so that a
period is always judged by the version of the rule in force when it closed,
and the same code draws Bihar's monthly Facebook Live table with no rule saved.
"""

from __future__ import annotations

import operator
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compliance.models import Comparison, Rule, RuleLevel, RuleMetric, RulePeriod
from departments.choices import Platform, UnitKind
from departments.models import Account, State, Unit
from leaderboards.periods import Period
from leaderboards.selectors import Cohort, UnitFigures, unit_figures

COMPARE = {
    Comparison.AT_LEAST: operator.ge,
    Comparison.MORE_THAN: operator.gt,
    Comparison.AT_MOST: operator.le,
    Comparison.LESS_THAN: operator.lt,
}
COUNT_METRICS = {RuleMetric.LIVES, RuleMetric.POSTS, RuleMetric.REPOSTS, RuleMetric.REPLIES}

PASS, FAIL, NO_DATA = "pass", "fail", "no_data"


@dataclass(frozen=True)
class RuleSpec:
    state: str  # state code
    level: str
    metric: str
    comparison: str
    threshold: Decimal
    period: str
    platform: str = ""
    unit_kind: str = ""
    district: str = ""  # district code, for offices of one district
    min_duration_minutes: int = 0
    name_en: str = ""
    name_hi: str = ""
    starts_on: str = ""  # ISO dates, for a rule judged once by a deadline
    deadline: str = ""

    def __post_init__(self):
        object.__setattr__(self, "threshold", Decimal(str(self.threshold)))

    @classmethod
    def from_rule(cls, rule: Rule) -> RuleSpec:
        return cls(
            state=rule.state.code,
            level=rule.level,
            metric=rule.metric,
            comparison=rule.comparison,
            threshold=rule.threshold,
            period=rule.period,
            platform=rule.platform,
            unit_kind=rule.unit_kind,
            district=rule.district.code if rule.district_id else "",
            min_duration_minutes=rule.min_duration_minutes if rule.metric == RuleMetric.LIVES else 0,
            name_en=rule.name_en,
            name_hi=rule.name_hi,
            starts_on=rule.starts_on.isoformat() if rule.starts_on else "",
            deadline=rule.deadline.isoformat() if rule.deadline else "",
        )

    @classmethod
    def from_definition(cls, definition: dict) -> RuleSpec:
        return cls(**{key: definition[key] for key in cls.__dataclass_fields__ if key in definition})

    def as_definition(self) -> dict:
        definition = asdict(self)
        definition["threshold"] = str(self.threshold)
        definition["text_en"] = self.text("en")
        definition["text_hi"] = self.text("hi")
        return definition

    @property
    def is_one_off(self) -> bool:
        return self.period == RulePeriod.DEADLINE

    @property
    def live_minimum_seconds(self) -> int:
        return self.min_duration_minutes * 60

    def cohort(self) -> Cohort:
        state = State.objects.get(code=self.state)
        district = Unit.objects.get(code=self.district) if self.district else None
        return Cohort.for_level(self.level, state=state, district=district, kind=self.unit_kind)

    def text(self, language: str | None = None) -> str:
        """The rule in a sentence: “Each district: at least 1 live broadcast of 30+ minutes on Facebook, a month.”"""
        with translation.override(language or translation.get_language()):
            who = {
                RuleLevel.DISTRICTS: _("Each district"),
                RuleLevel.DEPARTMENTS: _("Each state department and undertaking"),
                RuleLevel.OFFICES: _("Each office of district %(district)s") % {"district": self.district},
                RuleLevel.KIND: _("Each unit of kind “%(kind)s”")
                % {"kind": UnitKind(self.unit_kind).label if self.unit_kind in UnitKind.values else self.unit_kind},
            }.get(self.level, self.level)
            what = str(RuleMetric(self.metric).label).lower() if self.metric in RuleMetric.values else self.metric
            if self.metric == RuleMetric.LIVES:
                what = (
                    ngettext(
                        "live broadcast of at least %(minutes)d minutes",
                        "live broadcasts of at least %(minutes)d minutes",
                        int(self.threshold) if self.threshold == int(self.threshold) else 2,
                    )
                    % {"minutes": self.min_duration_minutes}
                    if self.min_duration_minutes
                    else _("live broadcasts")
                )
            threshold = f"{self.threshold.normalize():f}"
            if self.metric == RuleMetric.GROWTH_PCT:
                threshold += "%"
            where = (
                _("on %(platform)s") % {"platform": Platform(self.platform).label}
                if self.platform
                else _("on all platforms")
            )
            if self.is_one_off:
                deadline = date_format(date.fromisoformat(self.deadline), "j M Y")
                if self.metric == RuleMetric.ACCOUNTS and self.comparison == Comparison.AT_LEAST and threshold == "1":
                    return _("%(who)s: an account %(where)s by %(deadline)s.") % {
                        "who": who,
                        "where": where,
                        "deadline": deadline,
                    }
                return _("%(who)s: %(comparison)s %(threshold)s %(what)s %(where)s, by %(deadline)s.") % {
                    "who": who,
                    "comparison": str(Comparison(self.comparison).label),
                    "threshold": threshold,
                    "what": what,
                    "where": where,
                    "deadline": deadline,
                }
            when = {"weekly": _("a week"), "monthly": _("a month"), "quarterly": _("a quarter")}.get(self.period, "")
            if self.metric == RuleMetric.ACCOUNTS:
                when = _("checked each period")
            return _("%(who)s: %(comparison)s %(threshold)s %(what)s %(where)s, %(when)s.") % {
                "who": who,
                "comparison": str(Comparison(self.comparison).label),
                "threshold": threshold,
                "what": what,
                "where": where,
                "when": when,
            }


@dataclass
class UnitResult:
    figures: UnitFigures
    value: Decimal | None
    status: str
    reason: str = ""
    rank: int | None = None

    @property
    def unit(self) -> Unit:
        return self.figures.unit

    def as_json(self) -> dict:
        return {
            "unit_id": self.unit.pk,
            "code": self.unit.code,
            "name_en": self.unit.name_en,
            "name_hi": self.unit.name_hi,
            "value": None if self.value is None else str(self.value),
            "status": self.status,
            "reason": self.reason,
            "rank": self.rank,
        }


@dataclass
class RuleResults:
    spec: RuleSpec
    period: Period
    results: list[UnitResult] = field(default_factory=list)

    @property
    def failed(self) -> list[UnitResult]:
        return [result for result in self.results if result.status == FAIL]

    @property
    def passed(self) -> list[UnitResult]:
        return [result for result in self.results if result.status == PASS]

    @property
    def no_data(self) -> list[UnitResult]:
        return [result for result in self.results if result.status == NO_DATA]

    @property
    def median(self) -> Decimal | None:
        values = [result.value for result in self.results if result.value is not None]
        return Decimal(statistics.median(values)) if values else None


def measure(figures: UnitFigures, spec: RuleSpec) -> tuple[Decimal | None, str, str]:
    """The unit's value for the rule's metric, and whether it passes; no data is never a pass or a fail."""
    if spec.metric == RuleMetric.ACCOUNTS:
        value = Decimal(figures.account_count)
    elif not figures.accounts:
        if spec.metric not in COUNT_METRICS:
            return None, FAIL, _("no account")
        value, reason = Decimal(0), _("no account")
        return value, _judge(value, spec), reason
    elif not figures.has_data:
        return None, NO_DATA, _("not polled in this period")
    else:
        attribute = "long_lives" if spec.metric == RuleMetric.LIVES and spec.min_duration_minutes else spec.metric
        raw = figures.value(attribute)
        if raw is None:
            return None, NO_DATA, _("no snapshot at the period's start")
        value = Decimal(raw)
    return value, _judge(value, spec), ""


def _judge(value: Decimal, spec: RuleSpec) -> str:
    return PASS if COMPARE[spec.comparison](value, spec.threshold) else FAIL


def _accounts_held(figures: list[UnitFigures], spec: RuleSpec, period: Period, *, now) -> list[UnitFigures]:
    """Each unit's figures with only the accounts it had at the period's end (or now, for a running period).

    An account a unit registered after the period cannot count for it, however late the period
    is judged: one query for the whole cohort.
    """
    if not figures:
        return figures
    accounts = Account.objects.filter(
        unit__in=[row.unit.pk for row in figures], created_at__lt=period.measured_until(now)
    )
    if spec.platform:
        accounts = accounts.filter(platform=spec.platform)
    held: dict[int, set[int]] = defaultdict(set)
    for unit_id, account_id in accounts.values_list("unit_id", "pk"):
        held[unit_id].add(account_id)
    return [
        replace(row, accounts=[item for item in row.accounts if item.account_id in held[row.unit.pk]])
        for row in figures
    ]


def rule_results(spec: RuleSpec, period: Period, *, now: datetime | None = None) -> RuleResults:
    """Every unit the rule applies to, measured for the period, best first (ties share a rank)."""
    cohort = spec.cohort()
    figures = unit_figures(
        cohort.units().select_related("state"),
        period,
        platform=spec.platform,
        live_minimum_seconds=spec.live_minimum_seconds,
        now=now,
    )
    if spec.metric == RuleMetric.ACCOUNTS:
        figures = _accounts_held(figures, spec, period, now=now)
    results = [UnitResult(row, *measure(row, spec)) for row in figures]
    higher_is_better = spec.comparison in (Comparison.AT_LEAST, Comparison.MORE_THAN)
    valued = sorted(
        (result for result in results if result.value is not None),
        key=lambda result: ((-result.value if higher_is_better else result.value), result.unit.name_en.casefold()),
    )
    for position, result in enumerate(valued, start=1):
        previous = valued[position - 2] if position > 1 else None
        result.rank = previous.rank if previous and previous.value == result.value else position
    unvalued = sorted((result for result in results if result.value is None), key=lambda r: r.unit.name_en.casefold())
    return RuleResults(spec, period, valued + unvalued)
