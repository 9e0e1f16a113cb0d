"""Show-cause notices, their replies and attachments, reminders, and an append-only history.

A notice is issued to a unit (from one or more compliance flags, or by hand) with the evidence
and a reply deadline; the unit replies; an admin accepts, rejects, asks for more information
(a new deadline) or escalates (a new notice, linked, to the next authority). Status changes go
through ``notices.services`` only; see ``notices.machine`` for the transitions.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import State, Unit
from notices.machine import AWAITING_REPLY, NoticeAction, NoticeStatus


class NoticeCounter(models.Model):
    """The last number given in a state and year; locked with SELECT … FOR UPDATE when a notice is issued."""

    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["state", "year"], name="%(app_label)s_%(class)s_one_per_state_year"),
        ]

    def __str__(self) -> str:
        return f"{self.state_id}/{self.year}: {self.last}"


class Notice(models.Model):
    state = models.ForeignKey(State, verbose_name=_("state"), on_delete=models.PROTECT, related_name="notices")
    number = models.CharField(_("number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("serial"))
    unit = models.ForeignKey(Unit, verbose_name=_("addressed to"), on_delete=models.PROTECT, related_name="notices")
    addressee_en = models.CharField(_("addressee (English)"), max_length=300)
    addressee_hi = models.CharField(_("addressee (Hindi)"), max_length=300)
    copy_to_en = models.CharField(_("copy to (English)"), max_length=300, blank=True)
    copy_to_hi = models.CharField(_("copy to (Hindi)"), max_length=300, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=300)
    subject_hi = models.CharField(_("subject (Hindi)"), max_length=300)
    reason_en = models.TextField(_("reason (English)"))
    reason_hi = models.TextField(_("reason (Hindi)"))
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    flags = models.ManyToManyField("compliance.Flag", verbose_name=_("flags"), blank=True, related_name="notices")
    deadline = models.DateTimeField(_("reply by"))
    status = models.CharField(_("status"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED)
    overdue = models.BooleanField(_("overdue"), default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"))
    escalated_from = models.OneToOneField(
        "self",
        verbose_name=_("escalated from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalation",
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1, help_text=_("1, then 2 after an escalation, …"))
    status_changed_at = models.DateTimeField(_("status changed"))

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("show-cause notice")
        verbose_name_plural = _("show-cause notices")
        constraints = [
            models.UniqueConstraint(fields=["state", "year", "sequence"], name="%(app_label)s_%(class)s_unique_serial"),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_status_valid", condition=Q(status__in=NoticeStatus.values)
            ),
        ]
        indexes = [
            # The register filtered by state and status, newest first.
            models.Index(fields=["state", "status", "-issued_at"], name="notice_state_status_idx"),
            # A unit's page and a district official's list: notices to these units.
            models.Index(fields=["unit", "-issued_at"], name="notice_unit_issued_idx"),
            # Beat's reminder and overdue sweeps: notices awaiting a reply, by deadline.
            models.Index(fields=["status", "deadline"], name="notice_status_deadline_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("notices:detail", kwargs={"pk": self.pk})

    @property
    def awaiting_reply(self) -> bool:
        return self.status in AWAITING_REPLY

    @property
    def past_deadline(self) -> bool:
        return timezone.now() > self.deadline


class NoticeReply(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="replies")
    round = models.PositiveSmallIntegerField(
        _("round"), help_text=_("1 for the first reply, 2 after more information was asked, …")
    )
    text = models.TextField(_("reply"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))
    deadline = models.DateTimeField(_("deadline then"))
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["notice", "round"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        constraints = [
            models.UniqueConstraint(fields=["notice", "round"], name="%(app_label)s_%(class)s_one_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} #{self.round}"


def attachment_path(instance: ReplyAttachment, filename: str) -> str:
    """A random name: what the user called the file is kept in ``name``, never used as a path."""
    return f"notices/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class ReplyAttachment(models.Model):
    reply = models.ForeignKey(NoticeReply, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("notices:attachment", kwargs={"pk": self.reply.notice_id, "attachment": self.pk})


class NoticeEvent(models.Model):
    """Every step of a notice, with who, when and what: append-only, never edited."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=NoticeAction.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.action}"


class NoticeReminder(models.Model):
    """A reminder sent for one deadline and threshold: unique, so running the sweep twice sends one."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reminders")
    deadline = models.DateTimeField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "deadline", "days_before"], name="%(app_label)s_%(class)s_once_per_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} −{self.days_before}d"
