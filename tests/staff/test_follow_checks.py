"""The follow checks against a fake X API v2 (tweepy's real ``Client``; only HTTP is faked, by ``responses``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from departments.models import Unit
from staff.follows import budget_status, follow_checks_run
from staff.models import FollowCheckBudget, FollowCheckRequest, FollowStatus, RequestOutcome, StaffMember
from staff.tasks import follow_checks_run_task
from tests.platforms import payloads as p
from tests.staff.conftest import (
    BEARER,
    DAUSA_ID,
    NOW,
    USERS_BY,
    budget,
    following,
    following_url,
    member,
    query,
    users_by,
)

pytestmark = pytest.mark.usefixtures("live")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def refreshed(m: StaffMember) -> StaffMember:
    m.refresh_from_db()
    return m


# --- pagination -----------------------------------------------------------------------------------


def test_target_on_page_two_follows_after_two_page_requests(dausa, x_api):
    budget(100)
    ramesh = member(dausa.dausa_pro, "Ramesh Meena", "RameshMeena")
    x_api.add_callback("GET", USERS_BY, callback=users_by({"RameshMeena": "501"}))
    x_api.get(
        following_url("501"), json=following(["11", "12"], next_token="7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i")
    )
    x_api.get(following_url("501"), json=following(["13", DAUSA_ID], previous_token="77qp8"))
    # responses answers registrations for one URL in order: page 1, then page 2.

    result = follow_checks_run()

    ramesh = refreshed(ramesh)
    assert ramesh.follow_status == FollowStatus.FOLLOWS
    assert ramesh.x_user_id == "501" and ramesh.follow_target == "DmDausa"
    assert ramesh.follow_checked_at == NOW
    assert [call.request.url.split("?")[0] for call in x_api.calls] == [
        USERS_BY,
        following_url("501"),
        following_url("501"),
    ]
    assert query(x_api.calls[0])["usernames"] == "RameshMeena"
    assert query(x_api.calls[1]) == {"max_results": "1000"}
    assert query(x_api.calls[2]) == {
        "max_results": "1000",
        "pagination_token": "7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i",
    }
    assert all(call.request.headers["Authorization"] == f"Bearer {BEARER}" for call in x_api.calls)
    assert result.requests == 3 and result.checked == 1
    ledger = list(FollowCheckRequest.objects.order_by("pk").values_list("endpoint", "page", "outcome", "http_status"))
    assert ledger == [("users_by", 0, "ok", 200), ("following", 0, "ok", 200), ("following", 1, "ok", 200)]


def test_target_missing_after_the_last_page_is_not_following(dausa, x_api):
    budget(100)
    sunita = member(dausa.dausa, "Sunita Sharma", "SunitaSharma", x_user_id="502")
    x_api.get(following_url("502"), json=following(["21", "22"], next_token="n2"))
    x_api.get(following_url("502"), json=following(["23"], previous_token="p1"))

    follow_checks_run()

    sunita = refreshed(sunita)
    assert sunita.follow_status == FollowStatus.NOT_FOLLOWING and sunita.follow_checked_at == NOW
    assert len(x_api.calls) == 2  # the id was known: no users lookup


def test_a_protected_accounts_following_list_is_refused_and_marked_protected(dausa, x_api):
    budget(100)
    hidden = member(dausa.dausa_pro, "Hidden Person", "HiddenPerson", x_user_id="503")
    x_api.get(following_url("503"), json=p.x_users([], [p.x_not_authorized("503")]))

    follow_checks_run()

    hidden = refreshed(hidden)
    assert hidden.follow_status == FollowStatus.PROTECTED and hidden.follow_checked_at == NOW
    assert FollowCheckRequest.objects.get().outcome == RequestOutcome.ACCOUNT_ERROR


def test_a_handle_the_lookup_says_is_protected_costs_no_following_request(dausa, x_api):
    budget(100)
    hidden = member(dausa.dausa_pro, "Hidden Person", "HiddenPerson")
    x_api.add_callback("GET", USERS_BY, callback=users_by({"HiddenPerson": "503"}, protected=("HiddenPerson",)))

    follow_checks_run()

    assert refreshed(hidden).follow_status == FollowStatus.PROTECTED
    assert len(x_api.calls) == 1


def test_unknown_and_suspended_usernames_in_the_lookup_are_recorded(dausa, x_api):
    budget(100)
    gone = member(dausa.dausa, "Nobody", "NoSuchClerk")
    banned = member(dausa.dausa, "Banned", "BannedClerk")
    ok = member(dausa.dausa, "Fine", "FineClerk")
    x_api.add_callback("GET", USERS_BY, callback=users_by({"FineClerk": "504"}, suspended=("BannedClerk",)))
    x_api.get(following_url("504"), json=following([DAUSA_ID]))

    follow_checks_run()

    assert refreshed(gone).follow_status == FollowStatus.NOT_FOUND
    assert refreshed(banned).follow_status == FollowStatus.SUSPENDED
    assert refreshed(ok).follow_status == FollowStatus.FOLLOWS
    assert set(query(x_api.calls[0])["usernames"].split(",")) == {"NoSuchClerk", "BannedClerk", "FineClerk"}
    assert len(x_api.calls) == 2  # one lookup for all three, one following page for the one found


def test_the_target_is_resolved_in_the_same_lookup_when_its_id_is_unknown(world, x_api):
    budget(100)
    clerk = member(world.dausa, "Clerk", "DausaClerk")
    x_api.add_callback("GET", USERS_BY, callback=users_by({"DausaClerk": "505", "DmDausa": DAUSA_ID}))
    x_api.get(following_url("505"), json=following([DAUSA_ID]))

    follow_checks_run()

    assert set(query(x_api.calls[0])["usernames"].split(",")) == {"DausaClerk", "DmDausa"}
    assert refreshed(clerk).follow_status == FollowStatus.FOLLOWS


def test_a_unit_without_a_handle_to_follow_spends_nothing(dausa, x_api):
    budget(100)
    rj_iprd = Unit.objects.get(code="RJ-IPRD")  # a state department without an X account
    clerk = member(rj_iprd, "Clerk", "IprdClerk")

    result = follow_checks_run()

    assert result.requests == 0 and not x_api.calls
    assert refreshed(clerk).follow_status == FollowStatus.UNKNOWN


# --- 429 ---------------------------------------------------------------------------------------------


def test_a_429_stops_the_run_records_the_reset_and_leaves_the_half_checked_member_due(dausa, x_api, _frozen):
    budget(100)
    first = member(dausa.dausa, "First", "FirstClerk", x_user_id="601")
    second = member(dausa.dausa, "Second", "SecondClerk", x_user_id="602")
    reset = int((NOW + timedelta(minutes=12)).timestamp())
    x_api.get(following_url("601"), json=following(["1"], next_token="n2"))
    x_api.get(
        following_url("601"),
        status=429,
        json=p.x_problem(429, "Too Many Requests"),
        headers={"x-rate-limit-limit": "15", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)},
    )

    result = follow_checks_run()

    assert result.stopped == "rate_limited"
    assert len(x_api.calls) == 2  # nothing more requested after the 429: the second member waits
    assert FollowCheckBudget.load().paused_until == datetime.fromtimestamp(reset, tz=UTC)
    assert refreshed(first).follow_checked_at is None and first.follow_status == FollowStatus.UNKNOWN
    assert refreshed(second).follow_checked_at is None
    assert FollowCheckRequest.objects.order_by("-pk").first().outcome == RequestOutcome.RATE_LIMITED
    assert FollowCheckRequest.objects.order_by("-pk").first().http_status == 429
    assert StaffMember.objects.filter(follow_claimed_until__isnull=False).count() == 0

    _frozen.move_to(NOW + timedelta(minutes=5))
    assert follow_checks_run().stopped == "paused"
    assert len(x_api.calls) == 2

    _frozen.move_to(NOW + timedelta(minutes=13))
    x_api.replace("GET", following_url("601"), json=following([DAUSA_ID]))
    x_api.add("GET", following_url("602"), json=following(["9"]))
    again = follow_checks_run()

    assert again.stopped == "" and again.requests == 2
    assert refreshed(first).follow_status == FollowStatus.FOLLOWS
    assert refreshed(second).follow_status == FollowStatus.NOT_FOLLOWING
    assert "pagination_token" not in query(x_api.calls[2])  # the first member starts again from page 1


# --- the budget --------------------------------------------------------------------------------------


def test_the_weekly_budget_is_respected(dausa, x_api, _frozen):
    budget(5)
    members = [member(dausa.dausa, f"Clerk {n}", f"Clerk{n}", x_user_id=str(700 + n)) for n in range(4)]
    for m in members:  # each list has two pages, the district on the second
        x_api.get(following_url(m.x_user_id), json=following(["1"], next_token="n2"))
        x_api.get(following_url(m.x_user_id), json=following([DAUSA_ID]))

    result = follow_checks_run()

    assert result.stopped == "budget"
    assert len(x_api.calls) == 5 and result.requests == 5
    assert FollowCheckRequest.objects.count() == 5
    checked = StaffMember.objects.filter(follow_checked_at__isnull=False)
    assert checked.count() == 2  # two pages each; the third got one page of two: not checked
    assert set(checked.values_list("follow_status", flat=True)) == {FollowStatus.FOLLOWS}
    status = budget_status()
    assert (status.used, status.limit, status.left, status.waiting) == (5, 5, 0, 2)

    _frozen.move_to(NOW + timedelta(days=6, hours=23))
    assert follow_checks_run().requests == 0
    assert len(x_api.calls) == 5

    _frozen.move_to(NOW + timedelta(days=7, minutes=1))  # the first week's requests have left the window
    x_api.get(following_url("702"), json=following(["1"], next_token="n2"))
    x_api.get(following_url("702"), json=following([DAUSA_ID]))
    x_api.get(following_url("703"), json=following(["1"], next_token="n2"))
    x_api.get(following_url("703"), json=following([DAUSA_ID]))
    later = follow_checks_run()
    assert later.requests == 5  # 4 for the two waiting, then the first two are due again: 1 more
    assert StaffMember.objects.filter(follow_status=FollowStatus.FOLLOWS).count() == 4


def test_checks_switched_off_make_no_request(dausa, x_api):
    budget(100, enabled=False)
    member(dausa.dausa, "Clerk", "Clerk1", x_user_id="801")

    assert follow_checks_run().stopped == "off"
    assert not x_api.calls


def test_nothing_is_rechecked_within_a_week(dausa, x_api, _frozen):
    budget(100)
    clerk = member(dausa.dausa, "Clerk", "Clerk1", x_user_id="801")
    x_api.get(following_url("801"), json=following(["5"]))

    follow_checks_run()
    assert refreshed(clerk).follow_status == FollowStatus.NOT_FOLLOWING and len(x_api.calls) == 1

    _frozen.move_to(NOW + timedelta(days=6))
    assert follow_checks_run().requests == 0
    assert len(x_api.calls) == 1

    _frozen.move_to(NOW + timedelta(days=7))
    x_api.replace("GET", following_url("801"), json=following([DAUSA_ID]))
    follow_checks_run()
    assert len(x_api.calls) == 2
    assert refreshed(clerk).follow_status == FollowStatus.FOLLOWS
    assert clerk.follow_checked_at == NOW + timedelta(days=7)


# --- running twice -----------------------------------------------------------------------------------


def test_the_task_run_twice_checks_each_member_once(dausa, x_api):
    budget(100)
    member(dausa.dausa, "Clerk", "Clerk1", x_user_id="801")
    member(dausa.dausa_pro, "Other", "Clerk2", x_user_id="802")
    x_api.get(following_url("801"), json=following([DAUSA_ID]))
    x_api.get(following_url("802"), json=following(["3"]))

    assert follow_checks_run_task() == 2
    assert follow_checks_run_task() == 0
    assert len(x_api.calls) == 2 and FollowCheckRequest.objects.count() == 2


def test_a_member_claimed_by_another_run_is_left_to_it_until_the_claim_expires(dausa, x_api, _frozen):
    budget(100)
    clerk = member(dausa.dausa, "Clerk", "Clerk1", x_user_id="801", follow_claimed_until=NOW + timedelta(minutes=30))
    x_api.get(following_url("801"), json=following([DAUSA_ID]))

    assert follow_checks_run().requests == 0

    _frozen.move_to(NOW + timedelta(minutes=31))  # that worker died: its claim has expired
    assert follow_checks_run().requests == 1
    assert refreshed(clerk).follow_status == FollowStatus.FOLLOWS
