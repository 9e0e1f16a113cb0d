"""Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from __future__ import annotations

import logging
import random

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from departments.choices import Platform
from metrics.choices import RunTrigger
from metrics.platforms.base import RateLimited, Transient
from metrics.services import polling

log = logging.getLogger(__name__)

TRANSIENT_RETRIES = 6
BACKOFF_BASE = 30  # seconds
BACKOFF_CAP = 30 * 60
RATE_LIMIT_RETRIES = 48


def backoff(retries: int) -> float:
    """Exponential back-off with a cap and full jitter (seconds)."""
    return random.uniform(0.5, 1.0) * min(BACKOFF_CAP, BACKOFF_BASE * 2**retries)


@shared_task(bind=True, name="metrics.tasks.poll_batch", acks_late=True, max_retries=None)
def poll_batch(self, batch_id: int) -> dict:
    """Poll one batch. A rate limit reschedules it for the reset time; a worker never sleeps on one."""
    try:
        outcome = polling.poll_batch_execute(batch_id=batch_id)
    except RateLimited as exc:
        if self.request.retries >= RATE_LIMIT_RETRIES:
            polling.poll_batch_fail(batch_id=batch_id, error=f"still rate-limited after {self.request.retries} tries")
            return {"batch": batch_id, "gave_up": True}
        wait = max((exc.resume_at - timezone.now()).total_seconds(), 1) + random.uniform(1, 30)
        raise self.retry(countdown=wait, exc=exc) from None
    except Transient as exc:
        if self.request.retries >= TRANSIENT_RETRIES:
            polling.poll_batch_fail(batch_id=batch_id, error=exc.message)
            return {"batch": batch_id, "gave_up": True}
        raise self.retry(countdown=backoff(self.request.retries), exc=exc) from None
    except Exception as exc:
        # A bug, not the platform: record it on the run and the accounts (the health page shows it),
        # instead of leaving the batch to be picked up and fail again forever.
        log.exception("poll batch %s failed", batch_id)
        polling.poll_batch_fail(batch_id=batch_id, error=f"internal error: {type(exc).__name__}: {exc}")
        raise
    return {"batch": batch_id, "claimed": outcome.claimed, "snapshots": outcome.snapshots, "posts": outcome.posts}


@shared_task(name="metrics.tasks.poll_scheduled")
def poll_scheduled(force_all: bool = False) -> list[int]:
    """Hourly: every account once a day at the configured hour (IST); campaign accounts every hour."""
    now = timezone.now()
    daily = (
        force_all
        or settings.GOVSOCIAL_POLL_ALL_HOURLY
        or timezone.localtime(now).hour == settings.GOVSOCIAL_POLL_DAILY_HOUR
    )
    runs = []
    for platform in Platform.values:
        run = polling.poll_run_create(platform=platform, trigger=RunTrigger.SCHEDULE, hourly_only=not daily, now=now)
        runs.append(run.pk)
    return runs


@shared_task(name="metrics.tasks.resume_stale_runs")
def resume_stale_runs() -> int:
    return polling.runs_resume_stale()


@shared_task(name="metrics.tasks.poll_run_resume")
def poll_run_resume(run_id: int) -> int:
    return polling.poll_run_resume(run_id=run_id)
