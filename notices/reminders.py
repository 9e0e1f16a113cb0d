"""Beat's sweeps over notices awaiting a reply: reminders before the deadline, and overdue after it.

Reminders
---------
For each threshold in ``settings.NOTICE_REMINDER_DAYS`` (3 and 1 days by default) the addressed
unit's district officials are emailed once for the notice's current deadline: a ``NoticeReminder``
row, unique on (notice, deadline, days_before), is the record that it went out. A "more
information" decision gives the notice a new deadline, so its reminders are sent again.

Only the thresholds the deadline passes through after it was set count: a notice issued two days
before its deadline gets the 1-day reminder, never a "3 days left" one an hour after it arrived.
When several thresholds are due at once (beat was down), only the nearest one is sent — one email
saying how long is really left, not a late "3 days left" followed by "1 day left".

Exactly once. Each reminder is one transaction: insert its ``NoticeReminder`` row, send the email,
write the ``REMIND`` event, commit. So the row is committed only if the mail server accepted the
message:

- run twice in a row, the second run finds the row and sends nothing;
- run twice at once, the second run's insert waits on the first's uncommitted row in the unique
  index, and fails (``IntegrityError``: skipped) when the first commits — or goes ahead if the
  first rolled back because its send failed;
- a failed send (``OSError``, which covers ``smtplib``'s errors and timeouts) rolls the row back
  and is logged; the next run tries again.

The one duplicate left is a worker that dies after the server accepted the message and before the
commit: the reminder is then sent again on the next run (at least once, never silently lost). The
transaction stays open for one SMTP conversation, bounded by ``EMAIL_TIMEOUT``; it holds only the
new row's index entry, not the notice, so a reply is never kept waiting.

A unit with no district official with an email address (a state department, or officials without
one) gets its reminder row all the same, with no recipients and a ``REMIND`` event saying so: the
gap is on the notice's history once per threshold, not retried (and logged) every hour. The next
threshold looks again, so an address added meanwhile gets the next reminder.

Overdue
-------
A notice awaiting a reply whose deadline has passed is marked overdue by a conditional update
(``overdue`` false → true, same status and deadline) with one ``OVERDUE`` event. A late reply
changes nothing retroactively; a "more information" decision clears the mark with the new deadline.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from departments.choices import UnitKind
from notices.machine import AWAITING_REPLY, NoticeAction, NoticeStatus
from notices.models import Notice, NoticeEvent, NoticeReminder
from users.models import User

logger = logging.getLogger(__name__)

NO_RECIPIENT = "No district official of the unit has an email address: reminder not sent."


@dataclass(frozen=True)
class Due:
    notice: Notice
    days_before: int


def _district_id(notice: Notice) -> int | None:
    """The district whose officials answer for the notice's unit: the district itself, or an office's."""
    if notice.unit.kind == UnitKind.DISTRICT:
        return notice.unit_id
    if notice.unit.kind == UnitKind.DISTRICT_OFFICE:
        return notice.unit.district_id
    return None


def recipients_by_district(district_ids: set[int]) -> dict[int, list[str]]:
    """The active district officials' email addresses, by district: one query."""
    emails: dict[int, list[str]] = defaultdict(list)
    officials = (
        User.objects.filter(
            role=User.Role.DISTRICT_OFFICIAL, is_active=True, is_superuser=False, district_id__in=district_ids
        )
        .exclude(email="")
        .order_by("email")
        .values_list("district_id", "email")
    )
    for district_id, email in officials:
        if email not in emails[district_id]:
            emails[district_id].append(email)
    return emails


def due_threshold(notice: Notice, now: datetime, thresholds: list[int]) -> int | None:
    """The nearest threshold passed since the deadline was set, if the deadline is still ahead."""
    if notice.deadline <= now:
        return None
    set_at = notice.status_changed_at  # issued, or the "more information" decision that set this deadline
    passed = [days for days in thresholds if set_at < notice.deadline - timedelta(days=days) <= now]
    return min(passed, default=None)


def reminders_due(now: datetime) -> list[Due]:
    """Notices awaiting a reply with a threshold due and not yet sent for their current deadline: two queries."""
    thresholds = list(settings.NOTICE_REMINDER_DAYS)
    if not thresholds:
        return []
    notices = list(
        Notice.objects.filter(
            status__in=AWAITING_REPLY, deadline__gt=now, deadline__lte=now + timedelta(days=max(thresholds))
        )
        .select_related("unit")
        .order_by("deadline", "pk")
    )
    sent = set(
        NoticeReminder.objects.filter(notice__in=[notice.pk for notice in notices]).values_list(
            "notice_id", "deadline", "days_before"
        )
    )
    due = []
    for notice in notices:
        days = due_threshold(notice, now, thresholds)
        if days is not None and (notice.pk, notice.deadline, days) not in sent:
            due.append(Due(notice, days))
    return due


def time_left(deadline: datetime, now: datetime) -> tuple[int, int]:
    """(days, 0) to the nearest day, or (0, hours) when under half a day is left (at least one hour)."""
    remaining = deadline - now
    days = round(remaining / timedelta(days=1))
    if days >= 1:
        return days, 0
    return 0, max(1, math.floor(remaining / timedelta(hours=1)))


def reminder_email(notice: Notice, *, recipients: list[str], now: datetime) -> EmailMultiAlternatives:
    """One email in Hindi, then English: a one-line subject, a text body and an HTML alternative."""
    days, hours = time_left(notice.deadline, now)
    unit = notice.unit
    context = {
        "notice": notice,
        # Hindi first, then English: each block of the templates is rendered in its own language.
        "versions": [
            {"lang": "hi", "addressee": notice.addressee_hi, "unit": unit.name_hi, "subject": notice.subject_hi},
            {"lang": "en", "addressee": notice.addressee_en, "unit": unit.name_en, "subject": notice.subject_en},
        ],
        "deadline": notice.deadline,
        "days": days,
        "hours": hours,
        "more_info": notice.status == NoticeStatus.MORE_INFO,
        "url": settings.GOVSOCIAL_BASE_URL + notice.get_absolute_url(),
    }
    # The deadline in IST whatever time zone the caller has activated; each language block of the
    # templates switches the language itself ({% language %}).
    with timezone.override(settings.TIME_ZONE), override("en"):
        subject = render_to_string("notices/email/reminder_subject.txt", context)
        text = render_to_string("notices/email/reminder.txt", context)
        html = render_to_string("notices/email/reminder.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def _remind(due: Due, recipients: list[str], now: datetime) -> bool:
    """Claim, send and record one reminder in one transaction; False if it was already sent."""
    notice = due.notice
    data = {"days_before": due.days_before, "deadline": notice.deadline.isoformat(), "recipients": recipients}
    try:
        with transaction.atomic():
            NoticeReminder.objects.create(
                notice=notice, deadline=notice.deadline, days_before=due.days_before, sent_at=now, recipients=recipients
            )
            # Replied to (or decided on) since the sweep read it: nothing to remind of; the row goes too.
            if not Notice.objects.filter(pk=notice.pk, status__in=AWAITING_REPLY, deadline=notice.deadline).exists():
                transaction.set_rollback(True)
                return False
            if recipients:
                reminder_email(notice, recipients=recipients, now=now).send()
            NoticeEvent.objects.create(
                notice=notice,
                action=NoticeAction.REMIND,
                by=None,
                at=now,
                note="" if recipients else NO_RECIPIENT,
                data=data,
            )
    except IntegrityError:
        return False  # another run sent it (or is sending it and has just committed)
    return True


def reminders_send(*, now: datetime | None = None) -> int:
    """Send the reminders that are due, each once (see the module's docstring); returns the emails sent."""
    now = now or timezone.now()
    due = reminders_due(now)
    recipients = recipients_by_district({district for item in due if (district := _district_id(item.notice))})
    sent = 0
    for item in due:
        to = recipients.get(_district_id(item.notice), [])
        try:
            done = _remind(item, to, now)
        except OSError:
            logger.exception(
                "Reminder for notice %s (%s days before its deadline) not sent; the next run tries again",
                item.notice.number,
                item.days_before,
            )
            continue
        if done and not to:
            logger.warning("Notice %s: %s", item.notice.number, NO_RECIPIENT)
        sent += bool(done and to)
    return sent


def overdue_mark(*, now: datetime | None = None) -> int:
    """Mark the notices awaiting a reply past their deadline overdue, each once; returns how many."""
    now = now or timezone.now()
    marked = 0
    candidates = Notice.objects.filter(status__in=AWAITING_REPLY, overdue=False, deadline__lt=now).values_list(
        "pk", "status", "deadline"
    )
    for pk, status, deadline in candidates:
        with transaction.atomic():
            updated = Notice.objects.filter(pk=pk, status=status, deadline=deadline, overdue=False).update(overdue=True)
            if updated:
                NoticeEvent.objects.create(
                    notice_id=pk,
                    action=NoticeAction.OVERDUE,
                    by=None,
                    at=now,
                    data={"deadline": deadline.isoformat()},
                )
                marked += 1
    return marked
