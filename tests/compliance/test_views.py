"""Compliance pages: the monthly live table, rules, reports and flags, each within the user's scope."""

import csv
import io
from datetime import date, datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from compliance.models import Comparison, Flag, FlagStatus, Rule, RuleLevel, RuleMetric
from compliance.services import rule_evaluate, rule_save
from departments.choices import Platform, UnitKind
from departments.models import Account
from leaderboards.periods import month_of
from tests.factories import UnitFactory, daily_snapshots, post

JULY = month_of(date(2026, 7, 1))
AUGUST_2 = timezone.make_aware(datetime(2026, 8, 2, 10))


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(11)))


@pytest.fixture
def pages(world):
    """Facebook pages for Patna (3 lives of 30+, one of 25) and Gaya (none), polled through July."""
    patna = Account.objects.create(unit=world.patna, platform=Platform.FACEBOOK, handle="dmpatna.page")
    gaya = Account.objects.create(unit=world.gaya, platform=Platform.FACEBOOK, handle="dmgaya.page")
    for page in (patna, gaya):
        daily_snapshots(page, date(2026, 6, 30), JULY.end, followers_from=5000)
    for day in (3, 10, 17):
        post(patna, at(date(2026, 7, day)), "live", duration_seconds=35 * 60)
    post(patna, at(date(2026, 7, 20)), "live", duration_seconds=25 * 60)
    return patna, gaya


@pytest.fixture
def live_rule(world):
    with time_machine.travel(at(date(2026, 6, 1)), tick=False):
        return rule_save(
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


def table_url(**params):
    query = "&".join(f"{key}={value}" for key, value in {"state": "BR", "month": "2026-07", **params}.items())
    return f"{reverse('compliance:monthly_lives')}?{query}"


@time_machine.travel(AUGUST_2, tick=False)
def test_monthly_table_ranks_districts_and_lists_who_failed(world, pages, login):
    response = login(world.pr_bihar).get(table_url())
    assert response.status_code == 200
    rows = [(r.figures.unit.name_en, r.value, r.status) for r in response.context["rows"]]
    assert rows == [("Patna", 3, "pass"), ("Gaya", 0, "fail")]
    assert [r.unit.name_en for r in response.context["failed"]] == ["Gaya"]
    html = response.content.decode()
    assert "No rule with these settings" in html
    assert reverse("leaderboards:cell", kwargs={"code": "BR-PATNA"}) in html  # each figure drills down


@time_machine.travel(AUGUST_2, tick=False)
def test_monthly_table_sorts_and_exports_csv(world, pages, login):
    client = login(world.pr_bihar)
    by_name = client.get(table_url(sort="name"))
    assert [r.unit.name_en for r in by_name.context["rows"]] == ["Gaya", "Patna"]
    ascending = client.get(table_url(sort="value"))
    assert [r.unit.name_en for r in ascending.context["rows"]] == ["Gaya", "Patna"]
    response = client.get(table_url(format="csv", minutes=20))
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:6] == ["rank", "code", "name_en", "name_hi", "value", "status"]
    assert lines[1][:6] == ["1", "BR-PATNA", "Patna", "पटना", "4", "pass"]  # with 20 minutes, the 25-minute live counts


@time_machine.travel(AUGUST_2, tick=False)
def test_a_bad_month_or_minimum_says_so_and_shows_the_default(world, pages, login):
    response = login(world.pr_bihar).get(table_url(month="July", minutes="thirty"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "“July” is not a month in the form YYYY-MM." in html
    assert "minutes must be a whole number from 1 to 600." in html


@time_machine.travel(AUGUST_2, tick=False)
def test_the_officer_raises_the_flags_from_the_table_once(world, pages, live_rule, login):
    client = login(world.pr_bihar)
    assert 'data-testid="raise-flags"' in client.get(table_url()).content.decode()
    url = reverse("compliance:monthly_lives_evaluate", kwargs={"pk": live_rule.pk})
    response = client.post(url, {"month": "2026-07"}, follow=True)
    assert "1 failed, 1 new flags raised" in response.content.decode()
    client.post(url, {"month": "2026-07"})
    assert list(Flag.objects.values_list("unit__code", flat=True)) == ["BR-GAYA"]


@time_machine.travel(AUGUST_2, tick=False)
def test_a_district_official_sees_only_their_district_and_cannot_judge(world, pages, live_rule, login):
    client = login(world.dpro_gaya)
    response = client.get(table_url())
    assert [r.unit.code for r in response.context["rows"]] == ["BR-GAYA"]
    assert 'data-testid="raise-flags"' not in response.content.decode()
    url = reverse("compliance:monthly_lives_evaluate", kwargs={"pk": live_rule.pk})
    assert client.post(url, {"month": "2026-07"}).status_code == 403
    assert not Flag.objects.exists()
    assert client.get(table_url(state="RJ")).status_code == 404


@time_machine.travel(AUGUST_2, tick=False)
def test_a_state_officer_cannot_open_another_states_table(world, pages, login):
    assert login(world.pr_rajasthan).get(table_url()).status_code == 404


@time_machine.travel(AUGUST_2, tick=False)
def test_the_monthly_table_runs_a_fixed_number_of_queries(world, pages, login, django_assert_num_queries):
    client = login(world.pr_bihar)
    client.get(table_url())  # warm the session and content types

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(table_url()).status_code == 200
        return len(queries)

    few = count()
    for number in range(30):
        unit = UnitFactory(state=world.bihar, kind=UnitKind.DISTRICT, code=f"BR-EXTRA{number}")
        page = Account.objects.create(unit=unit, platform=Platform.FACEBOOK, handle=f"extra{number}.page")
        daily_snapshots(page, date(2026, 6, 30), JULY.end, followers_from=100)
        post(page, at(date(2026, 7, 5)), "live", duration_seconds=40 * 60)
    with django_assert_num_queries(few):
        client.get(table_url())


def test_only_an_admin_defines_rules_and_bad_input_says_where(world, login):
    url = reverse("compliance:rule_new")
    assert login(world.pr_bihar).get(url).status_code == 403
    client = login(world.admin)
    bad = client.post(
        url,
        {
            "name_en": "Offices post",
            "name_hi": "कार्यालय पोस्ट",
            "state": world.bihar.pk,
            "level": RuleLevel.OFFICES,
            "metric": RuleMetric.POSTS,
            "platform": Platform.X,
            "comparison": Comparison.AT_LEAST,
            "threshold": "10",
            "period": "weekly",
            "min_duration_minutes": "30",
            "is_active": "on",
        },
    )
    assert bad.status_code == 200
    form = bad.context["form"]
    assert "Choose the district whose offices the rule applies to." in form.errors["district"]
    assert "A minimum length only applies to live broadcasts." in form.errors["min_duration_minutes"]
    assert not Rule.objects.exists()
    good = client.post(
        url,
        {
            "name_en": "Offices post",
            "name_hi": "कार्यालय पोस्ट",
            "state": world.bihar.pk,
            "level": RuleLevel.OFFICES,
            "district": world.patna.pk,
            "metric": RuleMetric.POSTS,
            "platform": Platform.X,
            "comparison": Comparison.AT_LEAST,
            "threshold": "10",
            "period": "weekly",
            "min_duration_minutes": "0",
            "is_active": "on",
        },
    )
    rule = Rule.objects.get()
    assert good.status_code == 302 and good["Location"] == rule.get_absolute_url()
    assert rule.revisions.count() == 1 and rule.created_by == world.admin
    assert "at least 10 posts on X, a week" in rule.text


@time_machine.travel(AUGUST_2, tick=False)
def test_judging_a_period_from_the_rule_page_and_reading_its_report(world, pages, live_rule, login):
    client = login(world.pr_bihar)
    detail = reverse("compliance:rule_detail", kwargs={"pk": live_rule.pk})
    response = client.post(detail, {"period_start": "2026-07-01"}, follow=True)
    assert response.status_code == 200
    assert "July 2026 judged: 1 failed, 1 new flags raised." in response.content.decode()
    rows = response.context["rows"]
    assert [(result.unit.code, flag is not None) for result, flag in rows] == [("BR-PATNA", False), ("BR-GAYA", True)]
    report = reverse("compliance:rule_report", kwargs={"pk": live_rule.pk})
    csv_text = client.get(f"{report}?start=2026-07-01&format=csv").content.decode("utf-8-sig")
    assert "BR-GAYA" in csv_text and "fail" in csv_text
    running = client.get(f"{report}?start=2026-08-01")
    assert "still running" in running.content.decode()


@time_machine.travel(AUGUST_2, tick=False)
def test_flags_are_listed_within_scope_and_explained_by_the_district(world, pages, live_rule, login):
    rule_evaluate(rule=live_rule, period=JULY)
    flag = Flag.objects.get()
    assert login(world.dpro_patna).get(flag.get_absolute_url()).status_code == 404
    assert login(world.pr_rajasthan).get(reverse("compliance:flag_list")).context["page"].paginator.count == 0

    client = login(world.dpro_gaya)
    listing = client.get(reverse("compliance:flag_list"))
    assert [f.unit.code for f in listing.context["page"]] == ["BR-GAYA"]
    unit_page = client.get(world.gaya.get_absolute_url())
    assert 'data-testid="unit-flags"' in unit_page.content.decode()
    response = client.post(
        flag.get_absolute_url(), {"status": FlagStatus.EXPLAINED, "note": "The page was blocked in July."}
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.EXPLAINED and flag.explanation == "The page was blocked in July."
    # A district official cannot resolve their own flag, even with a crafted POST.
    crafted = client.post(flag.get_absolute_url(), {"status": FlagStatus.RESOLVED, "note": ""})
    assert crafted.status_code == 200
    flag.refresh_from_db()
    assert flag.status == FlagStatus.EXPLAINED

    csv_text = login(world.pr_bihar).get(reverse("compliance:flag_list") + "?format=csv").content.decode("utf-8-sig")
    assert "BR-GAYA" in csv_text and "explained" in csv_text
