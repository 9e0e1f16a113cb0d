import socket

from celery import shared_task

from core.services import heartbeat_record


@shared_task(name="core.tasks.record_heartbeat", ignore_result=True)
def record_heartbeat(hostname: str | None = None) -> None:
    """Beat runs this every minute; the home page shows when it last ran."""
    heartbeat_record(hostname=hostname or socket.gethostname())
