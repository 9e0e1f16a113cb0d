"""The built-in simulated platform: the embedded default of ``make run``, and the load for benchmarks.

Deterministic: every figure is a function of the account's handle and the
time asked about, so a poll repeated for the same slot gives the same numbers
and history can be generated for any past day. Realistic enough to make the
dashboard live: accounts grow at their own pace, some districts post many
times a day and others nothing, Facebook pages hold Lives of 10 to 75
minutes, a few accounts are missing, suspended or lose their token.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from metrics.platforms.base import (
    AccountRef,
    AuthExpired,
    LookupResult,
    NotFound,
    PostItem,
    PostKind,
    PostsResult,
    Profile,
    Suspended,
)

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
BATCH_SIZE = {"x": 100, "facebook": 50, "youtube": 50}
TWITTER_EPOCH_MS = 1288834974657


def unit_draw(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass(frozen=True)
class Persona:
    """The simulated nature of one account, drawn once from its handle."""

    base_followers: float
    growth_per_day: float  # relative
    posts_per_day: float  # 0 for a quiet account
    phase: float
    lives_per_month: float
    fault: str  # "", "not_found", "suspended", "reauth"
    numeric_id: int


@functools.lru_cache(maxsize=200_000)
def persona(platform: str, handle: str) -> Persona:
    key = handle.lower()
    u = functools.partial(unit_draw, platform, key)
    quiet = u("quiet") < 0.15
    fault_draw = u("fault")
    fault = ""
    if settings.GOVSOCIAL_SIMULATED_FAULTS:
        if fault_draw < 0.008:
            fault = "not_found"
        elif fault_draw < 0.012 and platform == "x":
            fault = "suspended"
        elif fault_draw < 0.03 and platform == "facebook":
            fault = "reauth"
    return Persona(
        base_followers=10 ** (2.7 + 2.6 * u("size")),  # from ~500 to ~200,000
        growth_per_day=0.0002 + 0.004 * u("growth") ** 2,
        posts_per_day=0.0 if quiet else 0.05 + 4.0 * u("rate") ** 3,  # mean about one a day
        phase=u("phase"),
        lives_per_month=0.0 if quiet else 18 * u("lives") ** 3,
        fault=fault,
        numeric_id=int(u("id") * 10**17) + 10**17,
    )


def _days(moment: datetime) -> float:
    return (moment - EPOCH).total_seconds() / 86400


def _posts_until(p: Persona, days: float) -> int:
    return math.floor(p.posts_per_day * max(days, 0) + p.phase)


def snowflake(moment: datetime, salt: int) -> str:
    ms = int(moment.timestamp() * 1000)
    return str(((ms - TWITTER_EPOCH_MS) << 22) | (salt & 0x3FFFFF))


class SimulatedClient:
    """Implements ``PlatformClient`` without any network; counts calls as the real API would need them."""

    def __init__(self, platform: str, *, now: datetime | None = None):
        self.platform = platform
        self.batch_size = BATCH_SIZE[platform]
        self.now = now
        self.api_calls = 0
        self.latency = settings.GOVSOCIAL_SIMULATED_LATENCY_MS / 1000

    def _now(self) -> datetime:
        return self.now or timezone.now()

    def _call(self) -> None:
        self.api_calls += 1
        if self.latency:
            time.sleep(self.latency)

    def platform_id(self, handle: str) -> str:
        p = persona(self.platform, handle)
        if self.platform == "youtube":
            return "UC" + hashlib.blake2b(handle.lower().encode(), digest_size=16).hexdigest()[:22]
        return str(p.numeric_id)

    def profile(self, account: AccountRef, at: datetime) -> Profile:
        p = persona(self.platform, account.handle)
        days = _days(at)
        wiggle = 1 + 0.002 * math.sin(days * 2 * math.pi / 7 + p.phase * 6)
        followers = int(p.base_followers * math.exp(p.growth_per_day * days) * wiggle)
        posts = 40 + _posts_until(p, days)
        common = {
            "platform_id": account.platform_id or self.platform_id(account.handle),
            "handle": account.handle,
            "display_name": account.handle,
            "verified": p.base_followers > 20_000,
        }
        if self.platform == "x":
            return Profile(
                **common,
                followers=followers,
                following=int(50 + 400 * p.phase),
                posts_total=posts,
                listed=followers // 400,
            )
        if self.platform == "facebook":
            return Profile(**common, followers=followers, likes=int(followers * 0.93))
        return Profile(**common, followers=followers // 4, posts_total=posts // 10, views=followers * 60)

    def lookup(self, accounts: Sequence[AccountRef]) -> LookupResult:
        result = LookupResult()
        for start in range(0, len(accounts), self.batch_size):
            self._call()
            for account in accounts[start : start + self.batch_size]:
                fault = persona(self.platform, account.handle).fault
                if fault == "not_found":
                    result.errors[account.account_id] = NotFound(f"Could not find user with id: [{account.handle}].")
                    continue
                if fault == "suspended":
                    result.errors[account.account_id] = Suspended(f"User has been suspended: [{account.handle}].")
                    continue
                profile = self.profile(account, self._now())
                if not account.platform_id:
                    result.resolved_ids[account.account_id] = profile.platform_id
                result.profiles[account.account_id] = profile
        return result

    def needs_posts(self, account: AccountRef, profile: Profile) -> bool:
        if self.platform == "x":
            return profile.posts_total != account.posts_total or (account.posts_total is None and not account.since_id)
        return self.platform == "facebook"

    def fetch_posts(self, account: AccountRef) -> PostsResult:
        self._call()
        p = persona(self.platform, account.handle)
        if p.fault == "reauth" and account.credentials is not None:
            raise AuthExpired("Error validating access token: Session has expired.")
        now = self._now()
        since = account.since or (now - timedelta(days=2))
        posts = list(self._posts_between(account, p, since, now))
        if self.platform == "facebook":
            posts += self._lives_between(account, p, since, now)
        if account.since_id:
            posts = [item for item in posts if int(item.platform_post_id.split("_")[-1]) > int(account.since_id)]
        posts.sort(key=lambda item: item.created_at)
        newest = posts[-1].platform_post_id.split("_")[-1] if posts else account.since_id
        return PostsResult(posts=posts, newest_id=newest)

    def _posts_between(self, account: AccountRef, p: Persona, since: datetime, until: datetime) -> list[PostItem]:
        if p.posts_per_day <= 0:
            return []
        first = _posts_until(p, _days(since)) + 1
        last = _posts_until(p, _days(until))
        items = []
        for n in range(first, last + 1):
            # the n-th post is published when the running count reaches n
            day = (n - p.phase) / p.posts_per_day
            created = EPOCH + timedelta(days=day)
            if created <= since or created > until:
                continue
            draw = unit_draw(account.handle, n, "kind")
            kind = PostKind.POST
            if self.platform == "x":
                kind = (
                    PostKind.REPOST
                    if draw < 0.35
                    else PostKind.REPLY
                    if draw < 0.45
                    else PostKind.QUOTE
                    if draw < 0.5
                    else PostKind.POST
                )
            elif draw < 0.15:
                kind = PostKind.REPOST
            age_days = max((until - created).total_seconds() / 86400, 0.01)
            reach = p.base_followers * (0.002 + 0.01 * unit_draw(account.handle, n, "reach")) * min(age_days, 3) / 3
            if self.platform == "x":
                post_id = snowflake(created, n)
                url = f"https://x.com/{account.handle}/status/{post_id}"
            else:
                post_id = f"{self.platform_id(account.handle)}_{snowflake(created, n)}"
                url = f"https://www.facebook.com/{post_id}"
            items.append(
                PostItem(
                    platform_post_id=post_id,
                    kind=kind,
                    created_at=created,
                    text=f"Simulated post {n} of {account.handle}",
                    url=url,
                    likes=int(reach),
                    reposts=int(reach / 8),
                    replies=int(reach / 20),
                    quotes=int(reach / 60) if self.platform == "x" else None,
                    views=int(reach * 25),
                )
            )
        return items

    def _lives_between(self, account: AccountRef, p: Persona, since: datetime, until: datetime) -> list[PostItem]:
        items = []
        if p.lives_per_month <= 0:
            return items
        day = since.date()
        while day <= until.date():
            if unit_draw(account.handle, day.isoformat(), "live") < p.lives_per_month / 30:
                start = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
                    hours=4 + 8 * unit_draw(account.handle, day.isoformat(), "hour")
                )
                if since < start <= until:
                    minutes = 8 + int(67 * unit_draw(account.handle, day.isoformat(), "length"))
                    live_id = snowflake(start, 7)
                    items.append(
                        PostItem(
                            platform_post_id=f"{self.platform_id(account.handle)}_{live_id}",
                            kind=PostKind.LIVE,
                            created_at=start,
                            text=f"Live: welfare schemes of {account.handle}",
                            url=f"https://www.facebook.com/{account.handle}/videos/{live_id}",
                            duration_seconds=minutes * 60,
                            live_status="VOD",
                            views=int(p.base_followers * 0.05),
                        )
                    )
            day += timedelta(days=1)
        return items
