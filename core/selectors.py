from datetime import timedelta

from django.utils import timezone

from core.models import WorkerHeartbeat

HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


def worker_status() -> dict:
    """The newest heartbeat and whether it is recent enough to call the worker alive."""
    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    alive = latest is not None and timezone.now() - latest.last_seen <= HEARTBEAT_STALE_AFTER
    return {"latest": latest, "alive": alive}
