"""Beat's hourly sweeps over notices awaiting a reply; both are safe to run twice (see notices.reminders)."""

from celery import shared_task

from notices.reminders import overdue_mark, reminders_send


@shared_task(name="notices.tasks.reminders_send")
def reminders_send_task() -> int:
    """Email the reminders due before the notices' deadlines, each once; returns the emails sent."""
    return reminders_send()


@shared_task(name="notices.tasks.overdue_mark")
def overdue_mark_task() -> int:
    """Mark the notices past their deadline without a reply overdue, each once; returns how many."""
    return overdue_mark()
