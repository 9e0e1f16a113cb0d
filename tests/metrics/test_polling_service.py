"""The polling service: snapshots, posts, account states, idempotency and failures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from departments.choices import AccountStatus
from metrics.choices import RunStatus
from metrics.models import AccountPollState, PlatformPause, PollBatch, PollRun, Post, Snapshot
from metrics.platforms.base import (
    AppAuthError,
    AuthExpired,
    NotFound,
    PostItem,
    PostKind,
    PostsResult,
    RateLimited,
    Suspended,
    Transient,
)
from metrics.services.polling import poll_batch_execute, poll_batch_fail, poll_run_create, slot_for
from tests.metrics.fakes import ScriptedClient, at

pytestmark = pytest.mark.django_db
NOW = at("2026-07-15T10:20:00+05:30")


def run_all(run: PollRun, client, now=NOW):
    for batch in run.batches.order_by("index"):
        poll_batch_execute(batch_id=batch.pk, client=client, now=now)
    run.refresh_from_db()
    return run


def x_run(now=NOW, **kw):
    return poll_run_create(platform="x", enqueue=False, now=now, **kw)


def test_a_poll_writes_one_snapshot_per_account_and_finishes(world):
    client = ScriptedClient(followers=5000)
    run = run_all(x_run(), client)
    assert run.status == RunStatus.FINISHED and run.finished_at is not None
    assert (run.accounts_total, run.accounts_done, run.snapshots_written) == (4, 4, 4)
    assert run.slot == slot_for(NOW) == at("2026-07-15T04:00:00+00:00")
    assert set(Snapshot.objects.values_list("account__handle", "followers")) == {
        ("DMPatna", 5000),
        ("DMGaya", 5000),
        ("DmDausa", 5000),
        ("BiharHealthDept", 5000),
    }
    world.patna_x.refresh_from_db()
    assert world.patna_x.platform_id == f"9{world.patna_x.pk:06}"  # resolved from the handle once
    assert AccountPollState.objects.get(pk=world.patna_x.pk).last_success_at == NOW


def test_running_a_batch_twice_writes_nothing_twice(world):
    client = ScriptedClient()
    run = run_all(x_run(), client)
    batch = run.batches.get()
    assert poll_batch_execute(batch_id=batch.pk, client=client, now=NOW).claimed is False
    # a second run in the same slot skips every account that has its snapshot
    second = run_all(x_run(now=NOW + timedelta(minutes=5)), client)
    assert second.snapshots_written == 0 and Snapshot.objects.count() == 4
    # the next hour is a new slot
    run_all(x_run(now=NOW + timedelta(hours=1)), client)
    assert Snapshot.objects.count() == 8


def test_partial_errors_mark_just_those_accounts(world):
    client = ScriptedClient(
        account_errors={
            "DMGaya": Suspended("User has been suspended: [DMGaya]."),
            "DmDausa": NotFound("Could not find user with usernames: [DmDausa]."),
        }
    )
    run = run_all(x_run(), client)
    statuses = dict(world.patna_x.__class__.objects.filter(platform="x").values_list("handle", "status"))
    assert statuses == {
        "DMPatna": AccountStatus.ACTIVE,
        "DMGaya": AccountStatus.SUSPENDED,
        "DmDausa": AccountStatus.NOT_FOUND,
        "BiharHealthDept": AccountStatus.ACTIVE,
    }
    assert set(Snapshot.objects.values_list("account__handle", flat=True)) == {"DMPatna", "BiharHealthDept"}
    assert run.errors == {"suspended": 1, "not_found": 1}
    assert run.status == RunStatus.FINISHED_WITH_ERRORS
    state = AccountPollState.objects.get(pk=world.gaya_x.pk)
    assert (state.last_error_kind, state.consecutive_failures) == ("suspended", 1)


def test_an_account_found_again_becomes_active(world):
    world.gaya_x.status = AccountStatus.NOT_FOUND
    world.gaya_x.save()
    run_all(x_run(), ScriptedClient())
    world.gaya_x.refresh_from_db()
    assert world.gaya_x.status == AccountStatus.ACTIVE


def test_posts_are_fetched_only_when_the_count_changed_and_deduplicated(world):
    tweet = PostItem(platform_post_id="1812345678901234567", kind=PostKind.POST, created_at=NOW - timedelta(hours=2))
    rt = PostItem(platform_post_id="1812345678901234568", kind=PostKind.REPOST, created_at=NOW - timedelta(hours=1))
    client = ScriptedClient(posts={"DMPatna": PostsResult(posts=[tweet, rt], newest_id=rt.platform_post_id)})
    run = run_all(x_run(), client)
    assert run.api_calls == 1 + 4  # one lookup, one timeline per account (no count known before)
    assert Post.objects.filter(account=world.patna_x).count() == 2
    state = AccountPollState.objects.get(pk=world.patna_x.pk)
    assert state.since_id == rt.platform_post_id and state.posts_total == 10
    # next hour: the count has not changed: no timeline calls at all
    run = run_all(x_run(now=NOW + timedelta(hours=1)), client)
    assert run.api_calls == 1
    # the count changed for everyone: the same posts come again, and are not duplicated
    client.posts_total = 12
    run_all(x_run(now=NOW + timedelta(hours=2)), client)
    assert Post.objects.count() == 2
    assert client.seen_refs[-4].since_id or client.seen_refs[-1].since_id  # since_id handed back to the client


def test_rate_limit_releases_the_batch_and_pauses_the_platform(world):
    resume = NOW + timedelta(minutes=12)
    client = ScriptedClient(lookup_raises=RateLimited("Too Many Requests", resume_at=resume))
    run = x_run()
    batch = run.batches.get()
    with pytest.raises(RateLimited):
        poll_batch_execute(batch_id=batch.pk, client=client, now=NOW)
    batch.refresh_from_db()
    assert (batch.status, batch.not_before) == (PollBatch.Status.PENDING, resume)
    assert PlatformPause.objects.get(platform="x").until == resume
    run.refresh_from_db()
    assert run.rate_limited_until == resume and run.status == RunStatus.RUNNING
    # before the reset nothing is called; after it the batch completes
    calm = ScriptedClient()
    with pytest.raises(RateLimited):
        poll_batch_execute(batch_id=batch.pk, client=calm, now=NOW + timedelta(minutes=5))
    assert calm.api_calls == 0
    poll_batch_execute(batch_id=batch.pk, client=calm, now=resume + timedelta(seconds=1))
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED_WITH_ERRORS and Snapshot.objects.count() == 4


def test_transient_errors_release_the_batch_and_giving_up_is_recorded(world):
    client = ScriptedClient(lookup_raises=Transient("503 Service Unavailable"))
    run = x_run()
    batch = run.batches.get()
    with pytest.raises(Transient):
        poll_batch_execute(batch_id=batch.pk, client=client, now=NOW)
    batch.refresh_from_db()
    assert batch.status == PollBatch.Status.PENDING
    poll_batch_fail(batch_id=batch.pk, error="503 Service Unavailable after 6 tries")
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED_WITH_ERRORS
    assert run.errors["gave_up"] == 4
    state = AccountPollState.objects.get(pk=world.patna_x.pk)
    assert state.last_error_kind == "gave_up" and "503" in state.last_error


def test_app_credentials_rejected_fails_the_batch_without_retry(world):
    run = run_all(x_run(), ScriptedClient(lookup_raises=AppAuthError("Unauthorized")))
    assert run.status == RunStatus.FINISHED_WITH_ERRORS
    assert run.batches.get().status == PollBatch.Status.FAILED
    assert run.errors == {"app_auth": 4}


def test_expired_account_token_marks_reauth_and_keeps_the_snapshot(world):
    client = ScriptedClient(
        posts_raise={"DMPatna": AuthExpired("Error validating access token: Session has expired. token=EAAGsecret")}
    )
    run = run_all(x_run(), client)
    world.patna_x.refresh_from_db()
    assert world.patna_x.status == AccountStatus.REAUTH_REQUIRED
    assert "EAAGsecret" not in world.patna_x.status_reason
    assert Snapshot.objects.filter(account=world.patna_x).exists()
    assert run.errors == {"reauth_required": 1}
    assert "EAAGsecret" not in AccountPollState.objects.get(pk=world.patna_x.pk).last_error


def test_page_level_throttle_pauses_only_that_page(world):
    until = NOW + timedelta(hours=1)
    client = ScriptedClient(
        posts_raise={"DMGaya": RateLimited("(#32) Page request limit reached", resume_at=until, scope="x")}
    )
    run_all(x_run(), client)
    assert AccountPollState.objects.get(pk=world.gaya_x.pk).paused_until == until
    assert not PlatformPause.objects.exists()
    second = x_run(now=NOW + timedelta(hours=1) - timedelta(minutes=30))
    assert world.gaya_x.pk not in second.batches.get().account_ids


def test_scope_by_state_and_by_account(world):
    assert x_run(state="RJ").accounts_total == 1
    assert x_run(account_ids=[world.patna_x.pk]).accounts_total == 1


def test_hourly_polling_only_for_accounts_that_asked(world):
    assert x_run(hourly_only=True).accounts_total == 0
    AccountPollState.objects.create(account=world.dausa_x, hourly_until=timezone.now() + timedelta(days=15))
    run = poll_run_create(platform="x", enqueue=False, hourly_only=True)
    assert run.accounts_total == 1


def test_an_unexpected_error_in_a_batch_is_recorded_not_looped(world, monkeypatch):
    from metrics import tasks

    run = x_run()
    batch = run.batches.get()

    def broken(**kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(tasks.polling, "poll_batch_execute", broken)
    with pytest.raises(ZeroDivisionError):
        tasks.poll_batch.apply(args=[batch.pk], throw=True)
    batch.refresh_from_db()
    run.refresh_from_db()
    assert batch.status == PollBatch.Status.FAILED and "ZeroDivisionError: a bug" in batch.last_error
    assert run.status == RunStatus.FINISHED_WITH_ERRORS


def test_sqlite_fallback_of_the_bulk_writer(world, settings):
    from unittest import mock

    from metrics.services import bulk

    rows = [(world.patna_x.pk, NOW, NOW, 10, None, None, None, None, None, None)]
    with mock.patch.object(bulk.connection, "vendor", "sqlite"):
        bulk.copy_upsert(
            Snapshot,
            ["account", "slot", "taken_at", "followers", "following", "posts_total", "listed", "likes", "views", "run"],
            rows,
            conflict=["account", "slot"],
        )
    assert Snapshot.objects.get(account=world.patna_x).followers == 10


def test_snapshot_writer_skips_rows_another_worker_wrote_meanwhile(world):
    from metrics.services.bulk import copy_insert_new

    slot = slot_for(NOW)
    Snapshot.objects.create(account=world.patna_x, slot=slot, taken_at=NOW, followers=111)
    columns = ["account", "slot", "taken_at", "followers"]
    copy_insert_new(
        Snapshot,
        columns,
        [(world.patna_x.pk, slot, NOW, 999), (world.gaya_x.pk, slot, NOW, 222)],
        conflict=["account", "slot"],
    )
    assert dict(Snapshot.objects.values_list("account__handle", "followers")) == {"DMPatna": 111, "DMGaya": 222}


def test_beat_resends_orphaned_and_lost_batches_but_not_those_waiting_for_a_reset(world, monkeypatch, settings):
    from metrics.services import polling

    sent = []
    monkeypatch.setattr(polling, "_enqueue", lambda ids: sent.extend(ids))
    settings.GOVSOCIAL_POLL_CLAIM_TIMEOUT = 60
    now = timezone.now()
    runs = [
        x_run(now=now - timedelta(hours=1), account_ids=[a.pk]) for a in (world.patna_x, world.gaya_x, world.dausa_x)
    ]
    PollRun.objects.filter(pk__in=[r.pk for r in runs]).update(started_at=now - timedelta(hours=1))
    orphaned, lost, waiting = (run.batches.get() for run in runs)
    PollBatch.objects.filter(pk=orphaned.pk).update(
        status=PollBatch.Status.RUNNING, claimed_at=now - timedelta(minutes=5)
    )
    PollBatch.objects.filter(pk=waiting.pk).update(not_before=now + timedelta(minutes=30))
    assert polling.runs_resume_stale(now=now) == 2
    assert sorted(sent) == sorted([orphaned.pk, lost.pk])
