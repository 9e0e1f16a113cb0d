"""The live X (Twitter) client: API v2 through tweepy's ``Client``.

Cost model: a poll of N accounts is ⌈N/100⌉ user lookups (``public_metrics``
carries the tweet count) plus one timeline request for each account whose
tweet count changed since the last poll (``needs_posts``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import requests
import tweepy
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
    Suspended,
    Transient,
)
from metrics.platforms.http import PlatformSession

log = logging.getLogger(__name__)

USER_FIELDS = ["public_metrics", "verified", "verified_type", "username", "name", "protected"]
TWEET_FIELDS = ["created_at", "public_metrics", "referenced_tweets", "conversation_id"]
VERIFIED_TYPES = {"blue", "business", "government"}
MAX_TIMELINE_PAGES = 5
RATE_LIMIT_FALLBACK = timedelta(minutes=15)  # X's rate-limit windows are 15 minutes long

# What a referenced tweet makes of the tweet that references it, strongest first: a retweet is
# never original content, and a reply that quotes something is still part of a conversation.
_KIND_BY_REFERENCE = (("retweeted", PostKind.REPOST), ("replied_to", PostKind.REPLY), ("quoted", PostKind.QUOTE))

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class XClient:
    """X API v2 over a ``PlatformSession``; the app bearer token for public data.

    ``wait_on_rate_limit`` stays off: a worker must never sleep for 15 minutes
    inside a task; a 429 becomes ``RateLimited`` and the poller reschedules.
    """

    platform = "x"
    batch_size = 100

    def __init__(self, bearer_token: str, *, session: PlatformSession | None = None):
        self.session = session or PlatformSession()
        self._app = self._tweepy_client(bearer_token)

    @classmethod
    def from_settings(cls) -> XClient:
        return cls(settings.X_BEARER_TOKEN)

    @property
    def api_calls(self) -> int:
        return self.session.request_count

    def _tweepy_client(self, bearer_token: str) -> tweepy.Client:
        """A tweepy client whose HTTP goes through our session (tweepy sets no timeout of its own)."""
        client = tweepy.Client(bearer_token=bearer_token, wait_on_rate_limit=False, return_type=tweepy.Response)
        client.session = self.session
        return client

    # --- lookup -----------------------------------------------------------------

    def lookup(self, accounts: Sequence[AccountRef]) -> LookupResult:
        """Profiles by id, 100 per request; handles without an id (or whose id vanished) by username.

        An id that X no longer knows is retried once by username: the account
        may have been deleted and the handle re-registered, so the handle is
        what the government office still means.
        """
        result = LookupResult()
        by_username = [account for account in accounts if not account.platform_id]
        by_id = [account for account in accounts if account.platform_id]
        for chunk in _chunks(by_id, self.batch_size):
            by_username.extend(self._lookup_ids(chunk, result))
        for chunk in _chunks(by_username, self.batch_size):
            self._lookup_usernames(chunk, result)
        return result

    def _lookup_ids(self, chunk: Sequence[AccountRef], result: LookupResult) -> list[AccountRef]:
        """Fill ``result`` for one id batch; return the accounts to retry by username."""
        response = self._call(self._app.get_users, ids=[a.platform_id for a in chunk], user_fields=USER_FIELDS)
        users = {str(user.id): user for user in response.data or []}
        errors = errors_by_resource(response.errors)
        retry = []
        for account in chunk:
            user = users.get(account.platform_id)
            error = lookup_error(errors.get(account.platform_id.lower()), account)
            if user is not None:
                result.profiles[account.account_id] = _profile(user)
            elif isinstance(error, NotFound):
                retry.append(account)
            else:
                result.errors[account.account_id] = error
        return retry

    def _lookup_usernames(self, chunk: Sequence[AccountRef], result: LookupResult) -> None:
        response = self._call(self._app.get_users, usernames=[a.handle for a in chunk], user_fields=USER_FIELDS)
        users = {user.username.lower(): user for user in response.data or []}
        errors = errors_by_resource(response.errors)
        for account in chunk:
            user = users.get(account.handle.lower())
            if user is None:
                result.errors[account.account_id] = lookup_error(errors.get(account.handle.lower()), account)
                continue
            result.profiles[account.account_id] = _profile(user)
            if str(user.id) != account.platform_id:
                result.resolved_ids[account.account_id] = str(user.id)

    # --- posts ------------------------------------------------------------------

    def needs_posts(self, account: AccountRef, profile: Profile) -> bool:
        """Only when the tweet count moved: the lookup already paid for that knowledge.

        A deletion and a new tweet between two polls cancel out and are missed
        until the next change; that is the price of not reading every timeline.
        """
        if account.posts_total is None and not account.since_id:
            return True
        return profile.posts_total is not None and profile.posts_total != account.posts_total

    def fetch_posts(self, account: AccountRef) -> PostsResult:
        """Tweets newer than ``account.since_id``: one request, at most 100 tweets.

        Only when a ``since_id`` is known and X says there is more (``next_token``)
        are further pages read, at most ``MAX_TIMELINE_PAGES`` in all: a busy
        account is caught up, while a first poll takes just the newest page.
        With the account's own OAuth 2.0 user token the request runs in user
        context (protected timelines the account owns become readable).
        """
        if not account.platform_id:
            raise ValueError(f"{account!r} has no X user id yet; look it up first")
        user_token = (account.credentials or {}).get("access_token", "")
        client = self._tweepy_client(user_token) if user_token else self._app
        params: dict[str, Any] = {"max_results": 100, "tweet_fields": TWEET_FIELDS}
        if account.since_id:
            params["since_id"] = account.since_id
        result = PostsResult()
        for page in range(MAX_TIMELINE_PAGES):
            response = self._call(
                client.get_users_tweets, account.platform_id, account=account, user_context=bool(user_token), **params
            )
            if not response.data and response.errors:
                raise _timeline_error(response.errors, account)
            result.posts.extend(_post(tweet, account.handle) for tweet in response.data or [])
            if page == 0:
                result.newest_id = str(response.meta.get("newest_id", ""))
            next_token = response.meta.get("next_token")
            if not (account.since_id and next_token):
                break
            params["pagination_token"] = next_token
        return result

    # --- errors -----------------------------------------------------------------

    def _call(self, method, *args, account: AccountRef | None = None, user_context: bool = False, **kwargs):
        """Run one tweepy call and translate its failures into the contract's errors.

        The library's exception is not chained (``from None``): its text or its
        traceback can carry the request URL or headers, and with them a token.
        """
        try:
            return method(*args, **kwargs)
        except tweepy.TooManyRequests as exc:
            scope = str(account.account_id) if user_context and account else "app"
            raise RateLimited(_describe(exc), resume_at=_reset_time(exc), scope=scope) from None
        except tweepy.Unauthorized as exc:
            if user_context:
                raise AuthExpired(f"the account's own X token was rejected: {_describe(exc)}") from None
            raise AppAuthError(f"the X bearer token was rejected: {_describe(exc)}") from None
        except tweepy.Forbidden as exc:
            raise _forbidden(exc, account) from None
        except tweepy.NotFound as exc:
            if account is None:
                raise PlatformError(_describe(exc)) from None
            raise NotFound(_describe(exc)) from None
        except tweepy.TwitterServerError as exc:
            raise Transient(_describe(exc)) from None
        except tweepy.HTTPException as exc:
            raise PlatformError(_describe(exc)) from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise Transient(f"X request failed: {type(exc).__name__}") from None
        except requests.JSONDecodeError:
            raise Transient("X answered with a body that is not JSON") from None


# --- mapping ----------------------------------------------------------------------


def _profile(user: tweepy.User) -> Profile:
    metrics = user.public_metrics or {}
    return Profile(
        platform_id=str(user.id),
        handle=user.username,
        display_name=user.name,
        verified=bool(user.verified) or user.verified_type in VERIFIED_TYPES,
        followers=metrics.get("followers_count"),
        following=metrics.get("following_count"),
        posts_total=metrics.get("tweet_count"),
        listed=metrics.get("listed_count"),
    )


def _kind(tweet: tweepy.Tweet) -> str:
    types = {reference.type for reference in tweet.referenced_tweets or []}
    for reference_type, kind in _KIND_BY_REFERENCE:
        if reference_type in types:
            return kind
    return PostKind.POST


def _post(tweet: tweepy.Tweet, handle: str) -> PostItem:
    metrics = tweet.public_metrics or {}
    return PostItem(
        platform_post_id=str(tweet.id),
        kind=_kind(tweet),
        created_at=tweet.created_at,
        text=tweet.text,
        url=f"https://x.com/{handle}/status/{tweet.id}",
        likes=metrics.get("like_count"),
        reposts=metrics.get("retweet_count"),
        replies=metrics.get("reply_count"),
        quotes=metrics.get("quote_count"),
        views=metrics.get("impression_count"),
    )


def errors_by_resource(errors: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Partial errors of a 200 answer, keyed by the id or username they concern (lower case)."""
    keyed = {}
    for error in errors or []:
        resource = str(error.get("resource_id") or error.get("value") or "")
        if resource:
            keyed[resource.lower()] = error
    return keyed


def lookup_error(error: Mapping[str, Any] | None, account: AccountRef) -> AccountError:
    """One account's partial error; an account X neither returned nor mentioned counts as not found."""
    if error is None:
        return NotFound(f"X returned no user for {account.handle or account.platform_id}")
    detail = str(error.get("detail") or error.get("title") or "")
    title = str(error.get("title", ""))
    if "suspended" in detail.lower():
        return Suspended(detail)
    if title == "Not Found Error" or str(error.get("type", "")).endswith("/resource-not-found"):
        return NotFound(detail)
    if title in ("Forbidden", "Authorization Error"):
        return Forbidden(detail)
    return AccountError(detail)


def _timeline_error(errors: Sequence[Mapping[str, Any]], account: AccountRef) -> AccountError:
    """A timeline answered with errors only: protected, suspended or gone (X says so in a 200)."""
    return lookup_error(errors[0], account)


def _forbidden(exc: tweepy.Forbidden, account: AccountRef | None) -> Exception:
    """A 403 on a timeline concerns that account; on a lookup, or for the app's access level, the app."""
    problem_types = " ".join(str(error.get("type", "")) for error in exc.api_errors if isinstance(error, dict))
    app_problem = any(t in problem_types for t in ("client-forbidden", "unsupported-authentication"))
    if account is None or app_problem:
        return AppAuthError(f"X refused the app: {_describe(exc)}")
    return Forbidden(_describe(exc))


def _reset_time(exc: tweepy.TooManyRequests) -> datetime:
    """When X's window resets (``x-rate-limit-reset``, epoch seconds); 15 minutes if X did not say."""
    reset = exc.reset_time
    if reset is None:
        header = exc.response.headers.get("x-rate-limit-reset")
        reset = int(header) if header and header.isdigit() else None
    if reset is None:
        return datetime.now(UTC) + RATE_LIMIT_FALLBACK
    return datetime.fromtimestamp(reset, tz=UTC)


def _describe(exc: tweepy.HTTPException) -> str:
    """Status and X's own messages; tweepy never puts the token in them, ``redact`` guards anyway."""
    return " ".join(str(exc).split())
