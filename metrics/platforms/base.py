"""The contract every platform client fulfils, and the errors it may raise.

Clients know nothing of the database: they take ``AccountRef``s and return
plain data. The polling service (``metrics.services.polling``) turns that into
snapshots, posts and account states.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class PostKind:
    POST = "post"  # an original post / tweet
    REPOST = "repost"  # a retweet / share
    REPLY = "reply"
    QUOTE = "quote"
    LIVE = "live"  # a live broadcast (Facebook Live)
    VIDEO = "video"


@dataclass(frozen=True)
class AccountRef:
    """What a client needs to know of one account."""

    account_id: int
    handle: str
    platform_id: str = ""  # the platform's stable id, "" until resolved
    credentials: Mapping[str, str] | None = None  # the account's own tokens, decrypted; never logged
    since_id: str = ""  # newest post id already stored (X)
    since: datetime | None = None  # time of the newest post already stored (Facebook, YouTube)
    posts_total: int | None = None  # post count at the last successful poll (X tweet_count)

    def __repr__(self) -> str:
        return f"AccountRef({self.account_id}, {self.handle!r}, id={self.platform_id!r})"


@dataclass(frozen=True)
class Profile:
    """An account's public figures at one moment."""

    platform_id: str
    handle: str = ""
    display_name: str = ""
    verified: bool = False
    followers: int | None = None  # X followers, Facebook followers_count, YouTube subscribers
    following: int | None = None
    posts_total: int | None = None  # X tweet_count, YouTube videoCount
    listed: int | None = None  # X listed_count
    likes: int | None = None  # Facebook fan_count (page likes)
    views: int | None = None  # YouTube viewCount


@dataclass(frozen=True)
class PostItem:
    platform_post_id: str
    kind: str
    created_at: datetime
    text: str = ""
    url: str = ""
    duration_seconds: int | None = None  # lives and videos
    live_status: str = ""  # Facebook: LIVE, LIVE_STOPPED, VOD, SCHEDULED_…
    likes: int | None = None
    reposts: int | None = None  # retweets / shares
    replies: int | None = None  # replies / comments
    quotes: int | None = None
    views: int | None = None


# --- errors -----------------------------------------------------------------


class AccountError(Exception):
    """A problem with one account; the rest of the batch goes on."""

    kind = "account_error"

    def __init__(self, message: str = ""):
        super().__init__(redact(message))
        self.message = redact(message)


class NotFound(AccountError):
    kind = "not_found"


class Suspended(AccountError):
    kind = "suspended"


class AuthExpired(AccountError):
    """The account's own token expired or was revoked (X 401, Graph error 190): re-authorise, never retry."""

    kind = "reauth_required"


class Forbidden(AccountError):
    """Protected or otherwise not visible to us."""

    kind = "forbidden"


class PlatformError(Exception):
    """A problem with the whole request; the batch is retried or surfaced."""

    kind = "platform_error"

    def __init__(self, message: str = ""):
        super().__init__(redact(message))
        self.message = redact(message)


class RateLimited(PlatformError):
    """Stop calling until ``resume_at``. ``scope`` is "app" or an account id (a page-level throttle)."""

    kind = "rate_limited"

    def __init__(self, message: str, *, resume_at: datetime, scope: str = "app"):
        super().__init__(message)
        self.resume_at = resume_at
        self.scope = scope


class Transient(PlatformError):
    """5xx, timeout, connection reset: back off and retry."""

    kind = "transient"


class AppAuthError(PlatformError):
    """The app's own credential (bearer token, app token, API key) was rejected: an operator must fix it."""

    kind = "app_auth"


# --- results ------------------------------------------------------------------


@dataclass
class LookupResult:
    profiles: dict[int, Profile] = field(default_factory=dict)  # account_id -> profile
    errors: dict[int, AccountError] = field(default_factory=dict)  # account_id -> error
    resolved_ids: dict[int, str] = field(default_factory=dict)  # account_id -> platform id found from the handle

    def add_profile(self, account: AccountRef, profile: Profile) -> None:
        """Record an account's profile, and its platform id when the platform told us a new one."""
        self.profiles[account.account_id] = profile
        if profile.platform_id != account.platform_id:
            self.resolved_ids[account.account_id] = profile.platform_id


@dataclass
class PostsResult:
    posts: list[PostItem] = field(default_factory=list)
    newest_id: str = ""


class PlatformClient(Protocol):
    platform: str
    batch_size: int
    api_calls: int  # HTTP requests made by this client so far

    def lookup(self, accounts: Sequence[AccountRef]) -> LookupResult:
        """Profiles of up to ``batch_size`` accounts; per-account problems in ``errors``.

        Raises ``PlatformError`` when the request as a whole fails.
        """

    def needs_posts(self, account: AccountRef, profile: Profile) -> bool:
        """Whether ``fetch_posts`` has anything to find (X: the tweet count changed)."""

    def fetch_posts(self, account: AccountRef) -> PostsResult:
        """Posts newer than ``account.since_id`` / ``account.since``. Raises AccountError or PlatformError."""


# --- redaction ------------------------------------------------------------------

_SECRET_PATTERNS = [
    (re.compile(r"(?i)(access_token|appsecret_proof|client_secret|key|token)=([^&\s'\"]+)"), r"\1=[redacted]"),
    (re.compile(r"(?i)(bearer|oauth)\s+[A-Za-z0-9%._\-~+/=|]+"), r"\1 [redacted]"),
]


def redact(text: str) -> str:
    """Remove tokens from a message before it is logged or stored (URLs in exceptions carry them)."""
    text = str(text)
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text
