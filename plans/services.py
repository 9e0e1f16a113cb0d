"""Writes of improvement plans: requiring them, submitting targets, approving or sending them back.

Every step is a conditional update on the status the user saw, so a repeated or crafted request
can neither skip a step nor take one twice; each step that happens leaves one PlanEvent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from departments.models import Unit
from departments.selectors import units_for
from plans.models import (
    AWAITING_UNIT,
    OPEN_STATUSES,
    PLAN_MONTHS,
    ImprovementPlan,
    PlanAction,
    PlanEvent,
    PlanStatus,
    PlanTarget,
)
from users.models import User

TARGET_FIELDS = ("followers_target", "posts_target", "lives_target")
# Sane upper bounds, far above any real account (the CM's X account has about half a million followers).
TARGET_MAXIMUM = {"followers_target": 1_000_000_000, "posts_target": 100_000, "lives_target": 1_000}


@dataclass
class RequireOutcome:
    created: list[ImprovementPlan] = field(default_factory=list)
    skipped: list[Unit] = field(default_factory=list)  # units that already had an open plan for that month


def may_decide(user: User, plan: ImprovementPlan) -> bool:
    """An admin, or a state PR officer of the plan's state."""
    return user.is_admin_role or (user.is_state_officer and user.state_id == plan.unit.state_id)


def may_submit(user: User, plan: ImprovementPlan) -> bool:
    """Anyone whose scope includes the unit: its district's officials, or the state for a state department."""
    return units_for(user).filter(pk=plan.unit_id).exists()


@transaction.atomic
def plans_require(
    *,
    units: Iterable[Unit],
    first_month: date,
    due_date: date,
    reason: str,
    user: User,
    now: datetime | None = None,
) -> RequireOutcome:
    """Require a plan for the three months from ``first_month`` from each unit (admins only).

    A unit that already has an open plan for that first month is skipped and reported, never
    given a second one: the check is made first, and the partial unique constraint settles a
    race with another admin doing the same at the same moment.
    """
    if not user.is_admin_role:
        raise PermissionDenied(_("Only admins require improvement plans."))
    now = now or timezone.now()
    today = timezone.localdate(now)
    units = list({unit.pk: unit for unit in units}.values())
    errors = {}
    if not units:
        errors["units"] = _("Choose at least one unit.")
    if first_month.day != 1:
        errors["first_month"] = _("A plan starts on the 1st of a month.")
    elif first_month < today.replace(day=1):
        errors["first_month"] = _("A plan covers months to come: choose this month or a later one.")
    if due_date < today:
        errors["due_date"] = _("The due date has passed already.")
    if not reason.strip():
        errors["reason"] = _("Say why the plan is required.")
    if errors:
        raise ValidationError(errors)
    taken = set(
        ImprovementPlan.objects.filter(
            unit__in=[unit.pk for unit in units], first_month=first_month, status__in=OPEN_STATUSES
        ).values_list("unit_id", flat=True)
    )
    outcome = RequireOutcome()
    for unit in units:
        if unit.pk in taken:
            outcome.skipped.append(unit)
            continue
        try:
            with transaction.atomic():
                plan = ImprovementPlan.objects.create(
                    unit=unit,
                    first_month=first_month,
                    due_date=due_date,
                    reason=reason.strip(),
                    requested_by=user,
                    requested_at=now,
                )
        except IntegrityError:
            outcome.skipped.append(unit)
            continue
        outcome.created.append(plan)
    PlanEvent.objects.bulk_create(
        PlanEvent(
            plan=plan,
            action=PlanAction.REQUIRE,
            to_status=PlanStatus.REQUESTED,
            by=user,
            at=now,
            note=plan.reason,
        )
        for plan in outcome.created
    )
    return outcome


def clean_targets(plan: ImprovementPlan, targets: list[Mapping]) -> list[dict]:
    """The targets as the plan needs them: the plan's three months exactly, each once, whole numbers ≥ 0."""
    months = plan.months
    labels = ", ".join(date_format(month, "F Y") for month in months)
    if len(targets) != PLAN_MONTHS or sorted(_month(item) for item in targets) != months:
        raise ValidationError(
            _("A plan has targets for exactly three months: %(months)s.") % {"months": labels}, code="months"
        )
    cleaned = []
    for item in sorted(targets, key=_month):
        row = {"month": _month(item)}
        for name in TARGET_FIELDS:
            value = item.get(name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError(_("Each target is a whole number."), code="not_a_number")
            if value < 0:
                raise ValidationError(_("A target cannot be below zero."), code="negative")
            if value > TARGET_MAXIMUM[name]:
                raise ValidationError(
                    _("A target of %(value)d is beyond any account.") % {"value": value}, code="too_large"
                )
            row[name] = value
        cleaned.append(row)
    return cleaned


def _month(item: Mapping) -> date | None:
    month = item.get("month")
    return month if isinstance(month, date) else None


@transaction.atomic
def plan_submit(
    *, plan: ImprovementPlan, user: User, targets: list[Mapping], summary: str = "", now: datetime | None = None
) -> ImprovementPlan:
    """The unit's targets for its three months: from a requested plan, or again from one sent back."""
    if not may_submit(user, plan):
        raise PermissionDenied(_("Only the unit's own officials submit its plan."))
    if plan.status not in AWAITING_UNIT:
        raise ValidationError(
            _("A plan that is %(status)s cannot be submitted.") % {"status": plan.get_status_display().lower()},
            code="status",
        )
    rows = clean_targets(plan, targets)
    now = now or timezone.now()
    updated = ImprovementPlan.objects.filter(pk=plan.pk, status=plan.status).update(
        status=PlanStatus.SUBMITTED,
        summary=summary.strip(),
        submitted_by=user,
        submitted_at=now,
        decided_by=None,
        decided_at=None,
        decision_note="",
    )
    if not updated:
        raise ValidationError(_("This plan was changed just now by someone else; reload the page."), code="stale")
    PlanTarget.objects.filter(plan=plan).delete()
    PlanTarget.objects.bulk_create(PlanTarget(plan=plan, **row) for row in rows)
    PlanEvent.objects.create(
        plan=plan,
        action=PlanAction.SUBMIT,
        from_status=plan.status,
        to_status=PlanStatus.SUBMITTED,
        by=user,
        at=now,
        note=summary.strip(),
        targets=[{**row, "month": row["month"].isoformat()} for row in rows],
    )
    plan.refresh_from_db()
    return plan


def _decide(
    *, plan: ImprovementPlan, user: User, note: str, action: str, to_status: str, now: datetime | None
) -> ImprovementPlan:
    if not may_decide(user, plan):
        raise PermissionDenied(_("Only admins and the state's PR officers decide on a plan."))
    if plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(
            _("A plan that is %(status)s cannot be approved or sent back.")
            % {"status": plan.get_status_display().lower()},
            code="status",
        )
    if plan.submitted_by_id == user.pk:
        raise ValidationError(_("You submitted this plan: another officer decides on it."), code="own_submission")
    if to_status == PlanStatus.RETURNED and not note.strip():
        raise ValidationError(_("Say what the unit should change before sending the plan back."), code="note")
    now = now or timezone.now()
    updated = ImprovementPlan.objects.filter(pk=plan.pk, status=PlanStatus.SUBMITTED).update(
        status=to_status, decided_by=user, decided_at=now, decision_note=note.strip()
    )
    if not updated:
        raise ValidationError(_("This plan was decided just now by someone else; reload the page."), code="stale")
    PlanEvent.objects.create(
        plan=plan,
        action=action,
        from_status=PlanStatus.SUBMITTED,
        to_status=to_status,
        by=user,
        at=now,
        note=note.strip(),
    )
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_approve(*, plan: ImprovementPlan, user: User, note: str = "", now: datetime | None = None) -> ImprovementPlan:
    """Accept the submitted targets: from then on they are followed against the unit's figures."""
    return _decide(plan=plan, user=user, note=note, action=PlanAction.APPROVE, to_status=PlanStatus.APPROVED, now=now)


@transaction.atomic
def plan_return(*, plan: ImprovementPlan, user: User, note: str, now: datetime | None = None) -> ImprovementPlan:
    """Send the submitted targets back to the unit with a note saying what to change."""
    return _decide(plan=plan, user=user, note=note, action=PlanAction.RETURN, to_status=PlanStatus.RETURNED, now=now)
