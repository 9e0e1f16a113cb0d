"""Beat's reminders before a notice's deadline (each once per threshold) and the overdue mark after it.

Time is frozen; mail goes to Django's locmem outbox (``mailoutbox``).
"""

import smtplib
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.mail.backends import locmem
from django.db import connection

from govsocial.celery import app
from notices.machine import NoticeAction, NoticeStatus
from notices.models import Notice, NoticeEvent, NoticeReminder
from notices.reminders import NO_RECIPIENT, reminders_send
from notices.services import notice_decide, notice_issue, notice_reply
from notices.tasks import overdue_mark_task, reminders_send_task
from users.models import User

IST = ZoneInfo("Asia/Kolkata")
ISSUED_AT = datetime(2026, 8, 3, 11, tzinfo=IST)
DEADLINE = ISSUED_AT + timedelta(days=5)  # 8 August 2026, 11:00 IST
DAY = timedelta(days=1)


def at(when: datetime):
    return time_machine.travel(when, tick=False)


def remind(when: datetime) -> int:
    with at(when):
        return reminders_send_task.apply().get()


def mark_overdue(when: datetime) -> int:
    with at(when):
        return overdue_mark_task.apply().get()


def issue(world, unit=None, deadline=DEADLINE, when=ISSUED_AT) -> Notice:
    with at(when):
        return notice_issue(unit=unit or world.patna, user=world.admin, deadline=deadline, reason_en="r", reason_hi="र")


def events(notice: Notice, action: str) -> list[NoticeEvent]:
    return list(notice.events.filter(action=action))


@pytest.fixture
def patna_notice(world):
    world.dpro_patna.email = "dpro.patna@bihar.example"
    world.dpro_patna.save(update_fields=["email"])
    return issue(world)


def test_beat_runs_both_sweeps_every_hour():
    reminders = settings.CELERY_BEAT_SCHEDULE["notice-reminders"]
    overdue = settings.CELERY_BEAT_SCHEDULE["notice-overdue"]
    assert reminders["task"] == reminders_send_task.name == "notices.tasks.reminders_send"
    assert overdue["task"] == overdue_mark_task.name == "notices.tasks.overdue_mark"
    assert reminders["task"] in app.tasks and overdue["task"] in app.tasks
    assert (reminders["schedule"].minute, len(reminders["schedule"].hour)) == ({15}, 24)
    assert (overdue["schedule"].minute, len(overdue["schedule"].hour)) == ({20}, 24)


def test_reminder_days_default_to_three_and_one():
    assert settings.NOTICE_REMINDER_DAYS == [3, 1]


def test_one_reminder_per_threshold_even_when_the_task_runs_twice(patna_notice, mailoutbox):
    assert remind(ISSUED_AT + DAY) == 0
    assert remind(ISSUED_AT + DAY) == 0
    assert mailoutbox == []

    # Two days before the deadline: the 3-day threshold has passed.
    assert remind(DEADLINE - 2 * DAY) == 1
    assert remind(DEADLINE - 2 * DAY) == 0
    assert remind(DEADLINE - 2 * DAY + timedelta(hours=1)) == 0
    assert len(mailoutbox) == 1

    # Twenty hours before: the 1-day threshold.
    assert remind(DEADLINE - timedelta(hours=20)) == 1
    assert remind(DEADLINE - timedelta(hours=20)) == 0
    assert remind(DEADLINE - timedelta(hours=1)) == 0
    assert len(mailoutbox) == 2
    assert [m.to for m in mailoutbox] == [["dpro.patna@bihar.example"]] * 2

    reminders = NoticeReminder.objects.filter(notice=patna_notice).order_by("-days_before")
    assert [(r.days_before, r.deadline, r.recipients) for r in reminders] == [
        (3, DEADLINE, ["dpro.patna@bihar.example"]),
        (1, DEADLINE, ["dpro.patna@bihar.example"]),
    ]
    assert [e.data["days_before"] for e in events(patna_notice, NoticeAction.REMIND)] == [3, 1]
    # The deadline passed: no more reminders, and the notice is marked overdue once.
    assert remind(DEADLINE + timedelta(minutes=5)) == 0
    assert len(mailoutbox) == 2


def test_overdue_is_marked_once_after_the_deadline(patna_notice):
    assert mark_overdue(DEADLINE) == 0  # on the deadline itself the unit can still reply
    assert mark_overdue(DEADLINE + timedelta(minutes=20)) == 1
    assert mark_overdue(DEADLINE + timedelta(minutes=20)) == 0
    assert mark_overdue(DEADLINE + 2 * DAY) == 0
    patna_notice.refresh_from_db()
    assert patna_notice.overdue is True
    assert patna_notice.status == NoticeStatus.ISSUED
    [event] = events(patna_notice, NoticeAction.OVERDUE)
    assert event.by is None and event.at == DEADLINE + timedelta(minutes=20)
    assert datetime.fromisoformat(event.data["deadline"]) == DEADLINE


def test_the_reminder_is_one_email_in_hindi_then_english(patna_notice, mailoutbox, settings):
    settings.GOVSOCIAL_BASE_URL = "https://govsocial.bihar.example"
    assert remind(DEADLINE - 3 * DAY + timedelta(minutes=15)) == 1
    [message] = mailoutbox
    number = patna_notice.number
    link = f"https://govsocial.bihar.example/notices/{patna_notice.pk}/"

    assert "\n" not in message.subject
    assert message.subject.count(number) == 2  # once in each language
    assert "8 August 2026" in message.subject
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"

    text = message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    for body in (text, html):
        assert number in body and link in body
        assert "8 August 2026, 11:00 IST" in body  # the deadline in IST
        assert "8 अगस्त 2026, 11:00 IST" in body  # … and with Hindi month names
        assert "3 days left." in body
        # Hindi first, then English.
        assert body.index(patna_notice.subject_hi) < body.index(patna_notice.subject_en)
        assert body.index("पटना") < body.index("Patna")
        assert patna_notice.addressee_hi in body and patna_notice.addressee_en in body
    assert '<html lang="hi">' in html and '<div lang="en"' in html
    assert f'<a href="{link}"' in html


def test_hours_are_given_when_less_than_half_a_day_is_left(world, mailoutbox):
    world.dpro_patna.email = "dpro.patna@bihar.example"
    world.dpro_patna.save(update_fields=["email"])
    issue(world, deadline=ISSUED_AT + 10 * DAY)
    # Beat was down: both thresholds passed; only the nearest is sent, with the time really left.
    assert remind(ISSUED_AT + 10 * DAY - timedelta(hours=7, minutes=30)) == 1
    assert "7 hours left." in mailoutbox[0].body
    assert list(NoticeReminder.objects.values_list("days_before", flat=True)) == [1]


def test_a_notice_issued_two_days_ahead_gets_only_the_one_day_reminder(world, mailoutbox):
    world.dpro_patna.email = "dpro.patna@bihar.example"
    world.dpro_patna.save(update_fields=["email"])
    notice = issue(world, deadline=ISSUED_AT + 2 * DAY)
    assert remind(ISSUED_AT + timedelta(hours=1)) == 0
    assert remind(ISSUED_AT + DAY - timedelta(hours=1)) == 0
    assert remind(ISSUED_AT + DAY + timedelta(hours=1)) == 1
    assert list(notice.reminders.values_list("days_before", flat=True)) == [1]
    assert len(mailoutbox) == 1


def test_a_notice_replied_to_gets_no_reminder_and_is_not_overdue(patna_notice, world, mailoutbox):
    with at(ISSUED_AT + DAY):
        notice_reply(notice=patna_notice, user=world.dpro_patna, text="We did post.")
    assert remind(DEADLINE - 2 * DAY) == 0
    assert remind(DEADLINE - timedelta(hours=20)) == 0
    assert mark_overdue(DEADLINE + DAY) == 0
    assert mailoutbox == []
    assert not NoticeReminder.objects.exists()


def test_more_information_with_a_new_deadline_brings_reminders_again(patna_notice, world, mailoutbox):
    remind(DEADLINE - 2 * DAY)
    remind(DEADLINE - timedelta(hours=20))
    mark_overdue(DEADLINE + timedelta(hours=1))
    with at(DEADLINE + timedelta(hours=2)):
        notice_reply(notice=patna_notice, user=world.dpro_patna, text="Late, sorry.")
    decided = DEADLINE + DAY
    new_deadline = decided + 4 * DAY
    with at(decided):
        notice_decide(
            notice=patna_notice,
            user=world.admin,
            action=NoticeAction.MORE_INFO,
            note="Links?",
            new_deadline=new_deadline,
        )
    assert len(mailoutbox) == 2

    assert remind(new_deadline - 2 * DAY) == 1
    assert remind(new_deadline - 2 * DAY) == 0
    assert remind(new_deadline - timedelta(hours=20)) == 1
    assert remind(new_deadline - timedelta(hours=20)) == 0
    assert len(mailoutbox) == 4
    assert "More information has been asked for" in mailoutbox[-1].body
    assert sorted(patna_notice.reminders.values_list("deadline", "days_before")) == [
        (DEADLINE, 1),
        (DEADLINE, 3),
        (new_deadline, 1),
        (new_deadline, 3),
    ]
    # The new deadline passes too: overdue again, a second event.
    assert mark_overdue(new_deadline + timedelta(hours=1)) == 1
    assert len(events(patna_notice, NoticeAction.OVERDUE)) == 2


def test_an_office_notice_reaches_its_districts_active_officials_with_an_email(world, mailoutbox):
    world.dpro_patna.email = "dpro.patna@bihar.example"
    world.dpro_patna.save(update_fields=["email"])
    world.dpro_gaya.email = "dpro.gaya@bihar.example"
    world.dpro_gaya.save(update_fields=["email"])
    User.objects.create(
        username="gone",
        email="gone@bihar.example",
        is_active=False,
        role=User.Role.DISTRICT_OFFICIAL,
        state=world.bihar,
        district=world.patna,
    )
    User.objects.create(
        username="pr2",
        email="pr2@bihar.example",
        role=User.Role.STATE_OFFICER,
        state=world.bihar,
    )
    issue(world, unit=world.patna_health)
    assert remind(DEADLINE - 2 * DAY) == 1
    assert [m.to for m in mailoutbox] == [["dpro.patna@bihar.example"]]


def test_no_recipient_with_an_email_is_recorded_once_and_not_retried(world, mailoutbox, caplog):
    notice = issue(world)  # dpro.patna has no email address
    assert remind(DEADLINE - 2 * DAY) == 0
    assert remind(DEADLINE - 2 * DAY + timedelta(hours=1)) == 0
    assert mailoutbox == []
    [reminder] = notice.reminders.all()
    assert (reminder.days_before, reminder.recipients) == (3, [])
    [event] = events(notice, NoticeAction.REMIND)
    assert event.note == NO_RECIPIENT and event.data["recipients"] == []
    assert f"Notice {notice.number}: {NO_RECIPIENT}" in caplog.text


def test_a_failed_send_writes_no_reminder_and_the_next_run_sends_it(patna_notice, mailoutbox, monkeypatch, caplog):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with monkeypatch.context() as patch:
        patch.setattr(locmem.EmailBackend, "send_messages", refuse)
        assert remind(DEADLINE - 2 * DAY) == 0
    assert not NoticeReminder.objects.exists()
    assert events(patna_notice, NoticeAction.REMIND) == []
    assert f"Reminder for notice {patna_notice.number} (3 days before its deadline) not sent" in caplog.text
    assert "SMTPServerDisconnected" in caplog.text

    assert remind(DEADLINE - 2 * DAY + timedelta(hours=1)) == 1
    assert len(mailoutbox) == 1
    assert patna_notice.reminders.get().sent_at == DEADLINE - 2 * DAY + timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_reminder(patna_notice, mailoutbox, monkeypatch):
    """The second run's insert waits on the first's uncommitted reminder row, then finds it taken."""
    entered, release = threading.Event(), threading.Event()
    real_send = locmem.EmailBackend.send_messages

    def slow_send(self, messages):
        entered.set()
        assert release.wait(10)
        return real_send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", slow_send)
    results = []

    def run():
        try:
            results.append(reminders_send(now=DEADLINE - 2 * DAY))
        finally:
            connection.close()

    first, second = threading.Thread(target=run), threading.Thread(target=run)
    first.start()
    assert entered.wait(10)
    second.start()
    time.sleep(0.5)
    assert second.is_alive()  # waiting on the first run's row in the unique index
    release.set()
    first.join(10)
    second.join(10)
    assert sorted(results) == [0, 1]
    assert len(mailoutbox) == 1
    assert NoticeReminder.objects.count() == 1
    assert NoticeEvent.objects.filter(action=NoticeAction.REMIND).count() == 1
