"""Each unit's staff, whether they have an X account, and whether they follow their district's handle.

Rajasthan ordered every officer and employee to create an X account and follow
the district's handle (@DmDausa). A ``StaffMember`` is one person on a unit's
roster; following is verified through the X API within an admin-set weekly
budget (``FollowCheckBudget``), every request written to an append-only ledger
(``FollowCheckRequest``), with the person's own declaration as a fallback that
is always shown as such.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from departments.models import Unit

RECHECK_DAYS = 7  # a staff account is checked against X at most once a week


def follow_unit_id(unit: Unit) -> int:
    """The unit whose X account a unit's staff must follow: an office's district, else the unit itself."""
    return unit.district_id or unit.pk


class FollowStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Not checked yet")
    FOLLOWS = "follows", _("Follows")
    NOT_FOLLOWING = "not_following", _("Does not follow")
    PROTECTED = "protected", _("Protected account")
    NOT_FOUND = "not_found", _("Account not found")
    SUSPENDED = "suspended", _("Account suspended")


class StaffMember(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(_("name"), max_length=200)
    designation = models.CharField(_("designation"), max_length=200, blank=True)
    x_handle = models.CharField(
        _("X handle"), max_length=15, blank=True, help_text=_("Empty when the person has no X account.")
    )
    x_user_id = models.CharField(_("X user id"), max_length=32, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    follow_status = models.CharField(
        _("follow status"), max_length=16, choices=FollowStatus.choices, default=FollowStatus.UNKNOWN
    )
    follow_target = models.CharField(
        _("checked against"), max_length=15, blank=True, help_text=_("The handle the last check looked for.")
    )
    follow_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    follow_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    declared_follows = models.BooleanField(_("declares following"), null=True, blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declaration recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__name_en", "name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        constraints = [
            models.UniqueConstraint(
                "unit",
                Lower("name"),
                Lower("designation"),
                name="%(app_label)s_%(class)s_unique_person",
                violation_error_message=_("This unit already lists a person of this name and designation."),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_follow_status_valid",
                condition=Q(follow_status__in=FollowStatus.values),
            ),
        ]
        indexes = [
            # The follow checks: active members due for a check, oldest check first.
            models.Index(fields=["is_active", "follow_checked_at"], name="staff_member_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.designation})" if self.designation else self.name

    @property
    def follows_verified(self) -> bool:
        return self.follow_status == FollowStatus.FOLLOWS

    @property
    def declaration_counts(self) -> bool:
        """A declaration counts where X could not tell, or when made after X last said no."""
        if not self.declared_follows or self.follow_status == FollowStatus.FOLLOWS:
            return False
        if self.follow_status == FollowStatus.NOT_FOLLOWING:
            return bool(self.declared_at and self.follow_checked_at and self.declared_at > self.follow_checked_at)
        return True


class FollowCheckBudget(models.Model):
    """How many X requests the follow checks may make in any 7 days; one row, set by an admin."""

    enabled = models.BooleanField(_("checks enabled"), default=False)
    requests_per_week = models.PositiveIntegerField(
        _("requests per 7 days"),
        default=0,
        help_text=_(
            "Each X request costs one: a users lookup (up to 100 handles) or one page of up to 1,000 accounts "
            "a person follows."
        ),
    )
    paused_until = models.DateTimeField(_("paused until"), null=True, blank=True, editable=False)
    pause_reason = models.CharField(_("pause reason"), max_length=500, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("follow check budget")
        verbose_name_plural = _("follow check budget")

    def __str__(self) -> str:
        return f"{self.requests_per_week} X requests / 7 days ({'on' if self.enabled else 'off'})"

    @classmethod
    def load(cls) -> FollowCheckBudget:
        budget, _created = cls.objects.get_or_create(pk=1)
        return budget


class RequestOutcome(models.TextChoices):
    PENDING = "pending", _("In flight")
    OK = "ok", _("Answered")
    ACCOUNT_ERROR = "account_error", _("Refused for this account")
    RATE_LIMITED = "rate_limited", _("Rate limited")
    FAILED = "failed", _("Failed")


class FollowCheckRequest(models.Model):
    """One X request made by the follow checks: the ledger the weekly spend is counted from. Append-only."""

    class Endpoint(models.TextChoices):
        USERS_BY = "users_by", "GET /2/users/by"
        FOLLOWING = "following", "GET /2/users/:id/following"

    at = models.DateTimeField(_("at"))
    endpoint = models.CharField(_("endpoint"), max_length=16, choices=Endpoint.choices)
    member = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    page = models.PositiveIntegerField(_("page"), default=0)
    pagination_token = models.CharField(_("pagination token"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=RequestOutcome.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("follow check request")
        verbose_name_plural = _("follow check requests")
        indexes = [
            # The budget: requests made in the last 7 days.
            models.Index(fields=["at"], name="staff_request_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.endpoint} {self.outcome}"
