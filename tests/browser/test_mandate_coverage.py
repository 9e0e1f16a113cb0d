"""An admin records Uttar Pradesh's order in the browser and watches its coverage drawn day by day."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from departments.choices import Platform, UnitKind
from departments.models import Account, State, Unit
from tests.browser.conftest import log_in
from tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_records_a_mandate_and_sees_its_coverage_chart_and_who_has_none(live_server, page):
    build_world()
    up = State.objects.create(code="UP", name_en="Uttar Pradesh", name_hi="उत्तर प्रदेश")
    today = timezone.localdate()
    start = today - timedelta(days=3)
    for number in range(6):
        unit = Unit.objects.create(
            state=up,
            kind=UnitKind.STATE_DEPARTMENT,
            code=f"UP-D{number}",
            name_en=f"Dept {number}",
            name_hi=f"वि{number}",
        )
        if number < 4:
            account = Account.objects.create(unit=unit, platform=Platform.X, handle=f"UPD{number}")
            when = timezone.make_aware(datetime.combine(start + timedelta(days=number), time(10)))
            Account.objects.filter(pk=account.pk).update(created_at=when)

    log_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/compliance/rules/")
    page.get_by_test_id("mandates-link").click()
    assert "No account mandates yet" in page.get_by_test_id("mandates-empty").inner_text()
    page.get_by_test_id("new-mandate").click()
    page.get_by_label("Name (English)").fill("Every department on X within a week")
    page.get_by_label("Name (Hindi)").fill("हर विभाग एक सप्ताह में X पर")
    page.get_by_label("State").select_option(label="Uttar Pradesh")
    page.get_by_label("Applies to").select_option("departments")
    page.get_by_label("Platform").select_option("x")
    page.get_by_label("Ordered on").fill(start.isoformat())
    page.get_by_label("Deadline").fill((start + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/compliance/mandates/*/")

    assert "an account on X by" in page.get_by_test_id("mandate-text").inner_text()
    assert page.get_by_test_id("covered-now").inner_text() == "4 / 6"
    assert "4 days left, today included" in page.get_by_test_id("days-left").inner_text()
    drawn = page.evaluate(
        "() => { const c = Chart.getChart(document.querySelector('canvas[data-coverage-chart]'));"
        " return c ? c.data.datasets[0].data : null; }"
    )
    assert drawn == [1, 2, 3, 4, None, None, None]  # on to the deadline
    missing = page.get_by_test_id("missing-row")
    assert missing.count() == 2
    assert "Dept 4" in missing.nth(0).inner_text() and "Dept 5" in missing.nth(1).inner_text()
    page.goto(f"{live_server.url}/compliance/mandates/")
    assert page.get_by_test_id("mandate-row").count() == 1
    assert "4 of 6 (67%)" in page.get_by_test_id("mandate-coverage").inner_text()
