"""Campaigns: a time-boxed drive (e.g. Dausa's 15 days) with targets per unit, a frozen baseline and a frozen report.

A campaign is drafted with its participating units and targets, then started: the participants are frozen
and each participating account's baseline (its followers at the start, and the snapshot slot they came
from) is recorded, and the accounts are polled hourly until the campaign's end. At the close the report is
frozen as one ``CampaignResult`` per unit and target, so it never changes afterwards.

Dates are whole IST days, ``starts_on`` to ``ends_on`` inclusive (``leaderboards.periods.Period``).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.choices import Platform
from departments.models import Account, BilingualNameMixin, State, Unit
from leaderboards.periods import Period

# Longer drives are reviews, not campaigns; it also bounds the day-by-day reads (one subquery a day).
MAX_CAMPAIGN_DAYS = 92
TYPICAL_CAMPAIGN_DAYS = 15


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class CampaignScope(models.TextChoices):
    STATE = "state", _("The whole state (its districts, departments and undertakings)")
    DISTRICTS = "districts", _("Chosen districts")
    DISTRICT_OFFICES = "district_offices", _("The department offices of one district")
    DEPARTMENTS = "departments", _("State departments and undertakings")


class TargetMetric(models.TextChoices):
    FOLLOWERS = "followers", _("Follower growth (+N)")
    FOLLOWERS_PCT = "followers_pct", _("Follower growth (+N%)")
    POSTS = "posts", _("Posts")
    REPOSTS = "reposts", _("Retweets / reposts")
    LIVES = "lives", _("Facebook Lives")


class TargetPlatform(models.TextChoices):
    ALL = "all", _("All platforms")
    X = Platform.X.value, Platform.X.label
    FACEBOOK = Platform.FACEBOOK.value, Platform.FACEBOOK.label
    YOUTUBE = Platform.YOUTUBE.value, Platform.YOUTUBE.label


class ResultStatus(models.TextChoices):
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    NO_DATA = "no_data", _("No data")


class Campaign(BilingualNameMixin):
    state = models.ForeignKey(State, verbose_name=_("state"), on_delete=models.PROTECT, related_name="campaigns")
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("first day"), help_text=_("In IST; the campaign starts at midnight."))
    ends_on = models.DateField(_("last day"), help_text=_("In IST; the campaign ends at the end of this day."))
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    scope = models.CharField(_("taking part"), max_length=32, choices=CampaignScope.choices)
    district = models.ForeignKey(
        Unit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For the offices of one district: that district."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_early = models.BooleanField(_("closed early"), default=False)
    close_reason = models.TextField(_("reason for closing early"), blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_status_valid", condition=Q(status__in=CampaignStatus.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_scope_valid", condition=Q(scope__in=CampaignScope.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_ends_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message=_("The last day cannot be before the first."),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_offices_have_district",
                condition=Q(scope=CampaignScope.DISTRICT_OFFICES, district__isnull=False)
                | (~Q(scope=CampaignScope.DISTRICT_OFFICES) & Q(district__isnull=True)),
                violation_error_message=_("Choose the district whose offices take part."),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_started_has_starter",
                condition=Q(status=CampaignStatus.DRAFT) | Q(started_at__isnull=False, started_by__isnull=False),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_closed_has_closer",
                condition=~Q(status=CampaignStatus.CLOSED) | Q(closed_at__isnull=False),
            ),
        ]
        indexes = [
            # The campaign list of one state filtered by status, newest first.
            models.Index(fields=["state", "status", "-starts_on"], name="campaign_state_status_idx"),
            # campaigns_advance: scheduled campaigns whose first day has come, running ones whose last has passed.
            models.Index(fields=["status", "starts_on", "ends_on"], name="campaign_status_dates_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", kwargs={"pk": self.pk})

    @property
    def period(self) -> Period:
        return Period("custom", self.starts_on, self.ends_on)

    @property
    def start_at(self) -> datetime:
        return self.period.start_at

    @property
    def end_at(self) -> datetime:
        """Midnight IST after the last day (exclusive)."""
        return self.period.end_at

    @property
    def days(self) -> int:
        return self.period.days

    def measured_until(self, now: datetime | None = None) -> datetime:
        """Figures count up to now, the campaign's end, or its close, whichever is first."""
        until = self.period.measured_until(now)
        if self.closed_at is not None:
            until = max(min(until, self.closed_at), self.start_at)
        return until

    def day_number(self, now: datetime | None = None) -> int:
        """Day X of N: the IST days begun so far (0 before the start, N after the end)."""
        return self.period.days_elapsed(self.measured_until(now))

    def has_ended_at(self, now: datetime | None = None) -> bool:
        return self.period.has_ended(now)

    @property
    def is_editable(self) -> bool:
        return self.status == CampaignStatus.DRAFT

    @property
    def has_started(self) -> bool:
        return self.status in (CampaignStatus.RUNNING, CampaignStatus.CLOSED)


class CampaignUnit(models.Model):
    """A unit taking part: editable while the campaign is a draft, frozen once it starts."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="campaign_entries")

    class Meta:
        ordering = ["campaign", "unit__name_en"]
        verbose_name = _("participating unit")
        verbose_name_plural = _("participating units")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="%(app_label)s_%(class)s_once_per_campaign"),
        ]
        indexes = [
            # A district official's campaigns: those in which a unit of their district takes part.
            models.Index(fields=["unit", "campaign"], name="campaignunit_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.unit_id}"


class CampaignTarget(models.Model):
    """A target for one metric on one platform: for every participant (unit empty), or overriding it for one unit."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("only for unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the target of every participant. A unit: its own target instead."),
    )
    metric = models.CharField(_("metric"), max_length=16, choices=TargetMetric.choices)
    platform = models.CharField(_("platform"), max_length=16, choices=TargetPlatform.choices)
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    live_minimum_minutes = models.PositiveIntegerField(_("minimum length of a Live (minutes)"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "pk"]
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_metric_valid", condition=Q(metric__in=TargetMetric.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_platform_valid", condition=Q(platform__in=TargetPlatform.values)
            ),
            models.CheckConstraint(name="%(app_label)s_%(class)s_value_positive", condition=Q(value__gt=0)),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_live_minimum_for_lives",
                condition=Q(metric=TargetMetric.LIVES) | Q(live_minimum_minutes__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["campaign", "metric", "platform"],
                condition=Q(unit__isnull=True),
                name="%(app_label)s_%(class)s_one_default",
                violation_error_message=_("This metric and platform already have a target."),
            ),
            models.UniqueConstraint(
                fields=["campaign", "unit", "metric", "platform"],
                condition=Q(unit__isnull=False),
                name="%(app_label)s_%(class)s_one_per_unit",
                violation_error_message=_("This unit already has its own target for this metric and platform."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} · {self.get_platform_display()}: {self.value}"

    @property
    def key(self) -> tuple[str, str]:
        """What an override replaces: the default target of the same metric and platform."""
        return (self.metric, self.platform)


class CampaignBaseline(models.Model):
    """A participating account's followers at the start, frozen when the campaign starts (history: read-only)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="baselines"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    followers = models.BigIntegerField(_("followers at the start"), null=True, blank=True)
    slot = models.DateTimeField(
        _("from the snapshot of"), null=True, blank=True, help_text=_("Empty: no snapshot to start from.")
    )

    class Meta:
        ordering = ["campaign", "unit__name_en", "platform"]
        verbose_name = _("campaign baseline")
        verbose_name_plural = _("campaign baselines")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "account"], name="%(app_label)s_%(class)s_once_per_account"),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_followers_with_slot",
                condition=Q(followers__isnull=True, slot__isnull=True) | Q(followers__isnull=False, slot__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.account_id} = {self.followers}"


class CampaignResult(models.Model):
    """The report, frozen at the close: one row per unit and target, never changed afterwards."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    metric = models.CharField(_("metric"), max_length=16, choices=TargetMetric.choices)
    platform = models.CharField(_("platform"), max_length=16, choices=TargetPlatform.choices)
    live_minimum_minutes = models.PositiveIntegerField(_("minimum length of a Live (minutes)"), null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    before = models.BigIntegerField(_("before"), null=True, blank=True)
    after = models.BigIntegerField(_("after"), null=True, blank=True)
    achieved = models.DecimalField(_("achieved"), max_digits=14, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField(_("share of target (%)"), max_digits=7, decimal_places=1, null=True, blank=True)
    status = models.CharField(_("result"), max_length=16, choices=ResultStatus.choices)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["campaign", "unit__name_en", "position"]
        verbose_name = _("campaign result")
        verbose_name_plural = _("campaign results")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "metric", "platform"], name="%(app_label)s_%(class)s_once_per_target"
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_status_valid", condition=Q(status__in=ResultStatus.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_metric_valid", condition=Q(metric__in=TargetMetric.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.unit_id} {self.metric}/{self.platform} {self.status}"
