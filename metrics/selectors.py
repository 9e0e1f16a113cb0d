"""Reads of the time series and of polling health, in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from departments.choices import AccountStatus
from departments.models import Account
from metrics.choices import PostKind
from metrics.models import PlatformPause, PollRun, Post, Snapshot

LIVE_MINIMUM_SECONDS = 30 * 60
STALE_AFTER = timedelta(hours=36)


def follower_series(account: Account, *, days: int = 90, now: datetime | None = None) -> list[dict]:
    """The last snapshot of each day (IST) for ``days`` days: what the growth chart draws. One query."""
    now = now or timezone.now()
    rows = (
        Snapshot.objects.filter(account=account, slot__gte=now - timedelta(days=days))
        .order_by("slot")
        .values_list("slot", "followers")
    )
    by_day: dict[str, int | None] = {}
    for slot, followers in rows:
        by_day[timezone.localtime(slot).date().isoformat()] = followers
    return [{"day": day, "followers": followers} for day, followers in by_day.items()]


def recent_posts(account: Account, *, limit: int = 20) -> QuerySet[Post]:
    return Post.objects.filter(account=account).order_by("-created_at")[:limit]


def activity_summary(account: Account, *, days: int = 30, now: datetime | None = None) -> dict:
    """Posts by kind and qualifying lives in the last ``days`` days. One query."""
    now = now or timezone.now()
    counts = Post.objects.filter(account=account, created_at__gte=now - timedelta(days=days)).aggregate(
        total=Count("pk"),
        **{kind: Count("pk", filter=Q(kind=kind)) for kind in PostKind.values},
        long_lives=Count("pk", filter=Q(kind=PostKind.LIVE, duration_seconds__gte=LIVE_MINIMUM_SECONDS)),
    )
    counts["days"] = days
    return counts


def latest_snapshot(account: Account) -> Snapshot | None:
    return Snapshot.objects.filter(account=account).order_by("-slot").first()


def recent_runs(*, limit: int = 12) -> list[PollRun]:
    return list(PollRun.objects.order_by("-started_at")[:limit])


def active_pauses(*, now: datetime | None = None) -> list[PlatformPause]:
    return list(PlatformPause.objects.filter(until__gt=now or timezone.now()).order_by("until"))


def health_by_state(accounts: QuerySet[Account], *, now: datetime | None = None) -> list[dict]:
    """Per state: accounts by status, never polled, stale, and the newest successful poll. One query."""
    now = now or timezone.now()
    rows = (
        accounts.order_by()
        .values("unit__state__code", "unit__state__name_en", "unit__state__name_hi")
        .annotate(
            total=Count("pk"),
            **{status: Count("pk", filter=Q(status=status)) for status in AccountStatus.values},
            never=Count("pk", filter=Q(poll_state__last_success_at__isnull=True)),
            stale=Count("pk", filter=Q(poll_state__last_success_at__lt=now - STALE_AFTER)),
            last_success=Max("poll_state__last_success_at"),
        )
        .order_by("unit__state__name_en")
    )
    return list(rows)


def attention_accounts(
    accounts: QuerySet[Account], *, status: str = "", now: datetime | None = None
) -> QuerySet[Account]:
    """Accounts that are not active, or whose last poll failed, or that have gone stale."""
    now = now or timezone.now()
    problem = (
        ~Q(status=AccountStatus.ACTIVE)
        | Q(poll_state__consecutive_failures__gt=0)
        | Q(poll_state__last_success_at__lt=now - STALE_AFTER)
    )
    rows = accounts.filter(problem)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("unit__state", "poll_state").order_by("status", "unit__state__name_en", "handle")
