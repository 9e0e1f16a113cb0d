"""XPublisher and FacebookPublisher against fake platforms at the HTTP transport (tweepy and facebook-sdk run for real).

Every outcome a publish can meet, and the rule behind them all: the request that
creates a post is sent exactly once, and an answer we did not get is "unknown",
never "failed".
"""

from __future__ import annotations

import base64
import email
import json
import logging
import traceback
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
import time_machine
from urllib3.exceptions import MaxRetryError, NewConnectionError

from content.platforms import (
    FacebookPublisher,
    ImageData,
    Published,
    PublishError,
    PublishFailed,
    PublishOutcomeUnknown,
    PublishRateLimited,
    PublishRequest,
    PublishTokenExpired,
    RecentPost,
    XPublisher,
    comparable_text,
    find_post,
    publishing_session,
)
from metrics.platforms.base import AuthExpired, PlatformError, RateLimited, Transient
from metrics.platforms.http import PlatformSession
from tests.platforms import payloads as p

TEXT = "पटना में जन संवाद कार्यक्रम 🙏 https://example.gov.in/x"
NOW = datetime(2025, 7, 15, 10, 0, tzinfo=UTC)
TIMEOUT = 9.0

CONSUMER_KEY = "xvz1evFS4wEEPTGEFPHBog"
CONSUMER_SECRET = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
ACCESS_TOKEN = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"
ACCESS_SECRET = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
X_USER_ID = "1412345678901234567"
X_HANDLE = "DmPatna"
TWEETS = f"{p.X_API}/tweets"
MEDIA_UPLOAD = f"{p.X_API}/media/upload"
X_TIMELINE = f"{p.X_API}/users/{X_USER_ID}/tweets"
TWEET_ID = "1445880548472328192"

PAGE_ID = "102938475610293"
PAGE_TOKEN = "EAAGm0PX4ZCpsBAPagePublishTokenForDmPatnaZBZCZBqRfZC8ZD"
GRAPH = f"{p.GRAPH}/v26.0"
FEED = f"{GRAPH}/{PAGE_ID}/feed"
PHOTOS = f"{GRAPH}/{PAGE_ID}/photos"
PAGE_POSTS = f"{GRAPH}/{PAGE_ID}/posts"
FB_POST_ID = f"{PAGE_ID}_122110987654321012"

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
CAMP = ImageData(data=PNG, content_type="image/png", name="jan-samvad.png")
CROWD = ImageData(data=JPEG, content_type="image/jpeg", name="crowd.jpg")


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def session() -> PlatformSession:
    return PlatformSession(timeout=TIMEOUT)


@pytest.fixture
def x(session) -> XPublisher:
    credentials = {
        "consumer_key": CONSUMER_KEY,
        "consumer_secret": CONSUMER_SECRET,
        "access_token": ACCESS_TOKEN,
        "access_token_secret": ACCESS_SECRET,
    }
    return XPublisher(credentials, handle=X_HANDLE, user_id=X_USER_ID, session=session)


@pytest.fixture
def fb(session) -> FacebookPublisher:
    return FacebookPublisher(PAGE_ID, PAGE_TOKEN, session=session)


def calls_to(api: responses.RequestsMock, url: str, method: str = "POST") -> list:
    return [call for call in api.calls if call.request.method == method and call.request.url.split("?")[0] == url]


def json_body(call) -> dict:
    return json.loads(call.request.body)


def form_body(call) -> dict[str, str]:
    body = call.request.body
    body = body.decode() if isinstance(body, bytes) else body
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


def multipart_body(call) -> dict[str, bytes]:
    """The parts of a multipart/form-data request, by field name (files and plain fields alike)."""
    head = f"Content-Type: {call.request.headers['Content-Type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + call.request.body)
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
        for part in message.get_payload()
    }


def query(call) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(call.request.url).query).items()}


def assert_no_secret(exc: BaseException) -> None:
    text = str(exc) + "".join(traceback.format_exception(exc))
    for secret in (ACCESS_TOKEN, ACCESS_SECRET, CONSUMER_SECRET, PAGE_TOKEN):
        assert secret not in text


# --- X payloads (docs.x.com: POST /2/tweets, POST /2/media/upload, problem details) ----------------


def x_created(tweet_id: str = TWEET_ID, text: str = TEXT) -> dict:
    """``POST /2/tweets`` → 201; X answers with its own copy of the text, links shortened to t.co."""
    shown = text.replace("https://example.gov.in/x", "https://t.co/Ab12Cd34Ef")
    return {"data": {"id": tweet_id, "text": shown, "edit_history_tweet_ids": [tweet_id]}}


def x_media(media_id: str) -> dict:
    """``POST /2/media/upload`` → 200 for an image."""
    return {
        "data": {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": 127036,
            "expires_after_secs": 86400,
            "image": {"image_type": "image/png", "w": 1200, "h": 800},
        }
    }


def x_rate_limit_headers(reset: int, *, remaining: int = 0) -> dict[str, str]:
    return {"x-rate-limit-limit": "200", "x-rate-limit-remaining": str(remaining), "x-rate-limit-reset": str(reset)}


DUPLICATE = p.x_problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")


# --- X: publishing ---------------------------------------------------------------------------


def test_x_text_post_is_sent_once_with_the_text_exactly_as_approved(x, api):
    api.post(TWEETS, status=201, json=x_created())

    published = x.publish(PublishRequest(text=TEXT))

    assert published == Published(post_id=TWEET_ID, url=f"https://x.com/DmPatna/status/{TWEET_ID}", created_at=None)
    [call] = api.calls
    body = json_body(call)
    assert body == {"text": TEXT}
    assert body["text"] == "पटना में जन संवाद कार्यक्रम 🙏 https://example.gov.in/x"
    assert call.request.req_kwargs["timeout"] == TIMEOUT
    assert x.api_calls == 1


def test_x_post_is_signed_with_oauth1_user_context(x, api):
    api.post(TWEETS, status=201, json=x_created())

    x.publish(PublishRequest(text=TEXT))

    authorization = api.calls[0].request.headers["Authorization"]
    authorization = authorization.decode() if isinstance(authorization, bytes) else authorization
    assert authorization.startswith("OAuth ")
    assert f'oauth_consumer_key="{CONSUMER_KEY}"' in authorization
    assert f'oauth_token="{ACCESS_TOKEN}"' in authorization
    assert 'oauth_signature_method="HMAC-SHA1"' in authorization


def test_x_consumer_keys_come_from_settings_when_the_credentials_lack_them(settings, session, api):
    settings.X_CONSUMER_KEY, settings.X_CONSUMER_SECRET = CONSUMER_KEY, CONSUMER_SECRET
    api.post(TWEETS, status=201, json=x_created())
    publisher = XPublisher(
        {"access_token": ACCESS_TOKEN, "access_token_secret": ACCESS_SECRET}, handle=X_HANDLE, session=session
    )

    publisher.publish(PublishRequest(text=TEXT))

    assert f'oauth_consumer_key="{CONSUMER_KEY}"' in str(api.calls[0].request.headers["Authorization"])


def test_x_with_an_oauth2_user_token_posts_as_bearer(session, api):
    api.post(TWEETS, status=201, json=x_created())
    publisher = XPublisher({"access_token": ACCESS_TOKEN}, handle="@DmPatna", session=session)

    published = publisher.publish(PublishRequest(text=TEXT))

    assert api.calls[0].request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert published.url == f"https://x.com/DmPatna/status/{TWEET_ID}"


def test_x_images_are_uploaded_then_attached_to_the_one_post(x, api):
    api.post(MEDIA_UPLOAD, json=x_media("1880028106020515840"))
    api.post(MEDIA_UPLOAD, json=x_media("1880028106020515841"))
    api.post(TWEETS, status=201, json=x_created())

    published = x.publish(PublishRequest(text=TEXT, images=[CAMP, CROWD]))

    assert published.post_id == TWEET_ID
    first, second = calls_to(api, MEDIA_UPLOAD)
    assert json_body(first) == {
        "media": base64.b64encode(PNG).decode(),
        "media_category": "tweet_image",
        "media_type": "image/png",
    }
    assert base64.b64decode(json_body(second)["media"]) == JPEG
    assert json_body(second)["media_type"] == "image/jpeg"
    [create] = calls_to(api, TWEETS)
    assert json_body(create) == {"text": TEXT, "media": {"media_ids": ["1880028106020515840", "1880028106020515841"]}}
    assert [call.request.url for call in api.calls] == [MEDIA_UPLOAD, MEDIA_UPLOAD, TWEETS]


def test_x_without_a_handle_links_through_the_generic_status_url(session, api):
    api.post(TWEETS, status=201, json=x_created())
    publisher = XPublisher({"access_token": ACCESS_TOKEN}, session=session)

    assert publisher.publish(PublishRequest(text=TEXT)).url == f"https://x.com/i/status/{TWEET_ID}"


# --- X: definite failures ----------------------------------------------------------------------


def test_x_429_is_rate_limited_until_the_reset_header_and_not_retried(x, api):
    reset = 1752574500
    api.post(
        TWEETS,
        status=429,
        json=p.x_problem(429, "Too Many Requests", "Too Many Requests"),
        headers=x_rate_limit_headers(reset),
    )

    with pytest.raises(PublishRateLimited) as caught:
        x.publish(PublishRequest(text=TEXT))

    assert isinstance(caught.value, PublishFailed)
    assert caught.value.retry_at == datetime.fromtimestamp(reset, tz=UTC) == datetime(2025, 7, 15, 10, 15, tzinfo=UTC)
    assert "429 Too Many Requests" in caught.value.reason
    assert len(calls_to(api, TWEETS)) == 1


def test_x_429_on_the_24_hour_posting_cap_waits_for_that_reset(x, api):
    window_reset, day_reset = 1752574500, 1752640000
    headers = x_rate_limit_headers(window_reset, remaining=150)
    headers |= {"x-user-limit-24hour-limit": "100", "x-user-limit-24hour-remaining": "0"}
    headers["x-user-limit-24hour-reset"] = str(day_reset)
    api.post(TWEETS, status=429, json=p.x_problem(429, "Too Many Requests"), headers=headers)

    with pytest.raises(PublishRateLimited) as caught:
        x.publish(PublishRequest(text=TEXT))

    assert caught.value.retry_at == datetime.fromtimestamp(day_reset, tz=UTC)


@time_machine.travel(NOW, tick=False)
def test_x_429_without_a_reset_header_waits_fifteen_minutes(x, api):
    api.post(TWEETS, status=429, json=p.x_problem(429, "Too Many Requests"))

    with pytest.raises(PublishRateLimited) as caught:
        x.publish(PublishRequest(text=TEXT))

    assert caught.value.retry_at == NOW + timedelta(minutes=15)


def test_x_401_means_the_account_must_be_authorised_again(x, api):
    api.post(TWEETS, status=401, json=p.x_problem(401, "Unauthorized"))

    with pytest.raises(PublishTokenExpired) as caught:
        x.publish(PublishRequest(text=TEXT))

    assert caught.value.kind == "reauth_required"
    assert isinstance(caught.value, PublishFailed)
    assert "authorise the account again" in caught.value.reason
    assert_no_secret(caught.value)
    assert len(api.calls) == 1


def test_x_duplicate_content_is_a_definite_failure_with_xs_reason(x, api):
    api.post(TWEETS, status=403, json=DUPLICATE)

    with pytest.raises(PublishFailed) as caught:
        x.publish(PublishRequest(text=TEXT))

    assert type(caught.value) is PublishFailed
    assert "You are not allowed to create a Tweet with duplicate content." in caught.value.reason
    assert len(api.calls) == 1


def test_x_400_invalid_request_is_a_definite_failure(x, api):
    api.post(
        TWEETS,
        status=400,
        json={
            "errors": [{"parameters": {"text": ["x" * 300]}, "message": "Tweet text is too long."}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
    )

    with pytest.raises(PublishFailed) as caught:
        x.publish(PublishRequest(text="x" * 300))

    assert "Tweet text is too long." in caught.value.reason


# --- X: unknown outcomes, never retried ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "title"), [(500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable")]
)
def test_x_5xx_on_the_create_request_is_unknown_and_sent_once(x, api, status, title):
    api.post(TWEETS, status=status, json=p.x_problem(status, title))

    with pytest.raises(PublishOutcomeUnknown) as caught:
        x.publish(PublishRequest(text=TEXT))

    assert not isinstance(caught.value, PublishFailed)
    assert caught.value.kind == "unknown"
    assert f"{status} {title}" in caught.value.reason
    assert len(calls_to(api, TWEETS)) == 1


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ReadTimeout("Read timed out. (read timeout=9.0)"),
        requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected('Remote end closed'))"),
        requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(0 bytes read)"),
    ],
)
def test_x_no_answer_to_the_create_request_is_unknown_and_sent_once(x, api, failure):
    api.post(TWEETS, body=failure)

    with pytest.raises(PublishOutcomeUnknown) as caught:
        x.publish(PublishRequest(text=TEXT))

    assert type(failure).__name__ in caught.value.reason
    assert len(calls_to(api, TWEETS)) == 1


def test_x_a_body_that_is_not_json_after_the_create_request_is_unknown(x, api):
    api.post(TWEETS, status=201, body="<html>upstream</html>", content_type="text/html")

    with pytest.raises(PublishOutcomeUnknown):
        x.publish(PublishRequest(text=TEXT))


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ConnectTimeout("Connection to api.twitter.com timed out. (connect timeout=9.0)"),
        requests.exceptions.ConnectionError(
            MaxRetryError(None, "/2/tweets", NewConnectionError(None, "Failed to establish a new connection"))
        ),
    ],
)
def test_x_a_connection_that_never_opened_is_a_definite_failure(x, api, failure):
    """Nothing left the machine: the post cannot exist, so the outcome is not unknown."""
    api.post(TWEETS, body=failure)

    with pytest.raises(PublishFailed) as caught:
        x.publish(PublishRequest(text=TEXT))

    assert "nothing was posted" in caught.value.reason
    assert len(api.calls) == 1


# --- X: media upload fails before the create request --------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        {
            "status": 400,
            "json": p.x_problem(400, "Invalid Request", "One or more parameters to your request was invalid."),
        },
        {"status": 500, "json": p.x_problem(500, "Internal Server Error")},
        {"body": requests.exceptions.ReadTimeout("Read timed out. (read timeout=9.0)")},
        {"status": 200, "json": {"errors": [p.x_problem(400, "Invalid Request")]}},
    ],
    ids=["400", "500", "timeout", "no-media-id"],
)
def test_x_a_failed_image_upload_is_definite_and_the_post_is_never_sent(x, api, answer):
    api.post(MEDIA_UPLOAD, json=x_media("1880028106020515840"))
    api.post(MEDIA_UPLOAD, **answer)

    with pytest.raises(PublishFailed) as caught:
        x.publish(PublishRequest(text=TEXT, images=[CAMP, CROWD]))

    assert not isinstance(caught.value, PublishOutcomeUnknown)
    assert "crowd.jpg" in caught.value.reason
    assert calls_to(api, TWEETS) == []
    assert len(calls_to(api, MEDIA_UPLOAD)) == 2


def test_x_401_on_an_image_upload_means_reauthorise_and_nothing_is_posted(x, api):
    api.post(MEDIA_UPLOAD, status=401, json=p.x_problem(401, "Unauthorized"))

    with pytest.raises(PublishTokenExpired):
        x.publish(PublishRequest(text=TEXT, images=[CAMP]))

    assert calls_to(api, TWEETS) == []


def test_x_more_than_four_images_fail_before_any_request(x, api):
    with pytest.raises(PublishFailed, match="at most 4 images"):
        x.publish(PublishRequest(text=TEXT, images=[CAMP] * 5))

    assert len(api.calls) == 0


def test_x_an_account_without_a_token_must_be_authorised_before_any_request(session, api):
    publisher = XPublisher({}, handle=X_HANDLE, session=session)

    with pytest.raises(PublishTokenExpired):
        publisher.publish(PublishRequest(text=TEXT))

    assert len(api.calls) == 0


def test_x_without_the_apps_consumer_keys_fails_before_any_request(settings, session, api):
    settings.X_CONSUMER_KEY = settings.X_CONSUMER_SECRET = ""
    publisher = XPublisher({"access_token": ACCESS_TOKEN, "access_token_secret": ACCESS_SECRET}, session=session)

    with pytest.raises(PublishFailed, match="X_CONSUMER_KEY"):
        publisher.publish(PublishRequest(text=TEXT))

    assert len(api.calls) == 0


# --- X: reconciliation -------------------------------------------------------------------------


def test_x_recent_posts_reads_the_accounts_own_timeline_since_the_claim(x, api):
    since = datetime(2025, 7, 15, 9, 55, tzinfo=UTC)
    tweets = [
        p.x_tweet(TWEET_ID, "पटना में जन संवाद कार्यक्रम 🙏 https://t.co/Ab12Cd34Ef", NOW),
        p.x_tweet(
            "1445880548472328100", "Flood relief camps &amp; helplines: https://t.co/Zz9", NOW - timedelta(minutes=3)
        ),
    ]
    api.get(X_TIMELINE, json=p.x_timeline(tweets))

    posts = x.recent_posts(since)

    assert posts == [
        RecentPost(
            post_id=TWEET_ID, text=tweets[0]["text"], created_at=NOW, url=f"https://x.com/DmPatna/status/{TWEET_ID}"
        ),
        RecentPost(
            post_id="1445880548472328100",
            text=tweets[1]["text"],
            created_at=NOW - timedelta(minutes=3),
            url="https://x.com/DmPatna/status/1445880548472328100",
        ),
    ]
    assert query(api.calls[0]) == {
        "start_time": "2025-07-15T09:55:00Z",
        "max_results": "100",
        "exclude": "retweets,replies",
        "tweet.fields": "created_at",
    }
    assert str(api.calls[0].request.headers["Authorization"]).startswith("OAuth ")
    assert find_post(posts, TEXT) == posts[0]
    assert find_post(posts, "Flood relief camps & helplines: https://example.gov.in/flood") == posts[1]
    assert find_post(posts, "पटना में जन संवाद कार्यक्रम") is None


def test_x_recent_posts_with_nothing_since_is_empty(x, api):
    api.get(X_TIMELINE, json=p.x_timeline([]))

    assert x.recent_posts(NOW, user_id=X_USER_ID) == []


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"status": 503, "json": p.x_problem(503, "Service Unavailable")}, Transient),
        ({"body": requests.exceptions.ReadTimeout("Read timed out.")}, Transient),
        ({"status": 401, "json": p.x_problem(401, "Unauthorized")}, AuthExpired),
        (
            {"status": 429, "json": p.x_problem(429, "Too Many Requests"), "headers": x_rate_limit_headers(1752574500)},
            RateLimited,
        ),
    ],
)
def test_x_a_failed_reconciliation_says_nothing_about_the_post(x, api, answer, error):
    """Reading the timeline raises the polling errors, never a PublishError that could mark the post failed."""
    api.get(X_TIMELINE, **answer)

    with pytest.raises(error) as caught:
        x.recent_posts(NOW)

    assert not isinstance(caught.value, PublishError)


def test_x_recent_posts_needs_the_accounts_user_id(session):
    publisher = XPublisher({"access_token": ACCESS_TOKEN}, session=session)

    with pytest.raises(ValueError, match="user id"):
        publisher.recent_posts(NOW)


# --- Facebook payloads (developers.facebook.com: Page feed, Page photos, Handling Errors) ---------


def fb_photo(photo_id: str, post_id: str = "") -> dict:
    """``POST /{page-id}/photos`` → the photo's id, and the Page post's id when published."""
    return {"id": photo_id, "post_id": post_id} if post_id else {"id": photo_id}


FB_DUPLICATE = {
    "error": {
        "message": "(#506) Duplicate status message",
        "type": "OAuthException",
        "code": 506,
        "error_subcode": 1455006,
        "is_transient": False,
        "error_user_title": "Duplicate Status Update",
        "error_user_msg": "This status update is identical to the last one you posted.",
        "fbtrace_id": "A7c9k2Lq0sXyZ",
    }
}


# --- Facebook: publishing ----------------------------------------------------------------------


def test_facebook_text_post_goes_to_the_page_feed_once(fb, api):
    api.post(FEED, json={"id": FB_POST_ID})

    published = fb.publish(PublishRequest(text=TEXT))

    assert published == Published(post_id=FB_POST_ID, url=f"https://www.facebook.com/{FB_POST_ID}")
    [call] = api.calls
    assert form_body(call) == {"message": TEXT, "access_token": PAGE_TOKEN}
    assert call.request.req_kwargs["timeout"] == TIMEOUT


def test_facebook_uses_the_configured_graph_version(settings, session, api):
    settings.FACEBOOK_GRAPH_API_VERSION = "25.0"
    api.post(f"{p.GRAPH}/v25.0/{PAGE_ID}/feed", json={"id": FB_POST_ID})

    FacebookPublisher(PAGE_ID, PAGE_TOKEN, session=session).publish(PublishRequest(text=TEXT))


def test_facebook_one_image_is_published_as_a_page_photo_with_the_text(fb, api):
    api.post(PHOTOS, json=fb_photo("122110987654321099", FB_POST_ID))

    published = fb.publish(PublishRequest(text=TEXT, images=[CAMP]))

    assert published.post_id == FB_POST_ID
    [call] = api.calls
    parts = multipart_body(call)
    assert parts["source"] == PNG
    assert parts["message"].decode() == TEXT
    assert "published" not in parts
    assert b'filename="jan-samvad.png"' in call.request.body


def test_facebook_several_images_are_uploaded_unpublished_then_attached_to_one_feed_post(fb, api):
    api.post(PHOTOS, json=fb_photo("122110987654321101"))
    api.post(PHOTOS, json=fb_photo("122110987654321102"))
    api.post(FEED, json={"id": FB_POST_ID})

    published = fb.publish(PublishRequest(text=TEXT, images=[CAMP, CROWD]))

    assert published.post_id == FB_POST_ID
    uploads = calls_to(api, PHOTOS)
    assert [multipart_body(call)["published"] for call in uploads] == [b"false", b"false"]
    assert [multipart_body(call)["source"] for call in uploads] == [PNG, JPEG]
    [create] = calls_to(api, FEED)
    assert form_body(create) == {
        "message": TEXT,
        "attached_media[0]": '{"media_fbid": "122110987654321101"}',
        "attached_media[1]": '{"media_fbid": "122110987654321102"}',
        "access_token": PAGE_TOKEN,
    }


# --- Facebook: definite failures ----------------------------------------------------------------


def test_facebook_error_190_means_the_page_must_be_authorised_again(fb, api):
    api.post(FEED, status=400, json=p.fb_expired_token())

    with pytest.raises(PublishTokenExpired) as caught:
        fb.publish(PublishRequest(text=TEXT))

    assert "Graph API error 190 subcode 463 (OAuthException)" in caught.value.reason
    assert "authorise the Page again" in caught.value.reason
    assert_no_secret(caught.value)
    assert len(api.calls) == 1


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (4, "(#4) Application request limit reached"),
        (17, "(#17) User request limit reached"),
        (32, "(#32) Page request limit reached"),
        (613, "(#613) Calls to this api have exceeded the rate limit."),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_facebook_throttling_is_rate_limited_and_not_retried(fb, api, code, message):
    api.post(FEED, status=400, json=p.fb_error(code, message))

    with pytest.raises(PublishRateLimited) as caught:
        fb.publish(PublishRequest(text=TEXT))

    assert caught.value.retry_at == NOW + timedelta(hours=1)
    assert message in caught.value.reason
    assert len(api.calls) == 1


@time_machine.travel(NOW, tick=False)
def test_facebook_throttling_waits_as_long_as_graph_estimates(fb, api):
    api.post(
        FEED,
        status=400,
        json=p.fb_error(32, "(#32) Page request limit reached"),
        headers={"x-business-use-case-usage": p.fb_buc_usage(PAGE_ID, minutes=25)},
    )

    with pytest.raises(PublishRateLimited) as caught:
        fb.publish(PublishRequest(text=TEXT))

    assert caught.value.retry_at == NOW + timedelta(minutes=25)


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (FB_DUPLICATE, "(#506) Duplicate status message"),
        (
            p.fb_error(200, "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts"),
            "pages_manage_posts",
        ),
        (p.fb_error(10, "(#10) Application does not have permission for this action"), "(#10)"),
        (p.fb_error(100, "(#100) Invalid parameter", subcode=1363030), "Invalid parameter"),
        (
            p.fb_error(368, "It looks like you were misusing this feature by going too fast.", subcode=1390008),
            "misusing this feature",
        ),
    ],
    ids=["duplicate", "permission-200", "permission-10", "invalid-parameter", "blocked-368"],
)
def test_facebook_refusals_are_definite_failures_with_graphs_message(fb, api, error, shown):
    api.post(FEED, status=400 if error["error"]["code"] != 10 else 403, json=error)

    with pytest.raises(PublishFailed) as caught:
        fb.publish(PublishRequest(text=TEXT))

    assert type(caught.value) is PublishFailed
    assert shown in caught.value.reason
    assert f"fbtrace_id {error['error']['fbtrace_id']}" in caught.value.reason
    assert len(api.calls) == 1


# --- Facebook: unknown outcomes, never retried ----------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 500, "json": p.fb_error(1, "An unknown error occurred", subcode=99)},
        {"status": 500, "json": p.fb_error(2, "An unexpected error has occurred. Please retry your request later.")},
        {"status": 503, "body": "<html><body>Service Unavailable</body></html>", "content_type": "text/html"},
        {"status": 502, "body": "Bad Gateway", "content_type": "text/plain"},
        {"body": requests.exceptions.ReadTimeout("Read timed out. (read timeout=9.0)")},
        {"body": requests.exceptions.ConnectionError("('Connection aborted.', ConnectionResetError(104))")},
    ],
    ids=["500-code-1", "500-code-2", "503-html", "502-text", "timeout", "connection-dropped"],
)
def test_facebook_no_clear_answer_to_the_create_request_is_unknown_and_sent_once(fb, api, answer):
    api.post(FEED, **answer)

    with pytest.raises(PublishOutcomeUnknown) as caught:
        fb.publish(PublishRequest(text=TEXT))

    assert "may have been published" in caught.value.reason
    assert len(calls_to(api, FEED)) == 1


def test_facebook_a_timeout_on_a_single_photo_post_is_unknown(fb, api):
    """With one image the photo upload is itself the create request."""
    api.post(PHOTOS, body=requests.exceptions.ReadTimeout("Read timed out."))

    with pytest.raises(PublishOutcomeUnknown):
        fb.publish(PublishRequest(text=TEXT, images=[CAMP]))

    assert len(api.calls) == 1


def test_facebook_a_connect_timeout_is_a_definite_failure(fb, api):
    api.post(FEED, body=requests.exceptions.ConnectTimeout("Connection to graph.facebook.com timed out."))

    with pytest.raises(PublishFailed, match="nothing was posted"):
        fb.publish(PublishRequest(text=TEXT))


# --- Facebook: unpublished uploads fail before the create request ----------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 400, "json": p.fb_error(324, "(#324) Requires upload file")},
        {"status": 500, "json": p.fb_error(1, "An unknown error occurred")},
        {"body": requests.exceptions.ReadTimeout("Read timed out.")},
    ],
    ids=["324", "500", "timeout"],
)
def test_facebook_a_failed_unpublished_upload_is_definite_and_the_post_is_never_sent(fb, api, answer):
    api.post(PHOTOS, json=fb_photo("122110987654321101"))
    api.post(PHOTOS, **answer)

    with pytest.raises(PublishFailed) as caught:
        fb.publish(PublishRequest(text=TEXT, images=[CAMP, CROWD]))

    assert not isinstance(caught.value, PublishOutcomeUnknown)
    assert "crowd.jpg" in caught.value.reason
    assert calls_to(api, FEED) == []


def test_facebook_a_page_without_a_token_must_be_authorised_before_any_request(session, api):
    with pytest.raises(PublishTokenExpired):
        FacebookPublisher(PAGE_ID, "", session=session).publish(PublishRequest(text=TEXT))

    assert len(api.calls) == 0


# --- Facebook: reconciliation ---------------------------------------------------------------------


def test_facebook_recent_posts_reads_the_pages_posts_since_the_claim(fb, api):
    since = datetime(2025, 7, 15, 9, 55, tzinfo=UTC)
    posts = [
        {
            "id": FB_POST_ID,
            "message": TEXT,
            "created_time": p.graph_time(NOW),
            "permalink_url": "https://www.facebook.com/122110987654321012/posts/abc",
        },
        {"id": f"{PAGE_ID}_122110987654320001", "created_time": p.graph_time(NOW - timedelta(minutes=2))},
    ]
    api.get(
        PAGE_POSTS, json={"data": posts, "paging": {"cursors": {"before": "QVFIUmxtZAZDZD", "after": "QVFIUkZAhZAk5"}}}
    )

    recent = fb.recent_posts(since)

    assert recent == [
        RecentPost(post_id=FB_POST_ID, text=TEXT, created_at=NOW, url=posts[0]["permalink_url"]),
        RecentPost(
            post_id=f"{PAGE_ID}_122110987654320001",
            text="",
            created_at=NOW - timedelta(minutes=2),
            url=f"https://www.facebook.com/{PAGE_ID}_122110987654320001",
        ),
    ]
    assert query(api.calls[0]) == {
        "fields": "id,message,created_time,permalink_url",
        "since": str(int(since.timestamp())),
        "limit": "100",
        "access_token": PAGE_TOKEN,
    }
    assert find_post(recent, TEXT) == recent[0]


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"status": 500, "json": p.fb_error(2, "Service temporarily unavailable")}, Transient),
        ({"body": requests.exceptions.ReadTimeout("Read timed out.")}, Transient),
        ({"status": 400, "json": p.fb_expired_token()}, AuthExpired),
        ({"status": 400, "json": p.fb_error(32, "(#32) Page request limit reached")}, RateLimited),
        ({"status": 400, "json": p.fb_error(100, "(#100) Invalid parameter")}, PlatformError),
    ],
)
def test_facebook_a_failed_reconciliation_says_nothing_about_the_post(fb, api, answer, error):
    api.get(PAGE_POSTS, **answer)

    with pytest.raises(error) as caught:
        fb.recent_posts(NOW)

    assert not isinstance(caught.value, PublishError)
    assert_no_secret(caught.value)


# --- reconciliation helpers and the transport -----------------------------------------------------


def test_comparable_text_drops_links_unescapes_and_normalises():
    assert comparable_text("  Camps &amp; helplines:\n https://t.co/Ab12 \u0958 ") == "Camps & helplines: \u0915\u093c"
    assert comparable_text("पटना\u00a0में") == comparable_text("पटना में")


def test_find_post_takes_the_earliest_match_and_never_matches_an_empty_text():
    later = RecentPost("2", TEXT, NOW, "")
    earlier = RecentPost("1", TEXT, NOW - timedelta(minutes=1), "")
    link_only = RecentPost("3", "https://t.co/xyz", NOW, "")

    assert find_post([later, earlier, link_only], TEXT) == earlier
    assert find_post([link_only], "https://example.gov.in/only-a-link") is None
    assert find_post([], TEXT) is None


def test_publishing_sessions_never_retry_at_the_adapter(session):
    for publisher in (
        XPublisher({"access_token": ACCESS_TOKEN}, session=session),
        FacebookPublisher(PAGE_ID, PAGE_TOKEN),
    ):
        for prefix in ("https://", "http://"):
            retries = publisher.session.get_adapter(prefix + "api.example").max_retries
            assert retries.total == 0 and retries.read is False
    assert publishing_session().timeout > 0


def test_no_secret_appears_in_any_publishing_error_or_log(x, fb, api, caplog):
    caplog.set_level(logging.DEBUG, logger="content")
    api.post(TWEETS, status=401, json=p.x_problem(401, "Unauthorized"))
    api.post(TWEETS, body=requests.exceptions.ConnectionError(f"Authorization: OAuth oauth_token={ACCESS_TOKEN}"))
    api.post(FEED, status=400, json=p.fb_expired_token())
    api.post(FEED, body=requests.exceptions.ConnectionError(f"/v26.0/{PAGE_ID}/feed?access_token={PAGE_TOKEN}"))
    api.post(FEED, status=500, json=p.fb_error(1, f"An unknown error occurred access_token={PAGE_TOKEN}"))

    raised = []
    for publisher in (x, x, fb, fb, fb):
        with pytest.raises(PublishError) as caught:
            publisher.publish(PublishRequest(text=TEXT))
        raised.append(caught.value)
        logging.getLogger("content.tasks").warning("publish failed", exc_info=caught.value)

    assert [type(exc) for exc in raised] == [
        PublishTokenExpired,
        PublishOutcomeUnknown,
        PublishTokenExpired,
        PublishOutcomeUnknown,
        PublishOutcomeUnknown,
    ]
    for exc in raised:
        assert_no_secret(exc)
    for secret in (ACCESS_TOKEN, ACCESS_SECRET, CONSUMER_SECRET, PAGE_TOKEN):
        assert secret not in caplog.text
