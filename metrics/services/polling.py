"""Polling: turn platform answers into snapshots, posts and account states.

A poll is a ``PollRun`` split into ``PollBatch``es of one API request's worth
of accounts. Each batch is claimed by a conditional update, so only one
worker works on it; an account that already has a snapshot in the run's slot
is skipped, so a re-delivered or resumed batch writes nothing twice and misses
nothing. Rate limits and transient failures are raised to the task layer,
which reschedules the batch instead of sleeping.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from departments.choices import AccountStatus
from departments.models import Account
from metrics.choices import RunStatus, RunTrigger
from metrics.models import AccountPollState, PlatformPause, PollBatch, PollRun, Post, Snapshot
from metrics.platforms import get_client
from metrics.platforms.base import (
    AccountError,
    AccountRef,
    AppAuthError,
    AuthExpired,
    LookupResult,
    NotFound,
    PlatformClient,
    PlatformError,
    PostsResult,
    RateLimited,
    Suspended,
    redact,
)

log = logging.getLogger(__name__)



def stale_claim() -> timedelta:
    """How long a claimed batch may run before another worker may take it over (its worker died)."""
    return timedelta(seconds=settings.GOVSOCIAL_POLL_CLAIM_TIMEOUT)

ACCOUNT_STATUS_FOR_ERROR = {
    NotFound: AccountStatus.NOT_FOUND,
    Suspended: AccountStatus.SUSPENDED,
    AuthExpired: AccountStatus.REAUTH_REQUIRED,
}


def slot_for(moment: datetime) -> datetime:
    """The poll slot a moment belongs to: the start of its hour (UTC)."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


# --- starting a run ---------------------------------------------------------------


def accounts_to_poll(
    *,
    platform: str,
    now: datetime,
    state: str | None = None,
    account_ids: Iterable[int] | None = None,
    hourly_only: bool = False,
) -> QuerySet[Account]:
    accounts = Account.objects.filter(platform=platform, unit__is_active=True)
    if state:
        accounts = accounts.filter(unit__state__code=state.upper())
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    paused = AccountPollState.objects.filter(account=OuterRef("pk"), paused_until__gt=now)
    accounts = accounts.exclude(Exists(paused))
    if hourly_only:
        accounts = accounts.filter(poll_state__hourly_until__gt=now)
    return accounts.order_by("pk")


def poll_run_create(
    *,
    platform: str,
    trigger: str = RunTrigger.MANUAL,
    state: str | None = None,
    account_ids: Iterable[int] | None = None,
    hourly_only: bool = False,
    now: datetime | None = None,
    batch_size: int | None = None,
    enqueue: bool = True,
) -> PollRun:
    """Create a run and its batches; with ``enqueue`` the batches go to the workers once committed."""
    now = now or timezone.now()
    account_ids = list(account_ids) if account_ids is not None else None
    ids = list(
        accounts_to_poll(
            platform=platform, now=now, state=state, account_ids=account_ids, hourly_only=hourly_only
        ).values_list("pk", flat=True)
    )
    size = batch_size or get_client(platform).batch_size
    with transaction.atomic():
        run = PollRun.objects.create(
            platform=platform,
            trigger=trigger,
            slot=slot_for(now),
            scope={"state": state, "accounts": account_ids, "hourly_only": hourly_only},
            accounts_total=len(ids),
            batches_total=math.ceil(len(ids) / size),
        )
        PollBatch.objects.bulk_create(
            PollBatch(run=run, index=n, account_ids=ids[start : start + size])
            for n, start in enumerate(range(0, len(ids), size))
        )
        if not ids:
            PollRun.objects.filter(pk=run.pk).update(status=RunStatus.FINISHED, finished_at=now)
            run.refresh_from_db()
        elif enqueue:
            batch_ids = list(run.batches.values_list("pk", flat=True))
            transaction.on_commit(lambda: _enqueue(batch_ids))
    return run


def _enqueue(batch_ids: list[int], countdown: float | None = None) -> None:
    from metrics.tasks import poll_batch

    for batch_id in batch_ids:
        poll_batch.apply_async(args=[batch_id], countdown=countdown)


def poll_run_resume(*, run_id: int, now: datetime | None = None) -> int:
    """Send the unfinished batches of a run to the workers again (after a crash). Returns how many."""
    now = now or timezone.now()
    stale = Q(status=PollBatch.Status.RUNNING, claimed_at__lt=now - stale_claim()) | Q(status=PollBatch.Status.PENDING)
    batch_ids = list(PollBatch.objects.filter(stale, run_id=run_id).values_list("pk", flat=True))
    PollRun.objects.filter(pk=run_id).exclude(status=RunStatus.RUNNING).update(
        status=RunStatus.RUNNING, finished_at=None
    )
    _enqueue(batch_ids)
    return len(batch_ids)


def runs_resume_stale(*, now: datetime | None = None, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Beat's safety net: re-send batches whose worker died or whose message was lost."""
    now = now or timezone.now()
    stale = Q(status=PollBatch.Status.RUNNING, claimed_at__lt=now - stale_claim()) | Q(
        status=PollBatch.Status.PENDING,
        run__started_at__lt=now - older_than,
    ) & (Q(not_before__isnull=True) | Q(not_before__lt=now - older_than))
    batch_ids = list(PollBatch.objects.filter(stale, run__status=RunStatus.RUNNING).values_list("pk", flat=True)[:5000])
    _enqueue(batch_ids)
    return len(batch_ids)


# --- one batch ------------------------------------------------------------------


@dataclass
class BatchOutcome:
    claimed: bool
    snapshots: int = 0
    posts: int = 0
    api_calls: int = 0
    errors: Counter = field(default_factory=Counter)


def _claim(batch_id: int, now: datetime) -> bool:
    claimable = Q(status=PollBatch.Status.PENDING) | Q(
        status=PollBatch.Status.RUNNING, claimed_at__lt=now - stale_claim()
    )
    return bool(
        PollBatch.objects.filter(claimable, pk=batch_id).update(
            status=PollBatch.Status.RUNNING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _release(batch_id: int, *, not_before: datetime | None, error: str) -> None:
    PollBatch.objects.filter(pk=batch_id, status=PollBatch.Status.RUNNING).update(
        status=PollBatch.Status.PENDING, not_before=not_before, last_error=redact(error)[:2000]
    )


def _refs(accounts: list[Account]) -> list[AccountRef]:
    refs = []
    for account in accounts:
        state = getattr(account, "poll_state", None)
        refs.append(
            AccountRef(
                account_id=account.pk,
                handle=account.handle,
                platform_id=account.platform_id,
                credentials=account.credentials,
                since_id=state.since_id if state else "",
                since=state.newest_post_at if state else None,
                posts_total=state.posts_total if state else None,
            )
        )
    return refs


def poll_batch_execute(
    *, batch_id: int, client: PlatformClient | None = None, now: datetime | None = None
) -> BatchOutcome:
    """Poll one batch. Raises ``RateLimited`` or ``Transient`` (batch released) for the caller to reschedule."""
    now = now or timezone.now()
    if not _claim(batch_id, now):
        return BatchOutcome(claimed=False)
    batch = PollBatch.objects.select_related("run").get(pk=batch_id)
    run = batch.run
    pause = PlatformPause.objects.filter(platform=run.platform, until__gt=now).first()
    if pause is not None:
        _release(batch_id, not_before=pause.until, error=f"{run.platform} paused: {pause.reason}")
        raise RateLimited(f"{run.platform} is paused until {pause.until:%H:%M} UTC", resume_at=pause.until)

    client = client or get_client(run.platform)
    calls_before = client.api_calls
    has_snapshot = Snapshot.objects.filter(account=OuterRef("pk"), slot=run.slot)
    accounts = list(
        Account.objects.filter(pk__in=batch.account_ids)
        .exclude(Exists(has_snapshot))
        .select_related("poll_state")
        .order_by("pk")
    )
    outcome = BatchOutcome(claimed=True)
    if accounts:
        refs = _refs(accounts)
        try:
            result = client.lookup(refs)
        except RateLimited as exc:
            _pause_platform(run, exc)
            _release(batch_id, not_before=exc.resume_at, error=exc.message)
            _record_run(run.pk, api_calls=client.api_calls - calls_before, errors=Counter({exc.kind: 1}), exc=exc)
            raise
        except AppAuthError as exc:
            outcome.api_calls = client.api_calls - calls_before
            outcome.errors[exc.kind] += len(accounts)
            _finish_batch(batch_id, run.pk, outcome, status=PollBatch.Status.FAILED, error=exc.message, accounts=0)
            log.error("poll run %s: %s credentials rejected: %s", run.pk, run.platform, exc.message)
            return outcome
        except PlatformError as exc:
            _release(batch_id, not_before=None, error=exc.message)
            _record_run(run.pk, api_calls=client.api_calls - calls_before, errors=Counter({exc.kind: 1}), exc=exc)
            raise
        states = _store_lookup(run, accounts, result, now, outcome)
        outcome.posts = _fetch_and_store_posts(run, client, accounts, refs, result, states, now, outcome)
    outcome.api_calls = client.api_calls - calls_before
    _finish_batch(batch_id, run.pk, outcome, status=PollBatch.Status.DONE, error="", accounts=len(accounts))
    return outcome


def poll_batch_fail(*, batch_id: int, error: str) -> None:
    """Give up on a batch after its retries (surfaced on the run and the health page)."""
    batch = PollBatch.objects.select_related("run").get(pk=batch_id)
    PollBatch.objects.filter(pk=batch_id).exclude(status=PollBatch.Status.DONE).update(
        status=PollBatch.Status.FAILED, last_error=redact(error)[:2000]
    )
    now = timezone.now()
    AccountPollState.objects.bulk_create(
        [AccountPollState(account_id=pk) for pk in batch.account_ids], ignore_conflicts=True
    )
    AccountPollState.objects.filter(account_id__in=batch.account_ids).update(
        last_polled_at=now,
        last_error_at=now,
        last_error_kind="gave_up",
        last_error=redact(error)[:2000],
        consecutive_failures=F("consecutive_failures") + 1,
    )
    _record_run(batch.run_id, api_calls=0, errors=Counter({"gave_up": len(batch.account_ids)}), error=error)
    _maybe_finish(batch.run_id)


def _pause_platform(run: PollRun, exc: RateLimited) -> None:
    if exc.scope != "app":
        return
    PlatformPause.objects.update_or_create(
        platform=run.platform, defaults={"until": exc.resume_at, "reason": exc.message[:500]}
    )


def _store_lookup(
    run: PollRun, accounts: list[Account], result: LookupResult, now: datetime, outcome: BatchOutcome
) -> int:
    snapshots = []
    changed_accounts = []
    states = []
    for account in accounts:
        state = getattr(account, "poll_state", None) or AccountPollState(account=account)
        state.last_polled_at = now
        error = result.errors.get(account.pk)
        profile = result.profiles.get(account.pk)
        new_status = account.status
        if error is not None:
            outcome.errors[error.kind] += 1
            _note_error(state, error, now)
            new_status = ACCOUNT_STATUS_FOR_ERROR.get(type(error), account.status)
        elif profile is not None:
            snapshots.append(
                Snapshot(
                    account=account,
                    slot=run.slot,
                    taken_at=now,
                    followers=profile.followers,
                    following=profile.following,
                    posts_total=profile.posts_total,
                    listed=profile.listed,
                    likes=profile.likes,
                    views=profile.views,
                    run=run,
                )
            )
            state.last_success_at = now
            state.consecutive_failures = 0
            if account.status in (AccountStatus.NOT_FOUND, AccountStatus.SUSPENDED):
                new_status = AccountStatus.ACTIVE
            resolved = result.resolved_ids.get(account.pk) or profile.platform_id
            if resolved and resolved != account.platform_id:
                account.platform_id = resolved
            if profile.display_name:
                account.display_name = profile.display_name[:200]
            account.verified = profile.verified
        if new_status != account.status:
            account.status = new_status
            account.status_changed_at = now
            account.status_reason = error.message[:500] if error is not None else ""
        changed_accounts.append(account)
        states.append(state)
    with transaction.atomic():
        created = Snapshot.objects.bulk_create(snapshots, ignore_conflicts=True, batch_size=1000)
        Account.objects.bulk_update(
            changed_accounts,
            ["platform_id", "display_name", "verified", "status", "status_changed_at", "status_reason"],
            batch_size=1000,
        )
        _save_states(states)
    outcome.snapshots = len(created)
    return {state.account_id: state for state in states}


def _note_error(state: AccountPollState, error: AccountError | PlatformError, now: datetime) -> None:
    state.last_error_at = now
    state.last_error_kind = error.kind
    state.last_error = error.message[:2000]
    state.consecutive_failures += 1


_STATE_FIELDS = [
    "last_polled_at",
    "last_success_at",
    "last_error_at",
    "last_error_kind",
    "last_error",
    "consecutive_failures",
    "since_id",
    "newest_post_at",
    "posts_total",
    "paused_until",
]


def _save_states(states: list[AccountPollState]) -> None:
    AccountPollState.objects.bulk_create(
        states,
        update_conflicts=True,
        unique_fields=["account"],
        update_fields=_STATE_FIELDS,
        batch_size=1000,
    )


def _fetch_and_store_posts(
    run: PollRun,
    client: PlatformClient,
    accounts: list[Account],
    refs: list[AccountRef],
    result: LookupResult,
    states: dict[int, AccountPollState],
    now: datetime,
    outcome: BatchOutcome,
) -> int:
    written = 0
    touched = []
    for account, ref in zip(accounts, refs, strict=True):
        profile = result.profiles.get(account.pk)
        if profile is None:
            continue
        state = states[account.pk]
        if profile.platform_id and ref.platform_id != profile.platform_id:
            ref = AccountRef(**{**ref.__dict__, "platform_id": profile.platform_id})
        if client.needs_posts(ref, profile):
            try:
                posts = client.fetch_posts(ref)
            except RateLimited as exc:
                outcome.errors[exc.kind] += 1
                _note_error(state, exc, now)
                if exc.scope == "app":
                    _pause_platform(run, exc)
                    touched.append(state)
                    break  # no more calls now; the next poll catches up from since_id
                state.paused_until = exc.resume_at
                touched.append(state)
                continue
            except (AccountError, PlatformError) as exc:
                outcome.errors[exc.kind] += 1
                _note_error(state, exc, now)
                if isinstance(exc, AuthExpired):
                    Account.objects.filter(pk=account.pk).exclude(status=AccountStatus.REAUTH_REQUIRED).update(
                        status=AccountStatus.REAUTH_REQUIRED, status_changed_at=now, status_reason=exc.message[:500]
                    )
                touched.append(state)
                continue
            written += _store_posts(account, posts)
            if posts.newest_id:
                state.since_id = posts.newest_id
            if posts.posts:
                state.newest_post_at = max(p.created_at for p in posts.posts)
        state.posts_total = profile.posts_total
        touched.append(state)
    _save_states(touched)
    return written


def _store_posts(account: Account, result: PostsResult) -> int:
    rows = [
        Post(
            account=account,
            platform_post_id=item.platform_post_id,
            kind=item.kind,
            created_at=item.created_at,
            text=item.text[:5000],
            url=item.url[:500],
            duration_seconds=item.duration_seconds,
            live_status=item.live_status,
            likes=item.likes,
            reposts=item.reposts,
            replies=item.replies,
            quotes=item.quotes,
            views=item.views,
        )
        for item in result.posts
    ]
    if not rows:
        return 0
    Post.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["account", "platform_post_id"],
        update_fields=["likes", "reposts", "replies", "quotes", "views", "live_status", "duration_seconds"],
        batch_size=1000,
    )
    return len(rows)


def _finish_batch(batch_id: int, run_id: int, outcome: BatchOutcome, *, status: str, error: str, accounts: int) -> None:
    with transaction.atomic():
        updated = PollBatch.objects.filter(pk=batch_id, status=PollBatch.Status.RUNNING).update(
            status=status,
            api_calls=F("api_calls") + outcome.api_calls,
            last_error=redact(error)[:2000],
            not_before=None,
        )
        if updated:
            _record_run(
                run_id,
                api_calls=outcome.api_calls,
                errors=outcome.errors,
                accounts_done=accounts,
                snapshots=outcome.snapshots,
                posts=outcome.posts,
                batches_done=1,
                error=error,
            )
    if updated:
        _maybe_finish(run_id)


def _record_run(
    run_id: int,
    *,
    api_calls: int,
    errors: Counter,
    accounts_done: int = 0,
    snapshots: int = 0,
    posts: int = 0,
    batches_done: int = 0,
    error: str = "",
    exc: PlatformError | None = None,
) -> None:
    with transaction.atomic():
        run = PollRun.objects.select_for_update().get(pk=run_id)
        merged = Counter(run.errors) + errors
        run.errors = dict(merged)
        run.api_calls += api_calls
        run.accounts_done += accounts_done
        run.snapshots_written += snapshots
        run.posts_written += posts
        run.batches_done += batches_done
        if exc is not None:
            run.last_error = exc.message[:2000]
            if isinstance(exc, RateLimited):
                run.rate_limited_until = exc.resume_at
        elif error:
            run.last_error = redact(error)[:2000]
        run.save(
            update_fields=[
                "errors",
                "api_calls",
                "accounts_done",
                "snapshots_written",
                "posts_written",
                "batches_done",
                "last_error",
                "rate_limited_until",
            ]
        )


def _maybe_finish(run_id: int) -> None:
    unfinished = PollBatch.objects.filter(run_id=run_id).exclude(
        status__in=[PollBatch.Status.DONE, PollBatch.Status.FAILED]
    )
    if unfinished.exists():
        return
    failed = PollBatch.objects.filter(run_id=run_id, status=PollBatch.Status.FAILED).exists()
    run = PollRun.objects.get(pk=run_id)
    status = RunStatus.FINISHED_WITH_ERRORS if failed or run.errors else RunStatus.FINISHED
    PollRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(status=status, finished_at=timezone.now())
