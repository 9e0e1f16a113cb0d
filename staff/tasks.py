"""Beat's hourly follow checks (see ``staff.follows``): safe to run twice, at once or in a row."""

from celery import shared_task

from staff.follows import follow_checks_run


@shared_task(name="staff.tasks.follow_checks_run")
def follow_checks_run_task() -> int:
    """Spend what is left of the week's X budget on the staff most overdue for a check; returns requests made."""
    return follow_checks_run().requests
