"""The Celery tasks: rescheduling instead of sleeping, giving up visibly, the beat schedule."""

from datetime import timedelta

import pytest
import time_machine
from celery.exceptions import Retry
from django.utils import timezone

from metrics import tasks
from metrics.choices import RunStatus
from metrics.models import AccountPollState, PollBatch, PollRun
from metrics.platforms.base import AccountRef, RateLimited, Transient
from metrics.platforms.simulated import SimulatedClient, persona
from metrics.services.polling import poll_run_create

pytestmark = pytest.mark.django_db


def _batch(world):
    return poll_run_create(platform="x", enqueue=False).batches.get()


def test_a_rate_limit_reschedules_the_batch_for_the_reset_time(world, monkeypatch):
    resume = timezone.now() + timedelta(minutes=14)

    def limited(**kwargs):
        raise RateLimited("429 Too Many Requests", resume_at=resume)

    monkeypatch.setattr(tasks.polling, "poll_batch_execute", limited)
    seen = {}

    def fake_retry(self, countdown=None, exc=None, **kw):
        seen["countdown"] = countdown
        return Retry("rescheduled", exc, countdown)

    monkeypatch.setattr(tasks.poll_batch, "retry", fake_retry.__get__(tasks.poll_batch))
    with pytest.raises(Retry):
        tasks.poll_batch.run(_batch(world).pk)
    assert 14 * 60 <= seen["countdown"] <= 14 * 60 + 31  # the reset, plus jitter; no sleep


def test_transient_failures_back_off_exponentially_with_a_cap():
    for retries in range(12):
        delay = tasks.backoff(retries)
        assert delay <= tasks.BACKOFF_CAP
        assert delay >= 0.5 * min(tasks.BACKOFF_CAP, tasks.BACKOFF_BASE * 2**retries)


def test_after_the_last_transient_retry_the_batch_is_failed_and_surfaced(world, monkeypatch):
    batch = _batch(world)

    def broken(**kwargs):
        raise Transient("502 Bad Gateway")

    monkeypatch.setattr(tasks.polling, "poll_batch_execute", broken)
    result = tasks.poll_batch.apply(args=[batch.pk], retries=tasks.TRANSIENT_RETRIES)
    assert result.result == {"batch": batch.pk, "gave_up": True}
    batch.refresh_from_db()
    assert batch.status == PollBatch.Status.FAILED and "502" in batch.last_error
    assert PollRun.objects.get().status == RunStatus.FINISHED_WITH_ERRORS
    assert AccountPollState.objects.get(pk=world.patna_x.pk).last_error_kind == "gave_up"


def test_beat_polls_everything_at_the_daily_hour_and_campaign_accounts_hourly(world, settings):
    settings.GOVSOCIAL_POLL_DAILY_HOUR = 6
    AccountPollState.objects.create(account=world.dausa_x, hourly_until=timezone.now() + timedelta(days=30))
    with time_machine.travel(timezone.now().replace(hour=0, minute=35), tick=False):  # 06:05 IST
        daily = PollRun.objects.filter(pk__in=tasks.poll_scheduled())
        assert {r.platform: r.accounts_total for r in daily} == {"x": 4, "facebook": 1, "youtube": 0}
    with time_machine.travel(timezone.now().replace(hour=5, minute=35), tick=False):  # 11:05 IST
        hourly = PollRun.objects.filter(pk__in=tasks.poll_scheduled())
        assert {r.platform: r.accounts_total for r in hourly} == {"x": 1, "facebook": 0, "youtube": 0}


def test_the_simulated_platform_is_deterministic_and_alive():
    moment = timezone.now().replace(microsecond=0)
    ref = AccountRef(account_id=1, handle="DmDausa")
    a = SimulatedClient("x", now=moment).profile(ref, moment)
    b = SimulatedClient("x", now=moment).profile(ref, moment)
    later = SimulatedClient("x").profile(ref, moment + timedelta(days=30))
    assert a == b
    assert later.followers > a.followers  # growth
    quiet = [h for h in (f"quiet{i}" for i in range(200)) if persona("x", h).posts_per_day == 0]
    assert 10 < len(quiet) < 60  # some accounts post nothing, as some districts do
    lives = SimulatedClient("facebook", now=moment).fetch_posts(
        AccountRef(account_id=2, handle="dm.samastipur", since=moment - timedelta(days=60))
    )
    durations = [p.duration_seconds for p in lives.posts if p.kind == "live"]
    assert all(8 * 60 <= d <= 75 * 60 for d in durations)
