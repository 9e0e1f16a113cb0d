"""A 15-day campaign from draft to report: scheduled, started by the hourly pass, polled with gaps, closed, reported."""

from decimal import Decimal

import pytest
import time_machine

from campaigns import services
from campaigns.models import CampaignBaseline, CampaignResult, CampaignStatus
from campaigns.selectors import MET, NO_DATA, OFF_TRACK, ON_TRACK, burnup_series, campaign_progress
from tests.campaigns.conftest import AFTER_END, DRAFTED, END, FIRST_HOUR, STARTED, at

pytestmark = pytest.mark.django_db


def _run_to_the_end(dausa):
    dausa.history()
    with time_machine.travel(DRAFTED, tick=False):
        campaign = services.campaign_create(user=dausa.world.pr_rajasthan, **dausa.campaign_fields())
    with time_machine.travel(STARTED, tick=False):
        campaign = services.campaign_start(campaign=campaign, user=dausa.world.pr_rajasthan)
    assert campaign.status == CampaignStatus.SCHEDULED
    with time_machine.travel(FIRST_HOUR, tick=False):
        outcome = services.campaigns_advance()
    assert outcome.started == [campaign.pk]
    return campaign


def test_scheduled_campaign_starts_on_its_first_day_with_the_baseline_of_the_start(dausa):
    campaign = _run_to_the_end(dausa)
    campaign.refresh_from_db()

    assert campaign.status == CampaignStatus.RUNNING
    baselines = {b.account_id: b for b in CampaignBaseline.objects.filter(campaign=campaign)}
    assert set(baselines) == {dausa.health_x.pk, dausa.pro_x.pk}
    # Health: the snapshot of 31 July 06:00, 18 hours before the start.
    assert baselines[dausa.health_x.pk].followers == 1060
    assert baselines[dausa.health_x.pk].slot == at(campaign.starts_on.replace(day=31, month=7), 6)
    # PR office: its last snapshot (28 July) is older than 36 hours, and none inside yet: no baseline, shown as such.
    assert baselines[dausa.pro_x.pk].followers is None and baselines[dausa.pro_x.pk].slot is None


def test_progress_day_by_day_keeps_the_polling_gap_a_gap(dausa):
    campaign = _run_to_the_end(dausa)
    day10 = at(campaign.starts_on.replace(day=10), 12)
    with time_machine.travel(day10, tick=False):
        services.campaigns_advance()  # fills the PR office's baseline from its first snapshot inside (3 August)
        campaign.refresh_from_db()
        progress = campaign_progress(campaign)

    assert progress.elapsed == 10
    rows = {row.unit.code: row for row in progress.units}
    health = rows["RJ-DAUSA-HEALTH"].by_key()
    growth = health[("followers_pct", "x")]
    # 1–4 August: +10 a day from 1060; 5–7 August: gaps; 8–10 August: 1140.. (+80 .. +100); the rest not yet.
    assert growth.daily[:10] == [Decimal(n) for n in (10, 20, 30, 40)] + [None] * 3 + [
        Decimal(n) for n in (80, 90, 100)
    ]
    assert growth.daily[10:] == [None] * 5
    assert growth.achieved == Decimal("9.43")  # 100 / 1060
    assert growth.status == MET
    posts = health[("posts", "x")]
    assert posts.daily[:3] == [Decimal(2), Decimal(4), Decimal(6)] and posts.achieved == Decimal(20)
    assert posts.status == ON_TRACK  # 20 of 30 after 10 of 15 days: exactly the pro-rata
    reposts = health[("reposts", "x")]
    # 9 by noon on day 10 (that day's retweet is at 15:00) against 13.33 expected: more than 2 behind
    assert reposts.achieved == Decimal(9) and reposts.status == OFF_TRACK
    pro = rows["RJ-DAUSA-DPRO"].by_key()[("followers_pct", "x")]
    assert pro.before == 2000 and pro.daily[:3] == [None, None, Decimal(0)] and pro.daily[9] == Decimal(35)
    pwd = rows["RJ-DAUSA-PWD"]
    assert [item.status for item in pwd.targets] == [NO_DATA] * 3 and pwd.rank is None
    # The whole campaign's line: gaps where any unit with data has one.
    (followers, posts_series, _reposts) = burnup_series(progress)
    assert followers["achieved"][:3] == [None, None, 30.0]  # 1–2 August: the PR office was not polled
    assert followers["achieved"][4:7] == [None, None, None]
    assert followers["left_out"] == 1 and followers["units"] == 2
    assert posts_series["expected"][-1] == 60.0  # two units, 30 each


def test_results_at_the_end_meet_and_miss_targets_and_polling_goes_back_to_daily(dausa):
    campaign = _run_to_the_end(dausa)
    with time_machine.travel(AFTER_END, tick=False):
        outcome = services.campaigns_advance()
        again = services.campaigns_advance()

    assert outcome.closed == [campaign.pk] and again.closed == [] and again.started == []
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED and not campaign.closed_early and campaign.closed_at == END
    results = {(r.unit.code, r.metric): r for r in CampaignResult.objects.filter(campaign=campaign)}
    assert len(results) == 9
    health_growth = results[("RJ-DAUSA-HEALTH", "followers_pct")]
    assert (health_growth.before, health_growth.after, health_growth.achieved) == (1060, 1210, Decimal("14.15"))
    assert health_growth.status == "met"
    assert results[("RJ-DAUSA-HEALTH", "posts")].status == "met"
    assert results[("RJ-DAUSA-HEALTH", "reposts")].achieved == Decimal(10)
    assert results[("RJ-DAUSA-HEALTH", "reposts")].status == "missed"
    pro_growth = results[("RJ-DAUSA-DPRO", "followers_pct")]
    assert (pro_growth.before, pro_growth.after, pro_growth.achieved, pro_growth.status) == (
        2000,
        2060,
        Decimal("3.00"),
        "missed",
    )
    assert results[("RJ-DAUSA-DPRO", "posts")].achieved == Decimal(30)  # not the posts before or after
    assert results[("RJ-DAUSA-DPRO", "reposts")].status == "met"
    assert {results[("RJ-DAUSA-PWD", m)].status for m in ("followers_pct", "posts", "reposts")} == {"no_data"}
