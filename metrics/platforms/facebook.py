"""The live Facebook client: Graph API through facebook-sdk's ``GraphAPI``.

facebook-sdk 3.1 only accepts Graph API versions up to 3.1, long retired; the
client builds ``GraphAPI`` without a version and then pins the configured one
(``FACEBOOK_GRAPH_API_VERSION``), so every URL starts with ``/v26.0/`` or newer.

Cost model: a poll of N pages is ⌈N/50⌉ ``?ids=`` lookups plus one request per
page for its posts and live videos (field expansion brings both at once).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import facebook
import requests
from django.conf import settings

from metrics.platforms.base import (
    AccountError,
    AccountRef,
    AppAuthError,
    AuthExpired,
    Forbidden,
    LookupResult,
    NotFound,
    PlatformError,
    PostItem,
    PostKind,
    PostsResult,
    Profile,
    RateLimited,
    Transient,
)
from metrics.platforms.http import PlatformSession

log = logging.getLogger(__name__)

PAGE_FIELDS = "id,name,username,followers_count,fan_count,verification_status"
VERIFIED_STATUSES = {"blue_verified", "gray_verified"}
POSTS_LIMIT = 50
LIVES_LIMIT = 25
DEFAULT_LOOKBACK = timedelta(days=30)
THROTTLE_FALLBACK = timedelta(hours=1)  # Graph's usage windows roll over one hour

# Graph API error codes (developers.facebook.com/docs/graph-api/guides/error-handling and
# .../overview/rate-limiting). 32 and 80001 throttle one Page; the others the app or its token.
TOKEN_INVALID = {102, 190}
APP_THROTTLE = {4, 17, 341, 613}
PAGE_THROTTLE = {32, 80001}
TRANSIENT = {1, 2}
NOT_FOUND = {803}
PERMISSION = {10, *range(200, 300)}
USAGE_HEADERS = ("x-business-use-case-usage", "x-page-usage", "x-app-usage")

_GRAPH_TIME = "%Y-%m-%dT%H:%M:%S%z"


class VersionedGraphAPI(facebook.GraphAPI):
    """facebook-sdk's client with the Graph API version set by us, not checked against its 2018 list."""

    def __init__(self, access_token: str, *, version: str, session: PlatformSession, timeout: float):
        super().__init__(access_token=access_token, timeout=timeout, session=session)
        self.version = "v" + version.removeprefix("v")


class FacebookClient:
    """Public Page figures with the app token; posts with the Page's own token when the office gave one."""

    platform = "facebook"
    batch_size = 50

    def __init__(self, app_id: str, app_secret: str, *, version: str = "26.0", session: PlatformSession | None = None):
        self.session = session or PlatformSession()
        self.version = version
        self._app_token = f"{app_id}|{app_secret}"

    @classmethod
    def from_settings(cls) -> FacebookClient:
        return cls(settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET, version=settings.FACEBOOK_GRAPH_API_VERSION)

    @property
    def api_calls(self) -> int:
        return self.session.request_count

    def _graph(self, token: str) -> VersionedGraphAPI:
        return VersionedGraphAPI(token, version=self.version, session=self.session, timeout=self.session.timeout)

    # --- lookup -----------------------------------------------------------------

    def lookup(self, accounts: Sequence[AccountRef]) -> LookupResult:
        """One ``GET /vXX/?ids=a,b,c`` for up to 50 Pages, by id or, until resolved, by Page username.

        Graph fails the whole batch when one alias does not exist (803, or 100
        with subcode 33); only then is the batch asked Page by Page, to tell the
        missing Page from the others.
        """
        result = LookupResult()
        graph = self._graph(self._app_token)
        for start in range(0, len(accounts), self.batch_size):
            chunk = accounts[start : start + self.batch_size]
            try:
                answer = self._call(graph.get_objects, ids=_unique_refs(chunk), fields=PAGE_FIELDS)
            except NotFound:
                self._lookup_one_by_one(graph, chunk, result)
                continue
            except Forbidden as exc:  # with the app token, a refused batch means the app lacks a permission
                raise AppAuthError(f"the app may not read these Pages: {exc.message}") from None
            for account in chunk:
                page = answer.get(_ref(account))
                if page is None:
                    result.errors[account.account_id] = NotFound(f"Graph returned no Page for {_ref(account)}")
                else:
                    result.add_profile(account, _profile(page))
        return result

    def _lookup_one_by_one(self, graph: VersionedGraphAPI, chunk: Sequence[AccountRef], result: LookupResult) -> None:
        for account in chunk:
            try:
                page = self._call(graph.get_object, _ref(account), fields=PAGE_FIELDS)
            except AccountError as exc:
                result.errors[account.account_id] = exc
            else:
                result.add_profile(account, _profile(page))

    # --- posts ------------------------------------------------------------------

    def needs_posts(self, account: AccountRef, profile: Profile) -> bool:
        """Always: Graph has no post counter that would tell us nothing changed."""
        return True

    def fetch_posts(self, account: AccountRef) -> PostsResult:
        """Posts and live videos since ``account.since`` (or 30 days) in ONE request by field expansion.

        A live's length is its ``video``'s ``length`` (seconds, float): the
        LiveVideo node itself has no duration field, only the Video made of it.
        """
        page_token = (account.credentials or {}).get("access_token", "")
        graph = self._graph(page_token or self._app_token)
        since = account.since or datetime.now(UTC) - DEFAULT_LOOKBACK
        answer = self._call(
            graph.get_object, _ref(account), fields=_posts_fields(since), account=account, page_token=bool(page_token)
        )
        posts = [_post(item) for item in _data(answer, "posts")]
        # live_videos has no since() filter of its own: drop the lives already seen by creation time.
        posts.extend(_live(item) for item in _data(answer, "live_videos") if _time(item["creation_time"]) >= since)
        return PostsResult(posts=posts)

    # --- errors -----------------------------------------------------------------

    def _call(self, method, *args, account: AccountRef | None = None, page_token: bool = False, **kwargs):
        """Run one facebook-sdk call and translate its failures into the contract's errors.

        The library's exception is not chained (``from None``): its text or its
        traceback can carry the request URL or headers, and with them a token.
        """
        try:
            return method(*args, **kwargs)
        except facebook.GraphAPIError as exc:
            raise self._classify(exc, account=account, page_token=page_token) from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise Transient(f"Graph API request failed: {type(exc).__name__}") from None
        except (KeyError, ValueError):  # facebook-sdk reads content-type and JSON without checking
            raise self._unreadable() from None

    def _classify(self, exc: facebook.GraphAPIError, *, account: AccountRef | None, page_token: bool) -> Exception:
        error = _error_body(exc)
        code, subcode = exc.code, error.get("error_subcode")
        message = _describe(exc, error)
        if code in TOKEN_INVALID:
            if page_token:
                return AuthExpired(f"the Page's own token was rejected: {message}")
            return AppAuthError(f"the app token was rejected: {message}")
        if code in APP_THROTTLE or code in PAGE_THROTTLE:
            scope = str(account.account_id) if code in PAGE_THROTTLE and account else "app"
            return RateLimited(message, resume_at=self._resume_at(), scope=scope)
        if code in TRANSIENT or (code is None and self._status() >= 500):
            return Transient(message)
        if code in NOT_FOUND or (code == 100 and (subcode == 33 or "not exist" in message)):
            return NotFound(message)
        if code in PERMISSION:
            return Forbidden(message)
        if self._status() >= 500:
            return Transient(message)
        return PlatformError(message)

    def _unreadable(self) -> PlatformError:
        status = self._status()
        if status >= 500:
            return Transient(f"Graph API answered HTTP {status} without a readable body")
        return PlatformError(f"Graph API answered HTTP {status} without a readable body")

    def _status(self) -> int:
        response = self.session.last_response
        return response.status_code if response is not None else 0

    def _resume_at(self) -> datetime:
        """When Graph says access returns (``estimated_time_to_regain_access``, minutes); else in an hour.

        Graph documents the estimate in ``X-Business-Use-Case-Usage`` (Page-token
        calls); ``X-App-Usage`` carries only percentages. Both are read, and the
        longest estimate wins.
        """
        response = self.session.last_response
        headers = response.headers if response is not None else {}
        minutes = max(_regain_minutes(headers.get(name, "")) for name in USAGE_HEADERS)
        if minutes > 0:
            return datetime.now(UTC) + timedelta(minutes=minutes)
        return datetime.now(UTC) + THROTTLE_FALLBACK


# --- requests and answers -------------------------------------------------------------


def _ref(account: AccountRef) -> str:
    """How Graph knows the Page: its id, or its username until the id is known."""
    return account.platform_id or account.handle


def _unique_refs(accounts: Iterable[AccountRef]) -> list[str]:
    return list(dict.fromkeys(_ref(account) for account in accounts))


def _posts_fields(since: datetime) -> str:
    posts = (
        f"posts.since({int(since.timestamp())}).limit({POSTS_LIMIT})"
        "{id,created_time,message,permalink_url,shares,status_type,"
        "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)}"
    )
    lives = (
        f"live_videos.limit({LIVES_LIMIT})"
        "{id,status,title,creation_time,broadcast_start_time,permalink_url,video{id,length}}"
    )
    return f"{posts},{lives}"


def _profile(page: Mapping[str, Any]) -> Profile:
    return Profile(
        platform_id=str(page["id"]),
        handle=page.get("username", ""),
        display_name=page.get("name", ""),
        verified=page.get("verification_status") in VERIFIED_STATUSES,
        followers=page.get("followers_count"),
        likes=page.get("fan_count"),
    )


def _data(answer: Mapping[str, Any], edge: str) -> list[Mapping[str, Any]]:
    """An expanded edge's items; Graph leaves the edge out when it is empty."""
    return list((answer.get(edge) or {}).get("data", []))


def _total(item: Mapping[str, Any], edge: str) -> int | None:
    return ((item.get(edge) or {}).get("summary") or {}).get("total_count")


def _time(value: str) -> datetime:
    return datetime.strptime(value, _GRAPH_TIME).astimezone(UTC)


def _absolute(url: str) -> str:
    """Video permalinks come as paths (``/page/videos/123/``)."""
    return f"https://www.facebook.com{url}" if url.startswith("/") else url


def _post(item: Mapping[str, Any]) -> PostItem:
    return PostItem(
        platform_post_id=str(item["id"]),
        kind=PostKind.REPOST if item.get("status_type") == "shared_story" else PostKind.POST,
        created_at=_time(item["created_time"]),
        text=item.get("message", ""),
        url=_absolute(item.get("permalink_url", "")),
        likes=_total(item, "reactions"),
        reposts=(item.get("shares") or {}).get("count", 0),
        replies=_total(item, "comments"),
    )


def _live(item: Mapping[str, Any]) -> PostItem:
    length = (item.get("video") or {}).get("length")
    return PostItem(
        platform_post_id=str(item["id"]),
        kind=PostKind.LIVE,
        created_at=_time(item.get("broadcast_start_time") or item["creation_time"]),
        text=item.get("title", ""),
        url=_absolute(item.get("permalink_url", "")),
        duration_seconds=round(length) if length is not None else None,
        live_status=item.get("status", ""),
    )


# --- error details ----------------------------------------------------------------------


def _error_body(exc: facebook.GraphAPIError) -> Mapping[str, Any]:
    result = exc.result if isinstance(exc.result, dict) else {}
    error = result.get("error")
    return error if isinstance(error, dict) else {}


def _describe(exc: facebook.GraphAPIError, error: Mapping[str, Any]) -> str:
    """Graph's own words plus what support needs (``fbtrace_id``); ``redact`` strips any token."""
    parts = [f"Graph API error {exc.code}"]
    if error.get("error_subcode"):
        parts.append(f"subcode {error['error_subcode']}")
    if error.get("type"):
        parts.append(f"({error['type']})")
    parts.append(f": {exc.message}" if isinstance(exc.message, str) else ": unreadable answer")
    if error.get("fbtrace_id"):
        parts.append(f"[fbtrace_id {error['fbtrace_id']}]")
    return " ".join(parts)


def _regain_minutes(header: str) -> float:
    """The longest ``estimated_time_to_regain_access`` in a usage header, flat or keyed by business object."""
    if not header:
        return 0
    try:
        usage = json.loads(header)
    except ValueError:
        return 0
    entries: list[Any] = [usage]
    if isinstance(usage, dict):
        for value in usage.values():
            entries.extend(value if isinstance(value, list) else [value])
    minutes = [entry.get("estimated_time_to_regain_access") for entry in entries if isinstance(entry, dict)]
    return max((float(m) for m in minutes if isinstance(m, int | float)), default=0)
