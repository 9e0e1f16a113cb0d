"""Account mandates: an order that every unit in a scope has an account on a platform by a deadline.

The must-show: Uttar Pradesh orders its 50 state departments to open an X account within a
week; accounts arrive on different days; the coverage is counted day by day, and at the
deadline exactly the departments without one are flagged, once.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from compliance.mandates import mandate_coverage
from compliance.models import Flag, Mandate, RuleEvaluation, RuleLevel, RulePeriod
from compliance.rules import RuleSpec
from compliance.services import evaluate_due_rules, mandate_create
from departments.choices import Platform, UnitKind
from departments.models import Account, State, Unit
from users.models import User

IST = timezone.get_fixed_timezone(330)
START = date(2026, 11, 15)
DEADLINE = START + timedelta(days=6)  # 7 days, both counted: 15–21 Nov 2026


def at(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=IST)


def give_account(unit: Unit, when: datetime, platform: str = Platform.X) -> Account:
    account = Account.objects.create(unit=unit, platform=platform, handle=f"{unit.code.replace('-', '')}{platform}")
    Account.objects.filter(pk=account.pk).update(created_at=when)  # registered in govsocial then
    return account


@dataclass
class Order:
    state: State
    mandate: Mandate
    departments: list[Unit]
    in_time: set[str]  # codes of the departments with an X account by the end of the deadline
    late: set[str]  # got it after the deadline
    never: set[str]  # no X account at all (some have one on Facebook)
    admin: User


@pytest.fixture
def order(db) -> Order:
    """UP: 50 state departments; 10 had X before the order, 4 a day during the week, 2 after, 10 never."""
    up = State.objects.create(code="UP", name_en="Uttar Pradesh", name_hi="उत्तर प्रदेश")
    departments = [
        Unit.objects.create(
            state=up,
            kind=UnitKind.STATE_DEPARTMENT,
            code=f"UP-DEPT{n:02d}",
            name_en=f"Department {n:02d}",
            name_hi=f"विभाग {n:02d}",
        )
        for n in range(50)
    ]
    admin = User.objects.create(username="admin", role=User.Role.ADMIN, is_superuser=True)
    in_time, late, never = set(), set(), set()
    for unit in departments[:10]:  # long before the order
        give_account(unit, at(date(2026, 10, 1), 12))
        in_time.add(unit.code)
    for day_index in range(7):  # four a day: morning, late morning, afternoon, the last second of the day
        day = START + timedelta(days=day_index)
        for unit, moment in zip(
            departments[10 + 4 * day_index : 14 + 4 * day_index],
            (at(day, 9), at(day, 11), at(day, 15), at(day, 23, 59, 59)),
            strict=True,
        ):
            give_account(unit, moment)
            in_time.add(unit.code)
    # the day after the deadline: one just after midnight (before beat runs), one in the afternoon
    give_account(departments[38], at(DEADLINE + timedelta(days=1), 0, 0, 0))
    give_account(departments[39], at(DEADLINE + timedelta(days=1), 14))
    late |= {departments[38].code, departments[39].code}
    # an account on another platform does not count
    give_account(departments[40], at(date(2026, 10, 1)), platform=Platform.FACEBOOK)
    give_account(departments[41], at(START + timedelta(days=2)), platform=Platform.FACEBOOK)
    never |= {unit.code for unit in departments[40:]}
    with time_machine.travel(at(START, 10), tick=False):
        mandate = mandate_create(
            mandate=Mandate(
                state=up,
                name_en="Every department on X within a week",
                name_hi="हर विभाग एक सप्ताह में X पर",
                level=RuleLevel.DEPARTMENTS,
                platform=Platform.X,
                starts_on=START,
                deadline=DEADLINE,
                order_reference="CM Office order, 15 Nov 2026",
            ),
            user=admin,
        )
    return Order(up, mandate, departments, in_time, late, never, admin)


def test_the_mandate_owns_a_rule_on_accounts_judged_once_by_the_deadline(order):
    rule = order.mandate.rule
    assert (rule.metric, rule.comparison, rule.threshold, rule.platform) == ("accounts", "gte", 1, "x")
    assert (rule.period, rule.starts_on, rule.deadline, rule.level) == (
        RulePeriod.DEADLINE,
        START,
        DEADLINE,
        "departments",
    )
    assert rule.text == "Each state department and undertaking: an account on X by 21 Nov 2026."
    assert "21 नव 2026" in RuleSpec.from_rule(rule).text("hi")  # the date in Hindi too
    assert rule.revisions.count() == 1


def test_coverage_day_by_day_in_the_week_of_the_order(order):
    with time_machine.travel(at(DEADLINE + timedelta(days=1), 9), tick=False):
        coverage = mandate_coverage(order.mandate, order.admin)
    assert [(day.day, day.covered, day.total, day.after_deadline) for day in coverage.days] == [
        (START, 14, 50, False),
        (START + timedelta(days=1), 18, 50, False),
        (START + timedelta(days=2), 22, 50, False),
        (START + timedelta(days=3), 26, 50, False),
        (START + timedelta(days=4), 30, 50, False),
        (START + timedelta(days=5), 34, 50, False),
        (DEADLINE, 38, 50, False),
        (DEADLINE + timedelta(days=1), 39, 50, True),  # the afternoon account is not yet registered at 9:00
    ]
    assert {row.unit.code for row in coverage.missing_at_deadline} == order.late | order.never
    assert {row.unit.code for row in coverage.missing} == order.never | {order.departments[39].code}
    assert {row.unit.code for row in coverage.late} == {order.departments[38].code}
    assert coverage.covered_at_deadline == 38
    assert coverage.percent == 76


def test_coverage_in_the_middle_of_the_week_counts_only_accounts_registered_so_far(order):
    with time_machine.travel(at(START + timedelta(days=3), 12), tick=False):
        coverage = mandate_coverage(order.mandate, order.admin)
        assert not coverage.deadline_passed
        assert order.mandate.days_left(timezone.localdate()) == 4
    assert [day.covered for day in coverage.days] == [14, 18, 22, 24]  # 9:00 and 11:00 so far on the fourth day
    assert len(coverage.missing) == 26
    assert coverage.percent == 48


def test_nothing_is_judged_before_the_deadline_ends(order):
    for moment in (at(START, 12), at(DEADLINE, 0, 30), at(DEADLINE, 23, 59, 59)):
        with time_machine.travel(moment, tick=False):
            assert evaluate_due_rules() == []
    assert not RuleEvaluation.objects.exists()
    assert not Flag.objects.exists()


def test_at_the_deadline_exactly_the_units_without_an_account_are_flagged_once(order):
    with time_machine.travel(at(DEADLINE + timedelta(days=1), 0, 30), tick=False):
        outcomes = evaluate_due_rules()
        assert evaluate_due_rules() == []  # run again: nothing new
    assert len(outcomes) == 1
    assert outcomes[0].flags_raised == 12
    flagged = set(Flag.objects.filter(rule=order.mandate.rule).values_list("unit__code", flat=True))
    assert flagged == order.late | order.never  # the one registered at 00:00 the day after is late too
    assert not flagged & order.in_time
    evaluation = RuleEvaluation.objects.get(rule=order.mandate.rule)
    assert (evaluation.period_start, evaluation.period_end) == (START, DEADLINE)
    assert (evaluation.units, evaluation.passed, evaluation.failed) == (50, 38, 12)
    with time_machine.travel(at(DEADLINE + timedelta(days=40), 0, 30), tick=False):
        assert evaluate_due_rules() == []  # never twice, however long it runs
    assert Flag.objects.count() == 12


def test_the_flag_evidence_names_the_platform_and_the_deadline(order):
    with time_machine.travel(at(DEADLINE + timedelta(days=1), 0, 30), tick=False):
        evaluate_due_rules()
    flag = Flag.objects.get(unit=order.departments[41])  # has Facebook, not X
    assert flag.period_start == START
    assert flag.period_end == DEADLINE
    assert flag.evidence["rule"]["platform"] == "x"
    assert flag.evidence["rule"]["deadline"] == "2026-11-21"
    assert flag.evidence["period"] == {"kind": "deadline", "start": "2026-11-15", "end": "2026-11-21"}
    assert flag.evidence["rule"]["text_en"] == "Each state department and undertaking: an account on X by 21 Nov 2026."
    assert flag.evidence["value"] == "0"
    assert flag.evidence["accounts"] == []


def test_a_missed_schedule_catches_up_and_still_counts_only_accounts_held_at_the_deadline(order):
    with time_machine.travel(at(DEADLINE + timedelta(days=5), 0, 30), tick=False):
        outcomes = evaluate_due_rules()
    assert [outcome.flags_raised for outcome in outcomes] == [12]
    flagged = set(Flag.objects.values_list("unit__code", flat=True))
    assert order.departments[39].code in flagged  # registered on the day after: late, however late we look
    late_flag = Flag.objects.get(unit=order.departments[38])
    assert late_flag.evidence["accounts"] == []  # the account it registered later is not its evidence
    passed = next(
        row
        for row in RuleEvaluation.objects.get().results
        if row["code"] == order.departments[37].code  # 23:59:59 on the deadline: in time
    )
    assert passed["status"] == "pass"
