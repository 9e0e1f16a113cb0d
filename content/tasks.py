"""Publishing tasks: they take ids, and are safe to run twice (the claim is a conditional update)."""

from celery import shared_task

from content import services


@shared_task(name="content.tasks.publish_target", acks_late=False)
def publish_target(target_id: int) -> str:
    """Publish one approved target. Acknowledged when received, never redelivered: the create request is
    never sent twice by the broker; a worker that dies mid-publish leaves a claim the sweep marks unknown."""
    return services.target_publish(target_id)


@shared_task(name="content.tasks.sweep_targets")
def sweep_targets() -> dict:
    return services.targets_sweep()


@shared_task(name="content.tasks.reconcile_target")
def reconcile_target(target_id: int) -> str:
    return services.target_reconcile(target_id)
