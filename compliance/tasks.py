"""Beat judges every active rule once its period has ended; the task is safe to run twice."""

from celery import shared_task

from compliance.services import evaluate_due_rules


@shared_task(name="compliance.tasks.evaluate_due_rules")
def evaluate_due_rules_task() -> int:
    """Judge each active rule's last ended period that has not been judged; returns the flags raised."""
    return sum(outcome.flags_raised for outcome in evaluate_due_rules())
