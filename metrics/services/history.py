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
from metrics.services.bulk import copy_upsert
from metrics.services.polling import POST_COLUMNS, SNAPSHOT_COLUMNS, post_row, slot_for, snapshot_row


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
            snapshots.append(snapshot_row(account.pk, slot_for(moment), moment, profile, None))
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
        posts.extend(post_row(account.pk, item, now) for item in fetched)
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
        copy_upsert(Snapshot, SNAPSHOT_COLUMNS, snapshots, conflict=["account", "slot"])
        copy_upsert(Post, POST_COLUMNS, posts, conflict=["account", "platform_post_id"])
        AccountPollState.objects.bulk_create(states, ignore_conflicts=True, batch_size=2000)
        Account.objects.bulk_update(changed, ["platform_id", "verified"], batch_size=1000)
    totals["snapshots"] += len(snapshots)
    totals["posts"] += len(posts)
