"""XClient against a fake X API v2 at the HTTP transport (tweepy itself runs for real)."""

from __future__ import annotations

import json
import logging
import math
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
    Suspended,
    Transient,
)
from metrics.platforms.http import PlatformSession
from metrics.platforms.x import XClient
from tests.platforms import payloads as p

BEARER = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI%3DEUifiRBkKG5E2XzMDjRfl76ZC9Ub0wnz4XsNi"
USER_TOKEN = "bWRjd1k1SmhVQWdtS2pXUVlUQ0pDTm9kc0V4YlZfT2hINTdNVjZ2OjE3MjEwNDU2MDAwMDA6MToxOmF0OjE"
TIMEOUT = 7.5
USERS = f"{p.X_API}/users"
USERS_BY = f"{p.X_API}/users/by"
NOW = datetime(2025, 7, 15, 10, 0, tzinfo=UTC)


def tweets_url(user_id: str) -> str:
    return f"{p.X_API}/users/{user_id}/tweets"


def query(call) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(call.request.url).query).items()}


def account(n: int, **kw) -> AccountRef:
    kw.setdefault("platform_id", str(1_000_000 + n))
    return AccountRef(account_id=n, handle=f"DMOffice{n}", **kw)


@pytest.fixture
def client() -> XClient:
    return XClient(BEARER, session=PlatformSession(timeout=TIMEOUT))


@pytest.fixture
def x_api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def users_by_id(counts: dict[str, int] | None = None):
    """A users lookup that knows every id it is asked for; ``counts`` sets some tweet counts."""

    def answer(request):
        ids = parse_qs(urlparse(request.url).query)["ids"][0].split(",")
        users = [p.x_user(i, f"DMOffice{int(i) - 1_000_000}", tweets=(counts or {}).get(i, 500)) for i in ids]
        return 200, {"content-type": "application/json"}, json.dumps(p.x_users(users))

    return answer


def assert_every_request_had_the_timeout(mock: responses.RequestsMock) -> None:
    assert mock.calls, "no request was made"
    assert all(call.request.req_kwargs["timeout"] == TIMEOUT for call in mock.calls)


# --- lookup -----------------------------------------------------------------------------


def test_lookup_of_250_accounts_makes_three_requests_of_100_100_and_50_ids(client, x_api):
    x_api.add_callback(responses.GET, USERS, callback=users_by_id())
    accounts = [account(n) for n in range(250)]

    result = client.lookup(accounts)

    assert len(x_api.calls) == 3
    assert [len(query(call)["ids"].split(",")) for call in x_api.calls] == [100, 100, 50]
    assert len(result.profiles) == 250 and not result.errors
    assert client.api_calls == 3
    assert_every_request_had_the_timeout(x_api)


def test_lookup_asks_for_the_user_fields_it_maps(client, x_api):
    x_api.add_callback(responses.GET, USERS, callback=users_by_id())

    client.lookup([account(1)])

    fields = set(query(x_api.calls[0])["user.fields"].split(","))
    assert fields == {"public_metrics", "verified", "verified_type", "username", "name", "protected"}
    assert x_api.calls[0].request.headers["Authorization"] == f"Bearer {BEARER}"


def test_lookup_maps_public_metrics_and_government_verification(client, x_api):
    user = p.x_user(
        "1000001",
        "DmDausa",
        name="District Collector Dausa",
        followers=48210,
        following=312,
        tweets=9150,
        listed=41,
        verified_type="government",
    )
    x_api.get(USERS, json=p.x_users([user]))

    profile = client.lookup([account(1)]).profiles[1]

    assert profile.platform_id == "1000001"
    assert profile.handle == "DmDausa" and profile.display_name == "District Collector Dausa"
    assert (profile.followers, profile.following, profile.posts_total, profile.listed) == (48210, 312, 9150, 41)
    assert profile.verified is True


@pytest.mark.parametrize(("verified", "verified_type", "expected"), [(False, "none", False), (True, "blue", True)])
def test_lookup_counts_a_user_as_verified_only_with_a_tick(client, x_api, verified, verified_type, expected):
    x_api.get(USERS, json=p.x_users([p.x_user("1000001", "DMOffice1", verified=verified, verified_type=verified_type)]))

    assert client.lookup([account(1)]).profiles[1].verified is expected


def test_partial_errors_in_a_200_mark_only_the_suspended_and_the_missing_account(client, x_api):
    accounts = [account(n) for n in range(1, 6)]
    found = [p.x_user(a.platform_id, a.handle) for a in accounts[:3]]
    errors = [p.x_suspended("1000004"), p.x_not_found("1000005")]
    x_api.get(USERS, json=p.x_users(found, errors))
    # The id X no longer knows is tried once by handle: the handle may belong to a new account.
    x_api.get(USERS_BY, json=p.x_users([], [p.x_not_found("DMOffice5", "usernames")]))

    result = client.lookup(accounts)

    assert set(result.profiles) == {1, 2, 3}
    assert set(result.errors) == {4, 5}
    assert isinstance(result.errors[4], Suspended)
    assert isinstance(result.errors[5], NotFound)
    assert "suspended" in result.errors[4].message
    assert query(x_api.calls[1])["usernames"] == "DMOffice5"
    assert not result.resolved_ids


def test_an_id_that_is_gone_is_retried_by_handle_and_the_new_id_reported(client, x_api):
    x_api.get(USERS, json=p.x_users([], [p.x_not_found("1000001")]))
    x_api.get(USERS_BY, json=p.x_users([p.x_user("1790000000000000001", "DMOffice1")]))

    result = client.lookup([account(1)])

    assert result.profiles[1].platform_id == "1790000000000000001"
    assert result.resolved_ids == {1: "1790000000000000001"}
    assert len(x_api.calls) == 2


def test_handles_without_an_id_are_resolved_by_username_in_one_request(client, x_api):
    accounts = [AccountRef(account_id=1, handle="DmDausa"), AccountRef(account_id=2, handle="dmpatna")]
    x_api.get(USERS_BY, json=p.x_users([p.x_user("71", "DmDausa"), p.x_user("72", "DMPatna")]))

    result = client.lookup(accounts)

    assert len(x_api.calls) == 1
    assert query(x_api.calls[0])["usernames"] == "DmDausa,dmpatna"
    assert result.resolved_ids == {1: "71", 2: "72"}
    assert result.profiles[2].handle == "DMPatna"


def test_a_handle_nobody_holds_is_not_found(client, x_api):
    x_api.get(USERS_BY, json=p.x_users([], [p.x_not_found("NoSuchOffice", "usernames")]))

    result = client.lookup([AccountRef(account_id=9, handle="NoSuchOffice")])

    assert isinstance(result.errors[9], NotFound)
    assert not result.profiles and not result.resolved_ids


# --- the cost of a poll ------------------------------------------------------------------


def test_a_poll_makes_one_lookup_per_100_accounts_and_one_timeline_request_per_changed_account(client, x_api):
    n = 230
    accounts = [account(i, posts_total=500, since_id="1790000000000000000") for i in range(n)]
    changed = {accounts[3], accounts[120], accounts[229]}
    x_api.add_callback(responses.GET, USERS, callback=users_by_id({a.platform_id: 501 for a in changed}))
    for a in changed:
        tweet = p.x_tweet(f"179000000000000{a.account_id:04d}", "जिले में आज टीकाकरण शिविर", NOW)
        x_api.get(tweets_url(a.platform_id), json=p.x_timeline([tweet]))

    result = client.lookup(accounts)
    fetched = [client.fetch_posts(a) for a in accounts if client.needs_posts(a, result.profiles[a.account_id])]

    assert len(fetched) == len(changed)
    assert len(x_api.calls) == math.ceil(n / 100) + len(changed)
    assert client.api_calls == math.ceil(n / 100) + len(changed)
    assert_every_request_had_the_timeout(x_api)


def test_needs_posts_only_when_the_tweet_count_moved_or_nothing_is_known_yet(client):
    seen = account(1, posts_total=500, since_id="1790000000000000000")

    assert client.needs_posts(seen, Profile(platform_id="1000001", posts_total=500)) is False
    assert client.needs_posts(seen, Profile(platform_id="1000001", posts_total=502)) is True
    assert client.needs_posts(seen, Profile(platform_id="1000001", posts_total=499)) is True
    assert client.needs_posts(account(2), Profile(platform_id="1000002", posts_total=500)) is True


# --- posts -------------------------------------------------------------------------------


def test_tweets_are_classified_as_original_retweet_reply_and_quote(client, x_api):
    tweets = [
        p.x_tweet("1790000000000000004", "Health camp at Sikrai today", NOW, impressions=1500),
        p.x_tweet("1790000000000000003", "RT @RajCMO: ...", NOW, references=[("retweeted", "1789")], impressions=None),
        p.x_tweet(
            "1790000000000000002", "@citizen The road is being repaired", NOW, references=[("replied_to", "1788")]
        ),
        p.x_tweet("1790000000000000001", "Proud moment for Dausa", NOW, references=[("quoted", "1787")]),
    ]
    x_api.get(tweets_url("1000001"), json=p.x_timeline(tweets))
    dausa = AccountRef(account_id=1, handle="DmDausa", platform_id="1000001", since_id="1789999999999999999")

    result = client.fetch_posts(dausa)

    assert [post.kind for post in result.posts] == [PostKind.POST, PostKind.REPOST, PostKind.REPLY, PostKind.QUOTE]
    first = result.posts[0]
    assert first.platform_post_id == "1790000000000000004"
    assert first.url == "https://x.com/DmDausa/status/1790000000000000004"
    assert first.created_at == NOW
    assert (first.likes, first.reposts, first.replies, first.quotes, first.views) == (10, 3, 2, 1, 1500)
    assert result.posts[1].views is None
    assert result.newest_id == "1790000000000000004"


def test_a_reply_that_quotes_counts_as_a_reply(client, x_api):
    tweet = p.x_tweet("1790000000000000001", "See this", NOW, references=[("quoted", "1"), ("replied_to", "2")])
    x_api.get(tweets_url("1000001"), json=p.x_timeline([tweet]))

    assert client.fetch_posts(account(1)).posts[0].kind == PostKind.REPLY


def test_fetch_posts_passes_since_id_and_asks_for_the_fields_it_maps(client, x_api):
    x_api.get(tweets_url("1000001"), json=p.x_timeline([]))

    result = client.fetch_posts(account(1, since_id="1789000000000000000"))

    params = query(x_api.calls[0])
    assert params["since_id"] == "1789000000000000000"
    assert params["max_results"] == "100"
    assert set(params["tweet.fields"].split(",")) == {
        "created_at",
        "public_metrics",
        "referenced_tweets",
        "conversation_id",
    }
    assert "exclude" not in params
    assert result.posts == [] and result.newest_id == ""


def test_a_first_fetch_reads_one_page_even_when_there_are_more(client, x_api):
    x_api.get(tweets_url("1000001"), json=p.x_timeline([p.x_tweet("5", "a", NOW)], next_token="7140dibdnow9c7btw3w29"))

    client.fetch_posts(account(1))

    assert len(x_api.calls) == 1
    assert "since_id" not in query(x_api.calls[0])


def test_catching_up_since_an_id_reads_at_most_five_pages(client, x_api):
    for page in range(5):
        tweet = p.x_tweet(str(1790000000000000100 - page), f"page {page}", NOW)
        x_api.get(tweets_url("1000001"), json=p.x_timeline([tweet], next_token=f"token{page + 1}"))

    result = client.fetch_posts(account(1, since_id="1789000000000000000"))

    assert len(x_api.calls) == 5
    assert [query(call).get("pagination_token") for call in x_api.calls] == [
        None,
        "token1",
        "token2",
        "token3",
        "token4",
    ]
    assert len(result.posts) == 5
    assert result.newest_id == "1790000000000000100"


def test_the_accounts_own_token_is_used_as_bearer_for_its_timeline(client, x_api):
    x_api.get(tweets_url("1000001"), json=p.x_timeline([]))

    client.fetch_posts(account(1, credentials={"access_token": USER_TOKEN}))

    assert x_api.calls[0].request.headers["Authorization"] == f"Bearer {USER_TOKEN}"
    assert client.api_calls == 1


def test_a_protected_timeline_is_forbidden(client, x_api):
    x_api.get(tweets_url("1000001"), json={"errors": [p.x_not_authorized("1000001")]})

    with pytest.raises(Forbidden):
        client.fetch_posts(account(1))


def test_a_403_on_a_timeline_is_forbidden_and_a_404_not_found(client, x_api):
    x_api.get(tweets_url("1000001"), status=403, json=p.x_problem(403, "Forbidden"))
    x_api.get(tweets_url("1000002"), status=404, json=p.x_problem(404, "Not Found Error"))

    with pytest.raises(Forbidden):
        client.fetch_posts(account(1))
    with pytest.raises(NotFound):
        client.fetch_posts(account(2))


def test_a_suspended_account_timeline_is_suspended(client, x_api):
    x_api.get(tweets_url("1000001"), json={"errors": [p.x_suspended("1000001", "id")]})

    with pytest.raises(Suspended):
        client.fetch_posts(account(1))


# --- errors ------------------------------------------------------------------------------


def test_429_is_rate_limited_until_the_reset_header(client, x_api):
    reset = 1752574500
    x_api.get(
        USERS,
        status=429,
        json=p.x_problem(429, "Too Many Requests"),
        headers={"x-rate-limit-limit": "300", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )

    with pytest.raises(RateLimited) as caught:
        client.lookup([account(1)])

    assert caught.value.resume_at == datetime.fromtimestamp(reset, tz=UTC)
    assert caught.value.resume_at == datetime(2025, 7, 15, 10, 15, tzinfo=UTC)
    assert caught.value.scope == "app"


@time_machine.travel(NOW, tick=False)
def test_429_without_a_reset_header_waits_fifteen_minutes(client, x_api):
    x_api.get(USERS, status=429, json=p.x_problem(429, "Too Many Requests"))

    with pytest.raises(RateLimited) as caught:
        client.lookup([account(1)])

    assert caught.value.resume_at == NOW + timedelta(minutes=15)


def test_429_with_the_accounts_own_token_limits_only_that_account(client, x_api):
    x_api.get(
        tweets_url("1000001"),
        status=429,
        json=p.x_problem(429, "Too Many Requests"),
        headers={"x-rate-limit-reset": "1752574500"},
    )

    with pytest.raises(RateLimited) as caught:
        client.fetch_posts(account(1, credentials={"access_token": USER_TOKEN}))

    assert caught.value.scope == "1"


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_is_transient(client, x_api, status):
    x_api.get(USERS, status=status, json=p.x_problem(status, "Service Unavailable"))

    with pytest.raises(Transient):
        client.lookup([account(1)])


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ReadTimeout("Read timed out. (read timeout=7.5)"),
        requests.exceptions.ConnectionError("reset"),
    ],
)
def test_a_timeout_or_a_dropped_connection_is_transient(client, x_api, failure):
    x_api.get(tweets_url("1000001"), body=failure)

    with pytest.raises(Transient):
        client.fetch_posts(account(1))

    assert x_api.calls[0].request.req_kwargs["timeout"] == TIMEOUT


def test_401_with_the_accounts_own_token_means_the_account_must_reauthorise(client, x_api):
    x_api.get(tweets_url("1000001"), status=401, json=p.x_problem(401, "Unauthorized"))

    with pytest.raises(AuthExpired):
        client.fetch_posts(account(1, credentials={"access_token": USER_TOKEN}))


def test_401_with_the_app_bearer_on_a_lookup_is_an_app_credential_problem(client, x_api):
    x_api.get(USERS, status=401, json=p.x_problem(401, "Unauthorized"))

    with pytest.raises(AppAuthError):
        client.lookup([account(1)])


def test_401_with_the_app_bearer_on_a_timeline_is_an_app_credential_problem(client, x_api):
    x_api.get(tweets_url("1000001"), status=401, json=p.x_problem(401, "Unauthorized"))

    with pytest.raises(AppAuthError):
        client.fetch_posts(account(1))


# --- secrets -----------------------------------------------------------------------------


@pytest.fixture
def project_log_levels(settings):
    """The project's LOGGING keeps tweepy and urllib3 at INFO (they log headers at DEBUG); pin that here."""
    names = ("tweepy", "urllib3")
    before = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(settings.LOGGING["loggers"][name]["level"])
    yield
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


def failing_calls(client: XClient, x_api: responses.RequestsMock):
    """Every failure a poll can meet, each with the secret it was sent with."""
    user = account(1, credentials={"access_token": USER_TOKEN})
    x_api.get(USERS, status=401, json=p.x_problem(401, "Unauthorized"))
    x_api.get(
        USERS, status=429, json=p.x_problem(429, "Too Many Requests"), headers={"x-rate-limit-reset": "1752574500"}
    )
    x_api.get(USERS, status=500, json=p.x_problem(500, "Internal Server Error"))
    x_api.get(tweets_url("1000001"), status=401, json=p.x_problem(401, "Unauthorized"))
    x_api.get(tweets_url("1000001"), body=requests.exceptions.ConnectionError(f"Authorization: Bearer {USER_TOKEN}"))
    return [
        lambda: client.lookup([account(1)]),
        lambda: client.lookup([account(1)]),
        lambda: client.lookup([account(1)]),
        lambda: client.fetch_posts(user),
        lambda: client.fetch_posts(user),
    ]


def test_no_token_appears_in_exceptions_tracebacks_or_logs(client, x_api, caplog, project_log_levels):
    caplog.set_level(logging.DEBUG)
    assert logging.getLogger("tweepy").getEffectiveLevel() == logging.INFO
    assert logging.getLogger("urllib3").getEffectiveLevel() == logging.INFO

    raised = []
    for call in failing_calls(client, x_api):
        with pytest.raises((AppAuthError, AuthExpired, RateLimited, Transient)) as caught:
            call()
        raised.append(caught.value)
        logging.getLogger("metrics.platforms").warning("poll failed", exc_info=caught.value)

    assert len(raised) == 5
    for exc in raised:
        text = str(exc) + "".join(traceback.format_exception(exc))
        assert BEARER not in text and USER_TOKEN not in text
    assert BEARER not in caplog.text and USER_TOKEN not in caplog.text
    assert "poll failed" in caplog.text
    assert_every_request_had_the_timeout(x_api)
