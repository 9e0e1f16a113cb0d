"""Compliance rules, their evaluation per period, and the flags raised for units that fail them.

A rule is edited in place, but each version is kept as a RuleRevision, and a
period is judged by the version in force when it closed. A flag carries its
evidence as it was when it was raised (the numbers, the period, the rule's
text), so changing a rule later never rewrites what a unit was told.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from departments.choices import Platform
from departments.models import BilingualNameMixin, State, Unit
from leaderboards.periods import Period, period_for


class RuleMetric(models.TextChoices):
    LIVES = "lives", _("Live broadcasts (of at least the minimum length)")
    POSTS = "posts", _("Posts")
    REPOSTS = "reposts", _("Retweets / shares")
    REPLIES = "replies", _("Replies")
    GROWTH = "growth", _("Follower growth")
    GROWTH_PCT = "growth_pct", _("Follower growth (%)")
    FOLLOWERS = "followers_end", _("Followers at the period's end")
    ACCOUNTS = "accounts", _("Official accounts")


class Comparison(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    MORE_THAN = "gt", _("more than")
    AT_MOST = "lte", _("at most")
    LESS_THAN = "lt", _("less than")


class RulePeriod(models.TextChoices):
    WEEKLY = "weekly", _("a week")
    MONTHLY = "monthly", _("a month")
    QUARTERLY = "quarterly", _("a quarter")
    DEADLINE = "deadline", _("once, by a deadline")


class RuleLevel(models.TextChoices):
    DISTRICTS = "districts", _("Districts")
    DEPARTMENTS = "departments", _("State departments and undertakings")
    OFFICES = "offices", _("Offices of one district")
    KIND = "kind", _("Units of one kind")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    EXPLAINED = "explained", _("Explained")
    RESOLVED = "resolved", _("Resolved")


class Rule(BilingualNameMixin):
    state = models.ForeignKey(State, verbose_name=_("state"), on_delete=models.PROTECT, related_name="rules")
    level = models.CharField(_("applies to"), max_length=16, choices=RuleLevel.choices, default=RuleLevel.DISTRICTS)
    unit_kind = models.CharField(_("unit kind"), max_length=32, blank=True, help_text=_("For “units of one kind”."))
    district = models.ForeignKey(
        Unit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For “offices of one district”."),
    )
    metric = models.CharField(_("metric"), max_length=16, choices=RuleMetric.choices)
    platform = models.CharField(_("platform"), max_length=16, blank=True, help_text=_("Blank: all platforms together."))
    comparison = models.CharField(
        _("comparison"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=2)
    period = models.CharField(_("period"), max_length=16, choices=RulePeriod.choices, default=RulePeriod.MONTHLY)
    starts_on = models.DateField(
        _("starts on"), null=True, blank=True, help_text=_("For a rule judged once by a deadline: the first day.")
    )
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, help_text=_("For a rule judged once by a deadline: the last day (IST).")
    )
    min_duration_minutes = models.PositiveSmallIntegerField(
        _("minimum length (minutes)"),
        default=0,
        help_text=_("For live broadcasts: only those at least this long count."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["state__name_en", "name_en"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_metric_valid", condition=Q(metric__in=RuleMetric.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_comparison_valid", condition=Q(comparison__in=Comparison.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_period_valid", condition=Q(period__in=RulePeriod.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_offices_have_district",
                condition=~Q(level=RuleLevel.OFFICES) | Q(district__isnull=False),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_deadline_dates",
                condition=Q(
                    period=RulePeriod.DEADLINE,
                    starts_on__isnull=False,
                    deadline__isnull=False,
                    deadline__gte=models.F("starts_on"),
                )
                | (~Q(period=RulePeriod.DEADLINE) & Q(starts_on__isnull=True, deadline__isnull=True)),
                violation_error_message=_(
                    "A rule judged by a deadline needs its first day and its deadline (not before the first day); "
                    "a periodic rule has neither."
                ),
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("compliance:rule_detail", kwargs={"pk": self.pk})

    @property
    def is_one_off(self) -> bool:
        """Judged once, for the days from ``starts_on`` to ``deadline``, rather than every period."""
        return self.period == RulePeriod.DEADLINE

    def period_containing(self, day: date) -> Period:
        """The period of this rule that ``day`` falls in; a one-off rule has only one, whatever the day."""
        if self.is_one_off:
            return Period("deadline", self.starts_on, self.deadline)
        return period_for(self.period, day)

    @property
    def text(self) -> str:
        """The rule in a sentence, in the active language."""
        from compliance.rules import RuleSpec

        return RuleSpec.from_rule(self).text()


class RuleRevision(models.Model):
    """One version of a rule, as it was saved: append-only."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        ordering = ["rule", "-number"]
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        constraints = [
            models.UniqueConstraint(fields=["rule", "number"], name="%(app_label)s_%(class)s_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.number}"


class RuleEvaluation(models.Model):
    """A rule judged for one period: the figures of every unit, kept as they were."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        MANUAL = "manual", _("On demand")

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="evaluations")
    revision = models.ForeignKey(RuleRevision, on_delete=models.PROTECT, related_name="evaluations")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    evaluated_at = models.DateTimeField(_("evaluated at"))
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    units = models.PositiveIntegerField(_("units"), default=0)
    passed = models.PositiveIntegerField(_("passed"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    no_data = models.PositiveIntegerField(_("no data"), default=0)
    results = models.JSONField(_("results"), default=list)

    class Meta:
        ordering = ["-period_start", "rule"]
        verbose_name = _("rule evaluation")
        verbose_name_plural = _("rule evaluations")
        constraints = [
            models.UniqueConstraint(fields=["rule", "period_start"], name="%(app_label)s_%(class)s_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.period_start}"


class Flag(models.Model):
    """A unit that failed a rule in a period: one per unit, rule and period."""

    rule = models.ForeignKey(Rule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="flags")
    revision = models.ForeignKey(RuleRevision, on_delete=models.PROTECT, related_name="flags")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="flags")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True)
    evidence = models.JSONField(_("evidence"))
    status = models.CharField(_("status"), max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    explanation = models.TextField(_("explanation"), blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "unit__name_en"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "unit", "period_start"], name="%(app_label)s_%(class)s_one_per_unit_rule_period"
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_status_valid", condition=Q(status__in=FlagStatus.values)
            ),
        ]
        indexes = [
            # A unit's page and a district official's flag list: flags of these units, newest first.
            models.Index(fields=["unit", "-period_start"], name="flag_unit_period_idx"),
            # The state's flag list filtered by status.
            models.Index(fields=["status", "-period_start"], name="flag_status_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.rule} · {self.period_start:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("compliance:flag_detail", kwargs={"pk": self.pk})


class FlagEvent(models.Model):
    """Every change of a flag's status, with who and why: append-only."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.flag_id}: {self.from_status} → {self.to_status}"


class Mandate(BilingualNameMixin):
    """An order that every unit in a scope must have an account on a platform by a date.

    It owns one rule (accounts on the platform, at least 1, judged once: the day after the
    deadline), through which the units without an account by the deadline are flagged.
    """

    state = models.ForeignKey(State, verbose_name=_("state"), on_delete=models.PROTECT, related_name="mandates")
    level = models.CharField(_("applies to"), max_length=16, choices=RuleLevel.choices, default=RuleLevel.DEPARTMENTS)
    unit_kind = models.CharField(_("unit kind"), max_length=32, blank=True, help_text=_("For “units of one kind”."))
    district = models.ForeignKey(
        Unit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For “offices of one district”."),
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    starts_on = models.DateField(
        _("ordered on"), help_text=_("The date of the order: coverage is shown from this day.")
    )
    deadline = models.DateField(
        _("deadline"), help_text=_("The last day (IST) by which each unit must have the account.")
    )
    order_reference = models.CharField(
        _("order reference"), max_length=300, blank=True, help_text=_("The letter or order number, if any.")
    )
    rule = models.OneToOneField(Rule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="mandate")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-deadline", "name_en"]
        verbose_name = _("account mandate")
        verbose_name_plural = _("account mandates")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_deadline_after_start",
                condition=Q(deadline__gte=models.F("starts_on")),
                violation_error_message=_("The deadline cannot be before the order's date."),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_platform_valid", condition=Q(platform__in=Platform.values)
            ),
            models.CheckConstraint(name="%(app_label)s_%(class)s_level_valid", condition=Q(level__in=RuleLevel.values)),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_offices_have_district",
                condition=~Q(level=RuleLevel.OFFICES) | Q(district__isnull=False),
                violation_error_message=_("Choose the district whose offices the order applies to."),
            ),
        ]
        indexes = [
            # The mandate list: a state's mandates, latest deadline first.
            models.Index(fields=["state", "-deadline"], name="mandate_state_deadline_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("compliance:mandate_detail", kwargs={"pk": self.pk})

    @property
    def period(self) -> Period:
        return Period("deadline", self.starts_on, self.deadline)

    def days_left(self, today: date) -> int:
        """Days from today to the deadline, both counted (1 on the deadline itself; 0 once it has passed)."""
        return max(0, (self.deadline - today).days + 1)
