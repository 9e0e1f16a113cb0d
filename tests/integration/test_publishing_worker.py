"""A real Celery worker killed after the platform received the create request, before the result was stored.

The worker publishes to the simulated platform (a separate process cannot share `responses` fakes; the
HTTP-level behaviour of the X and Facebook publishers is tested in tests/content). The simulated
platform records each post it receives, then holds its answer for a while: the test kills the worker
in that window.
"""

import os
import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import PublishTarget, SimulatedPost, Submission, TargetState
from content.services import target_reconcile, targets_sweep
from content.tasks import publish_target
from tests.conftest import build_world
from tests.integration.helpers import wait_for
from tests.integration.test_polling_worker import queue, worker  # noqa: F401 - the queue fixture

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TEXT = "पटना: जन संवाद कार्यक्रम आज 11 बजे, समाहरणालय सभागार में।"


def test_killed_after_the_platform_got_the_post_ends_unknown_then_reconciled_once(tmp_path, queue, settings):  # noqa: F811
    settings.GOVSOCIAL_PLATFORM_MODE = "simulated"
    world = build_world()
    submission = Submission.objects.create(
        unit=world.patna_pro, submitted_by=world.dpro_patna, text=TEXT, category="event", status="approved"
    )
    submission.accounts.set([world.patna_x])
    target = PublishTarget.objects.create(
        submission=submission, account=world.patna_x, text=TEXT, publish_at=timezone.now()
    )

    context, log = worker(tmp_path, queue, GOVSOCIAL_SIMULATED_PUBLISH_DELAY="60")
    with context as process:
        wait_for(lambda: "ready." in log.read_text(errors="replace"), 60, "the worker", log)
        publish_target.delay(target.pk)
        wait_for(
            lambda: SimulatedPost.objects.filter(account=world.patna_x).exists(), 60, "the platform to get it", log
        )
        os.killpg(process.pid, signal.SIGKILL)  # the answer is still on its way: nothing stored
        process.wait()

    target.refresh_from_db()
    assert target.state == TargetState.CLAIMED and target.platform_post_id == ""
    [received] = SimulatedPost.objects.filter(account=world.patna_x)

    # A second worker gets the task again (or beat requeues it): it is not sent twice.
    context, log = worker(tmp_path, queue)
    with context:
        wait_for(lambda: "ready." in log.read_text(errors="replace"), 60, "the second worker", log)
        publish_target.delay(target.pk)
        wait_for(lambda: "'not claimed'" in log.read_text(errors="replace"), 60, "the task's answer", log)
    assert SimulatedPost.objects.filter(account=world.patna_x).count() == 1

    # The sweep finds the dead claim: unknown, not published twice, not failed.
    assert targets_sweep(now=timezone.now() + timedelta(minutes=11))["unknown"] == 1
    target.refresh_from_db()
    assert target.state == TargetState.UNKNOWN

    # Reconciliation finds the post among the account's recent posts.
    assert target_reconcile(target.pk) == TargetState.PUBLISHED
    target.refresh_from_db()
    assert (target.state, target.platform_post_id) == (TargetState.PUBLISHED, received.post_id)
    assert SimulatedPost.objects.count() == 1
