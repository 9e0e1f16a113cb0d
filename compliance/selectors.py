"""Reads of rules and flags, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from compliance.models import Flag, Rule, RuleEvaluation
from departments.models import State, Unit
from departments.selectors import states_for, units_for
from users.models import User


def rules_for(user: User) -> QuerySet[Rule]:
    """Rules of the states the user works in (a district official reads their state's rules)."""
    return Rule.objects.filter(state__in=states_for(user)).select_related("state", "district")


def flags_for(user: User) -> QuerySet[Flag]:
    return Flag.objects.filter(unit__in=units_for(user)).select_related("rule", "unit", "unit__state", "revision")


@dataclass(frozen=True)
class FlagFilters:
    state: State | None = None
    status: str = ""
    rule: Rule | None = None
    month: date | None = None
    q: str = ""


def flag_list(user: User, filters: FlagFilters) -> QuerySet[Flag]:
    flags = flags_for(user)
    if filters.state:
        flags = flags.filter(unit__state=filters.state)
    if filters.status:
        flags = flags.filter(status=filters.status)
    if filters.rule:
        flags = flags.filter(rule=filters.rule)
    if filters.month:
        flags = flags.filter(period_start__lte=filters.month, period_end__gte=filters.month)
    if filters.q:
        flags = flags.filter(
            Q(unit__name_en__icontains=filters.q)
            | Q(unit__name_hi__icontains=filters.q)
            | Q(unit__code__icontains=filters.q)
        )
    return flags.order_by("-period_start", "unit__name_en", "pk")


def flags_for_unit(unit: Unit, *, limit: int = 10) -> list[Flag]:
    return list(Flag.objects.filter(unit=unit).select_related("rule").order_by("-period_start", "pk")[:limit])


def evaluation_for(rule: Rule, start: date) -> RuleEvaluation | None:
    return (
        RuleEvaluation.objects.filter(rule=rule, period_start=start).select_related("revision", "evaluated_by").first()
    )


def matching_live_rule(state: State, *, platform: str, minutes: int) -> Rule | None:
    """The state's active monthly rule on district lives of this length, if saved: its flags go with the table."""
    return (
        Rule.objects.filter(
            state=state,
            is_active=True,
            level="districts",
            metric="lives",
            period="monthly",
            platform=platform,
            min_duration_minutes=minutes,
        )
        .order_by("pk")
        .first()
    )
