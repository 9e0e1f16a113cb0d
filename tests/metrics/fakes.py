"""A scripted platform client for service tests (HTTP-level behaviour is tested with `responses`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from metrics.platforms.base import AccountError, AccountRef, LookupResult, PlatformError, PostsResult, Profile


@dataclass
class ScriptedClient:
    platform: str = "x"
    batch_size: int = 100
    api_calls: int = 0
    followers: int = 1000
    posts_total: int = 10
    lookup_raises: PlatformError | None = None
    account_errors: dict[str, AccountError] = field(default_factory=dict)  # by handle
    posts: dict[str, PostsResult] = field(default_factory=dict)  # by handle
    posts_raise: dict[str, Exception] = field(default_factory=dict)  # by handle
    seen_refs: list[AccountRef] = field(default_factory=list)

    def lookup(self, accounts):
        self.api_calls += 1
        if self.lookup_raises is not None:
            raise self.lookup_raises
        result = LookupResult()
        for ref in accounts:
            self.seen_refs.append(ref)
            if ref.handle in self.account_errors:
                result.errors[ref.account_id] = self.account_errors[ref.handle]
                continue
            platform_id = ref.platform_id or f"9{ref.account_id:06}"
            if not ref.platform_id:
                result.resolved_ids[ref.account_id] = platform_id
            result.profiles[ref.account_id] = Profile(
                platform_id=platform_id,
                handle=ref.handle,
                display_name=ref.handle.title(),
                verified=True,
                followers=self.followers,
                posts_total=self.posts_total,
            )
        return result

    def needs_posts(self, account, profile):
        return profile.posts_total != account.posts_total

    def fetch_posts(self, account):
        self.api_calls += 1
        if account.handle in self.posts_raise:
            raise self.posts_raise[account.handle]
        return self.posts.get(account.handle, PostsResult())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
