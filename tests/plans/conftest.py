"""Shared set-up of the plan tests: plans required in August 2026 for September to November.

Patna's X account and Facebook page are polled daily from 31 August to 19 October 2026 (none
after), with posts and Facebook Lives in September and October; so at 20 October September has
ended, October is running and November is still to come, and by 5 December October has ended
with figures while November has none.
"""

from datetime import date, datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from departments.choices import Platform, UnitKind
from departments.models import Account
from plans.services import plan_approve, plan_submit, plans_require
from tests.factories import UnitFactory, daily_snapshots, post

SEPTEMBER, OCTOBER, NOVEMBER = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
AUGUST_10 = timezone.make_aware(datetime(2026, 8, 10, 12))
OCTOBER_20 = timezone.make_aware(datetime(2026, 10, 20, 12))
DECEMBER_5 = timezone.make_aware(datetime(2026, 12, 5, 12))
REASON = "Judged less active in July: no Facebook Live of 30 minutes"


def at(day: date, hour: int = 11) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def targets(followers=(6000, 6500, 7000), posts=(10, 12, 14), lives=(3, 2, 2), months=(SEPTEMBER, OCTOBER, NOVEMBER)):
    return [
        {"month": month, "followers_target": f, "posts_target": p, "lives_target": lv}
        for month, f, p, lv in zip(months, followers, posts, lives, strict=False)
    ]


@pytest.fixture
def august():
    with time_machine.travel(AUGUST_10, tick=False):
        yield


@pytest.fixture
def required(world, august):
    """Plans from September required of Patna and Gaya, due 20 August."""
    return plans_require(
        units=[world.patna, world.gaya],
        first_month=SEPTEMBER,
        due_date=date(2026, 8, 20),
        reason=REASON,
        user=world.admin,
    )


@pytest.fixture
def patna_plan(world, required):
    return next(plan for plan in required.created if plan.unit == world.patna)


@pytest.fixture
def approved(world, patna_plan):
    plan_submit(plan=patna_plan, user=world.dpro_patna, targets=targets())
    patna_plan.refresh_from_db()
    return plan_approve(plan=patna_plan, user=world.pr_bihar, note="")


@pytest.fixture
def figures(world):
    """Patna polled 31 Aug – 19 Oct: followers 1000 + 10/day on X, 5000 + 5/day on Facebook; posts and Lives."""
    page = Account.objects.get(unit=world.patna, platform=Platform.FACEBOOK)
    daily_snapshots(world.patna_x, date(2026, 8, 31), date(2026, 10, 19), followers_from=1000, step=10)
    daily_snapshots(page, date(2026, 8, 31), date(2026, 10, 19), followers_from=5000, step=5)
    for day in range(1, 13):
        post(world.patna_x, at(date(2026, 9, day)))
    for day in (2, 9, 16):
        post(page, at(date(2026, 9, day)))
    post(page, at(date(2026, 9, 5)), "live", duration_seconds=35 * 60)
    post(page, at(date(2026, 9, 12)), "live", duration_seconds=45 * 60)
    post(page, at(date(2026, 9, 19)), "live", duration_seconds=20 * 60)  # too short to count
    for day in (3, 6, 9, 12):
        post(world.patna_x, at(date(2026, 10, day)))
    post(page, at(date(2026, 10, 8)), "live", duration_seconds=40 * 60)
    return page


# ---- helpers of the page tests ----------------------------------------------------------

LIST = reverse("plans:list")
REQUIRE = reverse("plans:require")


def submit_data(followers=(6000, 6500, 7000), posts=(10, 12, 14), lives=(3, 2, 2), months=None, summary=""):
    months = months or ["2026-09-01", "2026-10-01", "2026-11-01"]
    data = {
        "targets-TOTAL_FORMS": str(len(months)),
        "targets-INITIAL_FORMS": "3",
        "targets-MIN_NUM_FORMS": "3",
        "targets-MAX_NUM_FORMS": "3",
        "summary": summary,
    }
    for index, month in enumerate(months):
        data |= {
            f"targets-{index}-month": month,
            f"targets-{index}-followers_target": str(followers[index]),
            f"targets-{index}-posts_target": str(posts[index]),
            f"targets-{index}-lives_target": str(lives[index]),
        }
    return data


def submit_url(plan):
    return reverse("plans:submit", kwargs={"pk": plan.pk})


def decide_url(plan):
    return reverse("plans:decide", kwargs={"pk": plan.pk})


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def more_plans(world, count):
    """``count`` more Bihar districts with a plan from September, submitted (by the state, for speed)."""
    units = UnitFactory.create_batch(count, state=world.bihar, kind=UnitKind.DISTRICT)
    plans = plans_require(
        units=units, first_month=SEPTEMBER, due_date=date(2026, 8, 20), reason="More", user=world.admin
    ).created
    for plan in plans:
        plan_submit(plan=plan, user=world.pr_bihar, targets=targets())
