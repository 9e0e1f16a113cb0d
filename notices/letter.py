"""A notice as a formal bilingual letter (Hindi and English): the template's context, and its PDF.

The PDF is made by WeasyPrint, whose Pango and HarfBuzz shape the Devanagari (conjuncts, matras
placed before their consonant). Its fonts are vendored in ``static/vendor/fonts`` and loaded by
``static/notices/letter.css`` through a URL fetcher that serves files from the project's static
directory and nothing else: no network, no other path, so a letter prints alike on every machine.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format

from notices.models import Notice

IST = ZoneInfo("Asia/Kolkata")
STATIC_DIR = Path(settings.BASE_DIR) / "static"
LETTER_CSS = STATIC_DIR / "notices" / "letter.css"
DEPARTMENT_HI = "सूचना एवं जन-सम्पर्क विभाग"
DEPARTMENT_EN = "Information & Public Relations Department"
DESIGNATIONS = {  # role -> (Hindi, English), when the user has no designation of their own
    "admin": ("प्रशासक", "Administrator"),
    "state_officer": ("राज्य जनसंपर्क पदाधिकारी", "State PR Officer"),
}
COMPARISONS = {  # a rule's comparison -> how the required figure reads, in Hindi and English
    "gte": ("कम से कम {n}", "at least {n}"),
    "gt": ("{n} से अधिक", "more than {n}"),
    "lte": ("अधिकतम {n}", "at most {n}"),
    "lt": ("{n} से कम", "less than {n}"),
}
NONE = "—"


class LetterRenderError(RuntimeError):
    """The letter could not be made: a resource it needs was missing or refused."""


@dataclass(frozen=True)
class EvidenceRow:
    rule_hi: str
    rule_en: str
    period_hi: str
    period_en: str
    value: str
    required_hi: str
    required_en: str
    median: str
    rank: str


def _figure(value) -> str:
    return NONE if value is None or value == "" else str(value)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _english_date(value: date | datetime) -> str:
    with translation.override("en"):
        return date_format(value, "j F Y")


def _period(period: dict) -> tuple[str, str]:
    start, end = _day(period.get("start")), _day(period.get("end"))
    if not (start and end):
        return NONE, NONE
    return (
        f"{start:%d.%m.%Y} से {end:%d.%m.%Y}",
        f"{_english_date(start)} to {_english_date(end)}",
    )


def _evidence_row(item: dict) -> EvidenceRow:
    period_hi, period_en = _period(item.get("period") or {})
    threshold = item.get("threshold")
    required_hi, required_en = COMPARISONS.get(item.get("comparison") or "", ("{n}", "{n}"))
    rank, compared = item.get("rank"), item.get("units_compared")
    return EvidenceRow(
        rule_hi=item.get("rule_hi") or "",
        rule_en=item.get("rule_en") or "",
        period_hi=period_hi,
        period_en=period_en,
        value=_figure(item.get("value")),
        required_hi=required_hi.format(n=_figure(threshold)) if threshold is not None else NONE,
        required_en=required_en.format(n=_figure(threshold)) if threshold is not None else NONE,
        median=_figure(item.get("median")),
        rank=f"{rank} / {compared}" if rank is not None and compared else _figure(rank),
    )


def letter_context(notice: Notice) -> dict:
    """What ``notices/letter.html`` needs: no queries beyond those of ``notices.selectors.notice_detail``."""
    issued = notice.issued_at.astimezone(IST)
    deadline = notice.deadline.astimezone(IST)
    officer = notice.issued_by
    designation_hi, designation_en = DESIGNATIONS.get(officer.role, ("", ""))
    if officer.designation:
        designation_hi, designation_en = "", officer.designation
    context = {
        "notice": notice,
        "government_hi": f"{notice.state.name_hi} सरकार",
        "government_en": f"Government of {notice.state.name_en}",
        "department_hi": DEPARTMENT_HI,
        "department_en": DEPARTMENT_EN,
        "issued_numeric": f"{issued:%d.%m.%Y}",
        "issued_en": _english_date(issued),
        "deadline_numeric": f"{deadline:%d.%m.%Y}",
        "deadline_en": _english_date(deadline),
        "deadline_time": f"{deadline:%H:%M}",
        "evidence": [_evidence_row(item) for item in notice.evidence or []],
        "officer_name": officer.get_full_name() or officer.get_username(),
        "designation_hi": designation_hi,
        "designation_en": designation_en,
    }
    if notice.escalated_from:
        previous = notice.escalated_from.issued_at.astimezone(IST)
        context["escalated_from_numeric"] = f"{previous:%d.%m.%Y}"
        context["escalated_from_en"] = _english_date(previous)
    return context


def letter_filename(notice: Notice) -> str:
    """``BIH/IPRD/2026/0001`` -> ``BIH-IPRD-2026-0001.pdf``."""
    return f"{notice.number.replace('/', '-')}.pdf"


def _import_weasyprint() -> None:
    """Import WeasyPrint on first use (a machine without Pango still serves every other page).

    Importing it sets Pillow's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES``, which would then let
    truncated images through the checks of reply attachments (``notices.uploads``) in the same worker.
    The letter draws no raster image: put the setting back as it was.
    """
    from PIL import ImageFile

    strict = ImageFile.LOAD_TRUNCATED_IMAGES
    import weasyprint  # noqa: F401

    ImageFile.LOAD_TRUNCATED_IMAGES = strict


def static_only_fetcher(root: Path = STATIC_DIR):
    """A WeasyPrint URL fetcher that serves ``file:`` URLs under ``root`` and refuses everything else."""
    _import_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        def __init__(self, root: Path):
            super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=True)
            self.root = root.resolve()

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise PermissionError(f"the letter loads local static files only, not {url}")
            path = Path(url2pathname(parts.path)).resolve()
            if not path.is_relative_to(self.root) or not path.is_file():
                raise PermissionError(f"not a file of the project's static directory: {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticFilesOnly(root)


def html_to_pdf(html: str) -> bytes:
    """The letter's HTML, with ``letter.css`` and the vendored fonts, as PDF bytes."""
    _import_weasyprint()
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    fetcher = static_only_fetcher()
    fonts = FontConfiguration()
    try:
        stylesheet = CSS(filename=str(LETTER_CSS), url_fetcher=fetcher, font_config=fonts)
        document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
        return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    except FatalURLFetchingError as error:  # a BaseException: turn it into an ordinary error
        raise LetterRenderError(str(error)) from error.__cause__


def letter_pdf(notice: Notice) -> bytes:
    """The notice's letter as a PDF (A4, page numbers in the footer)."""
    html = render_to_string("notices/letter.html", {**letter_context(notice), "for_pdf": True})
    return html_to_pdf(html)
