"""The campaign's report as a PDF, made by WeasyPrint exactly as a notice's letter is (``notices.letter``):
the vendored fonts of ``static/vendor/fonts``, loaded through a fetcher that serves the project's static
files and nothing else, so the report prints alike on every machine and never reaches the network."""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

from campaigns.models import Campaign
from notices.letter import STATIC_DIR, static_only_fetcher

REPORT_CSS = STATIC_DIR / "campaigns" / "report.css"


class ReportRenderError(RuntimeError):
    """The report could not be made: a resource it needs was missing or refused."""


def report_filename(campaign: Campaign) -> str:
    return f"campaign-{campaign.pk}-{campaign.starts_on:%Y%m%d}.pdf"


def html_to_pdf(html: str, *, stylesheet: Path = REPORT_CSS) -> bytes:
    fetcher = static_only_fetcher()  # imports WeasyPrint (OSError without Pango)
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    fonts = FontConfiguration()
    try:
        css = CSS(filename=str(stylesheet), url_fetcher=fetcher, font_config=fonts)
        document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
        return document.write_pdf(stylesheets=[css], font_config=fonts)
    except FatalURLFetchingError as error:  # a BaseException: turn it into an ordinary error
        raise ReportRenderError(str(error)) from error.__cause__


def report_pdf(context: dict) -> bytes:
    """The report's page (``campaigns/campaign_report.html``) as an A4 PDF."""
    return html_to_pdf(render_to_string("campaigns/campaign_report.html", {**context, "for_pdf": True}))
