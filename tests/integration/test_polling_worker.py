"""Polling end to end with a real Celery worker on the real Redis and PostgreSQL.

The worker uses the simulated platform (a separate process cannot share `responses`
fakes); the HTTP-level behaviour of the live clients is tested in tests/platforms.
"""

import os
import signal
import sys
import time
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from departments.choices import Platform, UnitKind
from departments.models import Account
from govsocial.celery import app as celery_app
from metrics.choices import RunStatus
from metrics.models import PollBatch, PollRun, Snapshot
from metrics.services.polling import poll_run_create, poll_run_resume
from tests.conftest import TEST_KEY
from tests.factories import AccountFactory, StateFactory, UnitFactory
from tests.integration.helpers import clean_env, running, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def queue():
    """A queue of this test's own, so no other worker on this Redis takes its tasks."""
    name = f"it-{uuid.uuid4().hex[:8]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = name
    yield name
    celery_app.conf.task_default_queue = previous


def worker(tmp_path, queue: str, **extra: str):
    env = clean_env(
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.REDIS_URL,
        GOVSOCIAL_VAR_DIR=str(tmp_path),
        GOVSOCIAL_CREDENTIALS_KEYS=TEST_KEY,
        GOVSOCIAL_PLATFORM_MODE="simulated",
        GOVSOCIAL_SIMULATED_FAULTS="false",
        **extra,
    )
    log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"
    args = [sys.executable, "-m", "celery", "-A", "govsocial", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO"]
    return running(args, env, log), log


def accounts(platform: str, n: int) -> list[int]:
    state = StateFactory()
    units = UnitFactory.create_batch(n, state=state, kind=UnitKind.DISTRICT)
    return [
        AccountFactory(unit=unit, platform=platform, handle=f"sim{platform[:2]}{i:04}").pk
        for i, unit in enumerate(units)
    ]


def test_a_worker_polls_end_to_end(tmp_path, queue, settings):
    settings.GOVSOCIAL_SIMULATED_FAULTS = False
    ids = accounts(Platform.X, 250)
    context, log = worker(tmp_path, queue)
    with context:
        wait_for(lambda: "ready." in log.read_text(errors="replace"), 60, "the worker", log)
        run = poll_run_create(platform=Platform.X, batch_size=100)  # batches go to Redis on commit
        assert run.batches_total == 3
        wait_for(lambda: PollRun.objects.get(pk=run.pk).status != RunStatus.RUNNING, 120, "the poll to finish", log)
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED, (run.errors, run.last_error)
    assert Snapshot.objects.filter(run=run).count() == 250
    assert set(Snapshot.objects.values_list("account_id", flat=True)) == set(ids)
    assert run.posts_written > 0
    # ⌈250/100⌉ lookups plus one timeline per account whose post count was unknown
    assert run.api_calls == 3 + 250
    assert Account.objects.exclude(platform_id="").count() == 250


def test_killed_worker_then_resume_leaves_no_duplicate_and_no_gap(tmp_path, queue, settings):
    settings.GOVSOCIAL_SIMULATED_FAULTS = False
    settings.GOVSOCIAL_POLL_CLAIM_TIMEOUT = 3
    ids = accounts(Platform.YOUTUBE, 300)  # 6 batches of 50, one API call each
    context, log = worker(tmp_path, queue, GOVSOCIAL_SIMULATED_LATENCY_MS="1500", GOVSOCIAL_POLL_CLAIM_TIMEOUT="3")
    with context as process:
        wait_for(lambda: "ready." in log.read_text(errors="replace"), 60, "the worker", log)
        run = poll_run_create(platform=Platform.YOUTUBE, batch_size=50)
        wait_for(lambda: Snapshot.objects.filter(run=run).count() >= 100, 60, "two batches to be stored", log)
        wait_for(
            lambda: PollBatch.objects.filter(run=run, status=PollBatch.Status.RUNNING).exists(),
            30,
            "a batch in flight",
            log,
        )
        os.killpg(process.pid, signal.SIGKILL)  # mid-poll, no warm shutdown, no ack
        process.wait()
    partial = Snapshot.objects.filter(run=run).count()
    assert 100 <= partial < 300
    assert PollRun.objects.get(pk=run.pk).status == RunStatus.RUNNING

    context, log = worker(tmp_path, queue, GOVSOCIAL_POLL_CLAIM_TIMEOUT="3")
    with context:
        wait_for(lambda: "ready." in log.read_text(errors="replace"), 60, "the second worker", log)
        time.sleep(3.5)  # let the orphaned claim expire
        assert poll_run_resume(run_id=run.pk) >= 1
        wait_for(lambda: PollRun.objects.get(pk=run.pk).status != RunStatus.RUNNING, 120, "the resumed poll", log)
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    per_account = Snapshot.objects.filter(slot=run.slot).values("account").annotate(n=Count("pk"))
    assert {row["account"] for row in per_account} == set(ids)  # nothing missing
    assert {row["n"] for row in per_account} == {1}  # nothing twice
