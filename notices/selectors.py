"""Reads of notices, always through the user's scope: a notice outside it is simply not found (404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from departments.models import State, Unit
from departments.selectors import units_for
from notices.models import Notice, ReplyAttachment
from users.models import User


def notices_for(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(unit__in=units_for(user)).select_related("unit", "unit__state", "state", "issued_by")


def notice_detail(user: User, pk: int) -> Notice:
    """The notice if the user may see it; ``Notice.DoesNotExist`` otherwise."""
    return notices_for(user).select_related("escalated_from", "unit__district").get(pk=pk)


def attachment_for(user: User, notice_pk: int, attachment_pk: int) -> ReplyAttachment:
    """An attachment of a notice the user may see; ``ReplyAttachment.DoesNotExist`` otherwise."""
    return ReplyAttachment.objects.select_related("reply__notice").get(
        pk=attachment_pk, reply__notice__in=notices_for(user).filter(pk=notice_pk)
    )


@dataclass(frozen=True)
class RegisterFilters:
    state: State | None = None
    unit: Unit | None = None
    status: str = ""
    issued_from: date | None = None
    issued_to: date | None = None
    overdue: bool = False
    q: str = ""


def notice_register(user: User, filters: RegisterFilters) -> QuerySet[Notice]:
    notices = notices_for(user)
    if filters.state:
        notices = notices.filter(state=filters.state)
    if filters.unit:
        notices = notices.filter(unit=filters.unit)
    if filters.status:
        notices = notices.filter(status=filters.status)
    if filters.issued_from:
        notices = notices.filter(issued_at__date__gte=filters.issued_from)
    if filters.issued_to:
        notices = notices.filter(issued_at__date__lte=filters.issued_to)
    if filters.overdue:
        notices = notices.filter(overdue=True)
    if filters.q:
        notices = notices.filter(
            Q(number__icontains=filters.q)
            | Q(unit__name_en__icontains=filters.q)
            | Q(unit__name_hi__icontains=filters.q)
            | Q(unit__code__icontains=filters.q)
        )
    return notices.order_by("-issued_at", "-pk")


def notices_for_unit(unit: Unit, *, limit: int = 10) -> list[Notice]:
    return list(Notice.objects.filter(unit=unit).order_by("-issued_at", "-pk")[:limit])
