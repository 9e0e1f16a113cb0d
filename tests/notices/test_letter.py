"""The notice as a bilingual letter: its PDF read back with pdftotext, the printable page, who may see them."""

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notices.letter import (
    LetterRenderError,
    html_to_pdf,
    letter_context,
    letter_filename,
    letter_pdf,
    static_only_fetcher,
)
from notices.selectors import notice_detail
from notices.services import notice_issue

IST = timezone.get_fixed_timezone(330)
ISSUED_AT = datetime(2026, 8, 3, 11, tzinfo=IST)
DEADLINE = datetime(2026, 8, 17, 17, 0, tzinfo=IST)
ROOT = Path(__file__).resolve().parents[2]
REASON_HI = (
    "यह पाया गया है कि पटना जिले द्वारा जुलाई 2026 में एक भी फेसबुक लाइव नहीं किया गया। राज्य सरकार के निर्देशों का पालन नहीं हुआ।"
)
REASON_EN = "Patna held 2 qualifying Facebook Live broadcasts in July 2026 against the 4 required."
EVIDENCE = {
    "flag": None,
    "rule_en": "At least 4 Facebook Live broadcasts of 30 minutes a month.",
    "rule_hi": "प्रति माह कम से कम 4 फेसबुक लाइव, प्रत्येक 30 मिनट का।",
    "period": {"kind": "month", "start": "2026-07-01", "end": "2026-07-31"},
    "value": "2",
    "threshold": "4",
    "comparison": "gte",
    "median": "6",
    "rank": 29,
    "units_compared": 38,
    "reason": "",
}


def _issue(world, **kw):
    with time_machine.travel(ISSUED_AT, tick=False):
        notice = notice_issue(
            unit=world.patna, user=world.admin, deadline=DEADLINE, reason_en=REASON_EN, reason_hi=REASON_HI, **kw
        )
    notice.evidence = [EVIDENCE]
    notice.save(update_fields=["evidence"])
    return notice


@pytest.fixture
def notice(world):
    world.bihar.notice_prefix = "BIH/IPRD"
    world.bihar.save()
    world.admin.first_name, world.admin.last_name = "Anil", "Kumar"
    world.admin.save()
    return _issue(world)


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} not found: .ci/run installs poppler-utils")
        pytest.skip(f"reading the PDF back needs {tool} (apt-get install poppler-utils)")
    return path


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    result = subprocess.run([_poppler("pdftotext"), "-layout", path, "-"], capture_output=True, check=True)
    return result.stdout.decode()


def _pdf_fonts(pdf: bytes, tmp_path: Path) -> set[str]:
    """The fonts embedded in the PDF, without their subset tags (``ABCDEF+Letter-Latin`` -> ``Letter-Latin``)."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run([_poppler("pdffonts"), path], capture_output=True, check=True, text=True).stdout
    return {line.split()[0].split("+")[-1] for line in lines.splitlines()[2:] if line.strip()}


def _compact(text: str) -> str:
    """pdftotext puts spaces where a Devanagari glyph cluster leaves a gap (जिला धिकारी): compare without them."""
    return "".join(text.split())


def test_letter_pdf_reads_back_with_number_addressee_reason_figures_and_deadline(notice, tmp_path):
    pdf = letter_pdf(notice)

    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    assert "BIH/IPRD/2026/0001" in text
    assert "Government of Bihar" in text and "Information & Public Relations Department" in text
    assert "The District Magistrate, Patna" in text and "District Public Relations Officer, Patna" in text
    assert "Subject: Show-cause notice on social media directions" in text
    assert _compact(REASON_EN) in _compact(text)
    # Devanagari read back. The PDF maps each glyph to one piece of text, the first it drew: a matra drawn
    # before its consonant (ि) or a reph can come back misplaced (विषय -> वषय) although the page shows
    # it right (Pango and HarfBuzz shape it). These words, conjuncts included, come back intact.
    assert "जिलाधिकारी,पटना" in _compact(text)  # pdftotext splits it: जिला धिकारी
    for words in ("बिहार सरकार", "पत्रांक", "दिनांक", "सेवा में", "भारतीय मानक समय", "प्रस्तुत", "कम से कम 4"):
        assert words in text, words
    for words in ("पटना जिले द्वारा", "फेसबुक", "राज्य सरकार", "पालन नहीं", "हुआ।"):  # the Hindi reason
        assert words in text, words
    # The evidence row: the unit's figure, the required, the state median, the rank of the units compared.
    assert re.search(r"\s2\s+कम से कम 4\s+6\s+29 / 38\n", text)
    assert "at least 4" in text and "Unit's" in text and "State" in text and "median" in text
    assert "01.07.2026" in text and "1 July 2026 to 31" in text
    assert "Date: 03.08.2026 (3 August 2026)" in text
    assert "by 17:00 IST on 17 August 2026" in text and "17.08.2026" in text
    assert "By order" in text and "Anil Kumar" in text and "Administrator" in text
    assert "Page 1 of 1" in text


def test_letter_pdf_embeds_only_the_vendored_fonts(notice, tmp_path):
    fonts = _pdf_fonts(letter_pdf(notice), tmp_path)

    assert fonts == {"Letter-Latin", "Letter-Latin-Bold", "Letter-Devanagari", "Letter-Devanagari-Bold"}


def test_letter_pdf_is_the_same_on_a_machine_without_fonts(notice, tmp_path):
    """Rendered in a process whose Fontconfig knows no font at all: the letter's own fonts are all it needs."""
    html = tmp_path / "letter.html"
    html.write_text(render_to_string("notices/letter.html", {**letter_context(notice), "for_pdf": True}))
    config = tmp_path / "fonts.conf"
    config.write_text(f"<?xml version='1.0'?><fontconfig><cachedir>{tmp_path}/fc</cachedir></fontconfig>")
    script = (
        "import django, sys; django.setup(); from notices.letter import html_to_pdf; "
        "from pathlib import Path; Path(sys.argv[2]).write_bytes(html_to_pdf(Path(sys.argv[1]).read_text()))"
    )
    out = tmp_path / "bare.pdf"
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "DJANGO_SETTINGS_MODULE": "govsocial.settings"}
    subprocess.run([sys.executable, "-W", "ignore", "-c", script, html, out], cwd=ROOT, env=env, check=True)

    pdf = out.read_bytes()
    assert _pdf_fonts(pdf, tmp_path) == {
        "Letter-Latin",
        "Letter-Latin-Bold",
        "Letter-Devanagari",
        "Letter-Devanagari-Bold",
    }
    assert "जिलाधिकारी,पटना" in _compact(_pdf_text(pdf, tmp_path))


def test_escalation_letter_continues_the_earlier_notice(world, notice, tmp_path):
    later = _issue(world, escalated_from=notice, subject_en="Escalation of notice BIH/IPRD/2026/0001")

    text = _pdf_text(letter_pdf(later), tmp_path)

    assert "In continuation of notice BIH/IPRD/2026/0001 of 3 August 2026." in text
    assert "BIH/IPRD/2026/0002" in text


def test_letter_context_needs_no_query_beyond_the_notice(world, notice, django_assert_num_queries):
    loaded = notice_detail(world.admin, notice.pk)

    with django_assert_num_queries(0):
        context = letter_context(loaded)

    assert context["government_hi"] == "बिहार सरकार"
    assert context["officer_name"] == "Anil Kumar"
    assert context["evidence"][0].required_en == "at least 4" and context["evidence"][0].rank == "29 / 38"


def test_officer_designation_is_the_users_own_when_set(world, notice):
    world.admin.designation = "Director, Information & PR"
    world.admin.save()
    notice.refresh_from_db()

    context = letter_context(notice)

    assert (context["designation_hi"], context["designation_en"]) == ("", "Director, Information & PR")


def test_fetcher_serves_static_files_only():
    fetcher = static_only_fetcher()
    font = ROOT / "static/vendor/fonts/noto-sans-devanagari-devanagari-400-normal.woff2"

    assert fetcher(font.as_uri()).read()[:4] == b"wOF2"
    for url in (
        "https://fonts.example.org/noto.woff2",
        "http://127.0.0.1:8000/static/notices/letter.css",
        "file:///etc/passwd",
        (ROOT / "static/../govsocial/settings.py").as_uri(),
        "file://elsewhere/static/notices/letter.css",
        "data:text/css,body{}",
    ):
        with pytest.raises(PermissionError):
            fetcher(url)


def test_letter_with_a_remote_resource_is_refused_not_fetched():
    with pytest.raises(LetterRenderError):
        html_to_pdf('<p>x</p><img src="https://example.org/logo.png">')


def test_admin_and_the_addressed_districts_official_get_the_pdf(world, notice, login):
    for user in (world.admin, world.pr_bihar, world.dpro_patna):
        response = login(user).get(reverse("notices:letter_pdf", kwargs={"pk": notice.pk}))

        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'inline; filename="{letter_filename(notice)}"'
        assert response.content.startswith(b"%PDF")
    assert letter_filename(notice) == "BIH-IPRD-2026-0001.pdf"


def test_printable_page_is_standalone_with_a_print_button(world, notice, login):
    response = login(world.dpro_patna).get(reverse("notices:letter", kwargs={"pk": notice.pk}))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="toolbar no-print"' in html and "window.print()" in html
    assert "navbar" not in html
    assert "/static/notices/letter.css" in html
    assert (
        reverse("notices:letter_pdf", kwargs={"pk": notice.pk}) in html
        and f'href="{notice.get_absolute_url()}"' in html
    )
    assert "जिलाधिकारी, पटना" in html and "BIH/IPRD/2026/0001" in html


def test_district_official_of_another_district_gets_404(world, notice, login):
    for user in (world.dpro_gaya, world.pr_rajasthan):
        client = login(user)

        assert client.get(reverse("notices:letter", kwargs={"pk": notice.pk})).status_code == 404, user
        assert client.get(reverse("notices:letter_pdf", kwargs={"pk": notice.pk})).status_code == 404, user


def test_anonymous_is_sent_to_log_in(notice, client):
    response = client.get(reverse("notices:letter_pdf", kwargs={"pk": notice.pk}))

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_rendering_a_letter_leaves_pillow_strict_about_truncated_images(notice):
    """WeasyPrint's import relaxes Pillow process-wide; reply attachments rely on it staying strict."""
    from PIL import ImageFile

    letter_pdf(notice)

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
