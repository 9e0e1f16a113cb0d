"""Publishing to X and Facebook: one post to one account, sent exactly once.

No database here: plain data in (``PublishRequest``), plain data out
(``Published``) or one of the errors below. The HTTP goes through a
``metrics.platforms.http.PlatformSession`` (a timeout on every request, a
request count), under the real libraries: tweepy's ``Client`` for X API v2 and
facebook-sdk's ``GraphAPI`` for the Graph API.

What an outcome means, and what the caller may do next:

- ``Published``: the platform created the post and told us its id.
- ``PublishFailed``: the platform answered and did not create the post (or the
  create request was never sent: a media upload failed, the connection could
  not be opened). Safe to retry by hand; ``PublishRateLimited`` says when, and
  ``PublishTokenExpired`` says the account must be authorised again first.
- ``PublishOutcomeUnknown``: the create request may have reached the platform
  (a timeout, a dropped connection, a 5xx). Never send it again blindly:
  reconcile with ``recent_posts`` and ``find_post``.

The create request is never retried here: tweepy and facebook-sdk do not retry,
and the session's adapters are mounted with ``max_retries=0``.
"""

from __future__ import annotations

import base64
import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import facebook
import requests
import tweepy
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError

from metrics.platforms.base import AppAuthError, AuthExpired, PlatformError, RateLimited, Transient, redact
from metrics.platforms.facebook import USAGE_HEADERS, VersionedGraphAPI, _regain_minutes
from metrics.platforms.http import PlatformSession

X_MAX_IMAGES = 4  # X attaches at most four photos to a post
X_RATE_LIMIT_FALLBACK = timedelta(minutes=15)  # X's windows are 15 minutes long
X_RECENT_LIMIT = 100  # the most ``GET /2/users/:id/tweets`` gives in one page
GRAPH_THROTTLE_FALLBACK = timedelta(hours=1)  # Graph's usage windows roll over one hour
GRAPH_RECENT_LIMIT = 100

# Graph API error codes (developers.facebook.com/docs/graph-api/guides/error-handling).
GRAPH_TOKEN_INVALID = {102, 190}
GRAPH_THROTTLED = {4, 17, 32, 341, 613, 80001}
GRAPH_UNKNOWN = {1, 2}  # "An unknown error occurred", "Service temporarily unavailable"

_GRAPH_TIME = "%Y-%m-%dT%H:%M:%S%z"
MISSING_X_ACCESS = "the X account has no access token: authorise it first"
MISSING_X_APP_KEYS = "X_CONSUMER_KEY and X_CONSUMER_SECRET are not set"
MISSING_PAGE_ACCESS = "the Facebook Page has no access token: authorise it first"


# --- data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageData:
    data: bytes = field(repr=False)
    content_type: str  # image/jpeg, image/png, ...
    name: str


@dataclass(frozen=True)
class PublishRequest:
    text: str  # exactly as approved; sent unchanged
    images: list[ImageData] = field(default_factory=list)


@dataclass(frozen=True)
class Published:
    post_id: str
    url: str
    created_at: datetime | None = None  # neither platform says in its create answer


@dataclass(frozen=True)
class RecentPost:
    post_id: str
    text: str
    created_at: datetime
    url: str


# --- errors ------------------------------------------------------------------------------


class PublishError(Exception):
    """Publishing did not end in ``Published``. ``reason`` is safe to store and show (tokens redacted)."""

    kind = "error"

    def __init__(self, reason: str):
        self.reason = redact(reason)
        super().__init__(self.reason)


class PublishFailed(PublishError):
    """Definite: the post was not created (the platform refused it, or the create request was never sent)."""

    kind = "failed"


class PublishRateLimited(PublishFailed):
    """The platform refused for now; it accepts requests again at ``retry_at``."""

    kind = "rate_limited"

    def __init__(self, reason: str, *, retry_at: datetime):
        super().__init__(reason)
        self.retry_at = retry_at


class PublishTokenExpired(PublishFailed):
    """The account's own token expired or was revoked (X 401, Graph 190): authorise the account again."""

    kind = "reauth_required"


class PublishOutcomeUnknown(PublishError):
    """The create request may have reached the platform: never resend it, reconcile with the recent posts."""

    kind = "unknown"


# --- reconciliation ------------------------------------------------------------------------

_URL = re.compile(r"https?://\S+")


def comparable_text(text: str) -> str:
    """Text reduced to what survives a trip through X or Facebook.

    X shortens every link to ``https://t.co/…``, appends a link for attached
    media and escapes ``&``, ``<`` and ``>`` as HTML entities; both platforms
    may trim white space. Links are dropped, entities unescaped, Unicode
    normalised (NFC) and white space collapsed.
    """
    text = unicodedata.normalize("NFC", html.unescape(text))
    return " ".join(_URL.sub(" ", text).split())


def find_post(posts: Iterable[RecentPost], text: str) -> RecentPost | None:
    """The earliest of ``posts`` whose text is ``text`` as approved; ``None`` when none is.

    A text that is nothing but links (or empty) cannot be told apart from any
    other such post: no match is claimed, a person must look.
    """
    wanted = comparable_text(text)
    if not wanted:
        return None
    matches = [post for post in posts if comparable_text(post.text) == wanted]
    return min(matches, key=lambda post: post.created_at, default=None)


# --- transport ------------------------------------------------------------------------------


def publishing_session(session: PlatformSession | None = None) -> PlatformSession:
    """A ``PlatformSession`` whose adapters never retry: a retried create request is a second post."""
    session = session or PlatformSession()
    for prefix in ("https://", "http://"):
        session.mount(prefix, HTTPAdapter(max_retries=0))
    return session


def _never_sent(exc: requests.RequestException) -> bool:
    """Whether the connection failed before a byte of the request left (connect timeout, refused, no DNS)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        inner = exc.args[0]
        return isinstance(inner, MaxRetryError) and isinstance(inner.reason, NewConnectionError)
    return False


def _transport_failure(exc: requests.RequestException, platform: str, what: str) -> PublishError:
    """A request that got no answer. Only the exception's type is kept: its text can carry the URL."""
    name = type(exc).__name__
    if _never_sent(exc):
        return PublishFailed(f"could not connect to {platform} ({name}); {what} was not sent, nothing was posted")
    return PublishOutcomeUnknown(
        f"{platform} did not answer the {what} ({name}); it may have been published: check the account"
    )


# --- X ---------------------------------------------------------------------------------------


class XPublisher:
    """Posts to one X account through tweepy's v2 ``Client`` in the account's user context.

    ``credentials``: OAuth 1.0a (``access_token`` and ``access_token_secret``,
    with the app's ``consumer_key``/``consumer_secret`` from the dict or
    ``X_CONSUMER_KEY``/``X_CONSUMER_SECRET``), or an OAuth 2.0 user token alone
    (``access_token`` without a secret, scopes ``tweet.write media.write``).

    Images go to ``POST /2/media/upload`` (simple upload, base64 in a JSON body,
    images up to 5 MB) through tweepy's own ``Client.request``: tweepy 4.17 has
    no v2 media method, and its ``API.media_upload`` calls the v1.1 endpoint
    that X has retired.
    """

    platform = "x"

    def __init__(
        self,
        credentials: Mapping[str, str] | None,
        *,
        handle: str = "",
        user_id: str = "",
        session: PlatformSession | None = None,
    ):
        self.session = publishing_session(session)
        self.handle = handle.lstrip("@")
        self.user_id = user_id  # the account's X user id, for ``recent_posts``
        credentials = credentials or {}
        access_token = credentials.get("access_token", "")
        secret = credentials.get("access_token_secret", "")
        self._user_auth = bool(secret)  # OAuth 1.0a; otherwise the OAuth 2.0 user token is sent as a Bearer
        self._no_token = not access_token
        self._no_app_keys = False
        if self._user_auth:
            consumer_key = credentials.get("consumer_key") or settings.X_CONSUMER_KEY
            consumer_secret = credentials.get("consumer_secret") or settings.X_CONSUMER_SECRET
            self._no_app_keys = not (consumer_key and consumer_secret)
            client = tweepy.Client(
                consumer_key=consumer_key,
                consumer_secret=consumer_secret,
                access_token=access_token,
                access_token_secret=secret,
                wait_on_rate_limit=False,
                return_type=tweepy.Response,
            )
        else:
            client = tweepy.Client(bearer_token=access_token, wait_on_rate_limit=False, return_type=tweepy.Response)
        client.session = self.session  # tweepy sets no timeout of its own; the session does
        self._client = client

    @property
    def api_calls(self) -> int:
        return self.session.request_count

    def post_url(self, post_id: str) -> str:
        return f"https://x.com/{self.handle}/status/{post_id}" if self.handle else f"https://x.com/i/status/{post_id}"

    def publish(self, request: PublishRequest) -> Published:
        """Upload the images (any failure: ``PublishFailed``, no post), then create the post, once."""
        if self._no_token:
            raise PublishTokenExpired(MISSING_X_ACCESS)
        if self._no_app_keys:
            raise PublishFailed(MISSING_X_APP_KEYS)
        if len(request.images) > X_MAX_IMAGES:
            raise PublishFailed(f"X attaches at most {X_MAX_IMAGES} images to a post, not {len(request.images)}")
        media_ids = [self._upload(image) for image in request.images]
        try:
            response = self._client.create_tweet(
                text=request.text, media_ids=media_ids or None, user_auth=self._user_auth
            )
        except tweepy.TwitterServerError as exc:
            raise PublishOutcomeUnknown(
                f"X answered the create request with {_x_describe(exc)}; it may have been published"
            ) from None
        except tweepy.HTTPException as exc:
            raise _x_refusal(exc, "post") from None
        except requests.RequestException as exc:
            raise _transport_failure(exc, "X", "create request") from None
        except ValueError:  # an answer that is not JSON (requests.JSONDecodeError)
            raise PublishOutcomeUnknown("X answered the create request with a body that is not JSON") from None
        post_id = str((response.data or {}).get("id") or "")
        if not post_id:
            raise PublishOutcomeUnknown("X accepted the create request but its answer carried no post id")
        return Published(post_id=post_id, url=self.post_url(post_id))

    def _upload(self, image: ImageData) -> str:
        """One image to ``POST /2/media/upload``; its media id. Nothing is posted yet, so every failure is definite."""
        body = {
            "media": base64.b64encode(image.data).decode("ascii"),
            "media_category": "tweet_image",
            "media_type": image.content_type,
        }
        try:
            response = self._client.request("POST", "/2/media/upload", json=body, user_auth=self._user_auth)
            media_id = str(response.json()["data"]["id"])
        except tweepy.HTTPException as exc:
            raise _x_refusal(exc, f"image {image.name}") from None
        except requests.RequestException as exc:
            raise PublishFailed(
                f"the upload of image {image.name} to X failed ({type(exc).__name__}); nothing was posted"
            ) from None
        except (ValueError, KeyError, TypeError):
            raise PublishFailed(f"X gave no media id for image {image.name}; nothing was posted") from None
        return media_id

    def recent_posts(self, since: datetime, *, user_id: str = "") -> list[RecentPost]:
        """The account's own posts since ``since`` (newest first, up to 100), to reconcile an unknown outcome.

        ``user_id`` defaults to the one given to the constructor.

        A failure here says nothing about the post, so it raises the polling
        errors of ``metrics.platforms.base`` (``AuthExpired``, ``RateLimited``,
        ``Transient``, ``PlatformError``), never a ``PublishError``.
        """
        if self._no_token:
            raise AuthExpired(MISSING_X_ACCESS)
        if self._no_app_keys:
            raise AppAuthError(MISSING_X_APP_KEYS)
        user_id = user_id or self.user_id
        if not user_id:
            raise ValueError("the X account has no user id yet; look it up first")
        try:
            response = self._client.get_users_tweets(
                user_id,
                start_time=since,
                max_results=X_RECENT_LIMIT,
                exclude=["retweets", "replies"],
                tweet_fields=["created_at"],
                user_auth=self._user_auth,
            )
        except tweepy.TooManyRequests as exc:
            raise RateLimited(_x_describe(exc), resume_at=_x_retry_at(exc.response)) from None
        except tweepy.Unauthorized as exc:
            raise AuthExpired(f"X rejected the account's token: {_x_describe(exc)}") from None
        except tweepy.TwitterServerError as exc:
            raise Transient(_x_describe(exc)) from None
        except tweepy.HTTPException as exc:
            raise PlatformError(_x_describe(exc)) from None
        except requests.RequestException as exc:
            raise Transient(f"X did not list the account's posts ({type(exc).__name__})") from None
        except ValueError:
            raise Transient("X listed the account's posts in a body that is not JSON") from None
        return [
            RecentPost(post_id=str(tweet.id), text=tweet.text, created_at=tweet.created_at, url=self.post_url(tweet.id))
            for tweet in response.data or []
        ]


def _x_refusal(exc: tweepy.HTTPException, what: str) -> PublishFailed:
    """X answered with a 4xx: the post (or image) was not created."""
    description = _x_describe(exc)
    if isinstance(exc, tweepy.TooManyRequests):
        return PublishRateLimited(f"X rate limit for the {what}: {description}", retry_at=_x_retry_at(exc.response))
    if isinstance(exc, tweepy.Unauthorized):
        return PublishTokenExpired(f"X rejected the account's token ({description}): authorise the account again")
    if isinstance(exc, tweepy.TwitterServerError):  # only on an upload: nothing was posted
        return PublishFailed(f"X failed to take the {what} ({description}); nothing was posted")
    return PublishFailed(f"X refused the {what}: {description}")


def _x_describe(exc: tweepy.HTTPException) -> str:
    """``403 Forbidden You are not allowed to create a Tweet with duplicate content.``"""
    return " ".join(str(exc).split())


def _x_retry_at(response: requests.Response) -> datetime:
    """When X takes posts again: the latest reset of an exhausted limit (15-minute window, or the 24-hour
    posting cap ``x-user-limit-24hour-*``); ``x-rate-limit-reset`` when none says it is exhausted; else 15 minutes.
    """
    headers = response.headers
    resets = []
    for prefix in ("x-rate-limit", "x-app-limit-24hour", "x-user-limit-24hour"):
        reset = headers.get(f"{prefix}-reset", "")
        if reset.isdigit() and headers.get(f"{prefix}-remaining", "0") == "0":
            resets.append(int(reset))
    if not resets and headers.get("x-rate-limit-reset", "").isdigit():
        resets.append(int(headers["x-rate-limit-reset"]))
    if not resets:
        return datetime.now(UTC) + X_RATE_LIMIT_FALLBACK
    return datetime.fromtimestamp(max(resets), tz=UTC)


# --- Facebook -------------------------------------------------------------------------------


class FacebookPublisher:
    """Posts to one Facebook Page with the Page's own access token, through facebook-sdk's ``GraphAPI``.

    Text only: ``POST /{page-id}/feed``. One image: ``POST /{page-id}/photos``
    (a published photo is the post). Several: each uploaded unpublished
    (``published=false``, any failure definite), then one ``POST /{page-id}/feed``
    with ``attached_media``.
    """

    platform = "facebook"

    def __init__(
        self, page_id: str, page_token: str, *, version: str | None = None, session: PlatformSession | None = None
    ):
        self.session = publishing_session(session)
        self.page_id = page_id
        self._token = page_token
        self._graph = VersionedGraphAPI(
            page_token,
            version=version or settings.FACEBOOK_GRAPH_API_VERSION,
            session=self.session,
            timeout=self.session.timeout,
        )

    @property
    def api_calls(self) -> int:
        return self.session.request_count

    def publish(self, request: PublishRequest) -> Published:
        """Text, one photo or several (uploaded unpublished first: any failure there is definite); created once."""
        if not self._token:
            raise PublishTokenExpired(MISSING_PAGE_ACCESS)
        if len(request.images) == 1:
            photo = _upload(request.images[0])
            answer = self._create(
                self._graph.put_photo, photo, album_path=f"{self.page_id}/photos", message=request.text
            )
            post_id = str(answer.get("post_id") or answer.get("id") or "")  # the Page post; else the photo itself
        else:
            attached = {
                f"attached_media[{i}]": json.dumps({"media_fbid": self._upload_unpublished(image)})
                for i, image in enumerate(request.images)
            }
            answer = self._create(self._graph.put_object, self.page_id, "feed", message=request.text, **attached)
            post_id = str(answer.get("id") or "")
        if not post_id:
            raise PublishOutcomeUnknown("Facebook accepted the post but its answer carried no post id")
        return Published(post_id=post_id, url=f"https://www.facebook.com/{post_id}")

    def _upload_unpublished(self, image: ImageData) -> str:
        """One photo stored unpublished for a multi-photo post; its id. Nothing is posted yet: failures are definite."""
        try:
            answer = self._graph.put_photo(image=_upload(image), album_path=f"{self.page_id}/photos", published="false")
        except facebook.GraphAPIError as exc:
            raise self._refusal(exc, f"image {image.name}", create=False) from None
        except requests.RequestException as exc:
            raise PublishFailed(
                f"the upload of image {image.name} to Facebook failed ({type(exc).__name__}); nothing was posted"
            ) from None
        except (KeyError, ValueError):
            raise PublishFailed(
                f"Facebook gave no readable answer for image {image.name}; nothing was posted"
            ) from None
        photo_id = str((answer or {}).get("id") or "")
        if not photo_id:
            raise PublishFailed(f"Facebook gave no photo id for image {image.name}; nothing was posted")
        return photo_id

    def _create(self, method, *args, **kwargs) -> Mapping[str, Any]:
        """The one request that creates the post: sent once, whatever happens."""
        try:
            answer = method(*args, **kwargs)
        except facebook.GraphAPIError as exc:
            raise self._refusal(exc, "post", create=True) from None
        except requests.RequestException as exc:
            raise _transport_failure(exc, "Facebook", "create request") from None
        except (KeyError, ValueError):  # facebook-sdk reads content-type and JSON without checking
            status = self._status()
            if 400 <= status < 500:
                raise PublishFailed(f"Facebook refused the post with HTTP {status} and an unreadable body") from None
            raise PublishOutcomeUnknown(
                f"Facebook answered the create request with HTTP {status} and an unreadable body; "
                "it may have been published"
            ) from None
        return answer if isinstance(answer, Mapping) else {}

    def _refusal(self, exc: facebook.GraphAPIError, what: str, *, create: bool) -> PublishError:
        """Graph's error, on the create request (``create``) or on an upload before it."""
        code, status = exc.code, self._status()
        description = _graph_describe(exc, status)
        if code in GRAPH_TOKEN_INVALID:
            return PublishTokenExpired(f"Facebook rejected the Page token ({description}): authorise the Page again")
        if code in GRAPH_THROTTLED:
            return PublishRateLimited(f"Facebook throttled the {what}: {description}", retry_at=self._retry_at())
        if code in GRAPH_UNKNOWN or status >= 500 or (code is None and not 400 <= status < 500):
            if create:
                return PublishOutcomeUnknown(
                    f"Facebook failed on the create request ({description}); it may have been published"
                )
            return PublishFailed(f"Facebook failed to take the {what} ({description}); nothing was posted")
        return PublishFailed(f"Facebook refused the {what}: {description}")

    def _status(self) -> int:
        response = self.session.last_response
        return response.status_code if response is not None else 0

    def _retry_at(self) -> datetime:
        """Graph's ``estimated_time_to_regain_access`` (minutes) from the usage headers; else in an hour."""
        response = self.session.last_response
        headers = response.headers if response is not None else {}
        minutes = max(_regain_minutes(headers.get(name, "")) for name in USAGE_HEADERS)
        return datetime.now(UTC) + (timedelta(minutes=minutes) if minutes > 0 else GRAPH_THROTTLE_FALLBACK)

    def recent_posts(self, since: datetime) -> list[RecentPost]:
        """The Page's posts since ``since`` (newest first, up to 100), to reconcile an unknown outcome.

        A failure here says nothing about the post, so it raises the polling
        errors of ``metrics.platforms.base``, never a ``PublishError``.
        """
        if not self._token:
            raise AuthExpired(MISSING_PAGE_ACCESS)
        try:
            answer = self._graph.get_connections(
                self.page_id,
                "posts",
                fields="id,message,created_time,permalink_url",
                since=int(since.timestamp()),
                limit=GRAPH_RECENT_LIMIT,
            )
        except facebook.GraphAPIError as exc:
            description = _graph_describe(exc, self._status())
            if exc.code in GRAPH_TOKEN_INVALID:
                raise AuthExpired(f"Facebook rejected the Page token: {description}") from None
            if exc.code in GRAPH_THROTTLED:
                raise RateLimited(description, resume_at=self._retry_at()) from None
            if exc.code in GRAPH_UNKNOWN or self._status() >= 500:
                raise Transient(description) from None
            raise PlatformError(description) from None
        except requests.RequestException as exc:
            raise Transient(f"Facebook did not list the Page's posts ({type(exc).__name__})") from None
        except (KeyError, ValueError):
            raise Transient("Facebook listed the Page's posts in an unreadable body") from None
        return [
            RecentPost(
                post_id=str(item["id"]),
                text=item.get("message", ""),
                created_at=datetime.strptime(item["created_time"], _GRAPH_TIME).astimezone(UTC),
                url=item.get("permalink_url") or f"https://www.facebook.com/{item['id']}",
            )
            for item in answer.get("data", [])
        ]


def _upload(image: ImageData) -> tuple[str, bytes, str]:
    """The ``source`` part of a multipart photo upload: file name, bytes, content type."""
    return (image.name, image.data, image.content_type)


def _graph_describe(exc: facebook.GraphAPIError, status: int) -> str:
    """``HTTP 400, Graph API error 506 (OAuthException): (#506) Duplicate status message [fbtrace_id …]``."""
    result = exc.result if isinstance(exc.result, dict) else {}
    error = result.get("error") if isinstance(result.get("error"), dict) else {}
    head = f"HTTP {status}, Graph API error {exc.code}" if status else f"Graph API error {exc.code}"
    if error.get("error_subcode"):
        head += f" subcode {error['error_subcode']}"
    if error.get("type"):
        head += f" ({error['type']})"
    text = f"{head}: {exc.message}" if isinstance(exc.message, str) else f"{head}: unreadable answer"
    if error.get("fbtrace_id"):
        text += f" [fbtrace_id {error['fbtrace_id']}]"
    return text
