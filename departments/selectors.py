"""Reads of the hierarchy, always through the user's scope.

Every page that shows a unit or an account gets it from these querysets, so an
object outside the user's scope is simply not found (404), never shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from departments.choices import Platform, UnitKind
from departments.models import Account, State, Unit
from users.models import User


def unit_scope(user: User) -> Q:
    if user.is_admin_role:
        return Q()
    if user.is_district_official:
        return Q(pk=user.district_id) | Q(district_id=user.district_id)
    if user.is_state_officer:
        return Q(state_id=user.state_id)
    return Q(pk__in=[])


def states_for(user: User) -> QuerySet[State]:
    if user.is_admin_role:
        return State.objects.all()
    return State.objects.filter(pk=user.state_id)


def units_for(user: User) -> QuerySet[Unit]:
    return Unit.objects.filter(unit_scope(user))


def accounts_for(user: User) -> QuerySet[Account]:
    return Account.objects.filter(unit__in=units_for(user))


def with_coverage(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """Annotate ``has_x``, ``has_facebook``, ``has_youtube`` (one EXISTS each, no N+1)."""
    annotations = {
        f"has_{platform}": Exists(Account.objects.filter(unit=OuterRef("pk"), platform=platform))
        for platform in Platform.values
    }
    return units.annotate(**annotations)


@dataclass(frozen=True)
class DirectoryFilters:
    state: State | None = None
    kind: str = ""
    district: Unit | None = None
    missing: str = ""
    has: str = ""
    q: str = ""
    sort: str = "name"
    hindi: bool = False  # sort names by their Hindi form when the page is in Hindi


SORTS = {
    "name": ("name_en",),
    "-name": ("-name_en",),
    "code": ("code",),
    "-code": ("-code",),
    "kind": ("kind", "name_en"),
    "-kind": ("-kind", "name_en"),
    "district": ("district__name_en", "name_en"),
    "-district": ("-district__name_en", "name_en"),
    "accounts": ("account_count", "name_en"),
    "-accounts": ("-account_count", "name_en"),
}


def directory_units(user: User, filters: DirectoryFilters) -> QuerySet[Unit]:
    """The units a directory page lists, with coverage flags, in the chosen order."""
    units = units_for(user).select_related("state", "district", "department")
    if filters.state is not None:
        units = units.filter(state=filters.state)
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.district is not None:
        units = units.filter(Q(pk=filters.district.pk) | Q(district=filters.district))
    if filters.missing in Platform.values:
        units = units.exclude(accounts__platform=filters.missing)
    if filters.has in Platform.values:
        units = units.filter(Exists(Account.objects.filter(unit=OuterRef("pk"), platform=filters.has)))
    if filters.q:
        units = units.filter(
            Q(name_en__icontains=filters.q) | Q(name_hi__icontains=filters.q) | Q(code__icontains=filters.q.upper())
        )
    units = with_coverage(units).annotate(account_count=Count("accounts", distinct=True))
    order = SORTS.get(filters.sort, SORTS["name"])
    if filters.hindi:
        order = tuple(field.replace("name_en", "name_hi") for field in order)
    return units.order_by(*order)


def coverage_summary(units: QuerySet[Unit]) -> list[dict]:
    """Per kind of unit: how many units, and how many have an account on each platform.

    One query, grouped by kind.
    """
    aggregates = {"total": Count("pk")}
    for platform in Platform.values:
        aggregates[platform] = Count(
            "pk", filter=Q(Exists(Account.objects.filter(unit=OuterRef("pk"), platform=platform)))
        )
    rows = units.order_by().values("kind").annotate(**aggregates)
    labels = dict(UnitKind.choices)
    order = list(UnitKind.values)
    summary = []
    for row in sorted(rows, key=lambda r: order.index(r["kind"])):
        total = row["total"]
        summary.append(
            {
                "kind": row["kind"],
                "label": labels[row["kind"]],
                "total": total,
                "platforms": [
                    {
                        "platform": platform,
                        "count": row[platform],
                        "missing": total - row[platform],
                        "percent": round(100 * row[platform] / total) if total else 0,
                    }
                    for platform in Platform.values
                ],
            }
        )
    return summary


def unit_detail(user: User, code: str) -> Unit:
    """The unit, or ``Unit.DoesNotExist`` if it is outside the user's scope."""
    return units_for(user).select_related("state", "district", "department").get(code=code)


def unit_offices(unit: Unit) -> QuerySet[Unit]:
    return with_coverage(unit.offices.select_related("department")).order_by("name_en")


def unit_accounts(unit: Unit) -> QuerySet[Account]:
    return unit.accounts.order_by("platform", "handle")
