"""Back-fill of simulated history for the demo: the dashboard opens on 90 days of data."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from departments.models import Account
from metrics.models import AccountPollState, Post, Snapshot
from metrics.platforms.base import AccountError, AccountRef
from metrics.platforms.simulated import SimulatedClient, persona
from metrics.services.polling import slot_for


def history_backfill(*, days: int = 90, now: datetime | None = None, chunk: int = 500) -> dict[str, int]:
    """One snapshot a day (at 06:00 IST) and every post of the last ``days`` days, for every account.

    Only for the simulated platform: real history cannot be invented. Idempotent.
    """
    if settings.GOVSOCIAL_PLATFORM_MODE != "simulated":
        raise ImproperlyConfigured("History can only be generated on the simulated platform.")
    now = now or timezone.now()
    first_day = timezone.localtime(now).replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=days)
    moments = [first_day + timedelta(days=n) for n in range(days + 1) if first_day + timedelta(days=n) <= now]
    totals = {"snapshots": 0, "posts": 0}
    accounts = list(Account.objects.order_by("pk"))
    for start in range(0, len(accounts), chunk):
        _backfill_chunk(accounts[start : start + chunk], moments, now, totals)
    return totals


def _backfill_chunk(accounts: list[Account], moments: list[datetime], now: datetime, totals: dict[str, int]) -> None:
    snapshots, posts, states, changed = [], [], [], []
    for account in accounts:
        # posts up to the last history moment, consistent with its snapshot; the first live poll catches up
        client = SimulatedClient(account.platform, now=moments[-1])
        if persona(account.platform, account.handle).fault in ("not_found", "suspended"):
            continue
        ref = AccountRef(account_id=account.pk, handle=account.handle, platform_id=account.platform_id)
        profile = None
        for moment in moments:
            profile = client.profile(ref, moment)
            snapshots.append(
                Snapshot(
                    account=account,
                    slot=slot_for(moment),
                    taken_at=moment,
                    followers=profile.followers,
                    following=profile.following,
                    posts_total=profile.posts_total,
                    listed=profile.listed,
                    likes=profile.likes,
                    views=profile.views,
                )
            )
        if profile is None:
            continue
        if not account.platform_id:
            account.platform_id = profile.platform_id
            account.verified = profile.verified
            changed.append(account)
        fetched = []
        if account.platform != "youtube":
            try:
                result = client.fetch_posts(
                    AccountRef(account_id=account.pk, handle=account.handle, since=moments[0], credentials=None)
                )
                fetched = result.posts
            except AccountError:
                fetched = []
        for item in fetched:
            posts.append(
                Post(
                    account=account,
                    platform_post_id=item.platform_post_id,
                    kind=item.kind,
                    created_at=item.created_at,
                    text=item.text,
                    url=item.url,
                    duration_seconds=item.duration_seconds,
                    live_status=item.live_status,
                    likes=item.likes,
                    reposts=item.reposts,
                    replies=item.replies,
                    quotes=item.quotes,
                    views=item.views,
                )
            )
        newest = max(fetched, key=lambda p: p.created_at) if fetched else None
        states.append(
            AccountPollState(
                account=account,
                last_polled_at=moments[-1],
                last_success_at=moments[-1],
                posts_total=profile.posts_total,
                since_id=newest.platform_post_id.split("_")[-1] if newest else "",
                newest_post_at=newest.created_at if newest else None,
            )
        )
    with transaction.atomic():
        Snapshot.objects.bulk_create(snapshots, ignore_conflicts=True, batch_size=2000)
        Post.objects.bulk_create(posts, ignore_conflicts=True, batch_size=2000)
        AccountPollState.objects.bulk_create(states, ignore_conflicts=True, batch_size=2000)
        Account.objects.bulk_update(changed, ["platform_id", "verified"], batch_size=1000)
    totals["snapshots"] += len(snapshots)
    totals["posts"] += len(posts)
