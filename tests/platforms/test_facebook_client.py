"""FacebookClient against a fake Graph API at the HTTP transport (facebook-sdk itself runs for real)."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
import time_machine

from metrics.platforms.base import (
    AccountRef,
    AppAuthError,
    AuthExpired,
    Forbidden,
    NotFound,
    PostKind,
    Profile,
    RateLimited,
    Transient,
)
from metrics.platforms.facebook import FacebookClient
from metrics.platforms.http import PlatformSession
from tests.platforms import payloads as p

APP_ID = "1234567890123456"
APP_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
APP_TOKEN = f"{APP_ID}|{APP_SECRET}"
PAGE_TOKEN = "EAAGm0PX4ZCpsBAPageTokenForDmPatnaZBZCZBqRfZC8ZD"
TIMEOUT = 6.0
GRAPH = f"{p.GRAPH}/v26.0"
NOW = datetime(2025, 7, 15, 10, 0, tzinfo=UTC)
SINCE = datetime(2025, 7, 1, tzinfo=UTC)


def query(call) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(call.request.url).query).items()}


def page_account(n: int, **kw) -> AccountRef:
    kw.setdefault("platform_id", str(100_000_000_000 + n))
    return AccountRef(account_id=n, handle=f"dpro.office{n}", **kw)


@pytest.fixture
def client() -> FacebookClient:
    return FacebookClient(APP_ID, APP_SECRET, version="26.0", session=PlatformSession(timeout=TIMEOUT))


@pytest.fixture
def graph():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def pages_for_requested_ids(request):
    ids = parse_qs(urlparse(request.url).query)["ids"][0].split(",")
    body = {ref: p.fb_page(ref, f"dpro.office{int(ref) - 100_000_000_000}") for ref in ids}
    return 200, {"content-type": "application/json; charset=UTF-8"}, json.dumps(body)


# --- version and batching ------------------------------------------------------------------


def test_requests_use_the_configured_graph_version_not_the_sdks_own_default(client, graph):
    graph.get(f"{GRAPH}/", json={"100000000001": p.fb_page("100000000001", "dpro.office1")})

    client.lookup([page_account(1)])

    assert urlparse(graph.calls[0].request.url).path.startswith("/v26.0/")


def test_from_settings_takes_the_version_app_id_and_secret_from_settings(settings, graph):
    settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = APP_ID, APP_SECRET
    settings.FACEBOOK_GRAPH_API_VERSION = "25.0"
    graph.get(f"{p.GRAPH}/v25.0/", json={"100000000001": p.fb_page("100000000001", "dpro.office1")})

    FacebookClient.from_settings().lookup([page_account(1)])

    assert query(graph.calls[0])["access_token"] == APP_TOKEN
    assert graph.calls[0].request.req_kwargs["timeout"] == settings.GOVSOCIAL_HTTP_TIMEOUT


def test_lookup_asks_for_50_pages_per_ids_request_with_the_app_token(client, graph):
    graph.add_callback(responses.GET, f"{GRAPH}/", callback=pages_for_requested_ids)

    result = client.lookup([page_account(n) for n in range(120)])

    assert [len(query(call)["ids"].split(",")) for call in graph.calls] == [50, 50, 20]
    assert all(query(call)["access_token"] == APP_TOKEN for call in graph.calls)
    assert query(graph.calls[0])["fields"] == "id,name,username,followers_count,fan_count,verification_status"
    assert len(result.profiles) == 120 and not result.errors
    assert client.api_calls == 3
    assert all(call.request.req_kwargs["timeout"] == TIMEOUT for call in graph.calls)


def test_lookup_maps_followers_page_likes_and_verification(client, graph):
    page = p.fb_page(
        "100000000001",
        "dm.patna",
        name="District Administration Patna",
        followers=412000,
        fans=398500,
        verification="blue_verified",
    )
    graph.get(f"{GRAPH}/", json={"100000000001": page})

    profile = client.lookup([page_account(1)]).profiles[1]

    assert profile.platform_id == "100000000001" and profile.handle == "dm.patna"
    assert profile.display_name == "District Administration Patna"
    assert (profile.followers, profile.likes, profile.verified) == (412000, 398500, True)


def test_a_page_known_only_by_its_username_is_asked_for_by_name_and_its_id_reported(client, graph):
    graph.get(f"{GRAPH}/", json={"dm.gaya": p.fb_page("100064000000777", "dm.gaya")})

    result = client.lookup([AccountRef(account_id=7, handle="dm.gaya")])

    assert query(graph.calls[0])["ids"] == "dm.gaya"
    assert result.resolved_ids == {7: "100064000000777"}


def test_a_missing_alias_in_an_ids_batch_is_isolated_one_by_one_and_the_others_still_get_profiles(client, graph):
    accounts = [page_account(1), AccountRef(account_id=2, handle="dm.nowhere"), page_account(3)]
    graph.get(f"{GRAPH}/", status=404, json=p.fb_alias_missing("dm.nowhere"))
    graph.get(f"{GRAPH}/100000000001", json=p.fb_page("100000000001", "dpro.office1"))
    graph.get(f"{GRAPH}/dm.nowhere", status=404, json=p.fb_alias_missing("dm.nowhere"))
    graph.get(f"{GRAPH}/100000000003", json=p.fb_page("100000000003", "dpro.office3"))

    result = client.lookup(accounts)

    assert set(result.profiles) == {1, 3}
    assert isinstance(result.errors[2], NotFound)
    assert len(graph.calls) == 4


def test_a_deleted_page_id_in_an_ids_batch_is_isolated_as_not_found(client, graph):
    graph.get(f"{GRAPH}/", status=400, json=p.fb_object_missing("100000000002"))
    graph.get(f"{GRAPH}/100000000001", json=p.fb_page("100000000001", "dpro.office1"))
    graph.get(f"{GRAPH}/100000000002", status=400, json=p.fb_object_missing("100000000002"))

    result = client.lookup([page_account(1), page_account(2)])

    assert set(result.profiles) == {1}
    assert isinstance(result.errors[2], NotFound)


def test_a_page_the_app_may_not_read_is_marked_forbidden_when_isolating_a_batch(client, graph):
    graph.get(f"{GRAPH}/", status=404, json=p.fb_alias_missing("dm.nowhere"))
    graph.get(f"{GRAPH}/100000000001", status=400, json=p.fb_error(10, "(#10) Requires Page Public Content Access"))
    graph.get(f"{GRAPH}/dm.nowhere", status=404, json=p.fb_alias_missing("dm.nowhere"))

    result = client.lookup([page_account(1), AccountRef(account_id=2, handle="dm.nowhere")])

    assert isinstance(result.errors[1], Forbidden)
    assert isinstance(result.errors[2], NotFound)


def test_a_whole_batch_refused_for_a_missing_permission_is_an_app_problem(client, graph):
    graph.get(f"{GRAPH}/", status=400, json=p.fb_error(10, "(#10) Requires Page Public Content Access"))

    with pytest.raises(AppAuthError):
        client.lookup([page_account(1), page_account(2)])


# --- posts and lives ------------------------------------------------------------------------


def test_posts_and_lives_come_in_one_request_with_live_lengths_in_whole_seconds(client, graph):
    lives = [
        p.fb_live("3301", "मुख्यमंत्री कन्या उत्थान योजना पर लाइव", datetime(2025, 7, 10, 11, tzinfo=UTC), length=1860.0),
        p.fb_live("3302", "Jal Jeevan Hariyali", datetime(2025, 7, 12, 16, tzinfo=UTC), length=720.0),
    ]
    posts = [
        p.fb_post(
            "100000000001_501", datetime(2025, 7, 14, 9, 30, tzinfo=UTC), "Camp", reactions=87, comments=9, shares=4
        ),
        p.fb_post("100000000001_502", datetime(2025, 7, 13, 8, tzinfo=UTC), "", status_type="shared_story"),
    ]
    graph.get(f"{GRAPH}/100000000001", json=p.fb_posts_and_lives("100000000001", posts, lives))

    result = client.fetch_posts(page_account(1, since=SINCE))

    assert len(graph.calls) == 1
    by_id = {post.platform_post_id: post for post in result.posts}
    assert by_id["3301"].kind == PostKind.LIVE and by_id["3301"].duration_seconds == 1860
    assert by_id["3302"].kind == PostKind.LIVE and by_id["3302"].duration_seconds == 720
    assert by_id["3301"].live_status == "VOD"
    assert by_id["3301"].url.startswith("https://www.facebook.com/dm.patna/videos/")
    first = by_id["100000000001_501"]
    assert first.kind == PostKind.POST and first.created_at == datetime(2025, 7, 14, 9, 30, tzinfo=UTC)
    assert (first.likes, first.replies, first.reposts) == (87, 9, 4)
    assert by_id["100000000001_502"].kind == PostKind.REPOST
    assert by_id["100000000001_502"].reposts == 0


def test_fetch_posts_expands_posts_since_and_live_videos_with_their_video_length(client, graph):
    graph.get(f"{GRAPH}/100000000001", json=p.fb_posts_and_lives("100000000001"))

    client.fetch_posts(page_account(1, since=SINCE))

    fields = query(graph.calls[0])["fields"]
    assert fields.startswith(f"posts.since({int(SINCE.timestamp())}).limit(50){{")
    assert "reactions.summary(total_count).limit(0)" in fields
    assert "comments.summary(total_count).limit(0)" in fields
    assert (
        "live_videos.limit(25){id,status,title,creation_time,broadcast_start_time,permalink_url,video{id,length}}"
        in fields
    )


def test_lives_created_before_since_are_skipped(client, graph):
    lives = [
        p.fb_live("3301", "new", datetime(2025, 7, 10, tzinfo=UTC), length=1900.5),
        p.fb_live("3200", "old", datetime(2025, 6, 20, tzinfo=UTC), length=2400.0),
    ]
    graph.get(f"{GRAPH}/100000000001", json=p.fb_posts_and_lives("100000000001", lives=lives))

    result = client.fetch_posts(page_account(1, since=SINCE))

    assert [post.platform_post_id for post in result.posts] == ["3301"]
    assert result.posts[0].duration_seconds == 1900


@time_machine.travel(NOW, tick=False)
def test_without_since_posts_of_the_last_30_days_are_asked_for(client, graph):
    graph.get(f"{GRAPH}/100000000001", json={"id": "100000000001"})

    result = client.fetch_posts(page_account(1))

    since = int((NOW - timedelta(days=30)).timestamp())
    assert query(graph.calls[0])["fields"].startswith(f"posts.since({since})")
    assert result.posts == []


def test_the_pages_own_token_is_used_for_its_posts_and_the_app_token_otherwise(client, graph):
    graph.get(f"{GRAPH}/100000000001", json=p.fb_posts_and_lives("100000000001"))
    graph.get(f"{GRAPH}/100000000002", json=p.fb_posts_and_lives("100000000002"))

    client.fetch_posts(page_account(1, since=SINCE, credentials={"access_token": PAGE_TOKEN}))
    client.fetch_posts(page_account(2, since=SINCE))

    assert query(graph.calls[0])["access_token"] == PAGE_TOKEN
    assert query(graph.calls[1])["access_token"] == APP_TOKEN


def test_needs_posts_is_always_true_because_graph_has_no_post_counter(client):
    assert client.needs_posts(page_account(1), Profile(platform_id="100000000001")) is True


# --- errors --------------------------------------------------------------------------------


def test_error_190_with_the_pages_token_means_the_page_must_reauthorise(client, graph):
    graph.get(f"{GRAPH}/100000000001", status=400, json=p.fb_expired_token())

    with pytest.raises(AuthExpired) as caught:
        client.fetch_posts(page_account(1, since=SINCE, credentials={"access_token": PAGE_TOKEN}))

    assert "190" in caught.value.message and "fbtrace_id" in caught.value.message


def test_error_190_with_the_app_token_is_an_app_credential_problem(client, graph):
    graph.get(f"{GRAPH}/100000000001", status=400, json=p.fb_expired_token())
    graph.get(f"{GRAPH}/", status=400, json=p.fb_error(190, "Invalid OAuth access token - Cannot parse access token"))

    with pytest.raises(AppAuthError):
        client.fetch_posts(page_account(1, since=SINCE))
    with pytest.raises(AppAuthError):
        client.lookup([page_account(1)])


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (4, "(#4) Application request limit reached"),
        (613, "(#613) Calls to this api have exceeded the rate limit."),
        (17, "(#17) User request limit reached"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_app_throttling_is_rate_limited_for_the_whole_app_for_an_hour_when_graph_gives_no_estimate(
    client, graph, code, message
):
    # X-App-Usage is documented with percentages only (call_count, total_time, total_cputime).
    graph.get(f"{GRAPH}/", status=400, json=p.fb_error(code, message), headers={"x-app-usage": p.fb_app_usage()})

    with pytest.raises(RateLimited) as caught:
        client.lookup([page_account(1)])

    assert caught.value.scope == "app"
    assert caught.value.resume_at == NOW + timedelta(hours=1)


@time_machine.travel(NOW, tick=False)
def test_throttling_resumes_when_the_business_use_case_header_says(client, graph):
    graph.get(
        f"{GRAPH}/100000000001",
        status=400,
        json=p.fb_error(
            80001,
            "(#80001) There have been too many calls to this Page account. Wait a bit and try again. For more info, "
            "please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
        ),
        headers={"x-business-use-case-usage": p.fb_buc_usage("100000000001", 27), "x-app-usage": p.fb_app_usage()},
    )

    with pytest.raises(RateLimited) as caught:
        client.fetch_posts(page_account(1, since=SINCE, credentials={"access_token": PAGE_TOKEN}))

    assert caught.value.resume_at == NOW + timedelta(minutes=27)
    assert caught.value.scope == "1"


@time_machine.travel(NOW, tick=False)
def test_error_32_throttles_only_that_page(client, graph):
    graph.get(f"{GRAPH}/100000000005", status=400, json=p.fb_error(32, "(#32) Page request limit reached"))

    with pytest.raises(RateLimited) as caught:
        client.fetch_posts(page_account(5, since=SINCE))

    assert caught.value.scope == "5"
    assert caught.value.resume_at == NOW + timedelta(hours=1)


def test_a_500_with_graphs_unknown_error_body_is_transient(client, graph):
    graph.get(f"{GRAPH}/", status=500, json=p.fb_error(1, "An unknown error has occurred."))

    with pytest.raises(Transient):
        client.lookup([page_account(1)])


def test_a_502_with_an_html_body_is_transient(client, graph):
    graph.get(f"{GRAPH}/", status=502, body="<html><body>Bad Gateway</body></html>", content_type="text/html")

    with pytest.raises(Transient):
        client.lookup([page_account(1)])


def test_a_timeout_is_transient(client, graph):
    graph.get(f"{GRAPH}/100000000001", body=requests.exceptions.ReadTimeout("Read timed out. (read timeout=6.0)"))

    with pytest.raises(Transient):
        client.fetch_posts(page_account(1, since=SINCE))

    assert graph.calls[0].request.req_kwargs["timeout"] == TIMEOUT


def test_a_missing_page_on_its_own_is_not_found_and_a_missing_permission_forbidden(client, graph):
    graph.get(f"{GRAPH}/100000000001", status=400, json=p.fb_object_missing("100000000001"))
    graph.get(
        f"{GRAPH}/100000000002",
        status=400,
        json=p.fb_error(10, "(#10) This endpoint requires the 'pages_read_engagement' permission"),
    )

    with pytest.raises(NotFound):
        client.fetch_posts(page_account(1, since=SINCE))
    with pytest.raises(Forbidden):
        client.fetch_posts(page_account(2, since=SINCE))


# --- secrets --------------------------------------------------------------------------------


def test_no_token_appears_in_exceptions_tracebacks_or_logs(client, graph, caplog):
    caplog.set_level(logging.DEBUG)
    owned = page_account(1, since=SINCE, credentials={"access_token": PAGE_TOKEN})
    graph.get(f"{GRAPH}/100000000001", status=400, json=p.fb_expired_token())
    graph.get(f"{GRAPH}/", status=400, json=p.fb_error(4, "(#4) Application request limit reached"))
    graph.get(
        f"{GRAPH}/", status=500, json=p.fb_error(2, "An unexpected error has occurred. Please retry your request.")
    )
    graph.get(
        f"{GRAPH}/100000000001",
        body=requests.exceptions.ConnectionError(
            f"Max retries exceeded with url: /v26.0/100000000001?access_token={PAGE_TOKEN}&fields=posts"
        ),
    )
    calls = [
        lambda: client.fetch_posts(owned),
        lambda: client.lookup([page_account(1)]),
        lambda: client.lookup([page_account(1)]),
        lambda: client.fetch_posts(owned),
    ]

    for call in calls:
        with pytest.raises((AuthExpired, RateLimited, Transient)) as caught:
            call()
        text = str(caught.value) + "".join(traceback.format_exception(caught.value))
        assert PAGE_TOKEN not in text and APP_SECRET not in text
        logging.getLogger("metrics.platforms").warning("poll failed", exc_info=caught.value)

    assert PAGE_TOKEN not in caplog.text and APP_SECRET not in caplog.text
    assert caplog.text.count("poll failed") == 4
