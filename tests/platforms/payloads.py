"""Answers shaped like the platforms' documented responses, for faking them at the HTTP transport.

Sources of each shape:
- X API v2: docs.x.com (users lookup, ``GET /2/users/:id/tweets``, fields, problem types); the
  partial-error objects of a 200 (``"title": "Not Found Error"``, suspended users as
  ``"title": "Forbidden"`` with ``"detail": "User has been suspended: [...]"``) as X sends them.
- Graph API: developers.facebook.com (Handling Errors, Rate Limits, Page, LiveVideo, Video).
- YouTube Data API v3: developers.google.com/youtube/v3 (channels resource, Errors).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

X_API = "https://api.twitter.com/2"
X_PROBLEMS = "https://api.twitter.com/2/problems"
GRAPH = "https://graph.facebook.com"
YOUTUBE_CHANNELS = "https://youtube.googleapis.com/youtube/v3/channels"


def x_time(moment: datetime) -> str:
    """X's timestamps: ISO 8601 with milliseconds, UTC, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def graph_time(moment: datetime) -> str:
    """Graph's timestamps: ``2024-07-15T10:30:00+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


# --- X API v2 -------------------------------------------------------------------------


def x_user(
    user_id: str,
    username: str,
    *,
    name: str = "",
    followers: int = 1000,
    following: int = 50,
    tweets: int = 500,
    listed: int = 5,
    verified: bool = False,
    verified_type: str = "none",
    protected: bool = False,
) -> dict[str, Any]:
    return {
        "id": user_id,
        "name": name or username,
        "username": username,
        "protected": protected,
        "verified": verified,
        "verified_type": verified_type,
        "public_metrics": {
            "followers_count": followers,
            "following_count": following,
            "tweet_count": tweets,
            "listed_count": listed,
            "like_count": 12,
            "media_count": 30,
        },
    }


def x_users(users: Sequence[Mapping[str, Any]], errors: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A users lookup answer: ``data`` for the users found, ``errors`` for the others (in a 200)."""
    body: dict[str, Any] = {}
    if users:
        body["data"] = list(users)
    if errors:
        body["errors"] = list(errors)
    return body


def x_not_found(value: str, parameter: str = "ids") -> dict[str, Any]:
    noun = {"ids": "id", "usernames": "username"}.get(parameter, parameter)
    return {
        "value": value,
        "detail": f"Could not find user with {noun}: [{value}].",
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": parameter,
        "resource_id": value,
        "type": f"{X_PROBLEMS}/resource-not-found",
    }


def x_suspended(value: str, parameter: str = "ids") -> dict[str, Any]:
    return {
        "value": value,
        "detail": f"User has been suspended: [{value}].",
        "title": "Forbidden",
        "resource_type": "user",
        "parameter": parameter,
        "resource_id": value,
        "type": f"{X_PROBLEMS}/resource-not-found",
    }


def x_not_authorized(user_id: str) -> dict[str, Any]:
    """What a timeline of a protected account answers (in a 200) to an app that may not see it."""
    return {
        "resource_id": user_id,
        "parameter": "id",
        "resource_type": "user",
        "section": "data",
        "title": "Authorization Error",
        "value": user_id,
        "detail": f"Sorry, you are not authorized to see the user with id: [{user_id}].",
        "type": f"{X_PROBLEMS}/not-authorized-for-resource",
    }


def x_tweet(
    tweet_id: str,
    text: str,
    created_at: datetime,
    *,
    references: Iterable[tuple[str, str]] = (),
    likes: int = 10,
    retweets: int = 3,
    replies: int = 2,
    quotes: int = 1,
    impressions: int | None = 900,
    conversation_id: str = "",
) -> dict[str, Any]:
    """A tweet with ``tweet.fields=created_at,public_metrics,referenced_tweets,conversation_id``."""
    metrics = {
        "retweet_count": retweets,
        "reply_count": replies,
        "like_count": likes,
        "quote_count": quotes,
        "bookmark_count": 0,
    }
    if impressions is not None:
        metrics["impression_count"] = impressions
    tweet: dict[str, Any] = {
        "id": tweet_id,
        "text": text,
        "edit_history_tweet_ids": [tweet_id],
        "created_at": x_time(created_at),
        "conversation_id": conversation_id or tweet_id,
        "public_metrics": metrics,
    }
    references = list(references)
    if references:
        tweet["referenced_tweets"] = [{"type": kind, "id": ref_id} for kind, ref_id in references]
    return tweet


def x_timeline(tweets: Sequence[Mapping[str, Any]], *, next_token: str = "") -> dict[str, Any]:
    """A ``GET /2/users/:id/tweets`` answer, newest first, with its ``meta``."""
    if not tweets:
        return {"meta": {"result_count": 0}}
    meta: dict[str, Any] = {
        "result_count": len(tweets),
        "newest_id": tweets[0]["id"],
        "oldest_id": tweets[-1]["id"],
    }
    if next_token:
        meta["next_token"] = next_token
    return {"data": list(tweets), "meta": meta}


def x_problem(status: int, title: str, detail: str = "", problem_type: str = "about:blank") -> dict[str, Any]:
    """X's RFC 7807 problem body for a failed request (401, 403, 429, 5xx)."""
    return {"title": title, "detail": detail or title, "type": problem_type, "status": status}


# --- Graph API ----------------------------------------------------------------------------


def fb_page(
    page_id: str,
    username: str,
    *,
    name: str = "",
    followers: int = 5000,
    fans: int = 4500,
    verification: str = "not_verified",
) -> dict[str, Any]:
    """A Page with ``fields=id,name,username,followers_count,fan_count,verification_status``."""
    return {
        "id": page_id,
        "name": name or username,
        "username": username,
        "followers_count": followers,
        "fan_count": fans,
        "verification_status": verification,
    }


def fb_error(
    code: int, message: str, *, error_type: str = "OAuthException", subcode: int | None = None, trace: str = ""
) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = trace or "AmFGcW_3hwDB7qFbl_QdebZ"
    return {"error": error}


def fb_expired_token() -> dict[str, Any]:
    return fb_error(
        190,
        "Error validating access token: Session has expired on Monday, 14-Jul-25 04:00:00 PDT. "
        "The current time is Tuesday, 15-Jul-25 03:00:00 PDT.",
        subcode=463,
    )


def fb_alias_missing(alias: str) -> dict[str, Any]:
    return fb_error(803, f"(#803) Some of the aliases you requested do not exist: {alias}")


def fb_object_missing(object_id: str) -> dict[str, Any]:
    return fb_error(
        100,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation. Please read the Graph API documentation at "
        "https://developers.facebook.com/docs/graph-api",
        error_type="GraphMethodException",
        subcode=33,
    )


def fb_post(
    post_id: str,
    created_at: datetime,
    message: str,
    *,
    status_type: str = "mobile_status_update",
    shares: int | None = None,
    reactions: int = 0,
    comments: int = 0,
) -> dict[str, Any]:
    post: dict[str, Any] = {
        "id": post_id,
        "created_time": graph_time(created_at),
        "message": message,
        "permalink_url": f"https://www.facebook.com/{post_id.replace('_', '/posts/')}",
        "status_type": status_type,
        "reactions": {"data": [], "summary": {"total_count": reactions}},
        "comments": {"data": [], "summary": {"order": "ranked", "total_count": comments, "can_comment": False}},
    }
    if shares is not None:  # Graph leaves ``shares`` out when nobody shared the post
        post["shares"] = {"count": shares}
    return post


def fb_live(
    live_id: str,
    title: str,
    created_at: datetime,
    *,
    length: float,
    status: str = "VOD",
    page: str = "dm.patna",
    video_id: str = "",
) -> dict[str, Any]:
    """A LiveVideo with ``video{id,length}``: the Video's ``length`` is its duration in seconds (float)."""
    video_id = video_id or f"9{live_id}"
    return {
        "id": live_id,
        "status": status,
        "title": title,
        "creation_time": graph_time(created_at),
        "broadcast_start_time": graph_time(created_at),
        "permalink_url": f"/{page}/videos/{video_id}/",
        "video": {"id": video_id, "length": length},
    }


def _paged(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    if not items:
        return {"data": []}
    return {"data": list(items), "paging": {"cursors": {"before": "QVFIUmxtZAZDZD", "after": "QVFIUkZAhZAk5"}}}


def fb_posts_and_lives(
    page_id: str, posts: Sequence[Mapping[str, Any]] = (), lives: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """``GET /{page-id}?fields=posts...{...},live_videos...{...}``: both edges in one answer."""
    return {"posts": _paged(posts), "live_videos": _paged(lives), "id": page_id}


def fb_app_usage(call_count: int = 100, total_time: int = 20, total_cputime: int = 15) -> str:
    """``X-App-Usage`` as documented: percentages only."""
    return json.dumps({"call_count": call_count, "total_time": total_time, "total_cputime": total_cputime})


def fb_buc_usage(business_object_id: str, minutes: int, rate_type: str = "pages") -> str:
    """``X-Business-Use-Case-Usage``: per business object, with ``estimated_time_to_regain_access`` in minutes."""
    entry = {
        "type": rate_type,
        "call_count": 100,
        "total_cputime": 25,
        "total_time": 25,
        "estimated_time_to_regain_access": minutes,
    }
    return json.dumps({business_object_id: [entry]})


# --- YouTube Data API v3 -----------------------------------------------------------------------


def yt_channel(
    channel_id: str,
    title: str,
    custom_url: str,
    *,
    subscribers: int = 1200,
    views: int = 350000,
    videos: int = 140,
    hidden_subscribers: bool = False,
) -> dict[str, Any]:
    """A channel resource with ``part=snippet,statistics``; counts are strings (uint64)."""
    statistics: dict[str, Any] = {"viewCount": str(views), "hiddenSubscriberCount": hidden_subscribers}
    if not hidden_subscribers:
        statistics["subscriberCount"] = str(subscribers)
    statistics["videoCount"] = str(videos)
    return {
        "kind": "youtube#channel",
        "etag": f"etag-{channel_id[-6:]}",
        "id": channel_id,
        "snippet": {
            "title": title,
            "description": f"Official channel of {title}",
            "customUrl": custom_url,
            "publishedAt": "2016-04-12T06:18:41Z",
            "thumbnails": {
                "default": {"url": f"https://yt3.ggpht.com/{channel_id}=s88", "width": 88, "height": 88},
            },
            "localized": {"title": title, "description": f"Official channel of {title}"},
            "country": "IN",
        },
        "statistics": statistics,
    }


def yt_channel_list(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A ``channels.list`` answer; with no match the API leaves ``items`` out."""
    body: dict[str, Any] = {
        "kind": "youtube#channelListResponse",
        "etag": "RuuXzTIr0OoDqI4S0RU6n4FqKEM",
        "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
    }
    if items:
        body["items"] = list(items)
    return body


def google_error(code: int, message: str, reason: str, domain: str, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": code,
        "message": message,
        "errors": [{"message": message, "domain": domain, "reason": reason}],
    }
    error.update(extra)
    return {"error": error}


def yt_quota_exceeded() -> dict[str, Any]:
    message = (
        "The request cannot be completed because you have exceeded your "
        '<a href="/youtube/v3/getting-started#quota">quota</a>.'
    )
    return google_error(403, message, "quotaExceeded", "youtube.quota")


def yt_rate_limited() -> dict[str, Any]:
    return google_error(
        403, "The request cannot be completed because of too many requests.", "rateLimitExceeded", "youtube.quota"
    )


def yt_key_invalid() -> dict[str, Any]:
    """Today's answer to a bad key: ``badRequest`` plus an ``ErrorInfo`` saying ``API_KEY_INVALID``."""
    message = "API key not valid. Please pass a valid API key."
    return google_error(
        400,
        message,
        "badRequest",
        "global",
        status="INVALID_ARGUMENT",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "youtube.googleapis.com"},
            }
        ],
    )


def yt_key_invalid_classic() -> dict[str, Any]:
    return google_error(400, "Bad Request", "keyInvalid", "usageLimits")


def yt_backend_error() -> dict[str, Any]:
    return google_error(500, "Backend Error", "backendError", "global")
