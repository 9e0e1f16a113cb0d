"""The drill-down behind a board's figures: snapshots used, days polled, gaps, posts counted, the trend line."""

import json
import re
from datetime import date

import pytest
from django.urls import reverse

from departments.choices import Platform
from tests.factories import AccountFactory, daily_snapshots, post
from tests.leaderboards.conftest import JULY, at

JULY_PARAMS = {"period": "month", "month": "2026-07"}

pytestmark = pytest.mark.usefixtures("frozen")


def url(unit) -> str:
    return reverse("leaderboards:cell", kwargs={"code": unit.code})


@pytest.fixture
def july(world):
    # Nothing from 20 June to 4 July: the first July snapshot is used and the gap is said.
    daily_snapshots(world.patna_x, date(2026, 6, 1), date(2026, 6, 19), followers_from=500)
    daily_snapshots(world.patna_x, date(2026, 7, 5), JULY.end, followers_from=1000, step=10)
    post(world.patna_x, at(date(2026, 7, 10), 14), "post", likes=5, reposts=2, url="https://x.com/DMPatna/status/1")
    post(world.patna_x, at(date(2026, 7, 11)), "repost", likes=100)
    post(world.patna_x, at(date(2026, 7, 12)), "live", duration_seconds=31 * 60)
    post(world.patna_x, at(date(2026, 8, 1)), "post")  # August, not counted
    return world


def test_the_drill_down_shows_the_snapshots_used_and_the_days_polled(july, login):
    response = login(july.pr_bihar).get(url(july.patna), {**JULY_PARAMS, "platform": "x"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="period-label">July 2026<' in content
    assert 'data-testid="start-slot">5 Jul 2026, 06:00<' in content  # IST
    assert 'data-testid="end-slot">31 Jul 2026, 06:00<' in content
    assert 'data-testid="days-polled">27 of 31<' in content
    assert "DMPatna: first snapshot only on 2026-07-05" in content
    assert "DMPatna: polled on 27 of 31 days" in content
    assert reverse("departments:account_detail", kwargs={"pk": july.patna_x.pk}) in content


def test_the_drill_down_lists_the_posts_counted(july, login):
    content = login(july.pr_bihar).get(url(july.patna), {**JULY_PARAMS, "metric": "posts"}).content.decode()
    assert "3 posts counted" in content
    table = content[content.index('data-testid="posts-table"') :]
    assert "10 Jul 2026, 14:00" in table and "https://x.com/DMPatna/status/1" in table
    assert "31 min" in table and "Live broadcast" in table
    assert "1 Aug 2026" not in table
    # the metric asked for is highlighted: the original post, not the retweet or the live
    assert table.count('data-highlighted="1"') == 1
    assert 'data-testid="highlighted-metric"' in content


def test_the_drill_down_draws_the_daily_followers(july, login):
    content = login(july.pr_bihar).get(url(july.patna), {**JULY_PARAMS, "platform": "x"}).content.decode()
    trend = json.loads(re.search(r'<script id="unit-trend" type="application/json">(.*?)</script>', content)[1])
    assert trend[0] == {"day": "2026-07-05", "followers": 1000}
    assert trend[-1] == {"day": "2026-07-31", "followers": 1260}
    assert len(trend) == 27  # the gap stays a gap


def test_a_unit_without_data_says_so(july, login):
    content = login(july.pr_bihar).get(url(july.gaya), JULY_PARAMS).content.decode()
    assert 'data-testid="no-data"' in content
    assert "no data: no snapshot in this period" in content


def test_the_drill_down_posts_are_paginated(july, login):
    for hour in range(55):
        post(july.patna_x, at(date(2026, 7, 20), 0).replace(minute=hour), "reply")
    client = login(july.pr_bihar)
    second = client.get(url(july.patna), {**JULY_PARAMS, "page": 2}).content.decode()
    assert "58 posts counted" in second and "Page 2 of 2" in second


def test_a_bad_or_future_period_says_so(july, login):
    client = login(july.pr_bihar)
    bad = client.get(url(july.patna), {"period": "fortnight"})
    assert bad.status_code == 400 and "Unknown period “fortnight”." in bad.content.decode()
    future = client.get(url(july.patna), {"period": "custom", "start": "2026-09-01", "end": "2026-09-30"})
    assert 'data-testid="future-period"' in future.content.decode()


@pytest.mark.parametrize(
    ("persona", "unit", "status"),
    [
        ("dpro_patna", "patna", 200),
        ("dpro_patna", "patna_health", 200),
        ("dpro_patna", "gaya", 404),
        ("dpro_patna", "gaya_health", 404),
        ("dpro_patna", "dausa", 404),
        ("dpro_patna", "health_dept", 404),
        ("pr_bihar", "gaya_health", 200),
        ("pr_bihar", "dausa", 404),
        ("pr_rajasthan", "patna", 404),
        ("admin", "dausa_pro", 200),
    ],
)
def test_the_drill_down_is_scoped(july, login, persona, unit, status):
    response = login(getattr(july, persona)).get(url(getattr(july, unit)), JULY_PARAMS)
    assert response.status_code == status


@pytest.mark.parametrize("accounts", [3, 30])
def test_the_drill_down_runs_a_fixed_number_of_queries(july, login, django_assert_num_queries, accounts):
    """3 accounts or 30: session, user, the navbar's district, the unit, the state's started campaigns (offered
    as periods), 4 for its figures, 2 for the page of posts (count and rows), 1 for the trend."""
    for _number in range(accounts - 2):  # Patna has an X account and a Facebook page already
        account = AccountFactory(unit=july.patna, platform=Platform.YOUTUBE)
        daily_snapshots(account, date(2026, 6, 30), JULY.end, followers_from=100)
        post(account, at(date(2026, 7, 15)), "video")
    client = login(july.dpro_patna)
    client.get(url(july.patna), JULY_PARAMS)
    with django_assert_num_queries(10):
        response = client.get(url(july.patna), JULY_PARAMS)
    assert response.content.decode().count('data-testid="end-slot"') == accounts - 1  # the page was never polled
