"""Property-based: random sequences of actions by random people never break the notice's state machine."""

from datetime import datetime, timedelta

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notices.machine import CLOSED, TRANSITIONS, NoticeAction, NoticeStatus
from notices.models import Notice
from notices.services import notice_decide, notice_issue, notice_reply

IST = timezone.get_fixed_timezone(330)
START = datetime(2026, 8, 3, 11, tzinfo=IST)
ACTORS = ("admin", "pr_bihar", "dpro_patna", "dpro_gaya")
ACTIONS = ("reply", NoticeAction.ACCEPT, NoticeAction.REJECT, NoticeAction.MORE_INFO, NoticeAction.ESCALATE)

steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ACTORS), st.integers(min_value=0, max_value=4)),
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_random_actions_keep_the_machines_invariants(world, sequence):
    people = {name: getattr(world, name) for name in ACTORS}
    now = START
    with time_machine.travel(now, tick=False) as clock:
        notice = notice_issue(
            unit=world.patna, user=world.admin, deadline=now + timedelta(days=5), reason_en="r", reason_hi="र"
        )
        done = 1  # the issue event
        for action, actor, days in sequence:
            now += timedelta(days=days)
            clock.move_to(now)
            before = Notice.objects.get(pk=notice.pk)
            status_before, deadline_before, events_before = before.status, before.deadline, before.events.count()
            try:
                if action == "reply":
                    notice_reply(notice=before, user=people[actor], text="reply")
                    transition = NoticeAction.REPLY
                else:
                    notice_decide(
                        notice=before,
                        user=people[actor],
                        action=action,
                        note="note",
                        new_deadline=now + timedelta(days=3),
                    )
                    transition = action
            except (PermissionDenied, ValidationError):
                after = Notice.objects.get(pk=notice.pk)
                # A refused step changes nothing.
                assert (after.status, after.deadline, after.events.count()) == (
                    status_before,
                    deadline_before,
                    events_before,
                )
                continue
            after = Notice.objects.get(pk=notice.pk)
            done += 1
            # Only a transition in the table happened, by someone allowed to make it.
            assert TRANSITIONS[(status_before, transition)] == after.status
            assert status_before not in CLOSED
            if transition == NoticeAction.REPLY:
                assert actor == "dpro_patna"  # the addressed district's own official, never the issuer
            else:
                assert actor == "admin"
            if transition == NoticeAction.ESCALATE:
                assert Notice.objects.filter(escalated_from=notice).count() == 1
        final = Notice.objects.get(pk=notice.pk)
        assert final.status in NoticeStatus.values
        assert final.events.count() == done
        rounds = list(final.replies.values_list("round", flat=True))
        assert rounds == list(range(1, len(rounds) + 1))
        assert final.replies.filter(submitted_by=final.issued_by).count() == 0
