"""Publishing exactly once: the target's state machine over the real X client, faked at the HTTP transport."""

import json
import threading
from datetime import timedelta

import pytest
import requests
import responses
from django.db import connection
from django.utils import timezone

from content.models import PublishTarget, Submission, TargetState
from content.services import target_publish, target_reconcile, target_resolve, targets_sweep
from departments.choices import AccountStatus
from tests.content.test_publishing_clients import TEXT, TWEET_ID, TWEETS, X_TIMELINE, x_created
from tests.platforms import payloads as p

X_USER_ID = "1412345678901234567"


@pytest.fixture
def live(settings):
    settings.GOVSOCIAL_PLATFORM_MODE = "live"
    settings.X_CONSUMER_KEY = "xvz1evFS4wEEPTGEFPHBog"
    settings.X_CONSUMER_SECRET = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"


def approved_target(world, *, text: str = TEXT, publish_at=None) -> PublishTarget:
    account = world.patna_x
    account.platform_id = X_USER_ID
    account.credentials = {"access_token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyM", "access_token_secret": "Lsww"}
    account.save()
    submission = Submission.objects.create(
        unit=world.patna_pro, submitted_by=world.dpro_patna, text=text, category="event", status="approved"
    )
    submission.accounts.set([account])
    return PublishTarget.objects.create(
        submission=submission, account=account, text=text, publish_at=publish_at or timezone.now()
    )


def x_error(status: int, title: str, detail: str) -> dict:
    return {"title": title, "detail": detail, "type": "about:blank", "status": status}


def test_published_with_the_text_exactly_as_approved(world, live):
    target = approved_target(world)
    with responses.RequestsMock() as api:
        api.post(TWEETS, json=x_created(), status=201)
        assert target_publish(target.pk) == TargetState.PUBLISHED
        [call] = api.calls
        assert json.loads(call.request.body)["text"] == TEXT  # Devanagari and emoji intact
    target.refresh_from_db()
    assert (target.state, target.platform_post_id) == (TargetState.PUBLISHED, TWEET_ID)
    assert target.url == f"https://x.com/DMPatna/status/{TWEET_ID}"
    assert [e.action for e in target.events.all()] == ["claim", "published"]
    # Running the task again sends nothing.
    with responses.RequestsMock() as api:
        assert target_publish(target.pk) == "not claimed"
        assert len(api.calls) == 0


@pytest.mark.parametrize(
    ("status", "body", "headers", "state", "reason"),
    [
        (
            429,
            x_error(429, "Too Many Requests", "Too Many Requests"),
            {"x-rate-limit-reset": "1893456000"},
            "failed",
            "",
        ),
        (500, x_error(500, "Internal Server Error", "Something broke"), {}, "unknown", ""),
        (401, x_error(401, "Unauthorized", "Unauthorized"), {}, "failed", "expired"),
    ],
)
def test_outcomes_of_the_create_request(world, live, status, body, headers, state, reason):
    target = approved_target(world)
    with responses.RequestsMock() as api:
        api.post(TWEETS, json=body, status=status, headers=headers)
        assert target_publish(target.pk) == state
        assert len(api.calls) == 1  # never retried
    target.refresh_from_db()
    assert target.state == state and target.error
    assert reason in target.error
    world.patna_x.refresh_from_db()
    expected = AccountStatus.REAUTH_REQUIRED if status == 401 else AccountStatus.ACTIVE
    assert world.patna_x.status == expected


def test_a_timeout_on_the_create_request_is_unknown_and_not_retried(world, live):
    target = approved_target(world)
    with responses.RequestsMock() as api:
        api.post(TWEETS, body=requests.exceptions.ReadTimeout("read timed out"))
        assert target_publish(target.pk) == TargetState.UNKNOWN
        assert len(api.calls) == 1
    # The sweep does not requeue it; only reconciliation or a person decides.
    with responses.RequestsMock() as api:
        assert target_publish(target.pk) == "not claimed"
        assert len(api.calls) == 0


def test_an_unknown_target_is_reconciled_from_the_accounts_recent_posts(world, live):
    target = approved_target(world)
    with responses.RequestsMock() as api:
        api.post(TWEETS, body=requests.exceptions.ReadTimeout("read timed out"))
        target_publish(target.pk)
    shown = TEXT.replace("https://example.gov.in/x", "https://t.co/Ab12Cd34Ef")
    with responses.RequestsMock() as api:
        api.get(X_TIMELINE, json=p.x_timeline([p.x_tweet(TWEET_ID, shown, timezone.now())]))
        assert target_reconcile(target.pk) == TargetState.PUBLISHED
    target.refresh_from_db()
    assert (target.state, target.platform_post_id) == (TargetState.PUBLISHED, TWEET_ID)


def test_an_unknown_target_not_found_stays_unknown_until_a_person_decides(world, live):
    target = approved_target(world)
    with responses.RequestsMock() as api:
        api.post(TWEETS, json=x_error(503, "Service Unavailable", "Over capacity"), status=503)
        target_publish(target.pk)
    with responses.RequestsMock() as api:
        api.get(X_TIMELINE, json=p.x_timeline([]))
        assert target_reconcile(target.pk) == TargetState.UNKNOWN
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        target_resolve(target=target, user=world.pr_bihar, outcome="retry")  # a person must say they checked
    target = target_resolve(target=target, user=world.pr_bihar, outcome="failed", note="Not on the timeline.")
    assert target.state == TargetState.FAILED


def test_a_dead_workers_claim_becomes_unknown_and_lost_messages_are_queued_again(world, live, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    target = approved_target(world)
    PublishTarget.objects.filter(pk=target.pk).update(
        state=TargetState.CLAIMED, claimed_at=timezone.now() - timedelta(minutes=30)
    )
    lost = approved_target(world, text="Another post", publish_at=timezone.now() - timedelta(hours=1))
    sent = []
    from content import tasks

    original = tasks.publish_target.delay
    tasks.publish_target.delay = lambda target_id: sent.append(target_id)
    try:
        assert targets_sweep() == {"unknown": 1, "requeued": 1}
    finally:
        tasks.publish_target.delay = original
    target.refresh_from_db()
    assert target.state == TargetState.UNKNOWN and "may or may not" in target.error
    assert sent == [lost.pk]


@pytest.mark.django_db(transaction=True)
def test_twenty_workers_at_once_send_one_create_request(live):
    from tests.conftest import build_world

    world = build_world()
    target = approved_target(world)
    start = threading.Barrier(20)
    results = []

    def worker():
        try:
            start.wait()
            results.append(target_publish(target.pk))
        finally:
            connection.close()

    with responses.RequestsMock() as api:
        api.post(TWEETS, json=x_created(), status=201)
        threads = [threading.Thread(target=worker) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len([call for call in api.calls if call.request.url == TWEETS]) == 1
    assert sorted(results) == ["not claimed"] * 19 + [TargetState.PUBLISHED]
    target.refresh_from_db()
    assert (target.state, target.platform_post_id) == (TargetState.PUBLISHED, TWEET_ID)
    assert PublishTarget.objects.filter(platform_post_id=TWEET_ID).count() == 1
