"""Checking, through X, whether staff follow their district's handle, within the admin's weekly budget.

One run (``follow_checks_run``, hourly from beat):

1. stops at once if the checks are off, X asked us to wait (a 429's reset), or the budget is spent;
2. claims due members (active, with a handle, a handle to follow, and no check in the last 7 days;
   the oldest check first) with ``SELECT … FOR UPDATE SKIP LOCKED`` and a claim time, so two runs
   at once never take the same person;
3. resolves handles (and targets) without an id, 100 usernames a request;
4. pages through each member's following list until the target is found or the list ends.

Every request is first reserved in the ledger (``FollowCheckRequest``) under a lock on the budget
row, so the ledger never holds more requests in 7 days than the budget allows, even with two runs.
A member is marked checked only when their answer is complete: a 429, a failed request or the end
of the budget in the middle of someone's list leaves them due, and the next run starts them again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from departments.choices import Platform
from departments.models import Account
from metrics.platforms.base import (
    AccountError,
    Forbidden,
    NotFound,
    PlatformError,
    RateLimited,
    Suspended,
)
from staff.clients import USERS_BATCH, FollowClient, follow_client
from staff.models import (
    RECHECK_DAYS,
    FollowCheckBudget,
    FollowCheckRequest,
    FollowStatus,
    RequestOutcome,
    StaffMember,
    follow_unit_id,
)

log = logging.getLogger(__name__)

CLAIM_FOR = timedelta(minutes=30)  # a claim left by a worker that died expires after this
WINDOW = timedelta(days=RECHECK_DAYS)

_STATUS_OF_ERROR = (
    (Suspended, FollowStatus.SUSPENDED),
    (NotFound, FollowStatus.NOT_FOUND),
    (Forbidden, FollowStatus.PROTECTED),
)


class StopRun(Exception):
    """The run must end now: budget spent, rate limited, or X failing."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class RunResult:
    requests: int = 0
    checked: int = 0
    stopped: str = ""  # "", "off", "paused", "budget", "rate_limited", "failed"
    statuses: dict[str, int] = field(default_factory=dict)


# --- what is due -----------------------------------------------------------------------------------


def _has_target() -> Exists:
    """The member's unit has a handle to follow: its district's X account (a district office), else its own."""
    return Exists(
        Account.objects.filter(
            platform=Platform.X,
            unit_id=Coalesce(OuterRef("unit__district_id"), OuterRef("unit_id")),
        )
    )


def due_members(now: datetime) -> QuerySet[StaffMember]:
    """Active members with a handle and a handle to follow, not checked in the last 7 days."""
    return (
        StaffMember.objects.filter(is_active=True, unit__is_active=True)
        .exclude(x_handle="")
        .filter(Q(follow_checked_at__isnull=True) | Q(follow_checked_at__lte=now - WINDOW))
        .filter(_has_target())
    )


def _claim(now: datetime, limit: int, seen: set[int]) -> list[StaffMember]:
    """Take up to ``limit`` due members no other run holds (and this run has not already tried)."""
    with transaction.atomic():
        ids = list(
            due_members(now)
            .exclude(pk__in=seen)
            .filter(Q(follow_claimed_until__isnull=True) | Q(follow_claimed_until__lt=now))
            .order_by(F("follow_checked_at").asc(nulls_first=True), "pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        StaffMember.objects.filter(pk__in=ids).update(follow_claimed_until=now + CLAIM_FOR)
    return list(StaffMember.objects.filter(pk__in=ids).select_related("unit").order_by("pk"))


def _release(members: Iterable[StaffMember]) -> None:
    StaffMember.objects.filter(pk__in=[m.pk for m in members]).update(follow_claimed_until=None)


def _targets(members: list[StaffMember]) -> dict[int, Account]:
    """Per target unit id: its X account (the oldest, when a unit has several). One query."""
    unit_ids = {follow_unit_id(m.unit) for m in members}
    targets: dict[int, Account] = {}
    for account in Account.objects.filter(platform=Platform.X, unit_id__in=unit_ids).order_by("unit_id", "pk"):
        targets.setdefault(account.unit_id, account)
    return targets


# --- the budget ---------------------------------------------------------------------------------------


def spent(now: datetime | None = None) -> int:
    """X requests made (or in flight) by the follow checks in the 7 days up to ``now``."""
    now = now or timezone.now()
    return FollowCheckRequest.objects.filter(at__gt=now - WINDOW).count()


def _reserve(
    result: RunResult, *, endpoint: str, member: StaffMember | None = None, page: int = 0, token: str = ""
) -> FollowCheckRequest:
    """Write one request into the ledger before making it, or stop the run when the budget is spent."""
    now = timezone.now()
    with transaction.atomic():
        budget = FollowCheckBudget.objects.select_for_update().get(pk=FollowCheckBudget.load().pk)
        if not budget.enabled:
            raise StopRun("off")
        if budget.paused_until and budget.paused_until > now:
            raise StopRun("paused")
        if spent(now) >= budget.requests_per_week:
            raise StopRun("budget")
        request = FollowCheckRequest.objects.create(
            at=now, endpoint=endpoint, member=member, page=page, pagination_token=token, outcome=RequestOutcome.PENDING
        )
    result.requests += 1
    return request


def _settle(request: FollowCheckRequest, outcome: str, client: FollowClient, detail: str = "") -> None:
    FollowCheckRequest.objects.filter(pk=request.pk).update(
        outcome=outcome, http_status=client.last_status, detail=detail[:500]
    )


def _call(client: FollowClient, request: FollowCheckRequest, method, *args, **kwargs):
    """Make one reserved request; settle its ledger row; turn app-wide failures into the end of the run."""
    try:
        answer = method(*args, **kwargs)
    except RateLimited as exc:
        _settle(request, RequestOutcome.RATE_LIMITED, client, exc.message)
        FollowCheckBudget.objects.filter(pk=FollowCheckBudget.load().pk).update(
            paused_until=exc.resume_at, pause_reason=exc.message[:500]
        )
        log.warning("follow checks: X rate limit, paused until %s", exc.resume_at)
        raise StopRun("rate_limited") from None
    except AccountError as exc:
        _settle(request, RequestOutcome.ACCOUNT_ERROR, client, exc.message)
        raise
    except PlatformError as exc:
        _settle(request, RequestOutcome.FAILED, client, exc.message)
        log.warning("follow checks: X request failed: %s", exc.message)
        raise StopRun("failed") from None
    _settle(request, RequestOutcome.OK, client)
    return answer


# --- recording answers ------------------------------------------------------------------------------


def _record(member: StaffMember, status: str, *, target: str, now: datetime, result: RunResult, **fields) -> None:
    StaffMember.objects.filter(pk=member.pk).update(
        follow_status=status, follow_target=target, follow_checked_at=now, follow_claimed_until=None, **fields
    )
    result.checked += 1
    result.statuses[status] = result.statuses.get(status, 0) + 1


def _status_of(error: AccountError) -> str:
    for kind, status in _STATUS_OF_ERROR:
        if isinstance(error, kind):
            return status
    return FollowStatus.UNKNOWN


# --- the run ------------------------------------------------------------------------------------------


def follow_checks_run(*, client: FollowClient | None = None, batch: int = USERS_BATCH) -> RunResult:
    """Check as many due members as the budget allows; safe to run twice at once. Returns what it did."""
    result = RunResult()
    budget = FollowCheckBudget.load()
    now = timezone.now()
    if not budget.enabled:
        result.stopped = "off"
        return result
    if budget.paused_until and budget.paused_until > now:
        result.stopped = "paused"
        return result
    client = client or follow_client()
    seen: set[int] = set()
    try:
        while True:
            members = _claim(timezone.now(), batch, seen)
            if not members:
                break
            seen.update(m.pk for m in members)
            try:
                _check_batch(members, client, result)
            finally:
                _release(members)  # those left unchecked are due again
    except StopRun as stop:
        result.stopped = stop.reason
    log.info(
        "follow checks: %s requests, %s members checked, stopped: %s", result.requests, result.checked, result.stopped
    )
    return result


def _check_batch(members: list[StaffMember], client: FollowClient, result: RunResult) -> None:
    targets = _targets(members)
    target_ids = {unit_id: account.platform_id for unit_id, account in targets.items() if account.platform_id}
    done = _resolve(members, targets, target_ids, client, result)
    for member in members:
        if member.pk in done:
            continue
        account = targets.get(follow_unit_id(member.unit))
        if account is None or not target_ids.get(account.unit_id) or not member.x_user_id:
            continue  # nothing to look for (the target is not on X): stays due
        _check_member(member, account.handle, target_ids[account.unit_id], client, result)


def _resolve(
    members: list[StaffMember],
    targets: dict[int, Account],
    target_ids: dict[int, str],
    client: FollowClient,
    result: RunResult,
) -> set[int]:
    """Ids for handles not yet resolved (members' and targets'), 100 usernames a request.

    Returns the members already settled by the lookup (unknown, suspended or protected).
    """
    done: set[int] = set()
    unresolved = [m for m in members if not m.x_user_id]
    wanted = [m.x_handle for m in unresolved] + [a.handle for a in targets.values() if not a.platform_id]
    usernames = list(dict.fromkeys(wanted, None))
    for start in range(0, len(usernames), USERS_BATCH):
        chunk = usernames[start : start + USERS_BATCH]
        request = _reserve(result, endpoint=FollowCheckRequest.Endpoint.USERS_BY)
        answer = _call(client, request, client.users_by_usernames, chunk)
        for unit_id, account in targets.items():
            user = answer.users.get(account.handle.lower())
            if user is not None and not account.platform_id:
                target_ids[unit_id] = user.user_id
        now = timezone.now()
        asked = {username.lower() for username in chunk}
        for member in unresolved:
            key = member.x_handle.lower()
            if key not in asked:
                continue
            user = answer.users.get(key)
            target = targets.get(follow_unit_id(member.unit))
            if user is None:
                error = answer.errors.get(key) or NotFound("")
                _record(member, _status_of(error), target=target.handle if target else "", now=now, result=result)
                done.add(member.pk)
                continue
            member.x_user_id = user.user_id
            StaffMember.objects.filter(pk=member.pk).update(x_user_id=user.user_id)
            if user.protected:  # X would refuse its following list: no need to pay for asking
                _record(member, FollowStatus.PROTECTED, target=target.handle if target else "", now=now, result=result)
                done.add(member.pk)
    return done


def _check_member(member: StaffMember, target_handle: str, target_id: str, client: FollowClient, result) -> None:
    token, page = "", 0
    while True:
        request = _reserve(
            result, endpoint=FollowCheckRequest.Endpoint.FOLLOWING, member=member, page=page, token=token
        )
        try:
            answer = _call(client, request, client.following_page, member.x_user_id, token, looking_for=target_id)
        except AccountError as error:
            status = _status_of(error)
            extra = {"x_user_id": ""} if status == FollowStatus.NOT_FOUND else {}  # resolve the handle afresh
            _record(member, status, target=target_handle, now=timezone.now(), result=result, **extra)
            return
        if target_id in answer.ids:
            _record(member, FollowStatus.FOLLOWS, target=target_handle, now=timezone.now(), result=result)
            return
        if not answer.next_token:
            _record(member, FollowStatus.NOT_FOLLOWING, target=target_handle, now=timezone.now(), result=result)
            return
        token, page = answer.next_token, page + 1


# --- status for pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetStatus:
    enabled: bool
    limit: int
    used: int
    waiting: int
    paused_until: datetime | None

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)


def budget_status(members: QuerySet[StaffMember] | None = None, *, now: datetime | None = None) -> BudgetStatus:
    """The week's spend, and how many members (of ``members``, else all) wait for a check. Three queries."""
    now = now or timezone.now()
    budget = FollowCheckBudget.load()
    due = due_members(now)
    if members is not None:
        due = due.filter(pk__in=members.values("pk"))
    paused = budget.paused_until if budget.paused_until and budget.paused_until > now else None
    return BudgetStatus(budget.enabled, budget.requests_per_week, spent(now), due.count(), paused)
