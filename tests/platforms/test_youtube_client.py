"""YouTubeClient against a fake Data API v3 at the HTTP transport (googleapiclient itself runs for real)."""

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

from metrics.platforms.base import AccountRef, AppAuthError, NotFound, PlatformError, Profile, RateLimited, Transient
from metrics.platforms.http import PlatformSession
from metrics.platforms.youtube import YouTubeClient, next_quota_reset
from tests.platforms import payloads as p

API_KEY = "AIzaSyD-govsocial-test-key-9f8e7d6c5b4a3"
TIMEOUT = 9.0
CHANNELS = p.YOUTUBE_CHANNELS
NOW = datetime(2025, 7, 15, 10, 0, tzinfo=UTC)  # 03:00 in Los Angeles (PDT)


def channel_id(n: int) -> str:
    return f"UC{n:022d}"


def query(call) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(call.request.url).query).items()}


def channel_account(n: int, **kw) -> AccountRef:
    kw.setdefault("platform_id", channel_id(n))
    return AccountRef(account_id=n, handle=f"@DistrictOffice{n}", **kw)


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def client(api) -> YouTubeClient:
    return YouTubeClient(API_KEY, session=PlatformSession(timeout=TIMEOUT))


def channels_for_requested_ids(request):
    ids = parse_qs(urlparse(request.url).query)["id"][0].split(",")
    items = [p.yt_channel(i, f"District Office {int(i[2:])}", f"@districtoffice{int(i[2:])}") for i in ids]
    return 200, {"content-type": "application/json; charset=UTF-8"}, json.dumps(p.yt_channel_list(items))


# --- lookup -----------------------------------------------------------------------------------


def test_building_the_client_fetches_no_discovery_document(api):
    YouTubeClient(API_KEY, session=PlatformSession(timeout=TIMEOUT))

    assert len(api.calls) == 0


def test_lookup_of_120_channels_makes_three_requests_of_50_50_and_20_ids(client, api):
    api.add_callback(responses.GET, CHANNELS, callback=channels_for_requested_ids)

    result = client.lookup([channel_account(n) for n in range(120)])

    assert [len(query(call)["id"].split(",")) for call in api.calls] == [50, 50, 20]
    assert all(query(call)["part"] == "snippet,statistics" for call in api.calls)
    assert all(query(call)["maxResults"] == "50" for call in api.calls)
    assert len(result.profiles) == 120 and not result.errors
    assert client.api_calls == 3
    assert all(call.request.req_kwargs["timeout"] == TIMEOUT for call in api.calls)


def test_lookup_maps_subscribers_views_and_videos(client, api):
    channel = p.yt_channel(channel_id(1), "DPRO Karnal", "@dprokarnal", subscribers=15400, views=2210000, videos=812)
    api.get(CHANNELS, json=p.yt_channel_list([channel]))

    profile = client.lookup([channel_account(1)]).profiles[1]

    assert profile.platform_id == channel_id(1)
    assert profile.handle == "@dprokarnal" and profile.display_name == "DPRO Karnal"
    assert (profile.followers, profile.views, profile.posts_total) == (15400, 2210000, 812)


def test_a_channel_missing_from_the_answer_is_not_found(client, api):
    api.get(CHANNELS, json=p.yt_channel_list([p.yt_channel(channel_id(1), "DPRO Karnal", "@dprokarnal")]))

    result = client.lookup([channel_account(1), channel_account(2)])

    assert set(result.profiles) == {1}
    assert isinstance(result.errors[2], NotFound)


def test_a_hidden_subscriber_count_is_no_follower_figure(client, api):
    channel = p.yt_channel(channel_id(1), "DPRO Karnal", "@dprokarnal", hidden_subscribers=True)
    api.get(CHANNELS, json=p.yt_channel_list([channel]))

    profile = client.lookup([channel_account(1)]).profiles[1]

    assert profile.followers is None
    assert profile.posts_total == 140


def test_an_at_handle_is_resolved_with_for_handle_one_call_each(client, api):
    api.get(CHANNELS, json=p.yt_channel_list([p.yt_channel(channel_id(77), "DPRO Karnal", "@dprokarnal")]))
    api.get(CHANNELS, json=p.yt_channel_list([]))

    result = client.lookup(
        [AccountRef(account_id=1, handle="@DPROKarnal"), AccountRef(account_id=2, handle="@NoSuchOffice")]
    )

    assert [query(call)["forHandle"] for call in api.calls] == ["@DPROKarnal", "@NoSuchOffice"]
    assert result.resolved_ids == {1: channel_id(77)}
    assert isinstance(result.errors[2], NotFound)


def test_a_channel_id_typed_as_the_handle_goes_in_the_id_batch_and_is_reported_resolved(client, api):
    api.get(CHANNELS, json=p.yt_channel_list([p.yt_channel(channel_id(5), "DPRO Hisar", "@dprohisar")]))

    result = client.lookup([AccountRef(account_id=5, handle=channel_id(5))])

    assert query(api.calls[0])["id"] == channel_id(5)
    assert result.resolved_ids == {5: channel_id(5)}


def test_videos_are_not_fetched_yet(client, api):
    assert client.needs_posts(channel_account(1), Profile(platform_id=channel_id(1), posts_total=3)) is False
    assert client.fetch_posts(channel_account(1)).posts == []
    assert len(api.calls) == 0


# --- errors -----------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_quota_exceeded_is_rate_limited_until_the_next_pacific_midnight(client, api):
    api.get(CHANNELS, status=403, json=p.yt_quota_exceeded())

    with pytest.raises(RateLimited) as caught:
        client.lookup([channel_account(1)])

    assert caught.value.resume_at == datetime(2025, 7, 16, 7, 0, tzinfo=UTC)  # midnight PDT is 07:00 UTC
    assert caught.value.scope == "app"


def test_the_next_pacific_midnight_follows_daylight_saving_time():
    assert next_quota_reset(datetime(2025, 1, 15, 10, 0, tzinfo=UTC)) == datetime(2025, 1, 16, 8, 0, tzinfo=UTC)
    assert next_quota_reset(datetime(2025, 7, 16, 6, 59, tzinfo=UTC)) == datetime(2025, 7, 16, 7, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_rate_limit_exceeded_pauses_for_ten_minutes(client, api):
    api.get(CHANNELS, status=403, json=p.yt_rate_limited())

    with pytest.raises(RateLimited) as caught:
        client.lookup([channel_account(1)])

    assert caught.value.resume_at == NOW + timedelta(minutes=10)


@pytest.mark.parametrize("body", [p.yt_key_invalid(), p.yt_key_invalid_classic()])
def test_an_invalid_key_is_an_app_credential_problem(client, api, body):
    api.get(CHANNELS, status=400, json=body)

    with pytest.raises(AppAuthError):
        client.lookup([channel_account(1)])


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_is_transient(client, api, status):
    api.get(CHANNELS, status=status, json=p.yt_backend_error())

    with pytest.raises(Transient):
        client.lookup([channel_account(1)])


def test_a_timeout_is_transient(client, api):
    api.get(CHANNELS, body=requests.exceptions.ReadTimeout("Read timed out. (read timeout=9.0)"))

    with pytest.raises(Transient):
        client.lookup([channel_account(1)])

    assert api.calls[0].request.req_kwargs["timeout"] == TIMEOUT


def test_another_bad_request_is_a_platform_error(client, api):
    body = p.google_error(400, "Invalid value for parameter id", "invalidChannelId", "youtube.parameter")
    api.get(CHANNELS, status=400, json=body)

    with pytest.raises(PlatformError) as caught:
        client.lookup([channel_account(1)])

    assert type(caught.value) is PlatformError


# --- secrets ------------------------------------------------------------------------------------


@pytest.fixture
def project_log_levels(settings):
    """The project's LOGGING keeps googleapiclient (it logs request URLs, key included, at DEBUG) at INFO."""
    names = ("googleapiclient", "urllib3")
    before = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(settings.LOGGING["loggers"][name]["level"])
    yield
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


def test_the_key_never_appears_in_exceptions_tracebacks_or_logs(client, api, caplog, project_log_levels):
    caplog.set_level(logging.DEBUG)
    assert logging.getLogger("googleapiclient").getEffectiveLevel() == logging.INFO
    api.get(CHANNELS, status=403, json=p.yt_quota_exceeded())
    api.get(CHANNELS, status=400, json=p.yt_key_invalid())
    api.get(CHANNELS, status=500, json=p.yt_backend_error())
    api.get(CHANNELS, body=requests.exceptions.ConnectionError(f"Max retries exceeded with url: /?key={API_KEY}"))

    for _ in range(4):
        with pytest.raises((RateLimited, AppAuthError, Transient)) as caught:
            client.lookup([channel_account(1)])
        text = str(caught.value) + "".join(traceback.format_exception(caught.value))
        assert API_KEY not in text
        logging.getLogger("metrics.platforms").warning("poll failed", exc_info=caught.value)

    assert all(query(call)["key"] == API_KEY for call in api.calls)  # the key was sent, just never shown
    assert API_KEY not in caplog.text
    assert caplog.text.count("poll failed") == 4
