"""Follower and activity time series, and the record of every poll.

Snapshots are append-only: a poll adds rows, never rewrites them. One snapshot
per account per poll slot (the hour the poll belongs to) is enforced by a
unique constraint, which is what makes a re-delivered poll task harmless.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from departments.models import Account
from metrics.choices import PostKind, RunStatus, RunTrigger


class Snapshot(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="snapshots")
    slot = models.DateTimeField(_("poll slot"), help_text=_("The hour this poll belongs to (UTC)."))
    taken_at = models.DateTimeField(_("taken at"))
    followers = models.BigIntegerField(_("followers"), null=True)
    following = models.BigIntegerField(_("following"), null=True)
    posts_total = models.BigIntegerField(_("posts in total"), null=True)
    listed = models.BigIntegerField(_("listed"), null=True)
    likes = models.BigIntegerField(_("page likes"), null=True)
    views = models.BigIntegerField(_("views"), null=True)
    run = models.ForeignKey("PollRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="snapshots")

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        constraints = [
            models.UniqueConstraint(fields=["account", "slot"], name="%(app_label)s_%(class)s_one_per_slot"),
        ]
        # The unique (account, slot) index also serves "an account's series in time order"
        # and "the snapshot nearest a bound" (account = X and slot <= T order by slot desc).
        indexes = [
            # Period totals across units: all snapshots in a slot range (leaderboards).
            models.Index(fields=["slot"], name="snapshot_slot_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} @ {self.slot:%Y-%m-%d %H:%M}: {self.followers}"


class Post(models.Model):
    # No index of its own: (account, platform_post_id) and (account, created_at) below both lead with
    # account. A lone (account) index also drew PostgreSQL 15's planner away from (account, created_at)
    # for a board's "posts of these accounts in the period", filtering a year of posts instead.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="posts", db_index=False)
    platform_post_id = models.CharField(_("platform post id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=PostKind.choices)
    created_at = models.DateTimeField(_("created"))
    text = models.TextField(_("text"), blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    live_status = models.CharField(_("live status"), max_length=32, blank=True)
    likes = models.BigIntegerField(_("likes"), null=True)
    reposts = models.BigIntegerField(_("reposts / shares"), null=True)
    replies = models.BigIntegerField(_("replies / comments"), null=True)
    quotes = models.BigIntegerField(_("quotes"), null=True)
    views = models.BigIntegerField(_("views"), null=True)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    metrics_updated_at = models.DateTimeField(_("metrics updated"), auto_now=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["account", "platform_post_id"], name="%(app_label)s_%(class)s_unique_id"),
            models.CheckConstraint(name="%(app_label)s_%(class)s_kind_valid", condition=Q(kind__in=PostKind.values)),
        ]
        indexes = [
            # An account's recent posts (account page) and its activity in a period (leaderboards, rules).
            models.Index(fields=["account", "created_at"], name="post_account_created_idx"),
            # Lives of a period across units (the monthly Facebook Live table).
            models.Index(fields=["kind", "created_at"], name="post_kind_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.platform_post_id}"


class PollRun(models.Model):
    """One poll: what was asked, how far it got, what went wrong."""

    platform = models.CharField(_("platform"), max_length=16)
    trigger = models.CharField(_("trigger"), max_length=16, choices=RunTrigger.choices)
    status = models.CharField(_("status"), max_length=32, choices=RunStatus.choices, default=RunStatus.RUNNING)
    slot = models.DateTimeField(_("poll slot"))
    scope = models.JSONField(_("scope"), default=dict, blank=True, help_text=_("The filters the run was started with."))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    accounts_total = models.PositiveIntegerField(_("accounts"), default=0)
    accounts_done = models.PositiveIntegerField(_("accounts done"), default=0)
    batches_total = models.PositiveIntegerField(_("batches"), default=0)
    batches_done = models.PositiveIntegerField(_("batches done"), default=0)
    snapshots_written = models.PositiveIntegerField(_("snapshots written"), default=0)
    posts_written = models.PositiveIntegerField(_("posts written"), default=0)
    api_calls = models.PositiveIntegerField(_("API calls"), default=0)
    errors = models.JSONField(_("errors by kind"), default=dict, blank=True)
    rate_limited_until = models.DateTimeField(_("rate-limited until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("poll run")
        verbose_name_plural = _("poll runs")
        ordering = ["-started_at"]
        indexes = [
            # The health page: the latest runs, and runs still running (to resume stale ones).
            models.Index(fields=["status", "started_at"], name="pollrun_status_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} poll {self.pk} ({self.status})"

    @property
    def progress_percent(self) -> int:
        return round(100 * self.batches_done / self.batches_total) if self.batches_total else 0


class PollBatch(models.Model):
    """Up to one API request's worth of accounts; the unit a Celery task claims and completes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(PollRun, on_delete=models.CASCADE, related_name="batches")
    index = models.PositiveIntegerField()
    account_ids = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True, help_text=_("Retry scheduled for this time."))
    api_calls = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("poll batch")
        verbose_name_plural = _("poll batches")
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="%(app_label)s_%(class)s_unique_index")]
        indexes = [
            # Finding a run's unfinished batches (finish check, resume of stale work).
            models.Index(fields=["status", "run"], name="pollbatch_status_run_idx"),
        ]

    def __str__(self) -> str:
        return f"batch {self.index} of run {self.run_id} ({self.status})"


class AccountPollState(models.Model):
    """Where polling of one account stands; read by the health page."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="poll_state", primary_key=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    last_error_kind = models.CharField(_("last error kind"), max_length=32, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    since_id = models.CharField(_("newest post id seen"), max_length=64, blank=True)
    newest_post_at = models.DateTimeField(_("newest post seen"), null=True, blank=True)
    posts_total = models.BigIntegerField(_("post count at last poll"), null=True, blank=True)
    paused_until = models.DateTimeField(
        _("paused until"), null=True, blank=True, help_text=_("A page-level throttle: not polled before this time.")
    )
    hourly_until = models.DateTimeField(
        _("hourly polling until"), null=True, blank=True, help_text=_("Polled every hour until then (campaigns).")
    )

    class Meta:
        verbose_name = _("account poll state")
        verbose_name_plural = _("account poll states")
        indexes = [
            # Beat's hourly pass: accounts that asked for hourly polling.
            models.Index(fields=["hourly_until"], name="pollstate_hourly_idx"),
        ]

    def __str__(self) -> str:
        return f"poll state of {self.account_id}"


class PlatformPause(models.Model):
    """An app-wide throttle (X 429, Graph codes 4/17/613, YouTube quota): no calls before ``until``."""

    platform = models.CharField(_("platform"), max_length=16, unique=True)
    until = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("platform pause")
        verbose_name_plural = _("platform pauses")

    def __str__(self) -> str:
        return f"{self.platform} paused until {self.until}"
