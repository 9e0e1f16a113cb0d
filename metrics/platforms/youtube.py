"""The live YouTube client: Data API v3 through google-api-python-client.

googleapiclient speaks httplib2; ``RequestsHttp`` gives it a ``PlatformSession``
instead, so YouTube traffic has the same timeout, request count and test
transport as X and Facebook, while the library still builds the URLs and
parses answers and errors.

Cost model: ``channels.list`` costs 1 quota unit per call and takes 50 ids, so a
poll of N channels costs ⌈N/50⌉ units, plus one per ``@handle`` still to resolve.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httplib2
import requests
from django.conf import settings
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from metrics.platforms.base import (
    AccountRef,
    AppAuthError,
    LookupResult,
    NotFound,
    PlatformError,
    PostsResult,
    Profile,
    RateLimited,
    Transient,
)
from metrics.platforms.http import PlatformSession

log = logging.getLogger(__name__)

PARTS = "snippet,statistics"
CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_\-]{22}$")
QUOTA_TZ = ZoneInfo("America/Los_Angeles")  # the daily quota resets at midnight Pacific Time
RATE_LIMIT_PAUSE = timedelta(minutes=10)
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
KEY_REASONS = {
    "keyInvalid",
    "keyExpired",
    "API_KEY_INVALID",
    "API_KEY_EXPIRED",
    "accessNotConfigured",
    "SERVICE_DISABLED",
    "ipRefererBlocked",
    "API_KEY_SERVICE_BLOCKED",
}
_DROPPED_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}  # requests already decoded the body


class RequestsHttp:
    """The part of ``httplib2.Http`` that googleapiclient uses, on top of a ``PlatformSession``."""

    redirect_codes = frozenset({300, 301, 302, 303, 307, 308})

    def __init__(self, session: PlatformSession):
        self.session = session
        self.timeout = session.timeout

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        redirections: int = httplib2.DEFAULT_MAX_REDIRECTS,
        connection_type: Any = None,
    ) -> tuple[httplib2.Response, bytes]:
        response = self.session.request(
            method, uri, data=body, headers=dict(headers or {}), allow_redirects=redirections > 0
        )
        info = {k.lower(): v for k, v in response.headers.items() if k.lower() not in _DROPPED_HEADERS}
        info["status"] = str(response.status_code)
        answer = httplib2.Response(info)
        answer.reason = response.reason or ""
        return answer, response.content

    def close(self) -> None:
        self.session.close()


class YouTubeClient:
    """Channel statistics with the app's API key; no OAuth, no per-channel tokens."""

    platform = "youtube"
    batch_size = 50

    def __init__(self, api_key: str, *, session: PlatformSession | None = None):
        self.session = session or PlatformSession()
        self._youtube = build(
            "youtube",
            "v3",
            developerKey=api_key,
            http=RequestsHttp(self.session),
            static_discovery=True,  # the discovery document shipped with the library: no request for it
            cache_discovery=False,
        )

    @classmethod
    def from_settings(cls) -> YouTubeClient:
        return cls(settings.YOUTUBE_API_KEY)

    @property
    def api_calls(self) -> int:
        return self.session.request_count

    # --- lookup -----------------------------------------------------------------

    def lookup(self, accounts: Sequence[AccountRef]) -> LookupResult:
        """Channels by id, 50 per ``channels.list``; ``@handles`` one ``forHandle`` call each.

        A handle that is already a channel id (``UC…``) goes in the id batch.
        """
        result = LookupResult()
        by_id = [a for a in accounts if a.platform_id or CHANNEL_ID.match(a.handle)]
        by_handle = [a for a in accounts if not (a.platform_id or CHANNEL_ID.match(a.handle))]
        for start in range(0, len(by_id), self.batch_size):
            self._lookup_ids(by_id[start : start + self.batch_size], result)
        for account in by_handle:
            self._lookup_handle(account, result)
        return result

    def _lookup_ids(self, chunk: Sequence[AccountRef], result: LookupResult) -> None:
        ids = list(dict.fromkeys(_channel_id(account) for account in chunk))
        answer = self._execute(self._youtube.channels().list(part=PARTS, id=",".join(ids), maxResults=50))
        channels = {item["id"]: item for item in answer.get("items", [])}
        for account in chunk:
            channel = channels.get(_channel_id(account))
            if channel is None:
                result.errors[account.account_id] = NotFound(f"YouTube has no channel {_channel_id(account)}")
            else:
                result.add_profile(account, _profile(channel))

    def _lookup_handle(self, account: AccountRef, result: LookupResult) -> None:
        handle = account.handle if account.handle.startswith("@") else f"@{account.handle}"
        answer = self._execute(self._youtube.channels().list(part=PARTS, forHandle=handle))
        items = answer.get("items", [])
        if not items:
            result.errors[account.account_id] = NotFound(f"YouTube has no channel {handle}")
        else:
            result.add_profile(account, _profile(items[0]))

    # --- posts ------------------------------------------------------------------

    def needs_posts(self, account: AccountRef, profile: Profile) -> bool:
        """False for now: no rule counts YouTube videos yet, and each video listing costs quota.

        ``videoCount`` in the lookup already gives the total; reading uploads
        (``playlistItems.list``) waits until a rule or report needs them.
        """
        return False

    def fetch_posts(self, account: AccountRef) -> PostsResult:
        """Nothing yet (see ``needs_posts``)."""
        return PostsResult()

    # --- errors -----------------------------------------------------------------

    def _execute(self, request) -> dict[str, Any]:
        """Run one googleapiclient request (no library retries) and translate its failures.

        The library's exception is not chained (``from None``): its text or its
        traceback can carry the request URL or headers, and with them a token.
        """
        try:
            return request.execute(num_retries=0)
        except HttpError as exc:
            raise _classify(exc) from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise Transient(f"YouTube request failed: {type(exc).__name__}") from None


# --- mapping ----------------------------------------------------------------------


def _channel_id(account: AccountRef) -> str:
    return account.platform_id or account.handle


def _count(value: Any) -> int | None:
    """The API sends counts as strings (unsigned 64-bit)."""
    return int(value) if value is not None else None


def _profile(channel: Mapping[str, Any]) -> Profile:
    snippet = channel.get("snippet", {})
    statistics = channel.get("statistics", {})
    hidden = statistics.get("hiddenSubscriberCount", False)
    return Profile(
        platform_id=channel["id"],
        handle=snippet.get("customUrl", ""),
        display_name=snippet.get("title", ""),
        followers=None if hidden else _count(statistics.get("subscriberCount")),
        posts_total=_count(statistics.get("videoCount")),
        views=_count(statistics.get("viewCount")),
    )


# --- errors -----------------------------------------------------------------------


def _reasons(exc: HttpError) -> set[str]:
    """Every ``reason`` of a Google error body: the classic ``errors`` list and ``ErrorInfo`` details."""
    try:
        error = json.loads(exc.content.decode("utf-8")).get("error", {})
    except (ValueError, AttributeError):
        return set()
    if not isinstance(error, dict):
        return set()
    items = list(error.get("errors") or []) + list(error.get("details") or [])
    return {str(item["reason"]) for item in items if isinstance(item, dict) and item.get("reason")}


def _classify(exc: HttpError) -> Exception:
    status, reasons = exc.status_code, _reasons(exc)
    message = f"YouTube answered HTTP {status} ({', '.join(sorted(reasons)) or 'no reason'}): {exc.reason}"
    if reasons & QUOTA_REASONS:
        return RateLimited(message, resume_at=next_quota_reset(datetime.now(UTC)), scope="app")
    if reasons & RATE_REASONS or status == 429:
        return RateLimited(message, resume_at=datetime.now(UTC) + RATE_LIMIT_PAUSE, scope="app")
    if reasons & KEY_REASONS or status in (401, 403):
        return AppAuthError(message)
    if status >= 500:
        return Transient(message)
    return PlatformError(message)


def next_quota_reset(now: datetime) -> datetime:
    """The next midnight in Pacific Time, when YouTube resets every project's daily quota (as UTC)."""
    tomorrow = now.astimezone(QUOTA_TZ).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=QUOTA_TZ).astimezone(UTC)
