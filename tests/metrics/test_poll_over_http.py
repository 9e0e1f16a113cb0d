"""The polling service driving the live clients, with only the HTTP transport faked."""

import json
import logging
import math
import re
from datetime import UTC, datetime, timedelta

import pytest
import responses
import time_machine
from django.core.management import call_command

from departments.choices import AccountStatus, Platform, UnitKind
from departments.models import Account
from metrics.models import AccountPollState, Post, Snapshot
from metrics.platforms.facebook import FacebookClient
from metrics.platforms.http import PlatformSession
from metrics.platforms.x import XClient
from metrics.selectors import activity_summary
from metrics.services.polling import poll_batch_execute, poll_run_create
from tests.factories import AccountFactory, UnitFactory
from tests.platforms import payloads as p

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 7, 31, 12, 0, tzinfo=UTC)
BEARER = "AAAAAAAAAAAAAAAAAAAAAFakeAppBearerTokenForTests0123456789"
PAGE_TOKEN = "EAAGFakePageTokenForTests0123456789ZZ"


def make_x_accounts(world, n: int) -> list[Account]:
    units = UnitFactory.create_batch(n, state=world.bihar, kind=UnitKind.DISTRICT)
    accounts = [
        AccountFactory(unit=unit, platform=Platform.X, handle=f"DMOffice{i}", platform_id=str(10_000 + i))
        for i, unit in enumerate(units)
    ]
    AccountPollState.objects.bulk_create(AccountPollState(account=a, posts_total=500, since_id="100") for a in accounts)
    return accounts


def test_x_poll_makes_one_lookup_per_100_accounts_and_one_timeline_per_changed_account(world, caplog):
    Account.objects.filter(unit__state=world.bihar, platform=Platform.X).delete()
    Account.objects.filter(platform=Platform.X).delete()
    accounts = make_x_accounts(world, 230)
    changed = {accounts[i].platform_id for i in (3, 50, 101, 150, 199, 200, 229)}
    suspended, missing = accounts[10].platform_id, accounts[120].platform_id
    client = XClient(BEARER, session=PlatformSession(timeout=5))

    def lookup(request):
        ids = request.params["ids"].split(",")
        users = [
            p.x_user(i, f"DMOffice{int(i) - 10_000}", tweets=503 if i in changed else 500, followers=2000 + int(i) % 7)
            for i in ids
            if i not in (suspended, missing)
        ]
        errors = [p.x_suspended(i) for i in ids if i == suspended] + [p.x_not_found(i) for i in ids if i == missing]
        return 200, {}, json.dumps(p.x_users(users, errors))

    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, f"{p.X_API}/users", callback=lookup)
        rsps.add(responses.GET, f"{p.X_API}/users/by", json=p.x_users([], [p.x_not_found("DMOffice120", "usernames")]))
        for user_id in changed:
            tweets = [
                p.x_tweet(f"{user_id}9", "नई योजना का शुभारंभ", NOW - timedelta(hours=1)),
                p.x_tweet(f"{user_id}8", "RT", NOW - timedelta(hours=2), references=[("retweeted", "77")]),
            ]
            rsps.add(responses.GET, f"{p.X_API}/users/{user_id}/tweets", json=p.x_timeline(tweets))
        with caplog.at_level(logging.DEBUG):
            run = poll_run_create(platform=Platform.X, enqueue=False, now=NOW)
            for batch in run.batches.order_by("index"):
                poll_batch_execute(batch_id=batch.pk, client=client, now=NOW)
        lookups = [c for c in rsps.calls if c.request.url.startswith(f"{p.X_API}/users?")]
        timelines = [c for c in rsps.calls if "/tweets" in c.request.url]
        retry_by_handle = [c for c in rsps.calls if "/users/by" in c.request.url]

    assert len(lookups) == math.ceil(230 / 100) == 3
    assert len(timelines) == len(changed) == 7
    assert len(retry_by_handle) == 1  # the missing id is looked up once by its handle
    run.refresh_from_db()
    assert run.api_calls == len(lookups) + len(timelines) + len(retry_by_handle)
    assert Snapshot.objects.filter(run=run).count() == 228
    assert Account.objects.get(platform_id=suspended).status == AccountStatus.SUSPENDED
    assert Account.objects.get(platform_id=missing).status == AccountStatus.NOT_FOUND
    assert Post.objects.count() == 14
    assert Post.objects.filter(text="नई योजना का शुभारंभ").count() == 7  # Devanagari intact
    assert set(Post.objects.values_list("kind", flat=True)) == {"post", "repost"}
    assert BEARER not in caplog.text


@time_machine.travel(NOW, tick=False)
def test_facebook_lives_of_31_and_12_minutes_and_the_monthly_count(world, settings):
    page = AccountFactory(
        unit=world.patna, platform=Platform.FACEBOOK, handle="dm.patna2", platform_id="104050000000001",
        credentials={"access_token": PAGE_TOKEN},
    )  # fmt: skip
    client = FacebookClient("123", "app-secret-for-tests", version="26.0", session=PlatformSession(timeout=5))
    lives = [
        p.fb_live("2001", "Jan Samvad live", NOW - timedelta(days=3), length=1860.0),
        p.fb_live("2002", "Short update", NOW - timedelta(days=2), length=720.0),
    ]
    with responses.RequestsMock() as rsps:
        rsps.add(
            responses.GET,
            re.compile(rf"{p.GRAPH}/v26\.0/\?"),
            json={"104050000000001": p.fb_page("104050000000001", "dm.patna2", followers=91000)},
        )
        rsps.add(
            responses.GET,
            re.compile(rf"{p.GRAPH}/v26\.0/104050000000001\?"),
            json=p.fb_posts_and_lives("104050000000001", lives=lives),
        )
        run = poll_run_create(platform=Platform.FACEBOOK, account_ids=[page.pk], enqueue=False, now=NOW)
        poll_batch_execute(batch_id=run.batches.get().pk, client=client, now=NOW)
        assert PAGE_TOKEN in rsps.calls[1].request.url  # the page's own token reads its posts and lives
    assert sorted(Post.objects.filter(account=page, kind="live").values_list("duration_seconds", flat=True)) == [
        720,
        1860,
    ]
    summary = activity_summary(page, now=NOW)
    assert (summary["live"], summary["long_lives"]) == (2, 1)  # the 12-minute live does not count
    assert Snapshot.objects.get(account=page).followers == 91000


def test_graph_error_190_marks_the_page_for_reauthorisation_and_is_not_retried(world):
    page = AccountFactory(
        unit=world.gaya, platform=Platform.FACEBOOK, handle="dm.gaya2", platform_id="104050000000002",
        credentials={"access_token": PAGE_TOKEN},
    )  # fmt: skip
    client = FacebookClient("123", "app-secret-for-tests", version="26.0", session=PlatformSession(timeout=5))
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, re.compile(rf"{p.GRAPH}/v26\.0/\?"),
                 json={"104050000000002": p.fb_page("104050000000002", "dm.gaya2")})  # fmt: skip
        rsps.add(responses.GET, re.compile(rf"{p.GRAPH}/v26\.0/104050000000002\?"), status=400,
                 json=p.fb_expired_token())  # fmt: skip
        run = poll_run_create(platform=Platform.FACEBOOK, account_ids=[page.pk], enqueue=False, now=NOW)
        poll_batch_execute(batch_id=run.batches.get().pk, client=client, now=NOW)
        assert len(rsps.calls) == 2  # no retry
    page.refresh_from_db()
    assert page.status == AccountStatus.REAUTH_REQUIRED
    state = AccountPollState.objects.get(pk=page.pk)
    assert state.last_error_kind == "reauth_required" and PAGE_TOKEN not in state.last_error
    run.refresh_from_db()
    assert run.errors == {"reauth_required": 1} and PAGE_TOKEN not in run.last_error


def test_no_token_in_a_dump_of_the_credentials_column_or_in_task_arguments(world, tmp_path):
    AccountFactory(
        unit=world.patna, platform=Platform.FACEBOOK, handle="dm.patna3", credentials={"access_token": PAGE_TOKEN}
    )
    dump = tmp_path / "dump.json"
    call_command("dumpdata", "departments.account", "metrics", output=str(dump))
    assert PAGE_TOKEN not in dump.read_text()
    run = poll_run_create(platform=Platform.FACEBOOK, enqueue=False, now=NOW)
    # tasks carry batch ids only; batches carry account ids only
    assert all(isinstance(i, int) for batch in run.batches.all() for i in batch.account_ids)
