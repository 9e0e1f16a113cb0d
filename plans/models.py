"""Improvement plans: a unit judged less active is asked for monthly targets for the next three months.

An admin requires a plan (from one unit or many at once); the unit submits its targets; a state
officer approves them or sends them back with a note, and a plan sent back is submitted again.
Each step is a PlanEvent, kept as it was (with the targets submitted at that step), so the
targets in force can change on a resubmission without rewriting what was submitted before.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Unit

PLAN_MONTHS = 3


class PlanStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Sent back")
    APPROVED = "approved", _("Approved")


# A plan still moving: at most one per unit and first month.
OPEN_STATUSES = (PlanStatus.REQUESTED, PlanStatus.SUBMITTED, PlanStatus.RETURNED)
# A plan the unit has to act on.
AWAITING_UNIT = (PlanStatus.REQUESTED, PlanStatus.RETURNED)


class PlanAction(models.TextChoices):
    REQUIRE = "require", _("Plan required")
    SUBMIT = "submit", _("Targets submitted")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Sent back")


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


class ImprovementPlan(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(_("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.REQUESTED)
    first_month = models.DateField(
        _("first month"), help_text=_("The 1st of the plan's first month; the plan covers it and the two after.")
    )
    due_date = models.DateField(_("due date"), help_text=_("When the unit must submit its targets."))
    reason = models.TextField(_("reason"), help_text=_("Why the plan is required, e.g. “Judged less active in July”."))
    summary = models.TextField(_("how the unit will get there"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("required by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("required at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-first_month", "unit__name_en", "pk"]
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_status_valid", condition=Q(status__in=PlanStatus.values)
            ),
            models.CheckConstraint(name="%(app_label)s_%(class)s_first_month_is_1st", condition=Q(first_month__day=1)),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_submitted_has_submitter",
                condition=~Q(status__in=[PlanStatus.SUBMITTED, PlanStatus.APPROVED])
                | Q(submitted_at__isnull=False, submitted_by__isnull=False),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_decided_has_decider",
                condition=~Q(status__in=[PlanStatus.RETURNED, PlanStatus.APPROVED])
                | Q(decided_at__isnull=False, decided_by__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["unit", "first_month"],
                condition=Q(status__in=OPEN_STATUSES),
                name="%(app_label)s_%(class)s_one_open_per_unit_month",
                violation_error_message=_("This unit already has an open plan for that month."),
            ),
        ]
        indexes = [
            # A unit's page: the unit's plans, newest first.
            models.Index(fields=["unit", "-first_month"], name="plan_unit_month_idx"),
            # The plan list filtered by status (e.g. everything awaiting a decision), newest first.
            models.Index(fields=["status", "-first_month"], name="plan_status_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.first_month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", kwargs={"pk": self.pk})

    @property
    def months(self) -> list[date]:
        return [add_months(self.first_month, offset) for offset in range(PLAN_MONTHS)]

    @property
    def last_month(self) -> date:
        return self.months[-1]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaits_unit(self) -> bool:
        return self.status in AWAITING_UNIT

    @property
    def is_overdue(self) -> bool:
        """Still waiting for the unit's targets after the due date (in IST)."""
        return self.awaits_unit and self.due_date < timezone.localdate()


class PlanTarget(models.Model):
    """What the unit commits to for one month of its plan (the version in force; each submission is in the events)."""

    plan = models.ForeignKey(ImprovementPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets")
    month = models.DateField(_("month"))
    followers_target = models.IntegerField(
        _("followers at the month's end"), help_text=_("Across all the unit's accounts.")
    )
    posts_target = models.IntegerField(_("posts"), help_text=_("Posts in the month, all platforms."))
    lives_target = models.IntegerField(
        _("Facebook Lives of 30+ minutes"), help_text=_("Facebook Lives of at least 30 minutes in the month.")
    )

    class Meta:
        ordering = ["plan", "month"]
        verbose_name = _("plan target")
        verbose_name_plural = _("plan targets")
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="%(app_label)s_%(class)s_one_per_month"),
            models.CheckConstraint(name="%(app_label)s_%(class)s_month_is_1st", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_not_negative",
                condition=Q(followers_target__gte=0, posts_target__gte=0, lives_target__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.month:%Y-%m}"


class PlanEvent(models.Model):
    """Every step of a plan, with who, when and why: append-only."""

    plan = models.ForeignKey(ImprovementPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=PlanAction.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    targets = models.JSONField(_("targets submitted"), default=list, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("plan event")
        verbose_name_plural = _("plan events")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_action_valid", condition=Q(action__in=PlanAction.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.from_status or '—'} → {self.to_status}"

    @property
    def to_status_label(self) -> str:
        return PlanStatus(self.to_status).label if self.to_status in PlanStatus.values else self.to_status
