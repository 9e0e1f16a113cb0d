"""The report as a PDF, read back with pdftotext (skipped without poppler, as the notices' letter test does)."""

import os
import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse

from campaigns import services
from tests.campaigns.conftest import AFTER_END, DRAFTED, FIRST_HOUR

pytestmark = pytest.mark.django_db


def _pdftotext() -> str:
    path = shutil.which("pdftotext")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("pdftotext not found: .ci/run installs poppler-utils")
        pytest.skip("reading the PDF back needs pdftotext (apt-get install poppler-utils)")
    return path


def test_report_pdf_reads_back_with_before_after_and_results(dausa, login, tmp_path):
    dausa.history()
    with time_machine.travel(DRAFTED, tick=False):
        campaign = services.campaign_create(user=dausa.world.pr_rajasthan, **dausa.campaign_fields())
    with time_machine.travel(FIRST_HOUR, tick=False):
        services.campaign_start(campaign=campaign, user=dausa.world.pr_rajasthan)
    with time_machine.travel(AFTER_END, tick=False):
        services.campaigns_advance()
        response = login(dausa.world.pr_rajasthan).get(reverse("campaigns:report_pdf", args=[campaign.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run([_pdftotext(), "-layout", path, "-"], capture_output=True, check=True).stdout.decode()
    assert "Dausa 15-day X drive" in text
    assert "Health Department, Dausa" in text
    assert "1060" in text and "1210" in text and "14.15%" in text
    assert "Met" in text and "Missed" in text and "No data" in text
    assert "Page 1 of" in text


def test_pdf_without_pango_says_so_with_503(dausa, login, monkeypatch):
    import campaigns.views

    def no_pango(context):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(campaigns.views, "report_pdf", no_pango)
    with time_machine.travel(DRAFTED, tick=False):
        campaign = services.campaign_create(user=dausa.world.pr_rajasthan, **dausa.campaign_fields())
    with time_machine.travel(FIRST_HOUR, tick=False):
        services.campaign_start(campaign=campaign, user=dausa.world.pr_rajasthan)
        response = login(dausa.world.pr_rajasthan).get(reverse("campaigns:report_pdf", args=[campaign.pk]))
    assert response.status_code == 503
    assert "needs Pango" in response.content.decode()
