"""A state PR officer creates a 15-day campaign for Dausa's department offices, starts it, and sees the burn-up."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus
from metrics.models import AccountPollState
from tests.browser.conftest import log_in
from tests.campaigns.conftest import Dausa
from tests.conftest import build_world
from tests.factories import daily_snapshots, post, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_state_officer_creates_and_starts_a_15_day_campaign_and_sees_the_burnup(live_server, page):
    world = build_world()
    dausa = Dausa(world)
    today = timezone.localdate()
    now = timezone.now()
    start_of_today = timezone.make_aware(datetime.combine(today, time.min))
    for account, followers in ((dausa.health_x, 1000), (dausa.pro_x, 2000)):
        daily_snapshots(account, today - timedelta(days=5), today - timedelta(days=1), followers_from=followers)
        snapshot(account, max(start_of_today, now - timedelta(minutes=5)), followers + 80)
    post(dausa.health_x, max(start_of_today, now - timedelta(minutes=5)))

    log_in(page, live_server, "pr.rajasthan")
    page.goto(f"{live_server.url}/campaigns/")
    page.get_by_test_id("new-campaign").click()
    form = page.get_by_test_id("campaign-form")
    form.locator("[name=name_en]").fill("Dausa 15-day X drive")
    form.locator("[name=name_hi]").fill("दौसा 15 दिवसीय X अभियान")
    assert form.locator("[name=starts_on]").input_value() == today.isoformat()
    assert form.locator("[name=ends_on]").input_value() == (today + timedelta(days=14)).isoformat()
    form.locator("[name=scope]").select_option("district_offices")
    form.locator("[name=district]").select_option(label="Dausa")
    selected = form.locator("[name=units]").evaluate("s => Array.from(s.selectedOptions).map(o => o.textContent)")
    assert sorted(selected) == sorted(f"{unit.name_en} ({unit.code})" for unit in dausa.offices)  # preselected
    form.locator("#id_targets-0-metric").select_option("followers_pct")
    form.locator("#id_targets-0-platform").select_option("x")
    form.locator("#id_targets-0-value").fill("5")
    form.get_by_role("button", name="Add a target").click()
    form.locator("#id_targets-1-metric").select_option("posts")
    form.locator("#id_targets-1-value").fill("30")
    form.get_by_role("button", name="Save draft").click()
    assert "saved as a draft" in page.locator("body").inner_text()

    page.get_by_test_id("start-campaign").click()
    assert "The campaign is running" in page.locator("body").inner_text()
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.RUNNING and campaign.days == 15
    assert AccountPollState.objects.filter(hourly_until=campaign.end_at).count() == 2

    assert "day 1 of 15" in page.get_by_test_id("day-of").inner_text()
    canvas = page.locator("canvas[data-burnup='burnup-followers_pct-x']")
    assert page.evaluate(
        "Chart.getChart(document.querySelector(\"canvas[data-burnup='burnup-followers_pct-x']\")) !== undefined"
    )
    box = canvas.bounding_box()
    assert box["width"] > 100 and box["height"] > 100
    achieved = page.evaluate(
        "Chart.getChart(document.querySelector(\"canvas[data-burnup='burnup-posts-x']\")).data.datasets[1].data[0]"
    )
    assert achieved == 1
    rows = page.get_by_test_id("leaderboard-row")
    assert rows.count() == 3
    assert rows.last.get_attribute("data-unit") == "RJ-DAUSA-PWD"  # no account: no data, no rank
