"""The whole flow: flags → notices to many units at once → replies (one late) → accept, reject, more information,
escalate; numbering; and the refusals of steps skipped or repeated."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compliance.models import Comparison, Flag, Rule, RuleLevel, RuleMetric
from compliance.services import rule_evaluate, rule_save
from departments.choices import Platform, UnitKind
from departments.models import Account
from leaderboards.periods import month_of
from notices.machine import NoticeAction, NoticeStatus
from notices.models import Notice, NoticeEvent
from notices.services import notice_decide, notice_issue, notice_reply, notices_issue_from_flags
from tests.factories import UnitFactory, daily_snapshots, post
from users.models import User

IST = timezone.get_fixed_timezone(330)
JULY = month_of(date(2026, 7, 1))
ISSUED_AT = datetime(2026, 8, 3, 11, tzinfo=IST)


def at(when: datetime):
    return time_machine.travel(when, tick=False)


@pytest.fixture
def bihar_flags(world):
    """Bihar's July live rule judged: Patna held 2 qualifying lives; Gaya and three more districts none."""
    world.bihar.notice_prefix = "BIH/IPRD"
    world.bihar.save()
    names = ["Kaimur", "Saharsa", "Supaul"]
    districts = [world.patna, world.gaya] + [
        UnitFactory(state=world.bihar, kind=UnitKind.DISTRICT, code=f"BR-{name.upper()}", name_en=name, name_hi=name)
        for name in names
    ]
    for number, district in enumerate(districts):
        page = Account.objects.create(unit=district, platform=Platform.FACEBOOK, handle=f"page{number}")
        daily_snapshots(page, date(2026, 6, 30), JULY.end, followers_from=1000)
        if district == world.patna:
            for day in (5, 12):
                post(page, datetime(2026, 7, day, 11, tzinfo=IST), "live", duration_seconds=40 * 60)
    with at(datetime(2026, 6, 1, tzinfo=IST)):
        rule = rule_save(
            rule=Rule(
                state=world.bihar,
                name_en="Monthly Facebook Live",
                name_hi="मासिक फेसबुक लाइव",
                level=RuleLevel.DISTRICTS,
                metric=RuleMetric.LIVES,
                platform=Platform.FACEBOOK,
                comparison=Comparison.AT_LEAST,
                threshold=1,
                min_duration_minutes=30,
            ),
            user=world.admin,
        )
    with at(datetime(2026, 8, 1, 1, tzinfo=IST)):
        rule_evaluate(rule=rule, period=JULY)
    return Flag.objects.filter(rule=rule).select_related("unit").order_by("unit__name_en")


def official_of(world, district, username):
    user = User(username=username, role=User.Role.DISTRICT_OFFICIAL, state=world.bihar, district=district)
    user.set_password("x")
    user.save()
    return user


def test_the_whole_flow_from_flags_to_decisions(world, bihar_flags):
    assert [flag.unit.name_en for flag in bihar_flags] == ["Gaya", "Kaimur", "Saharsa", "Supaul"]
    with at(ISSUED_AT):
        notices = notices_issue_from_flags(flags=bihar_flags, user=world.admin, deadline=ISSUED_AT + timedelta(days=7))
    assert [n.number for n in notices] == [f"BIH/IPRD/2026/{i:04d}" for i in range(1, 5)]
    gaya = notices[0]
    assert gaya.unit == world.gaya and gaya.status == NoticeStatus.ISSUED
    assert gaya.addressee_hi == "जिलाधिकारी, गया" and "District Public Relations Officer" in gaya.copy_to_en
    [evidence] = gaya.evidence
    assert (evidence["value"], evidence["threshold"], evidence["units_compared"]) == ("0", "1", 5)
    assert evidence["median"] == "0" and "30" in evidence["rule_en"]
    assert "2026-07-01" in gaya.reason_en and "गया" in gaya.reason_hi
    assert list(gaya.flags.all()) == [bihar_flags[0]]

    kaimur, saharsa, supaul = (Notice.objects.get(unit__name_en=name) for name in ("Kaimur", "Saharsa", "Supaul"))
    officials = {
        name: official_of(world, n.unit, f"dpro.{name.lower()}")
        for name, n in (("Kaimur", kaimur), ("Saharsa", saharsa), ("Supaul", supaul))
    }

    # Replies: Gaya in time; Kaimur late (accepted, marked late).
    with at(ISSUED_AT + timedelta(days=2)):
        in_time = notice_reply(notice=gaya, user=world.dpro_gaya, text="Our page was blocked in July.")
        assert not in_time.late
    with at(ISSUED_AT + timedelta(days=9)):
        late = notice_reply(notice=kaimur, user=officials["Kaimur"], text="देरी के लिए खेद है।")
        assert late.late
        notice_reply(notice=saharsa, user=officials["Saharsa"], text="We held a live of 28 minutes.")
    for notice in (gaya, kaimur, saharsa):
        notice.refresh_from_db()
        assert notice.status == NoticeStatus.REPLIED

    with at(ISSUED_AT + timedelta(days=10)):
        notice_decide(notice=gaya, user=world.admin, action=NoticeAction.ACCEPT)
        notice_decide(notice=kaimur, user=world.admin, action=NoticeAction.REJECT, note="Not an explanation.")
        new_deadline = ISSUED_AT + timedelta(days=17)
        notice_decide(
            notice=saharsa,
            user=world.admin,
            action=NoticeAction.MORE_INFO,
            note="Send the video link.",
            new_deadline=new_deadline,
        )
        notice_decide(notice=supaul, user=world.admin, action=NoticeAction.ESCALATE, note="No reply at all.")
    assert [
        n.status for n in Notice.objects.filter(pk__in=[gaya.pk, kaimur.pk, saharsa.pk, supaul.pk]).order_by("pk")
    ] == [
        NoticeStatus.ACCEPTED,
        NoticeStatus.REJECTED,
        NoticeStatus.MORE_INFO,
        NoticeStatus.ESCALATED,
    ]
    saharsa.refresh_from_db()
    assert saharsa.deadline == new_deadline
    escalation = Notice.objects.get(escalated_from=supaul)
    assert escalation.number == "BIH/IPRD/2026/0005" and escalation.level == 2
    assert escalation.unit == supaul.unit and escalation.evidence == supaul.evidence
    assert "No reply at all." in escalation.reason_en

    # Saharsa answers the question: a second round.
    with at(ISSUED_AT + timedelta(days=12)):
        second = notice_reply(notice=saharsa, user=officials["Saharsa"], text="Link attached.")
    assert second.round == 2 and not second.late
    history = list(NoticeEvent.objects.filter(notice=saharsa).values_list("action", "from_status", "to_status"))
    assert history == [
        ("issue", "", "issued"),
        ("reply", "issued", "replied"),
        ("more_info", "replied", "more_info"),
        ("reply", "more_info", "replied"),
    ]


def test_numbers_are_per_state_and_year(world):
    with at(datetime(2026, 12, 31, 12, tzinfo=IST)):
        first = notice_issue(
            unit=world.patna,
            user=world.admin,
            deadline=timezone.now() + timedelta(days=3),
            reason_en="r",
            reason_hi="र",
        )
        other_state = notice_issue(
            unit=world.dausa,
            user=world.admin,
            deadline=timezone.now() + timedelta(days=3),
            reason_en="r",
            reason_hi="र",
        )
    with at(datetime(2027, 1, 1, 12, tzinfo=IST)):
        new_year = notice_issue(
            unit=world.gaya, user=world.admin, deadline=timezone.now() + timedelta(days=3), reason_en="r", reason_hi="र"
        )
    assert (first.number, other_state.number, new_year.number) == (
        "BR/IPRD/2026/0001",
        "RJ/IPRD/2026/0001",
        "BR/IPRD/2027/0001",
    )


def test_steps_cannot_be_skipped_or_repeated(world):
    with at(ISSUED_AT):
        notice = notice_issue(
            unit=world.patna, user=world.admin, deadline=ISSUED_AT + timedelta(days=5), reason_en="r", reason_hi="र"
        )
        # No decision before a reply (and no escalation before the deadline).
        for action in (NoticeAction.ACCEPT, NoticeAction.REJECT, NoticeAction.MORE_INFO):
            with pytest.raises(ValidationError):
                notice_decide(
                    notice=notice, user=world.admin, action=action, note="n", new_deadline=ISSUED_AT + timedelta(days=9)
                )
        with pytest.raises(ValidationError, match="until the deadline"):
            notice_decide(notice=notice, user=world.admin, action=NoticeAction.ESCALATE, note="n")
        # Only the addressed unit replies; the issuer never does; a state officer doesn't.
        for user in (world.dpro_gaya, world.admin, world.pr_bihar):
            with pytest.raises(PermissionDenied):
                notice_reply(notice=notice, user=user, text="x")
        # Only admins decide.
        notice_reply(notice=notice, user=world.dpro_patna, text="Explained.")
        with pytest.raises(PermissionDenied):
            notice_decide(notice=notice, user=world.pr_bihar, action=NoticeAction.ACCEPT)
        with pytest.raises(ValidationError, match="not awaiting a reply"):
            notice_reply(notice=notice, user=world.dpro_patna, text="Again.")
        notice_decide(notice=notice, user=world.admin, action=NoticeAction.ACCEPT)
        with pytest.raises(ValidationError, match="cannot be decided"):
            notice_decide(notice=notice, user=world.admin, action=NoticeAction.REJECT, note="changed my mind")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ACCEPTED
    assert list(notice.events.values_list("action", flat=True)) == ["issue", "reply", "accept"]


def test_issuing_needs_an_admin_a_future_deadline_and_a_reason(world):
    with at(ISSUED_AT):
        with pytest.raises(PermissionDenied):
            notice_issue(
                unit=world.patna,
                user=world.pr_bihar,
                deadline=ISSUED_AT + timedelta(days=3),
                reason_en="r",
                reason_hi="र",
            )
        with pytest.raises(ValidationError, match="in the future"):
            notice_issue(
                unit=world.patna,
                user=world.admin,
                deadline=ISSUED_AT - timedelta(hours=1),
                reason_en="r",
                reason_hi="र",
            )
        with pytest.raises(ValidationError, match="English and in Hindi"):
            notice_issue(unit=world.patna, user=world.admin, deadline=ISSUED_AT + timedelta(days=3), reason_en="r")
    assert not Notice.objects.exists()


def test_an_office_escalates_to_its_district(world):
    with at(ISSUED_AT):
        notice = notice_issue(
            unit=world.patna_health,
            user=world.admin,
            deadline=ISSUED_AT + timedelta(days=2),
            reason_en="r",
            reason_hi="र",
        )
    assert notice.addressee_en == "The Head of Office, Health Department, Patna"
    with at(ISSUED_AT + timedelta(days=3)):
        notice_decide(notice=notice, user=world.admin, action=NoticeAction.ESCALATE, note="No reply.")
    escalation = Notice.objects.get(escalated_from=notice)
    assert escalation.unit == world.patna and escalation.level == 2
    assert escalation.deadline > ISSUED_AT + timedelta(days=3)
