"""The Celery application: workers poll the platforms and publish posts."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsocial.settings")

app = Celery("govsocial")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_filesystem_broker_folders() -> None:
    from django.conf import settings

    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if folder:
            os.makedirs(folder, exist_ok=True)


_ensure_filesystem_broker_folders()


@worker_ready.connect
def _heartbeat_on_start(sender=None, **kwargs) -> None:
    """Say hello through the broker as soon as a worker is up, not a minute later."""
    app.send_task("core.tasks.record_heartbeat")
