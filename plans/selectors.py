"""Reads of improvement plans, always through the user's scope, and a plan's targets against the figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.choices import Platform
from departments.models import State, Unit
from departments.selectors import units_for
from leaderboards.periods import Period, month_of
from leaderboards.selectors import UnitFigures, unit_figures
from plans.models import ImprovementPlan, add_months
from users.models import User

# The status of one figure against its target, and of a month.
MET, MISSED, NO_DATA, SO_FAR, NOT_YET = "met", "missed", "no_data", "so_far", "not_yet"
STATUS_LABELS = {
    MET: _("met"),
    MISSED: _("missed"),
    NO_DATA: _("no data"),
    SO_FAR: _("so far"),
    NOT_YET: _("not yet"),
}

METRICS = [
    ("followers", "followers_target", _("Followers at the month's end")),
    ("posts", "posts_target", _("Posts")),
    ("lives", "lives_target", _("Facebook Lives of 30+ minutes")),
]


def plans_for(user: User) -> QuerySet[ImprovementPlan]:
    return ImprovementPlan.objects.filter(unit__in=units_for(user)).select_related("unit", "unit__state")


@dataclass(frozen=True)
class PlanFilters:
    state: State | None = None
    status: str = ""
    month: date | None = None  # plans whose three months include this one
    q: str = ""


def plan_list(user: User, filters: PlanFilters) -> QuerySet[ImprovementPlan]:
    plans = plans_for(user)
    if filters.state:
        plans = plans.filter(unit__state=filters.state)
    if filters.status:
        plans = plans.filter(status=filters.status)
    if filters.month:
        plans = plans.filter(first_month__gte=add_months(filters.month, -2), first_month__lte=filters.month)
    if filters.q:
        plans = plans.filter(
            Q(unit__name_en__icontains=filters.q)
            | Q(unit__name_hi__icontains=filters.q)
            | Q(unit__code__icontains=filters.q)
        )
    return plans.order_by("-first_month", "unit__name_en", "pk")


def plan_detail(user: User, pk: int) -> ImprovementPlan:
    """The plan with the people on it, or ``ImprovementPlan.DoesNotExist`` outside the user's scope."""
    return (
        plans_for(user)
        .select_related("requested_by", "submitted_by", "decided_by")
        .prefetch_related("targets")
        .get(pk=pk)
    )


def plans_for_unit(unit: Unit, *, limit: int = 5) -> list[ImprovementPlan]:
    return list(ImprovementPlan.objects.filter(unit=unit).order_by("-first_month", "-pk")[:limit])


@dataclass
class MetricProgress:
    key: str
    label: str
    target: int | None
    actual: int | None
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def percent(self) -> int | None:
        """The actual figure as a share of the target (for posts and lives; not for absolute followers)."""
        if self.target is None or self.actual is None or not self.target:
            return None
        return round(100 * self.actual / self.target)


@dataclass
class MonthProgress:
    month: date
    period: Period
    timing: str  # "ended", "running" or "future"
    metrics: list[MetricProgress] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """Missed if any target is missed; else no data if any figure is missing; else met (once ended)."""
        if self.timing == "future":
            return NOT_YET
        if self.timing == "running":
            return SO_FAR
        statuses = {metric.status for metric in self.metrics}
        if MISSED in statuses:
            return MISSED
        if NO_DATA in statuses:
            return NO_DATA
        return MET

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _actuals(figures: UnitFigures) -> dict[str, int | None]:
    """Followers and posts over all platforms; lives of 30+ minutes on Facebook only.

    The Facebook lives are taken from the same figures as
    ``unit_figures([unit], period, platform="facebook")`` would give them: summed over the
    unit's Facebook accounts polled in the month, no data if none was; so one call serves all three.
    """
    facebook = [item for item in figures.accounts if item.platform == Platform.FACEBOOK and item.polled]
    return {
        "followers": figures.followers_end,
        "posts": figures.posts,
        "lives": sum(item.long_lives for item in facebook) if facebook else None,
    }


def _judge(target: int | None, actual: int | None, timing: str) -> str:
    if timing == "future":
        return NOT_YET
    if actual is None:
        return NO_DATA
    if timing == "running":
        return SO_FAR
    if target is None:
        return NO_DATA
    return MET if actual >= target else MISSED


def plan_progress(plan: ImprovementPlan, *, now: datetime | None = None) -> list[MonthProgress]:
    """For each of the plan's three months: its targets against the unit's figures.

    Two queries for each month that has started (the unit's accounts with their snapshots, and
    its posts) and one for the targets: at most seven. A month still running shows the figures
    so far, never judged; a month to come shows nothing yet.
    """
    now = now or timezone.now()
    targets = {target.month: target for target in plan.targets.all()}  # prefetched by plan_detail
    progress = []
    for month in plan.months:
        period = month_of(month)
        if period.is_future(now):
            timing, actual, gaps = "future", {}, []
        else:
            timing = "running" if not period.has_ended(now) else "ended"
            (figures,) = unit_figures([plan.unit], period, now=now)
            actual, gaps = _actuals(figures), list(figures.gaps)
        target = targets.get(month)
        row = MonthProgress(month=month, period=period, timing=timing, gaps=gaps)
        for key, target_field, label in METRICS:
            goal = getattr(target, target_field) if target else None
            row.metrics.append(MetricProgress(key, label, goal, actual.get(key), _judge(goal, actual.get(key), timing)))
        progress.append(row)
    return progress


@dataclass
class Baseline:
    """The unit's figures in the last ended month before its plan: what its targets start from."""

    period: Period
    values: list[tuple[str, str, int | None]]  # (key, label, figure or None for no data)


def plan_baseline(plan: ImprovementPlan, *, now: datetime | None = None) -> Baseline:
    """The unit's figures in the month before the plan's first (or before this one, if that has not ended).

    Two queries.
    """
    now = now or timezone.now()
    start = min(plan.first_month, timezone.localdate(now).replace(day=1))
    period = month_of(add_months(start, -1))
    (figures,) = unit_figures([plan.unit], period, now=now, detail=False)
    actual = _actuals(figures)
    return Baseline(period, [(key, label, actual[key]) for key, _field, label in METRICS])


def chart_series(progress: list[MonthProgress]) -> list[dict]:
    """Per metric, the three months' targets and figures, for the bar charts (None where there is nothing)."""
    return [
        {
            "id": f"plan-chart-{key}",
            "label": str(label),
            "months": [str(row.period.label) for row in progress],
            "targets": [row.metrics[index].target for row in progress],
            "actuals": [row.metrics[index].actual for row in progress],
        }
        for index, (key, _field, label) in enumerate(METRICS)
    ]
