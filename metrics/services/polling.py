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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
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
    PostItem,
    Profile,
    RateLimited,
    Suspended,
    redact,
)
from metrics.services.bulk import copy_insert_new, copy_upsert

log = logging.getLogger(__name__)


def stale_claim() -> timedelta:
    """How long a claimed batch may run before another worker may take it over (its worker died)."""
    return timedelta(seconds=settings.GOVSOCIAL_POLL_CLAIM_TIMEOUT)


def _orphaned(now: datetime) -> Q:
    """Batches claimed so long ago that their worker must have died."""
    return Q(status=PollBatch.Status.RUNNING, claimed_at__lt=now - stale_claim())


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
    size = batch_size or settings.GOVSOCIAL_POLL_BATCH_ACCOUNTS
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


def _enqueue(batch_ids: list[int]) -> None:
    from metrics.tasks import poll_batch

    for batch_id in batch_ids:
        poll_batch.delay(batch_id)


def poll_run_resume(*, run_id: int, now: datetime | None = None) -> int:
    """Send the unfinished batches of a run to the workers again (after a crash). Returns how many."""
    now = now or timezone.now()
    stale = _orphaned(now) | Q(status=PollBatch.Status.PENDING)
    batch_ids = list(PollBatch.objects.filter(stale, run_id=run_id).values_list("pk", flat=True))
    PollRun.objects.filter(pk=run_id).exclude(status=RunStatus.RUNNING).update(
        status=RunStatus.RUNNING, finished_at=None
    )
    _enqueue(batch_ids)
    return len(batch_ids)


def runs_resume_stale(*, now: datetime | None = None, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Beat's safety net: re-send batches whose worker died or whose message was lost."""
    now = now or timezone.now()
    lost = Q(status=PollBatch.Status.PENDING, run__started_at__lt=now - older_than) & (
        Q(not_before__isnull=True) | Q(not_before__lt=now - older_than)
    )
    stale = _orphaned(now) | lost
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
    claimable = Q(status=PollBatch.Status.PENDING) | _orphaned(now)
    return bool(
        PollBatch.objects.filter(claimable, pk=batch_id).update(
            status=PollBatch.Status.RUNNING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _release(batch_id: int, *, not_before: datetime | None, error: str) -> None:
    PollBatch.objects.filter(pk=batch_id, status=PollBatch.Status.RUNNING).update(
        status=PollBatch.Status.PENDING, not_before=not_before, last_error=redact(error)[:2000]
    )


@dataclass(slots=True)
class _Row:
    """An account and its poll state as the hot path needs them (no model instances)."""

    pk: int
    handle: str
    platform_id: str
    credentials: dict | None
    display_name: str
    verified: bool
    status: str
    status_changed_at: datetime | None
    status_reason: str
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error_kind: str | None
    last_error: str | None
    consecutive_failures: int | None
    since_id: str | None
    newest_post_at: datetime | None
    posts_total: int | None
    paused_until: datetime | None

    def ref(self) -> AccountRef:
        return AccountRef(
            account_id=self.pk,
            handle=self.handle,
            platform_id=self.platform_id,
            credentials=self.credentials,
            since_id=self.since_id or "",
            since=self.newest_post_at,
            posts_total=self.posts_total,
        )

    def account_key(self) -> tuple:
        return (self.platform_id, self.display_name, self.verified, self.status)


_ROW_FIELDS = [
    "pk",
    "handle",
    "platform_id",
    "credentials",
    "display_name",
    "verified",
    "status",
    "status_changed_at",
    "status_reason",
    *(f"poll_state__{name}" for name in (
        "last_polled_at", "last_success_at", "last_error_at", "last_error_kind", "last_error",
        "consecutive_failures", "since_id", "newest_post_at", "posts_total", "paused_until",
    )),
]  # fmt: skip


def _load_accounts(account_ids: list[int], slot: datetime) -> list[_Row]:
    """The batch's accounts that have no snapshot in this slot yet, in one query."""
    has_snapshot = Snapshot.objects.filter(account=OuterRef("pk"), slot=slot)
    rows = (
        Account.objects.filter(pk__in=account_ids)
        .exclude(Exists(has_snapshot))
        .order_by("pk")
        .values_list(*_ROW_FIELDS)
    )
    loaded = []
    for values in rows:
        row = _Row(*values)
        # an account never polled has no poll state yet: start from the model's defaults
        row.last_error_kind = row.last_error_kind or ""
        row.last_error = row.last_error or ""
        row.since_id = row.since_id or ""
        row.consecutive_failures = row.consecutive_failures or 0
        loaded.append(row)
    return loaded


def poll_batch_execute(
    *, batch_id: int, client: PlatformClient | None = None, now: datetime | None = None
) -> BatchOutcome:
    """Poll one batch: all API work first, then one transaction of writes.

    A rate limit or transient failure part-way stores what was fetched, releases
    the batch and re-raises for the caller to reschedule; the accounts already
    stored are skipped when the batch runs again.
    """
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
    accounts = _load_accounts(batch.account_ids, run.slot)
    work = _BatchWork(run=run, now=now)
    interrupted: PlatformError | None = None
    try:
        for start in range(0, len(accounts), client.batch_size):
            chunk = accounts[start : start + client.batch_size]
            refs = [row.ref() for row in chunk]
            result = client.lookup(refs)
            work.add_lookup(chunk, result)
            work.fetch_posts(client, chunk, refs, result)
    except RateLimited as exc:
        _pause_platform(run, exc)
        interrupted = exc
    except PlatformError as exc:
        interrupted = exc
    work.write()
    outcome = work.outcome
    outcome.api_calls = client.api_calls - calls_before
    if interrupted is None:
        _finish_batch(batch_id, run.pk, outcome, status=PollBatch.Status.DONE, error="", accounts=work.accounts_done)
    elif isinstance(interrupted, AppAuthError):
        outcome.errors[interrupted.kind] += len(accounts) - work.accounts_done
        _finish_batch(
            batch_id,
            run.pk,
            outcome,
            status=PollBatch.Status.FAILED,
            error=interrupted.message,
            accounts=work.accounts_done,
        )
        log.error("poll run %s: %s credentials rejected: %s", run.pk, run.platform, interrupted.message)
    else:
        outcome.errors[interrupted.kind] += 1
        not_before = interrupted.resume_at if isinstance(interrupted, RateLimited) else None
        _release(batch_id, not_before=not_before, error=interrupted.message)
        _record_run(
            run.pk,
            api_calls=outcome.api_calls,
            errors=outcome.errors,
            accounts_done=work.accounts_done,
            snapshots=outcome.snapshots,
            posts=outcome.posts,
            exc=interrupted,
        )
        PollBatch.objects.filter(pk=batch_id).update(api_calls=F("api_calls") + outcome.api_calls)
        raise interrupted
    return outcome


def poll_batch_fail(*, batch_id: int, error: str) -> None:
    """Give up on a batch after its retries (surfaced on the run and the health page)."""
    batch = PollBatch.objects.get(pk=batch_id)
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


class _BatchWork:
    """What one batch fetched, kept in memory until ``write`` stores it in one transaction."""

    def __init__(self, *, run: PollRun, now: datetime):
        self.run = run
        self.now = now
        self.outcome = BatchOutcome(claimed=True)
        self.snapshots: list[tuple] = []
        self.posts: dict[tuple[int, str], tuple] = {}
        self.states: dict[int, _Row] = {}
        self.changed: dict[int, _Row] = {}
        self.accounts_done = 0

    def add_lookup(self, rows: list[_Row], result: LookupResult) -> None:
        now = self.now
        for row in rows:
            row.last_polled_at = now
            self.states[row.pk] = row
            self.accounts_done += 1
            error = result.errors.get(row.pk)
            profile = result.profiles.get(row.pk)
            before = row.account_key()
            new_status = row.status
            if error is not None:
                self.outcome.errors[error.kind] += 1
                _note_error(row, error, now)
                new_status = ACCOUNT_STATUS_FOR_ERROR.get(type(error), row.status)
            elif profile is not None:
                self.snapshots.append(snapshot_row(row.pk, self.run.slot, now, profile, self.run.pk))
                row.last_success_at = now
                row.consecutive_failures = 0
                if row.status in (AccountStatus.NOT_FOUND, AccountStatus.SUSPENDED):
                    new_status = AccountStatus.ACTIVE
                row.platform_id = result.resolved_ids.get(row.pk) or profile.platform_id or row.platform_id
                if profile.display_name:
                    row.display_name = profile.display_name[:200]
                row.verified = profile.verified
            else:
                continue
            if new_status != row.status:
                row.status = new_status
                row.status_changed_at = now
                row.status_reason = error.message[:500] if error is not None else ""
            if row.account_key() != before:
                self.changed[row.pk] = row

    def fetch_posts(self, client: PlatformClient, rows: list[_Row], refs: list[AccountRef], result: LookupResult):
        """New posts of each account that has any; per-account problems are noted, app-wide ones raised."""
        now = self.now
        for row, ref in zip(rows, refs, strict=True):
            profile = result.profiles.get(row.pk)
            if profile is None:
                continue
            if profile.platform_id and ref.platform_id != profile.platform_id:
                ref = replace(ref, platform_id=profile.platform_id)
            if client.needs_posts(ref, profile):
                try:
                    fetched = client.fetch_posts(ref)
                except RateLimited as exc:
                    if exc.scope == "app":
                        raise
                    self.outcome.errors[exc.kind] += 1
                    _note_error(row, exc, now)
                    row.paused_until = exc.resume_at
                    continue
                except (AccountError, PlatformError) as exc:
                    if isinstance(exc, AppAuthError):
                        raise
                    self.outcome.errors[exc.kind] += 1
                    _note_error(row, exc, now)
                    if isinstance(exc, AuthExpired) and row.status != AccountStatus.REAUTH_REQUIRED:
                        row.status = AccountStatus.REAUTH_REQUIRED
                        row.status_changed_at = now
                        row.status_reason = exc.message[:500]
                        self.changed[row.pk] = row
                    continue
                for item in fetched.posts:
                    self.posts[(row.pk, item.platform_post_id)] = post_row(row.pk, item, now)
                if fetched.newest_id:
                    row.since_id = fetched.newest_id
                if fetched.posts:
                    newest = max(item.created_at for item in fetched.posts)
                    if row.newest_post_at is None or newest > row.newest_post_at:
                        row.newest_post_at = newest
            row.posts_total = profile.posts_total

    def write(self) -> None:
        with transaction.atomic():
            # Accounts with a snapshot in this slot were left out when the batch was read, so a
            # conflict here means another worker stored that snapshot meanwhile: the first one stays.
            copy_insert_new(Snapshot, SNAPSHOT_COLUMNS, self.snapshots, conflict=["account", "slot"])
            copy_upsert(
                Post, POST_COLUMNS, self.posts.values(), conflict=["account", "platform_post_id"], update=POST_UPDATE
            )
            _update_accounts(list(self.changed.values()))
            copy_upsert(
                AccountPollState,
                ["account", *_STATE_FIELDS],
                ([row.pk, *(getattr(row, name) for name in _STATE_FIELDS)] for row in self.states.values()),
                conflict=["account"],
                update=_STATE_FIELDS,
            )
        self.outcome.snapshots = len(self.snapshots)
        self.outcome.posts = len(self.posts)


def snapshot_row(account_id: int, slot: datetime, taken_at: datetime, profile: Profile, run_id: int | None) -> tuple:
    """A snapshot as a row in ``SNAPSHOT_COLUMNS`` order."""
    return (
        account_id, slot, taken_at, profile.followers, profile.following, profile.posts_total, profile.listed,
        profile.likes, profile.views, run_id,
    )  # fmt: skip


def post_row(account_id: int, item: PostItem, now: datetime) -> tuple:
    """A post as a row in ``POST_COLUMNS`` order."""
    return (
        account_id, item.platform_post_id, item.kind, item.created_at, item.text[:5000], item.url[:500],
        item.duration_seconds, item.live_status, item.likes, item.reposts, item.replies, item.quotes, item.views,
        now, now,
    )  # fmt: skip


SNAPSHOT_COLUMNS = [
    "account", "slot", "taken_at", "followers", "following", "posts_total", "listed", "likes", "views", "run",
]  # fmt: skip
POST_COLUMNS = [
    "account", "platform_post_id", "kind", "created_at", "text", "url", "duration_seconds", "live_status",
    "likes", "reposts", "replies", "quotes", "views", "first_seen_at", "metrics_updated_at",
]  # fmt: skip
POST_UPDATE = [
    "likes",
    "reposts",
    "replies",
    "quotes",
    "views",
    "live_status",
    "duration_seconds",
    "metrics_updated_at",
]
_ACCOUNT_FIELDS = ["platform_id", "display_name", "verified", "status", "status_changed_at", "status_reason"]


def _update_accounts(accounts: list[_Row]) -> None:
    """Write the changed accounts: one UPDATE ... FROM (VALUES ...) on PostgreSQL."""
    if not accounts:
        return
    if connection.vendor != "postgresql":
        models = [Account(pk=a.pk, **{name: getattr(a, name) for name in _ACCOUNT_FIELDS}) for a in accounts]
        Account.objects.bulk_update(models, _ACCOUNT_FIELDS, batch_size=500)
        return
    from psycopg2.extras import execute_values

    table = Account._meta.db_table
    rows = [
        (a.pk, a.platform_id, a.display_name, a.verified, a.status, a.status_changed_at, a.status_reason)
        for a in accounts
    ]
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            f"UPDATE {table} AS a SET platform_id = v.platform_id, display_name = v.display_name, "
            "verified = v.verified, status = v.status, status_changed_at = v.status_changed_at::timestamptz, "
            "status_reason = v.status_reason, updated_at = now() "
            "FROM (VALUES %s) AS v(id, platform_id, display_name, verified, status, status_changed_at, status_reason) "
            "WHERE a.id = v.id",
            rows,
            page_size=1000,
        )


def _note_error(row: _Row, error: AccountError | PlatformError, now: datetime) -> None:
    row.last_error_at = now
    row.last_error_kind = error.kind
    row.last_error = error.message[:2000]
    row.consecutive_failures = (row.consecutive_failures or 0) + 1


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
