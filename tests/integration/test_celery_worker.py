"""A real Celery worker, on the real Redis and PostgreSQL, runs a task sent from here."""

import sys
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from core.models import WorkerHeartbeat
from core.tasks import record_heartbeat
from tests.integration.helpers import clean_env, running, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _test_database_url() -> str:
    """The URL of the test database this process uses, for the worker to use too."""
    db = connection.settings_dict
    assert db["ENGINE"] == "django.db.backends.postgresql", "integration tests run on PostgreSQL"
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_worker_on_redis_runs_the_heartbeat_task(tmp_path):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test sets REDIS_URL"
    queue = f"it-{uuid.uuid4().hex[:8]}"
    hostname = f"integration-{uuid.uuid4().hex[:8]}"
    env = clean_env(DATABASE_URL=_test_database_url(), REDIS_URL=settings.REDIS_URL, GOVSOCIAL_VAR_DIR=str(tmp_path))
    log = tmp_path / "worker.log"
    args = [sys.executable, "-m", "celery", "-A", "govsocial", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO"]
    with running(args, env, log):
        wait_for(lambda: "ready." in log.read_text(errors="replace"), 60, "the worker to start", log)
        record_heartbeat.apply_async(kwargs={"hostname": hostname}, queue=queue)
        heartbeat = wait_for(
            lambda: WorkerHeartbeat.objects.filter(hostname=hostname).first(), 60, "the task to run", log
        )
    assert heartbeat.last_seen is not None
    # safe to run twice: a second delivery updates the same row
    record_heartbeat(hostname=hostname)
    assert WorkerHeartbeat.objects.filter(hostname=hostname).count() == 1
