"""A state PR officer opens Bihar's monthly live table, sorts it, exports CSV and drills into a cell."""

from datetime import date, datetime, time
from pathlib import Path

import pytest
from django.utils import timezone

from departments.choices import Platform
from departments.models import Account
from tests.conftest import PASSWORD, build_world
from tests.factories import daily_snapshots, post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _july_lives():
    world = build_world()
    patna = Account.objects.create(unit=world.patna, platform=Platform.FACEBOOK, handle="dmpatna.page")
    gaya = Account.objects.create(unit=world.gaya, platform=Platform.FACEBOOK, handle="dmgaya.page")
    for page in (patna, gaya):
        daily_snapshots(page, date(2026, 6, 30), date(2026, 7, 31), followers_from=5000)
    for day in (3, 10, 17):
        when = timezone.make_aware(datetime.combine(date(2026, 7, day), time(11)))
        post(patna, when, "live", duration_seconds=35 * 60, text=f"Jan samvad {day} July")
    post(gaya, timezone.make_aware(datetime(2026, 7, 9, 11)), "live", duration_seconds=25 * 60)
    return world


def test_state_officer_sorts_exports_and_drills_into_the_monthly_table(live_server, page, tmp_path):
    _july_lives()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("pr.bihar")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="Compliance").click()
    page.get_by_label("Month").fill("2026-07")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**month=2026-07**")
    rows = page.get_by_test_id("result-row")
    assert rows.nth(0).get_attribute("data-unit") == "BR-PATNA"
    assert "Pass" in rows.nth(0).inner_text() and "Fail" in rows.nth(1).inner_text()
    assert "Gaya" in page.get_by_test_id("failed-list").inner_text()

    page.get_by_test_id("sort-name").click()
    page.wait_for_url("**sort=name**")
    assert rows.nth(0).get_attribute("data-unit") == "BR-GAYA"

    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    saved = Path(tmp_path) / "table.csv"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("rank,code,name_en")
    assert "BR-PATNA,Patna,पटना,3,pass" in text and "BR-GAYA,Gaya,गया,0,fail" in text

    page.locator('[data-unit="BR-PATNA"] [data-testid="drill"]').click()
    page.wait_for_url("**/leaderboards/unit/BR-PATNA/**")
    body = page.locator("body").inner_text()
    assert "dmpatna.page" in body
    assert "Jan samvad 3 July" in body or "35" in body
