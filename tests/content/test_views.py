"""Post pages: writing, sending, reviewing and resolving through the views; who sees and may do what.

Nothing is published here: approval's publishing tasks are queued on commit, and the callbacks are
captured without running them.
"""

import csv
import io
from datetime import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from content.models import ContentEvent, PublishTarget, Submission, SubmissionImage, SubmissionStatus, TargetState
from content.selectors import reviewable_by
from content.services import may_review, submission_save, submission_submit
from departments.choices import Platform
from departments.models import Account
from tests.conftest import _user
from users.models import User

IST = timezone.get_fixed_timezone(330)
NOW = datetime(2026, 8, 3, 11, tzinfo=IST)
TEXT = "मुख्यमंत्री कन्या उत्थान योजना: पटना में 1,200 छात्राओं को प्रोत्साहन राशि।"


@pytest.fixture(autouse=True)
def _frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GOVSOCIAL_PLATFORM_MODE = "simulated"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def patna(world):
    """dpro_patna is Patna's PR officer; ``clerk`` is another Patna official who writes posts."""
    world.dpro_patna.is_pr_officer = True
    world.dpro_patna.save(update_fields=["is_pr_officer"])
    world.clerk = _user("clerk.patna", User.Role.DISTRICT_OFFICIAL, state=world.bihar, district=world.patna)
    world.patna_fb = Account.objects.get(unit=world.patna, platform=Platform.FACEBOOK)
    return world


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def draft(user, unit, accounts, text=TEXT, **kw) -> Submission:
    return submission_save(user=user, unit=unit, text=text, category="welfare_scheme", accounts=accounts, **kw)


def sent(user, unit, accounts, **kw) -> Submission:
    return submission_submit(submission=draft(user, unit, accounts, **kw), user=user)


def form_data(world, **overrides) -> dict:
    data = {
        "text": TEXT,
        "category": "welfare_scheme",
        "scheme": "Mukhyamantri Kanya Utthan Yojana",
        "unit": world.patna_health.pk,
        "accounts": [world.patna_x.pk],
        "publish_at": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def snapshot(submission: Submission) -> tuple:
    submission.refresh_from_db()
    return (
        submission.status,
        submission.text,
        submission.reviewed_by_id,
        PublishTarget.objects.count(),
        ContentEvent.objects.filter(submission=submission).count(),
    )


# ---- writing and sending ------------------------------------------------------------


def test_a_district_official_saves_a_draft_then_sends_it_for_review(patna, login):
    client = login(patna.clerk)
    response = client.post(reverse("content:new"), form_data(patna, publish_at="2026-08-05T10:30"))
    submission = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("content:edit", args=[submission.pk])
    assert submission.status == SubmissionStatus.DRAFT and submission.unit == patna.patna_health
    assert submission.publish_at == datetime(2026, 8, 5, 10, 30, tzinfo=IST)  # the form's time is IST
    assert list(submission.accounts.all()) == [patna.patna_x]

    page = client.get(reverse("content:edit", args=[submission.pk]))
    assert page.status_code == 200 and page.context["form"].initial["text"] == TEXT

    response = client.post(reverse("content:edit", args=[submission.pk]), form_data(patna, action="submit"))
    assert response.status_code == 302 and response["Location"] == submission.get_absolute_url()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.submitted_at == NOW


def test_the_form_offers_the_users_x_and_facebook_accounts_grouped_by_unit(patna, login):
    Account.objects.create(unit=patna.patna, platform=Platform.YOUTUBE, handle="@dmpatna")
    form = login(patna.clerk).get(reverse("content:new")).context["form"]
    groups = [(unit, [option.data["value"].instance for option in options]) for unit, options in form.account_groups()]
    assert groups == [(patna.patna, [patna.patna_fb, patna.patna_x])]  # not YouTube, not Gaya's, not the state's
    assert form.initial["unit"] == patna.patna


def test_sending_refused_by_a_platform_keeps_the_draft_and_lists_why(patna, login):
    long_text = "क" * 281  # X counts each Devanagari letter as 1: one over its 280
    response = login(patna.clerk).post(
        reverse("content:new"), form_data(patna, text=long_text, accounts=[patna.patna_x.pk], action="submit")
    )
    submission = Submission.objects.get()
    assert response.status_code == 200
    assert submission.status == SubmissionStatus.DRAFT and submission.text == long_text
    errors = response.context["form"].non_field_errors()
    assert errors and any("@DMPatna" in error for error in errors), errors
    assert "The draft is saved" in response.content.decode()
    assert 'action="{}"'.format(reverse("content:edit", args=[submission.pk])) in response.content.decode()


def test_a_publish_time_in_the_past_is_refused_on_the_form(patna, login):
    response = login(patna.clerk).post(reverse("content:new"), form_data(patna, publish_at="2026-08-03T10:00"))
    assert response.status_code == 400 and "publish_at" in response.context["form"].errors
    assert not Submission.objects.exists()


# ---- review -------------------------------------------------------------------------


def test_the_pr_officer_approves_with_edited_text_and_the_targets_freeze_it(
    patna, login, django_capture_on_commit_callbacks
):
    submission = sent(patna.clerk, patna.patna_health, [patna.patna_x, patna.patna_fb])
    client = login(patna.dpro_patna)
    page = client.get(submission.get_absolute_url())
    assert page.context["review_form"] is not None
    edited = TEXT + " #BiharKiBetiyan"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("content:review", args=[submission.pk]), {"decision": "approve", "text": edited, "comment": ""}
        )
    assert response.status_code == 302
    assert len(callbacks) == 1  # publishing is queued once the approval has committed; not run here
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED and submission.reviewed_by == patna.dpro_patna
    targets = PublishTarget.objects.filter(submission=submission)
    assert {target.account for target in targets} == {patna.patna_x, patna.patna_fb}
    assert {(target.state, target.text) for target in targets} == {(TargetState.APPROVED, edited)}
    assert ContentEvent.objects.filter(submission=submission, action="edit", data__before=TEXT).exists()
    page = client.get(submission.get_absolute_url())
    assert page.context["review_form"] is None
    assert len(page.context["targets"]) == 2
    assert "#BiharKiBetiyan" in page.content.decode()


def test_asking_for_changes_needs_a_comment_then_the_submitter_edits_and_sends_again(patna, login):
    submission = sent(patna.clerk, patna.patna_health, [patna.patna_x])
    reviewer = login(patna.dpro_patna)
    url = reverse("content:review", args=[submission.pk])
    before = snapshot(submission)
    response = reviewer.post(url, {"decision": "request_changes", "comment": "  "})
    assert response.status_code == 400 and "comment" in response.context["review_form"].errors
    assert snapshot(submission) == before

    reviewer.post(url, {"decision": "request_changes", "comment": "Add the number of beneficiaries per block."})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.CHANGES_REQUESTED

    writer = login(patna.clerk)
    page = writer.get(reverse("content:edit", args=[submission.pk]))
    assert "Add the number of beneficiaries per block." in page.content.decode()
    response = writer.post(
        reverse("content:edit", args=[submission.pk]),
        form_data(patna, text=TEXT + " (Patna Sadar 300, Danapur 250)", action="submit"),
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and "Danapur" in submission.text


def test_a_rejected_post_can_no_longer_be_edited(patna, login):
    submission = sent(patna.clerk, patna.patna_health, [patna.patna_x])
    login(patna.dpro_patna).post(
        reverse("content:review", args=[submission.pk]), {"decision": "reject", "comment": "Not for official accounts."}
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED and submission.review_comment == "Not for official accounts."
    writer = login(patna.clerk)
    assert "Not for official accounts." in writer.get(submission.get_absolute_url()).content.decode()
    response = writer.post(reverse("content:edit", args=[submission.pk]), form_data(patna, text="again"))
    assert response.status_code == 302 and response["Location"] == submission.get_absolute_url()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REJECTED and submission.text == TEXT


def test_the_submitter_cannot_approve_their_own_post_even_as_pr_officer(patna, login):
    submission = sent(patna.dpro_patna, patna.patna, [patna.patna_x])
    client = login(patna.dpro_patna)
    assert client.get(submission.get_absolute_url()).context["review_form"] is None
    before = snapshot(submission)
    response = client.post(reverse("content:review", args=[submission.pk]), {"decision": "approve", "text": ""})
    assert response.status_code == 403
    assert snapshot(submission) == before
    assert submission not in client.get(reverse("content:queue")).context["page"].object_list


def test_a_crafted_post_approving_twice_changes_nothing(patna, login):
    submission = sent(patna.clerk, patna.patna_health, [patna.patna_x])
    client = login(patna.dpro_patna)
    url = reverse("content:review", args=[submission.pk])
    client.post(url, {"decision": "approve", "text": ""})
    before = snapshot(submission)
    assert before[0] == SubmissionStatus.APPROVED and before[3] == 1
    for data in ({"decision": "approve", "text": "other text"}, {"decision": "reject", "comment": "no"}):
        response = client.post(url, data)
        assert response.status_code == 302
        assert snapshot(submission) == before
    messages = [str(m) for m in client.get(submission.get_absolute_url()).context["messages"]]
    assert any("not awaiting review" in m for m in messages), messages


# ---- who may see and do what ------------------------------------------------------------


def test_a_district_official_cannot_submit_to_another_districts_accounts(patna, login):
    client = login(patna.dpro_gaya)
    for crafted in (
        form_data(patna, unit=patna.gaya.pk, accounts=[patna.patna_x.pk]),
        form_data(patna, unit=patna.gaya.pk, accounts=[patna.gaya_x.pk, patna.patna_x.pk]),
        form_data(patna, unit=patna.patna_health.pk, accounts=[patna.gaya_x.pk]),
        form_data(patna, unit=patna.gaya.pk, accounts=[patna.health_x.pk], action="submit"),  # state's: not opened
    ):
        response = client.post(reverse("content:new"), crafted)
        assert response.status_code == 400
    assert not Submission.objects.exists() and not ContentEvent.objects.exists()


def test_a_district_official_cannot_see_another_districts_drafts_or_posts(patna, login):
    private = draft(patna.clerk, patna.patna_health, [patna.patna_x], images=[])
    shared = sent(patna.clerk, patna.patna, [patna.patna_x])
    image = SubmissionImage.objects.create(
        submission=shared, position=1, file="content/x.png", name="x.png", content_type="image/png", size=1, sha256=""
    )
    gaya = login(patna.dpro_gaya)
    for name in ("detail", "edit"):
        for submission in (private, shared):
            assert gaya.get(reverse(f"content:{name}", args=[submission.pk])).status_code == 404
    assert gaya.get(reverse("content:image", args=[image.pk])).status_code == 404
    assert gaya.get(reverse("content:list")).context["page"].paginator.count == 0
    assert gaya.get(reverse("content:list"), {"unit": "BR-PATNA"}).status_code == 404
    export = gaya.get(reverse("content:list"), {"format": "csv"}).content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(export)))) == 1  # the header only
    # a draft is its author's alone, even within the district; once sent the district sees it
    other = login(patna.dpro_patna)
    assert other.get(private.get_absolute_url()).status_code == 404
    assert other.get(shared.get_absolute_url()).status_code == 200
    listed = {s.pk for s in other.get(reverse("content:list")).context["page"]}
    assert listed == {shared.pk}


def test_a_district_official_cannot_approve_anything(patna, login):
    patna_post = sent(patna.clerk, patna.patna_health, [patna.patna_x])
    gaya_clerk = _user("clerk.gaya", User.Role.DISTRICT_OFFICIAL, state=patna.bihar, district=patna.gaya)
    gaya_post = sent(gaya_clerk, patna.gaya, [patna.gaya_x])
    patna.dpro_patna.is_pr_officer = False
    patna.dpro_patna.save(update_fields=["is_pr_officer"])
    cases = [
        (patna.dpro_gaya, patna_post, 404),  # outside the district: not found
        (patna.dpro_gaya, gaya_post, 403),  # own district, but not its PR officer
        (patna.dpro_patna, patna_post, 403),
    ]
    for user, submission, status in cases:
        client = login(user)
        before = snapshot(submission)
        for data in ({"decision": "approve", "text": "hacked"}, {"decision": "reject", "comment": "x"}):
            assert client.post(reverse("content:review", args=[submission.pk]), data).status_code == status
        assert snapshot(submission) == before
        if status == 403:
            assert client.get(submission.get_absolute_url()).context["review_form"] is None
    # and nobody outside the author edits or sends a post
    assert login(patna.dpro_patna).get(reverse("content:edit", args=[patna_post.pk])).status_code == 403
    assert login(patna.dpro_patna).post(reverse("content:send", args=[patna_post.pk])).status_code == 403


def test_the_queue_shows_only_what_the_user_may_review_oldest_first(patna, login):
    first = sent(patna.clerk, patna.patna_health, [patna.patna_x])
    with time_machine.travel(NOW.replace(hour=12), tick=False):
        second = sent(patna.clerk, patna.patna, [patna.patna_fb])
    own = sent(patna.dpro_patna, patna.patna, [patna.patna_x])
    gaya_clerk = _user("clerk.gaya", User.Role.DISTRICT_OFFICIAL, state=patna.bihar, district=patna.gaya)
    gaya_post = sent(gaya_clerk, patna.gaya, [patna.gaya_x])
    draft(patna.clerk, patna.patna, [patna.patna_x])  # a draft awaits nobody

    def queue(user):
        return [s.pk for s in login(user).get(reverse("content:queue")).context["page"]]

    assert queue(patna.dpro_patna) == [first.pk, second.pk]
    assert queue(patna.pr_bihar) == [first.pk, own.pk, gaya_post.pk, second.pk]
    assert queue(patna.dpro_gaya) == [] and queue(patna.clerk) == [] and queue(patna.pr_rajasthan) == []
    for user in (patna.dpro_patna, patna.pr_bihar, patna.dpro_gaya, patna.clerk, patna.admin, patna.pr_rajasthan):
        for submission in Submission.objects.filter(status=SubmissionStatus.SUBMITTED):
            assert may_review(submission, user) == reviewable_by(user).filter(pk=submission.pk).exists()


def test_the_state_officer_reviews_a_district_post_to_the_states_accounts(patna, login):
    patna.bihar.districts_post_to_state_accounts = True
    patna.bihar.save(update_fields=["districts_post_to_state_accounts"])
    submission = sent(patna.clerk, patna.patna_health, [patna.health_x])
    assert (
        login(patna.dpro_patna)
        .post(reverse("content:review", args=[submission.pk]), {"decision": "approve"})
        .status_code
        == 403
    )  # the district's PR officer reviews district accounts only
    assert [s.pk for s in login(patna.pr_bihar).get(reverse("content:queue")).context["page"]] == [submission.pk]
    login(patna.pr_bihar).post(reverse("content:review", args=[submission.pk]), {"decision": "approve"})
    assert PublishTarget.objects.get().account == patna.health_x


# ---- the list ------------------------------------------------------------------------


def test_the_list_filters_and_exports_one_row_per_target(patna, login):
    approved = sent(patna.clerk, patna.patna_health, [patna.patna_x, patna.patna_fb], scheme="Kanya Utthan")
    login(patna.dpro_patna).post(reverse("content:review", args=[approved.pk]), {"decision": "approve"})
    x_target = PublishTarget.objects.get(account=patna.patna_x)
    PublishTarget.objects.filter(pk=x_target.pk).update(
        state=TargetState.PUBLISHED,
        platform_post_id="1820000000000000001",
        url="https://x.com/DMPatna/status/1820000000000000001",
        published_at=NOW,
    )
    waiting = sent(patna.clerk, patna.patna, [patna.patna_x], text="Jan Samvad at the Collectorate, 11 am.")
    client = login(patna.pr_bihar)
    url = reverse("content:list")

    def listed(**params):
        return [s.pk for s in client.get(url, params).context["page"]]

    assert listed() == [waiting.pk, approved.pk]
    assert listed(status="approved") == [approved.pk]
    assert listed(unit="br-patna-health") == [approved.pk]
    assert listed(account=patna.patna_fb.pk) == [approved.pk]
    assert listed(q="samvad") == [waiting.pk]
    assert listed(q=f"#{approved.pk}") == [approved.pk]
    assert listed(category="meeting") == []
    assert listed(status="nonsense") == [waiting.pk, approved.pk]  # an unknown value filters nothing

    response = client.get(url, {"format": "csv", "unit": "BR-PATNA-HEALTH"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["submission_id"], row["account"], row["target_state"]) for row in rows] == [
        (str(approved.pk), "Facebook dm.patna", "approved"),
        (str(approved.pk), "X @DMPatna", "published"),
    ]
    published = rows[1]
    assert published["unit"] == "BR-PATNA-HEALTH" and published["scheme"] == "Kanya Utthan"
    assert published["status"] == "approved" and published["submitted_by"] == "clerk.patna"
    assert published["reviewed_by"] == "dpro.patna" and published["post_id"] == "1820000000000000001"
    assert published["link"].endswith("/1820000000000000001")
    assert published["published_at"] == "2026-08-03T11:00:00+05:30"
    everything = list(csv.DictReader(io.StringIO(client.get(url, {"format": "csv"}).content.decode("utf-8-sig"))))
    assert [row["target_state"] for row in everything if row["submission_id"] == str(waiting.pk)] == [""]


def test_the_list_runs_a_fixed_number_of_queries(patna, login, django_assert_num_queries):
    client = login(patna.pr_bihar)
    sent(patna.clerk, patna.patna, [patna.patna_x])
    client.get(reverse("content:list"))
    # session, user, the count, the queue count, the navbar's state, the page, its accounts, its targets
    with django_assert_num_queries(8) as few:
        client.get(reverse("content:list"))
    for _ in range(10):
        sent(patna.clerk, patna.patna_health, [patna.patna_x, patna.patna_fb])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("content:list"))


# ---- the post page -------------------------------------------------------------------


def test_the_post_page_previews_each_account_with_xs_weighted_count(patna, login):
    text = "पटना में आज टीकाकरण शिविर 🩺 https://state.bihar.gov.in/health/tikakaran-shivir-2026-08-03"
    submission = sent(patna.clerk, patna.patna, [patna.patna_x, patna.patna_fb], text=text)
    page = login(patna.dpro_patna).get(submission.get_absolute_url()).content.decode()
    assert 'data-testid="preview-x"' in page and 'data-testid="preview-facebook"' in page
    # 26 Devanagari code points and spaces before the emoji (1 each), the emoji 2, a space and the link 23
    from content.validation import x_weighted_length

    assert f"{x_weighted_length(text)}/280" in page
    assert x_weighted_length(text) < len(text)


def test_images_a_png_is_accepted_and_shown_a_pdf_is_refused_with_its_message(patna, login, settings):
    client = login(patna.clerk)
    photo = SimpleUploadedFile("shivir.png", png_bytes(), content_type="image/png")
    response = client.post(reverse("content:new"), {**form_data(patna), "images": [photo]})
    assert response.status_code == 302
    image = SubmissionImage.objects.get()
    assert image.content_type == "image/png" and image.position == 1
    served = client.get(reverse("content:image", args=[image.pk]))
    assert served.status_code == 200 and served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert login(patna.dpro_gaya).get(reverse("content:image", args=[image.pk])).status_code == 404

    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF", "application/pdf")
    response = login(patna.clerk).post(reverse("content:new"), {**form_data(patna), "images": [pdf]})
    assert response.status_code == 400
    errors = response.context["form"].errors["images"]
    assert any("report.pdf" in error for error in errors), errors
    assert Submission.objects.count() == 1 and SubmissionImage.objects.count() == 1


def test_a_reviewer_resolves_an_unknown_target(patna, login):
    submission = sent(patna.clerk, patna.patna, [patna.patna_x])
    login(patna.dpro_patna).post(reverse("content:review", args=[submission.pk]), {"decision": "approve"})
    target = PublishTarget.objects.get()
    PublishTarget.objects.filter(pk=target.pk).update(state=TargetState.UNKNOWN, error="Timed out after sending.")
    url = reverse("content:resolve", args=[target.pk])
    prefix = f"target-{target.pk}-"

    assert login(patna.clerk).post(url, {prefix + "outcome": "failed"}).status_code == 403  # the author: no
    assert login(patna.dpro_gaya).post(url, {prefix + "outcome": "failed"}).status_code == 404

    reviewer = login(patna.dpro_patna)
    page = reviewer.get(submission.get_absolute_url())
    assert "Timed out after sending." in page.content.decode()
    assert page.context["targets"][0].resolve_form is not None
    response = reviewer.post(url, {prefix + "outcome": "retry", prefix + "note": ""})
    assert response.status_code == 400
    assert "note" in response.context["targets"][0].resolve_form.errors
    target.refresh_from_db()
    assert target.state == TargetState.UNKNOWN

    response = reviewer.post(
        url,
        {
            prefix + "outcome": "published",
            prefix + "post_id": "1820000000000000009",
            prefix + "url": "https://x.com/DMPatna/status/1820000000000000009",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED and target.resolved_by == patna.dpro_patna
    assert target.platform_post_id == "1820000000000000009"
    assert reviewer.post(url, {prefix + "outcome": "failed"}).status_code == 302  # too late: nothing changes
    target.refresh_from_db()
    assert target.state == TargetState.PUBLISHED


def test_a_failed_target_can_only_be_sent_again(patna, login, django_capture_on_commit_callbacks):
    submission = sent(patna.clerk, patna.patna, [patna.patna_x])
    login(patna.dpro_patna).post(reverse("content:review", args=[submission.pk]), {"decision": "approve"})
    target = PublishTarget.objects.get()
    PublishTarget.objects.filter(pk=target.pk).update(state=TargetState.FAILED, error="403 duplicate content")
    reviewer = login(patna.dpro_patna)
    form = reviewer.get(submission.get_absolute_url()).context["targets"][0].resolve_form
    assert [value for value, _ in form.fields["outcome"].choices] == ["retry"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reviewer.post(reverse("content:resolve", args=[target.pk]), {f"target-{target.pk}-outcome": "retry"})
    assert len(callbacks) == 1
    target.refresh_from_db()
    assert target.state == TargetState.APPROVED


# ---- history on the unit and account pages -----------------------------------------------


def test_the_unit_and_account_pages_list_their_posts(patna, login):
    submission = sent(patna.clerk, patna.patna_health, [patna.patna_x])
    login(patna.dpro_patna).post(reverse("content:review", args=[submission.pk]), {"decision": "approve"})
    PublishTarget.objects.update(
        state=TargetState.PUBLISHED,
        platform_post_id="1820000000000000001",
        url="https://x.com/DMPatna/status/1",
        published_at=NOW,
    )
    draft(patna.clerk, patna.patna_health, [patna.patna_x], text="draft, not for others")
    client = login(patna.pr_bihar)
    unit_page = client.get(patna.patna_health.get_absolute_url()).content.decode()
    assert "Published through the PR office" in unit_page and "X @DMPatna" in unit_page
    assert f"{reverse('content:list')}?unit=BR-PATNA-HEALTH" in unit_page
    assert "draft, not for others" not in unit_page
    account_page = client.get(patna.patna_x.get_absolute_url())
    assert [t.pk for t in account_page.context["published"]] == [PublishTarget.objects.get().pk]
    assert f"{reverse('content:list')}?account={patna.patna_x.pk}" in account_page.content.decode()


def test_the_unit_page_asks_the_same_queries_for_one_post_or_many(patna, login, django_assert_num_queries):
    client = login(patna.pr_bihar)
    sent(patna.clerk, patna.patna, [patna.patna_x])
    client.get(patna.patna.get_absolute_url())
    with django_assert_num_queries(13):  # the pinned 12 of test_directory_view, and the posts' targets
        client.get(patna.patna.get_absolute_url())
    for _ in range(5):
        submission = sent(patna.clerk, patna.patna, [patna.patna_x, patna.patna_fb])
        client.post(reverse("content:review", args=[submission.pk]), {"decision": "approve"})
    PublishTarget.objects.update(state=TargetState.PUBLISHED, platform_post_id="1", published_at=NOW)
    with django_assert_num_queries(13):
        client.get(patna.patna.get_absolute_url())
