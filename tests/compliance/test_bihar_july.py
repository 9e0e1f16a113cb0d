"""Bihar's July example (PRODUCT.md): each district must hold a 30-minute Facebook Live a month.

Samastipur held 16 qualifying lives, Arwal 15, Patna 7; eleven districts held none.
"""

import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from compliance.models import Comparison, Flag, Rule, RuleLevel, RuleMetric
from compliance.rules import FAIL, NO_DATA, PASS, RuleSpec, rule_results
from compliance.services import rule_evaluate, rule_save
from departments.choices import Platform, UnitKind
from departments.models import Account, State, Unit
from leaderboards.periods import month_of
from tests.factories import daily_snapshots, post

JULY = month_of(date(2026, 7, 1))
ELEVEN = [
    "Kaimur",
    "Saharsa",
    "Aurangabad",
    "Sitamarhi",
    "Nalanda",
    "Khagaria",
    "Rohtas",
    "Supaul",
    "Bhojpur",
    "Katihar",
    "Madhepura",
]
LIVES = {"Samastipur": 16, "Arwal": 15, "Patna": 7, **dict.fromkeys(ELEVEN, 0)}
# A district whose only live was 25 minutes long: it held none that counts.
ONLY_SHORT = "Begusarai"


def bihar_districts() -> list[dict]:
    path = Path(__file__).resolve().parents[2] / "departments" / "data" / "districts.csv"
    with path.open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["state"] == "BR"]


@pytest.fixture
def bihar(db):
    state = State.objects.create(code="BR", name_en="Bihar", name_hi="बिहार")
    rows = bihar_districts()
    assert len(rows) == 38
    pages = {}
    for number, row in enumerate(rows):
        unit = Unit.objects.create(
            state=state, kind=UnitKind.DISTRICT, code=row["code"], name_en=row["name_en"], name_hi=row["name_hi"]
        )
        page = Account.objects.create(unit=unit, platform=Platform.FACEBOOK, handle=f"dm{number}.bihar")
        Account.objects.create(unit=unit, platform=Platform.X, handle=f"DM{number}Bihar")
        daily_snapshots(page, date(2026, 6, 30), date(2026, 7, 31), followers_from=10_000 + number, step=3)
        pages[row["name_en"]] = page
    for name, page in pages.items():
        # Every district not named in the report held between 1 and 6 qualifying lives.
        count = LIVES.get(name, 1 + len(name) % 6)
        if name == ONLY_SHORT:
            count = 0
            post(page, _at(date(2026, 7, 9)), "live", duration_seconds=25 * 60, live_status="VOD")
        for i in range(count):
            post(page, _at(date(2026, 7, 1 + i % 31)), "live", duration_seconds=(30 + i) * 60, live_status="VOD")
        # Lives on X, or before July, do not count for Facebook in July.
        post(page, _at(date(2026, 6, 30)), "live", duration_seconds=45 * 60)
        post(page, _at(date(2026, 7, 15)), "post")
    return state


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(11)))


@pytest.fixture
def monthly_live_rule(bihar):
    return rule_save(
        rule=Rule(
            state=bihar,
            name_en="A 30-minute Facebook Live every month",
            name_hi="हर महीने 30 मिनट का फेसबुक लाइव",
            level=RuleLevel.DISTRICTS,
            metric=RuleMetric.LIVES,
            platform=Platform.FACEBOOK,
            comparison=Comparison.AT_LEAST,
            threshold=1,
            period="monthly",
            min_duration_minutes=30,
        ),
        user=None,
    )


@time_machine.travel(datetime(2026, 8, 1, 3, tzinfo=timezone.get_fixed_timezone(330)), tick=False)
def test_bihar_july_table_ranks_samastipur_arwal_patna_and_flags_exactly_the_laggards(monthly_live_rule):
    spec = RuleSpec.from_rule(monthly_live_rule)
    table = rule_results(spec, JULY)
    assert len(table.results) == 38
    assert [(r.unit.name_en, r.value, r.rank) for r in table.results[:3]] == [
        ("Samastipur", 16, 1),
        ("Arwal", 15, 2),
        ("Patna", 7, 3),
    ]
    failed = {result.unit.name_en for result in table.failed}
    assert failed == {*ELEVEN, ONLY_SHORT}
    assert all(result.status == PASS for result in table.results if result.unit.name_en not in failed)
    short = next(result for result in table.results if result.unit.name_en == ONLY_SHORT)
    assert (short.value, short.status) == (0, FAIL)  # the 25-minute live does not count

    outcome = rule_evaluate(rule=monthly_live_rule, period=JULY)
    assert outcome.flags_raised == 12
    flags = Flag.objects.filter(rule=monthly_live_rule, period_start=JULY.start)
    assert {flag.unit.name_en for flag in flags} == {*ELEVEN, ONLY_SHORT}
    kaimur = flags.get(unit__name_en="Kaimur")
    assert kaimur.evidence["value"] == "0"
    assert kaimur.evidence["threshold"] == "1"
    assert kaimur.evidence["period"] == {"kind": "month", "start": "2026-07-01", "end": "2026-07-31"}
    assert "30" in kaimur.evidence["rule"]["text_en"] and "Facebook" in kaimur.evidence["rule"]["text_en"]
    assert kaimur.evidence["units_compared"] == 38
    assert kaimur.evidence["median"] is not None

    # Evaluating again raises nothing new and keeps one evaluation.
    again = rule_evaluate(rule=monthly_live_rule, period=JULY)
    assert again.flags_raised == 0
    assert flags.count() == 12
    assert monthly_live_rule.evaluations.count() == 1
    assert again.evaluation.failed == 12 and again.evaluation.passed == 26


@time_machine.travel(datetime(2026, 7, 20, 12, tzinfo=timezone.get_fixed_timezone(330)), tick=False)
def test_a_month_still_running_is_not_judged(monthly_live_rule):
    from compliance.services import EvaluationError

    with pytest.raises(EvaluationError, match="has not ended"):
        rule_evaluate(rule=monthly_live_rule, period=JULY)
    assert not Flag.objects.exists()
    # The table can still be looked at, as "so far".
    table = rule_results(RuleSpec.from_rule(monthly_live_rule), JULY)
    assert table.results[0].value > 0
    assert table.period.measured_until() < JULY.end_at


def test_on_a_platform_never_polled_every_district_has_no_data_not_a_failure(monthly_live_rule):
    with time_machine.travel(JULY.end_at + timedelta(hours=1), tick=False):
        x_rule = RuleSpec.from_rule(monthly_live_rule)
        x_rule = RuleSpec.from_definition({**x_rule.as_definition(), "platform": Platform.X})
        table = rule_results(x_rule, JULY)
        assert {(result.value, result.status) for result in table.results} == {(None, NO_DATA)}
        assert table.failed == []
