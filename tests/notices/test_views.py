"""Notice pages: who sees what (404 outside scope), crafted POSTs refused, uploads through the reply form."""

import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from notices.machine import NoticeStatus
from notices.models import Notice, NoticeReply, ReplyAttachment
from notices.services import notice_issue, notice_reply
from tests.notices.test_uploads import png_bomb

IST = timezone.get_fixed_timezone(330)
NOW = datetime(2026, 8, 3, 11, tzinfo=IST)


@pytest.fixture(autouse=True)
def _frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def notice(world):
    return notice_issue(
        unit=world.patna,
        user=world.admin,
        deadline=NOW + timedelta(days=7),
        reason_en="No Facebook Live in July.",
        reason_hi="जुलाई में कोई फेसबुक लाइव नहीं।",
    )


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_addressed_district_and_the_state_see_the_notice_others_get_404(world, notice, login):
    url = notice.get_absolute_url()
    for user in (world.admin, world.pr_bihar, world.dpro_patna):
        response = login(user).get(url)
        assert response.status_code == 200, user
        assert "BR/IPRD/2026/0001" in response.content.decode()
    for user in (world.dpro_gaya, world.pr_rajasthan):
        assert login(user).get(url).status_code == 404
        assert login(user).get(reverse("notices:letter_pdf", kwargs={"pk": notice.pk})).status_code == 404
    assert login(world.dpro_gaya).get(reverse("notices:register")).context["page"].paginator.count == 0


def test_a_reply_with_an_attachment_then_only_the_district_downloads_it(world, notice, login):
    client = login(world.dpro_patna)
    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("notices:reply", kwargs={"pk": notice.pk}), {"text": "Held on 2 August.", "attachments": [upload]}
    )
    assert response.status_code == 302
    attachment = ReplyAttachment.objects.get()
    assert attachment.name == "photo.png" and attachment.content_type == "image/png"
    download = client.get(attachment.get_absolute_url())
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    assert login(world.dpro_gaya).get(attachment.get_absolute_url()).status_code == 404
    # The right attachment id under another notice's number is not found either.
    other = notice_issue(
        unit=world.gaya, user=world.admin, deadline=NOW + timedelta(days=7), reason_en="r", reason_hi="र"
    )
    crafted = reverse("notices:attachment", kwargs={"pk": other.pk, "attachment": attachment.pk})
    assert login(world.dpro_gaya).get(crafted).status_code == 404


def _pdf_with_javascript() -> bytes:
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


BAD_FILES = {
    "png+html": ("chart.png", lambda: png_bytes() + b"<html><script>alert(1)</script></html>", "extra data"),
    "svg": ("drawing.svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
    "pixel bomb": ("bomb.png", lambda: png_bomb(30_000, 30_000), "bomb.png"),
    "pdf with js": ("reply.pdf", _pdf_with_javascript, "JavaScript"),
    "php as jpg": ("shell.jpg", lambda: b"<?php system($_GET['c']); ?>", "shell.jpg"),
    "oversized": ("big.pdf", lambda: b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024), "big.pdf"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_attachment_is_refused_with_a_message_and_nothing_is_stored(world, notice, login, kind, settings):
    name, make, message = BAD_FILES[kind]
    response = login(world.dpro_patna).post(
        reverse("notices:reply", kwargs={"pk": notice.pk}),
        {"text": "See attached.", "attachments": [SimpleUploadedFile(name, make())]},
    )
    assert response.status_code == 400
    errors = response.context["reply_form"].errors["attachments"]
    assert any(message in error for error in errors), errors
    assert not NoticeReply.objects.exists() and not ReplyAttachment.objects.exists()
    assert not any(path.is_file() for path in settings.MEDIA_ROOT.rglob("*"))  # no file written
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED


def test_crafted_posts_that_skip_or_repeat_a_step_change_nothing(world, notice, login):
    decide = reverse("notices:decide", kwargs={"pk": notice.pk})
    reply = reverse("notices:reply", kwargs={"pk": notice.pk})
    admin = login(world.admin)
    # Accepting before any reply: refused, nothing changes.
    admin.post(decide, {"action": "accept"})
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED and notice.events.count() == 1
    # Another district replying, or the issuer replying: refused.
    assert login(world.dpro_gaya).post(reply, {"text": "x"}).status_code == 404
    assert login(world.admin).post(reply, {"text": "x"}).status_code == 403
    # A state officer deciding: refused.
    notice_reply(notice=notice, user=world.dpro_patna, text="Explained.")
    assert login(world.pr_bihar).post(decide, {"action": "accept"}).status_code == 403
    # Replying twice: the second is refused.
    response = login(world.dpro_patna).post(reply, {"text": "Again"}, follow=True)
    assert "not awaiting a reply" in response.content.decode()
    assert NoticeReply.objects.count() == 1
    # Deciding twice: the second is refused.
    admin = login(world.admin)  # one test client: log the admin in again
    admin.post(decide, {"action": "accept"})
    response = admin.post(decide, {"action": "reject", "note": "n"}, follow=True)
    assert "cannot be decided" in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ACCEPTED
    assert list(notice.events.values_list("action", flat=True)) == ["issue", "reply", "accept"]


def test_issuing_from_ticked_flags_and_by_hand_are_for_admins(world, login):
    assert login(world.pr_bihar).get(reverse("notices:issue")).status_code == 403
    assert login(world.dpro_patna).post(reverse("notices:issue_from_flags"), {"flags": ["1"]}).status_code == 403
    response = login(world.admin).post(
        reverse("notices:issue"),
        {
            "unit": world.gaya.pk,
            "reason_en": "No posts.",
            "reason_hi": "कोई पोस्ट नहीं।",
            "deadline": (NOW + timedelta(days=5)).date().isoformat(),
        },
    )
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    assert timezone.localtime(notice.deadline).strftime("%Y-%m-%d %H:%M") == "2026-08-08 23:59"
    bad = login(world.admin).post(
        reverse("notices:issue"), {"unit": world.gaya.pk, "reason_en": "x", "reason_hi": "y", "deadline": "2026-08-01"}
    )
    assert "The deadline must be a day after today." in bad.context["form"].errors["deadline"]


def test_the_register_filters_and_exports(world, notice, login):
    other = notice_issue(
        unit=world.dausa, user=world.admin, deadline=NOW + timedelta(days=7), reason_en="r", reason_hi="र"
    )
    client = login(world.admin)
    rows = client.get(reverse("notices:register"), {"state": "RJ"}).context["page"].object_list
    assert list(rows) == [other]
    csv_text = client.get(reverse("notices:register"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "BR/IPRD/2026/0001" in csv_text and "RJ/IPRD/2026/0001" in csv_text
    assert login(world.pr_bihar).get(reverse("notices:register")).context["page"].paginator.count == 1


def test_without_pango_the_pdf_says_so_and_offers_the_printable_letter(world, notice, login, monkeypatch):
    import notices.views_letter

    def no_pango(notice):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(notices.views_letter, "letter_pdf", no_pango)
    response = login(world.dpro_patna).get(reverse("notices:letter_pdf", kwargs={"pk": notice.pk}))
    assert response.status_code == 503
    assert "needs Pango" in response.content.decode()
    assert reverse("notices:letter", kwargs={"pk": notice.pk}) in response.content.decode()
    unit_page = login(world.dpro_patna).get(world.patna.get_absolute_url()).content.decode()
    assert notice.number in unit_page


def test_the_decision_form_offers_only_what_the_status_allows(world, notice, login):
    admin_page = login(world.admin).get(notice.get_absolute_url())
    assert admin_page.context["decision_form"] is None  # the unit can still reply
    notice_reply(notice=notice, user=world.dpro_patna, text="Explained.")
    form = login(world.admin).get(notice.get_absolute_url()).context["decision_form"]
    assert [value for value, _label in form.fields["action"].choices] == ["accept", "reject", "more_info", "escalate"]
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        late = notice_issue(
            unit=world.gaya, user=world.admin, deadline=NOW + timedelta(days=31), reason_en="r", reason_hi="र"
        )
    with time_machine.travel(NOW + timedelta(days=32), tick=False):
        form = login(world.admin).get(late.get_absolute_url()).context["decision_form"]
    assert [value for value, _label in form.fields["action"].choices] == ["escalate"]
