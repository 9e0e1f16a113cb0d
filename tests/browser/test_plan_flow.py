"""An admin requires a plan of Patna, the district fills in its targets in the browser, the state approves it."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from departments.choices import Platform
from departments.models import Account
from plans.models import ImprovementPlan, PlanStatus
from tests.browser.conftest import log_in
from tests.conftest import build_world
from tests.factories import daily_snapshots, post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plan_is_required_submitted_approved_and_followed(live_server, page):
    world = build_world()
    today = timezone.localdate()
    facebook = Account.objects.get(unit=world.patna, platform=Platform.FACEBOOK)
    first = today.replace(day=1)
    daily_snapshots(world.patna_x, first - timedelta(days=1), today, followers_from=1000)
    daily_snapshots(facebook, first - timedelta(days=1), today, followers_from=5000)
    post(facebook, timezone.make_aware(datetime.combine(first, time(8))), "live", duration_seconds=40 * 60)

    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/compliance/rules/")
    page.get_by_test_id("plans-link").click()
    page.get_by_test_id("require-plans").click()
    page.get_by_label("Units").select_option(label="Patna (BR-PATNA)")
    page.get_by_label("First month").fill(f"{first:%Y-%m}")
    page.get_by_label("Reason").fill("Judged less active last month")
    page.get_by_role("button", name="Require plans").click()
    page.wait_for_url("**/plans/?**")
    assert "A plan was required from 1 unit." in page.locator("body").inner_text()

    log_in(page, live_server, "dpro.patna")
    page.goto(f"{live_server.url}{world.patna.get_absolute_url()}")
    page.get_by_test_id("unit-plans").get_by_role("link").first.click()
    form = page.get_by_test_id("submit-form")
    for index, (followers, posts, lives) in enumerate([(7000, 20, 2), (7500, 22, 2), (8000, 24, 2)]):
        form.locator(f"#id_targets-{index}-followers_target").fill(str(followers))
        form.locator(f"#id_targets-{index}-posts_target").fill(str(posts))
        form.locator(f"#id_targets-{index}-lives_target").fill(str(lives))
    form.locator("#id_targets-1-posts_target").fill("-3")
    form.get_by_role("button", name="Submit for approval").click()
    assert "A target cannot be below zero." in page.get_by_test_id("submit-form").inner_text()
    page.get_by_test_id("submit-form").locator("#id_targets-1-posts_target").fill("22")
    page.get_by_test_id("submit-form").get_by_role("button", name="Submit for approval").click()
    assert "The plan was submitted for approval." in page.locator("body").inner_text()

    log_in(page, live_server, "pr.bihar")
    plan = ImprovementPlan.objects.get()
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    page.get_by_test_id("approve").click()
    assert "The plan was approved." in page.locator("body").inner_text()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    first_row = page.get_by_test_id("progress-row").first
    assert first_row.get_attribute("data-status") in {"so_far", "met", "missed"}
    assert page.evaluate("Chart.getChart(document.querySelector('canvas[data-plan-chart]')) !== undefined")
