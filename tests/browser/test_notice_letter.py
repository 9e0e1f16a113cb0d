"""A district official opens the notice's printable letter: the vendored fonts load, Print hides itself in print."""

from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from notices.services import notice_issue
from tests.conftest import PASSWORD, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

IST = timezone.get_fixed_timezone(330)


def test_district_official_prints_the_letter_with_its_own_fonts(live_server, page):
    world = build_world()
    with time_machine.travel(datetime(2026, 8, 3, 11, tzinfo=IST), tick=False):
        notice = notice_issue(
            unit=world.patna,
            user=world.admin,
            deadline=datetime(2026, 8, 17, 17, tzinfo=IST),
            reason_en="Patna held no Facebook Live broadcast in July 2026.",
            reason_hi="पटना जिले द्वारा जुलाई 2026 में एक भी फेसबुक लाइव नहीं किया गया।",
        )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("dpro.patna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/notices/{notice.pk}/letter/")
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight)")
    fonts = {name.replace('"', "") for name in loaded}  # Chromium gives the family unquoted, others quoted
    assert {"Letter Latin 400", "Letter Latin 700", "Letter Devanagari 400", "Letter Devanagari 700"} <= fonts
    letter = page.get_by_test_id("letter")
    assert "जिलाधिकारी, पटना" in letter.inner_text()
    assert page.get_by_test_id("print").is_visible()

    page.emulate_media(media="print")
    assert not page.get_by_test_id("print").is_visible()
    page.emulate_media(media="screen")
