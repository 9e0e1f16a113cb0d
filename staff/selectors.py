"""Reads of staff rosters and follow compliance, always through the user's scope.

Compliance of a unit = active staff who follow its handle (verified through X, or self-declared where
X could not tell) / active staff. A district counts its own staff and its offices' staff. A unit with
no staff listed has no percentage (never 0 %), nor has one with no X account to follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from departments.choices import Platform, UnitKind
from departments.models import Account, Unit
from departments.selectors import units_for
from staff.models import FollowStatus, StaffMember, follow_unit_id
from users.models import User

# A self-declaration counts where X could not tell, or when it was made after X last said "does not follow".
DECLARATION_COUNTS = (
    Q(declared_follows=True)
    & ~Q(follow_status=FollowStatus.FOLLOWS)
    & (~Q(follow_status=FollowStatus.NOT_FOLLOWING) | Q(declared_at__gt=F("follow_checked_at")))
)


@dataclass(frozen=True)
class StaffCompliance:
    total: int = 0  # active staff
    with_account: int = 0
    verified: int = 0  # follow, as X says
    declared: int = 0  # follow, as they declare (and X could not confirm or deny)
    has_target: bool = False  # the unit has an X handle to follow
    last_checked: datetime | None = None

    @property
    def following(self) -> int:
        return self.verified + self.declared

    @property
    def percent(self) -> Decimal | None:
        """Following (verified or self-declared) / staff; None without staff or without a handle to follow."""
        return self._share(self.following) if self.has_target else None

    @property
    def verified_percent(self) -> Decimal | None:
        return self._share(self.verified) if self.has_target else None

    @property
    def account_percent(self) -> Decimal | None:
        return self._share(self.with_account)

    def _share(self, part: int) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(100 * part) / self.total).quantize(Decimal("1"), ROUND_HALF_UP)


def _count(members: QuerySet[StaffMember]) -> Coalesce:
    """A scalar subquery counting ``members`` (an aggregate without GROUP BY)."""
    counted = members.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def compliance_annotations(*, include_offices: bool = True) -> dict:
    """Annotations for a ``Unit`` queryset: its staff compliance, as subqueries of that one query."""
    members = StaffMember.objects.filter(is_active=True)
    if include_offices:
        members = members.filter(Q(unit_id=OuterRef("pk")) | Q(unit__district_id=OuterRef("pk")))
    else:
        members = members.filter(unit_id=OuterRef("pk"))
    return {
        "staff_total": _count(members),
        "staff_with_account": _count(members.exclude(x_handle="")),
        "staff_verified": _count(members.filter(follow_status=FollowStatus.FOLLOWS)),
        "staff_declared": _count(members.filter(DECLARATION_COUNTS)),
        "staff_last_checked": Subquery(
            members.filter(follow_checked_at__isnull=False)
            .order_by("-follow_checked_at")
            .values("follow_checked_at")[:1]
        ),
        "staff_has_target": Exists(
            Account.objects.filter(platform=Platform.X, unit_id=Coalesce(OuterRef("district_id"), OuterRef("pk")))
        ),
    }


def compliance_of(unit: Unit) -> StaffCompliance:
    """The compliance of a unit annotated with ``compliance_annotations``."""
    return StaffCompliance(
        total=unit.staff_total,
        with_account=unit.staff_with_account,
        verified=unit.staff_verified,
        declared=unit.staff_declared,
        has_target=unit.staff_has_target,
        last_checked=unit.staff_last_checked,
    )


def staff_compliance(unit_ids: list[int]) -> dict[int, StaffCompliance]:
    """Per unit id: its compliance (a district with its offices' staff). One query, whatever the number."""
    if not unit_ids:
        return {}
    units = Unit.objects.filter(pk__in=unit_ids).annotate(**compliance_annotations()).only("pk", "district_id")
    return {unit.pk: compliance_of(unit) for unit in units}


# --- rosters ------------------------------------------------------------------------------------------

ROSTER_SORTS = {
    "name": ("name",),
    "-name": ("-name",),
    "designation": ("designation", "name"),
    "-designation": ("-designation", "name"),
    "handle": ("x_handle", "name"),
    "-handle": ("-x_handle", "name"),
    "status": ("follow_status", "name"),
    "-status": ("-follow_status", "name"),
    "checked": (F("follow_checked_at").asc(nulls_first=True), "name"),
    "-checked": (F("follow_checked_at").desc(nulls_last=True), "name"),
}


def unit_in_scope(user: User, code: str) -> Unit:
    """The unit, or ``Unit.DoesNotExist`` outside the user's scope (their district and its offices, their state)."""
    return units_for(user).select_related("state", "district").get(code=code.upper())


def roster(unit: Unit, *, q: str = "", sort: str = "name", inactive: bool = False) -> QuerySet[StaffMember]:
    members = unit.staff.select_related("declared_by")
    if not inactive:
        members = members.filter(is_active=True)
    if q:
        members = members.filter(Q(name__icontains=q) | Q(designation__icontains=q) | Q(x_handle__icontains=q))
    return members.order_by(*ROSTER_SORTS.get(sort, ROSTER_SORTS["name"]))


def member_in_scope(user: User, pk: int) -> StaffMember:
    """The member, or ``StaffMember.DoesNotExist`` if their unit is outside the user's scope."""
    return StaffMember.objects.select_related("unit__state", "unit__district").get(pk=pk, unit__in=units_for(user))


def target_account(unit: Unit) -> Account | None:
    """The X account the unit's staff must follow: the district's (for an office), else the unit's own."""
    return Account.objects.filter(platform=Platform.X, unit_id=follow_unit_id(unit)).order_by("pk").first()


def import_units(user: User, unit: Unit) -> QuerySet[Unit]:
    """The units a roster file uploaded on ``unit``'s page may name: it, and a district's offices."""
    units = units_for(user).filter(Q(pk=unit.pk) | Q(district_id=unit.pk))
    return units if unit.kind == UnitKind.DISTRICT else units.filter(pk=unit.pk)


# --- the overview -------------------------------------------------------------------------------------

OVERVIEW_SORTS = {
    "name": ("name_en",),
    "-name": ("-name_en",),
    "staff": ("staff_total", "name_en"),
    "-staff": ("-staff_total", "name_en"),
    "following": ("staff_following", "name_en"),
    "-following": ("-staff_following", "name_en"),
}


def overview_units(user: User, *, state=None, district: Unit | None = None, sort: str = "name") -> QuerySet[Unit]:
    """Districts (with their offices' staff) and state departments of a state; or one district and its offices.

    In a district's list each row counts its own staff only, so the rows add up.
    """
    units = units_for(user).filter(is_active=True).select_related("state", "district")
    if district is not None:
        units = units.filter(Q(pk=district.pk) | Q(district=district))
        annotations = compliance_annotations(include_offices=False)
    else:
        units = units.filter(state=state).exclude(kind=UnitKind.DISTRICT_OFFICE)
        annotations = compliance_annotations()
    units = units.annotate(**annotations).annotate(staff_following=F("staff_verified") + F("staff_declared"))
    return units.order_by(*OVERVIEW_SORTS.get(sort, OVERVIEW_SORTS["name"]))
