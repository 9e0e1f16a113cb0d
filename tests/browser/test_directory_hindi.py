"""A state PR officer logs in, opens the directory, switches to Hindi and sees Hindi names."""

import pytest

from tests.conftest import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_state_officer_switches_the_directory_to_hindi(live_server, page):
    build_world()
    page.goto(f"{live_server.url}/directory/")
    assert page.url.startswith(f"{live_server.url}/login/")  # sent to log in first

    page.get_by_label("Username").fill("pr.bihar")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/directory/")

    table = page.get_by_test_id("directory-table")
    assert {"Patna", "Gaya"} <= set(table.locator("a.unit-name").all_inner_texts())
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_test_id("switch-language").click()
    page.wait_for_load_state("networkidle")

    assert page.locator("html").get_attribute("lang") == "hi"
    assert page.get_by_role("heading", level=1).inner_text().startswith("इकाइयों की निर्देशिका")
    names = table.locator("a.unit-name").all_inner_texts()
    assert "पटना" in names and "गया" in names
    assert page.get_by_test_id("state-name").inner_text() == "बिहार"

    # the other state's units never appear
    assert page.get_by_text("दौसा").count() == 0
