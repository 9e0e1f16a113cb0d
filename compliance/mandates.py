"""Reads of account mandates: which units have the account, since when, and coverage day by day.

A unit "has" the account from the moment the account was registered in govsocial
(``Account.created_at``); coverage on a day counts the units that had one by the
end of that day (IST). The whole series and the table of units come from one
query, whatever the number of units and days: each unit with its first account on
the platform (time, handle and id, read by index lookups on (unit, platform)).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format

from compliance.models import Mandate, RuleLevel
from departments.choices import AccountStatus, UnitKind
from departments.models import Account, State, Unit
from departments.selectors import states_for, units_for
from leaderboards.selectors import Cohort
from users.models import User

# After the deadline the series goes on up to today, but not forever.
MAX_DAYS_AFTER_DEADLINE = 90


def day_end(day: date) -> datetime:
    """The instant a day ends in the state's time (IST midnight after it)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# ---- who sees which mandates ------------------------------------------------------


def mandates_for(user: User) -> QuerySet[Mandate]:
    """Admins: every mandate; a state officer: their state's; a district official: those covering their units."""
    mandates = Mandate.objects.filter(state__in=states_for(user)).select_related(
        "state", "district", "rule", "rule__state", "rule__district"
    )
    if user.is_district_official:
        mandates = mandates.filter(
            Q(level=RuleLevel.DISTRICTS)
            | Q(level=RuleLevel.KIND, unit_kind__in=[UnitKind.DISTRICT, UnitKind.DISTRICT_OFFICE])
            | Q(level=RuleLevel.OFFICES, district_id=user.district_id)
        )
    return mandates


def mandate_cohort(mandate: Mandate) -> Cohort:
    return Cohort.for_level(mandate.level, state=mandate.state, district=mandate.district, kind=mandate.unit_kind)


def mandate_units(mandate: Mandate, user: User) -> QuerySet[Unit]:
    """The units the mandate applies to that the user may see (a district official: their own)."""
    units = mandate_cohort(mandate).units()
    if not user.is_admin_role:
        units = units.filter(pk__in=units_for(user).values("pk"))
    return units


# ---- coverage -----------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageDay:
    day: date
    covered: int
    total: int
    after_deadline: bool = False

    @property
    def missing(self) -> int:
        return self.total - self.covered

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.total) if self.total else 0


@dataclass(frozen=True)
class UnitCoverage:
    unit: Unit
    account_at: datetime | None  # when the unit's first account on the platform was registered
    handle: str = ""
    account_id: int | None = None
    account_status: str = ""

    @property
    def account_status_label(self) -> str:
        return str(AccountStatus(self.account_status).label) if self.account_status in AccountStatus.values else ""

    def had_by(self, instant: datetime) -> bool:
        return self.account_at is not None and self.account_at < instant


@dataclass
class Coverage:
    mandate: Mandate
    now: datetime
    units: list[UnitCoverage] = field(default_factory=list)
    days: list[CoverageDay] = field(default_factory=list)

    @property
    def deadline_end(self) -> datetime:
        return day_end(self.mandate.deadline)

    @property
    def deadline_passed(self) -> bool:
        return self.now >= self.deadline_end

    @property
    def total(self) -> int:
        return len(self.units)

    @property
    def covered(self) -> list[UnitCoverage]:
        """The units that have the account now, in the order they got it."""
        return sorted((row for row in self.units if row.account_at), key=lambda row: (row.account_at, row.unit.pk))

    @property
    def missing(self) -> list[UnitCoverage]:
        """The units without the account now."""
        return [row for row in self.units if row.account_at is None]

    @property
    def missing_at_deadline(self) -> list[UnitCoverage]:
        """The units that had no account when the deadline ended (including those that got one later)."""
        end = self.deadline_end
        return [row for row in self.units if not row.had_by(end)]

    @property
    def late(self) -> list[UnitCoverage]:
        """Units that got the account only after the deadline."""
        end = self.deadline_end
        return [row for row in self.units if row.account_at is not None and not row.had_by(end)]

    def arrivals(self) -> list[tuple[UnitCoverage, str]]:
        """Who got the account when: each covered unit with "before" (the order), "in_time" or "late"."""
        start, end = day_end(self.mandate.starts_on - timedelta(days=1)), self.deadline_end
        return [
            (row, "before" if row.account_at < start else "in_time" if row.account_at < end else "late")
            for row in self.covered
        ]

    @property
    def covered_at_deadline(self) -> int:
        return self.total - len(self.missing_at_deadline)

    @property
    def percent(self) -> int:
        """Coverage now, or at the deadline once it has passed."""
        covered = self.covered_at_deadline if self.deadline_passed else len(self.covered)
        return round(100 * covered / self.total) if self.total else 0

    @property
    def percent_now(self) -> int:
        return round(100 * len(self.covered) / self.total) if self.total else 0

    def chart(self) -> dict:
        """The series the page's chart draws: units covered each day against the total, the deadline marked."""
        days = [day.day for day in self.days]
        covered: list[int | None] = [day.covered for day in self.days]
        if days:  # a running order: the axis goes on to the deadline, the days to come without a figure
            while days[-1] < self.mandate.deadline:
                days.append(days[-1] + timedelta(days=1))
                covered.append(None)
        return {
            "days": [day.isoformat() for day in days],
            "labels": [date_format(day, "j M") for day in days],
            "covered": covered,
            "total": [self.total] * len(days),
            "deadline": self.mandate.deadline.isoformat(),
        }


def _first_accounts(units: QuerySet[Unit], platforms: list[str], until: datetime) -> QuerySet[Unit]:
    """Units annotated, per platform, with their first account registered before ``until``."""
    annotations = {}
    for platform in platforms:
        first = Account.objects.filter(unit=OuterRef("pk"), platform=platform, created_at__lt=until).order_by(
            "created_at", "pk"
        )
        annotations[f"first_{platform}_at"] = Subquery(first.values("created_at")[:1])
        annotations[f"first_{platform}_handle"] = Subquery(first.values("handle")[:1])
        annotations[f"first_{platform}_id"] = Subquery(first.values("pk")[:1])
        annotations[f"first_{platform}_status"] = Subquery(first.values("status")[:1])
    return units.annotate(**annotations)


def _unit_coverage(unit: Unit, platform: str) -> UnitCoverage:
    return UnitCoverage(
        unit=unit,
        account_at=getattr(unit, f"first_{platform}_at"),
        handle=getattr(unit, f"first_{platform}_handle") or "",
        account_id=getattr(unit, f"first_{platform}_id"),
        account_status=getattr(unit, f"first_{platform}_status") or "",
    )


def coverage_days(mandate: Mandate, units: list[UnitCoverage], now: datetime) -> list[CoverageDay]:
    """Each day from the order to today (past the deadline too, marked), with the units covered by its end."""
    today = timezone.localtime(now).date()
    last = min(today, mandate.deadline + timedelta(days=MAX_DAYS_AFTER_DEADLINE))
    times = sorted(row.account_at for row in units if row.account_at is not None)
    total = len(units)
    days, day = [], mandate.starts_on
    while day <= last:
        covered = bisect.bisect_left(times, day_end(day))  # accounts registered before the day ended
        days.append(CoverageDay(day, covered, total, after_deadline=day > mandate.deadline))
        day += timedelta(days=1)
    return days


def mandate_coverage(mandate: Mandate, user: User, *, now: datetime | None = None) -> Coverage:
    """The mandate's coverage as the user may see it: one query for the units, the table and the series."""
    now = now or timezone.now()
    units = _first_accounts(
        mandate_units(mandate, user).select_related("state", "district"), [mandate.platform], now
    ).order_by("name_en", "pk")
    rows = [_unit_coverage(unit, mandate.platform) for unit in units]
    return Coverage(mandate=mandate, now=now, units=rows, days=coverage_days(mandate, rows, now))


# ---- the list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MandateFilters:
    state: State | None = None
    status: str = ""  # running / passed


def mandate_list(user: User, filters: MandateFilters, *, today: date | None = None) -> QuerySet[Mandate]:
    mandates = mandates_for(user)
    today = today or timezone.localdate()
    if filters.state is not None:
        mandates = mandates.filter(state=filters.state)
    if filters.status == "running":
        mandates = mandates.filter(deadline__gte=today)
    elif filters.status == "passed":
        mandates = mandates.filter(deadline__lt=today)
    return mandates.order_by("-deadline", "name_en", "pk")


def coverage_of_mandates(mandates: list[Mandate], user: User, *, now: datetime | None = None) -> dict[int, Coverage]:
    """Coverage of several mandates (a page of the list) in one query: the union of their units, split in Python."""
    now = now or timezone.now()
    if not mandates:
        return {}
    scope = Q(pk__in=[])
    for mandate in mandates:
        cohort = mandate_cohort(mandate)
        part = Q(state_id=mandate.state_id, kind__in=cohort.kinds)
        if cohort.district is not None:
            part &= Q(district_id=cohort.district.pk)
        scope |= part
    units = Unit.objects.filter(scope, is_active=True)
    if not user.is_admin_role:
        units = units.filter(pk__in=units_for(user).values("pk"))
    platforms = sorted({mandate.platform for mandate in mandates})
    units = list(_first_accounts(units, platforms, now).order_by("name_en", "pk"))
    result = {}
    for mandate in mandates:
        cohort = mandate_cohort(mandate)
        rows = [
            _unit_coverage(unit, mandate.platform)
            for unit in units
            if unit.state_id == mandate.state_id
            and unit.kind in cohort.kinds
            and (cohort.district is None or unit.district_id == cohort.district.pk)
        ]
        result[mandate.pk] = Coverage(mandate=mandate, now=now, units=rows)
    return result
