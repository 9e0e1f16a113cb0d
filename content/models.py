"""Submitted posts, their review, and one publishing target per (post, account).

A target's ``state`` is the publishing state machine: approved → claimed (a conditional update only
one worker can win) → published (with the platform's id and link), failed (a definite error, with
the reason) or unknown (the create request may have reached the platform). The create request is
never retried automatically: an unknown target is reconciled against the account's recent posts, or
decided by a person.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Account, Unit


class Category(models.TextChoices):
    WELFARE_SCHEME = "welfare_scheme", _("Welfare scheme")
    MEETING = "meeting", _("Meeting")
    ACHIEVEMENT = "achievement", _("Achievement")
    EVENT = "event", _("Event")
    ADVISORY = "advisory", _("Public advisory")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    CHANGES_REQUESTED = "changes_requested", _("Changes asked")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class TargetState(models.TextChoices):
    APPROVED = "approved", _("Approved, waiting to publish")
    CLAIMED = "claimed", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Outcome unknown")


class Submission(models.Model):
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("submitted for"),
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text=_("The office or department the post is about: it gets the credit when it is published."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("text"), help_text=_("Hindi and/or English, as it will be posted."))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    scheme = models.CharField(_("scheme or programme"), max_length=200, blank=True)
    publish_at = models.DateTimeField(
        _("publish at"), null=True, blank=True, help_text=_("Empty: as soon as approved.")
    )
    accounts = models.ManyToManyField(Account, verbose_name=_("post to"), related_name="submissions")
    status = models.CharField(
        _("status"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("comment to the submitter"), blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_status_valid", condition=Q(status__in=SubmissionStatus.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_category_valid", condition=Q(category__in=Category.values)
            ),
        ]
        indexes = [
            # The review queue: submissions awaiting review, oldest first.
            models.Index(fields=["status", "submitted_at"], name="submission_status_idx"),
            # A unit's history and a submitter's drafts.
            models.Index(fields=["unit", "-updated_at"], name="submission_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("content:detail", kwargs={"pk": self.pk})


def image_path(instance: SubmissionImage, filename: str) -> str:
    return f"content/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class SubmissionImage(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=image_path, max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["submission", "position"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "position"], name="%(app_label)s_%(class)s_one_per_position"),
        ]

    def __str__(self) -> str:
        return self.name


class PublishTarget(models.Model):
    """One approved post for one account: published at most once."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="targets")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="publish_targets")
    text = models.TextField(_("text as approved"))
    state = models.CharField(_("state"), max_length=16, choices=TargetState.choices, default=TargetState.APPROVED)
    publish_at = models.DateTimeField(_("publish at"))
    claim_token = models.UUIDField(null=True, blank=True, help_text=_("Set by the worker that won the claim."))
    claimed_at = models.DateTimeField(null=True, blank=True)
    platform_post_id = models.CharField(_("platform post id"), max_length=64, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    error = models.TextField(_("reason"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submission", "account"]
        verbose_name = _("publishing target")
        verbose_name_plural = _("publishing targets")
        constraints = [
            models.UniqueConstraint(fields=["submission", "account"], name="%(app_label)s_%(class)s_one_per_account"),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_state_valid", condition=Q(state__in=TargetState.values)
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_published_has_id",
                condition=~Q(state=TargetState.PUBLISHED) | ~Q(platform_post_id=""),
            ),
        ]
        indexes = [
            # Beat's sweep: approved targets due, and claims that have gone stale.
            models.Index(fields=["state", "publish_at"], name="target_state_due_idx"),
            # An account's publishing history.
            models.Index(fields=["account", "-published_at"], name="target_account_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} → {self.account}"


class ContentEvent(models.Model):
    """Every step of a submission and its targets, with who, when and what: append-only."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    target = models.ForeignKey(PublishTarget, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.action}"


class SimulatedPost(models.Model):
    """What the simulated platform "received": the embedded default's stand-in for X and Facebook.

    It answers reconciliation like a real account's recent posts would, and lets the fault test see
    that the platform got the create request before the worker was killed.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    post_id = models.CharField(max_length=64, unique=True)
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.post_id
