"""A Patna official writes a post with a photo in the browser, sends it for review, the PR officer approves it."""

import io

import pytest
from PIL import Image

from content.models import PublishTarget, Submission, SubmissionStatus, TargetState
from tests.browser.conftest import log_in
from tests.conftest import _user, build_world
from users.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 675), (30, 110, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_post_is_written_previewed_and_approved(live_server, page, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("content.services._enqueue", lambda ids, at: None)  # approve, but publish nothing
    world = build_world()
    world.dpro_patna.is_pr_officer = True
    world.dpro_patna.save(update_fields=["is_pr_officer"])
    _user("clerk.patna", User.Role.DISTRICT_OFFICIAL, state=world.bihar, district=world.patna)

    log_in(page, live_server, "clerk.patna")
    page.get_by_role("link", name="Posts").click()
    page.get_by_test_id("new-post").click()
    text = page.get_by_label("Text")
    text.fill("पटना में आज टीकाकरण शिविर 🩺")
    assert page.get_by_text("X: 28/280").is_visible()  # 26 letters and spaces, the emoji 2
    page.get_by_label("Category").select_option(label="Welfare scheme")
    page.get_by_label("X @DMPatna").check()
    page.get_by_label("Facebook dm.patna").check()
    page.get_by_label("Images").set_input_files([{"name": "shivir.png", "mimeType": "image/png", "buffer": _png()}])
    page.get_by_test_id("send-for-review").click()
    page.wait_for_url("**/content/*/")
    assert page.get_by_test_id("preview-x").get_by_test_id("x-count").inner_text() == "28/280"
    assert page.get_by_test_id("preview-facebook").is_visible()
    assert page.locator(".post-images img").first.evaluate("img => img.naturalWidth") == 1200
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.SUBMITTED

    log_in(page, live_server, "dpro.patna")
    page.goto(f"{live_server.url}/content/queue/")
    page.get_by_test_id("queue-table").get_by_role("link").first.click()
    page.get_by_label("Approve and publish").check()
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(f"**/content/{submission.pk}/")
    assert "Approved: the post will be published" in page.locator("body").inner_text()
    assert {target.state for target in PublishTarget.objects.all()} == {TargetState.APPROVED}
    assert page.get_by_test_id("target").count() == 2
