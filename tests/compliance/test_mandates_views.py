"""Account mandate pages: the list, the mandate with its coverage, the CSV and the form, within the user's scope."""

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compliance.mandates import mandate_coverage
from compliance.models import Flag, Mandate, Rule, RuleEvaluation, RuleLevel
from compliance.services import evaluate_due_rules, mandate_create
from departments.choices import Platform, UnitKind
from departments.models import Account, Unit

IST = timezone.get_fixed_timezone(330)
START, DEADLINE = date(2026, 9, 1), date(2026, 9, 7)


def at(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=IST)


def registered(account: Account, when: datetime) -> None:
    Account.objects.filter(pk=account.pk).update(created_at=when)


def make_mandate(state, user, *, level=RuleLevel.DISTRICTS, platform=Platform.X, name="Districts on X", **fields):
    fields = {"starts_on": START, "deadline": DEADLINE} | fields
    with time_machine.travel(at(fields["starts_on"], 10), tick=False):
        return mandate_create(
            mandate=Mandate(state=state, name_en=name, name_hi="हिंदी नाम", level=level, platform=platform, **fields),
            user=user,
        )


@pytest.fixture
def orders(world):
    """Bihar: districts on X (Patna before the order, Gaya late) and departments on X (Health in time, IPRD never)."""
    registered(world.patna_x, at(date(2026, 8, 1)))
    registered(world.gaya_x, at(date(2026, 9, 10)))
    registered(world.health_x, at(date(2026, 9, 3)))
    registered(world.dausa_x, at(date(2026, 8, 1)))
    districts = make_mandate(world.bihar, world.admin)
    departments = make_mandate(world.bihar, world.admin, level=RuleLevel.DEPARTMENTS, name="Departments on X")
    return districts, departments


def judged():
    with time_machine.travel(datetime.combine(DEADLINE + timedelta(days=1), time(0, 30), tzinfo=IST), tick=False):
        return evaluate_due_rules()


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


# ---- the list ----------------------------------------------------------------------------


@time_machine.travel(at(date(2026, 9, 4)), tick=False)
def test_the_list_shows_each_mandate_with_its_coverage_and_filters_by_state_and_status(world, orders, login):
    make_mandate(world.rajasthan, world.admin, name="Rajasthan districts on YouTube", platform=Platform.YOUTUBE)
    make_mandate(world.bihar, world.admin, name="An old order", starts_on=date(2026, 6, 1), deadline=date(2026, 6, 7))
    client = login(world.admin)
    page = client.get(reverse("compliance:mandates"))
    assert page.status_code == 200
    names = [mandate.name_en for mandate, _coverage in page.context["rows"]]
    assert sorted(names) == ["An old order", "Departments on X", "Districts on X", "Rajasthan districts on YouTube"]
    coverage = {mandate.name_en: coverage for mandate, coverage in page.context["rows"]}
    assert (len(coverage["Districts on X"].covered), coverage["Districts on X"].total) == (1, 2)  # Gaya: not yet
    assert (len(coverage["Departments on X"].covered), coverage["Departments on X"].total) == (1, 2)
    assert coverage["Rajasthan districts on YouTube"].total == 1
    assert "1 of 2 (50%)" in page.content.decode()
    by_state = client.get(reverse("compliance:mandates"), {"state": "RJ"})
    assert [m.name_en for m, _c in by_state.context["rows"]] == ["Rajasthan districts on YouTube"]
    passed = client.get(reverse("compliance:mandates"), {"status": "passed"})
    assert [m.name_en for m, _c in passed.context["rows"]] == ["An old order"]
    running = client.get(reverse("compliance:mandates"), {"status": "running"})
    assert len(running.context["rows"]) == 3


def test_the_list_explains_mandates_when_there_are_none(world, login):
    page = login(world.admin).get(reverse("compliance:mandates"))
    assert page.status_code == 200
    assert "No account mandates yet" in page.content.decode()
    assert reverse("compliance:mandate_new") in page.content.decode()
    officer = login(world.pr_bihar).get(reverse("compliance:mandates")).content.decode()
    assert reverse("compliance:mandate_new") not in officer


def test_the_list_takes_a_fixed_number_of_queries_however_many_mandates(world, login, django_assert_num_queries):
    client = login(world.pr_bihar)
    make_mandate(world.bihar, world.admin)
    client.get(reverse("compliance:mandates"))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("compliance:mandates")).status_code == 200
    for number in range(8):
        another_district(world.bihar, number)
        make_mandate(world.bihar, world.admin, name=f"Order {number}", level=RuleLevel.DEPARTMENTS)
    with django_assert_num_queries(len(queries)):
        page = client.get(reverse("compliance:mandates"))
    assert len(page.context["rows"]) == 9


def another_district(state, number) -> Unit:
    unit = Unit.objects.create(
        state=state, kind=UnitKind.DISTRICT, code=f"BR-D{number}", name_en=f"D {number}", name_hi=f"जि {number}"
    )
    Account.objects.create(unit=unit, platform=Platform.X, handle=f"dm{number}")
    return unit


# ---- the mandate page ----------------------------------------------------------------------


def test_the_page_shows_the_order_coverage_who_is_missing_and_the_flags_raised(world, orders, login):
    districts, _departments = orders
    judged()
    with time_machine.travel(at(date(2026, 9, 12)), tick=False):
        page = login(world.pr_bihar).get(districts.get_absolute_url())
    body = page.content.decode()
    assert page.status_code == 200
    assert "Each district: an account on X by 7 Sep 2026." in body
    assert [(day.covered, day.total) for day in page.context["coverage"].days] == [(1, 2)] * 9 + [(2, 2)] * 3
    missing = [(row.unit.code, flag.unit.code) for row, flag in page.context["without"]]
    assert missing == [("BR-GAYA", "BR-GAYA")]  # late: registered on 10 Sep, flagged
    flag = Flag.objects.get(rule=districts.rule)
    assert flag.get_absolute_url() in body
    assert world.gaya.get_absolute_url() in body
    assert 'data-coverage-chart="coverage-chart"' in body
    assert "registered late" in body


def test_before_the_deadline_the_page_counts_the_days_left_and_lists_who_has_none_yet(world, orders, login):
    _districts, departments = orders
    with time_machine.travel(at(date(2026, 9, 4)), tick=False):
        page = login(world.admin).get(departments.get_absolute_url())
    assert page.context["days_left"] == 4
    assert "4 days left, today included" in page.content.decode()
    assert [row.unit.code for row, _flag in page.context["without"]] == ["BR-IPRD"]
    assert page.context["chart"]["covered"] == [0, 0, 1, 1, None, None, None]  # the days to come: no figure
    assert page.context["chart"]["days"][-1] == "2026-09-07"
    assert page.context["chart"]["deadline"] == "2026-09-07"


def test_the_csv_has_each_unit_with_its_account_and_whether_it_was_in_time(world, orders, login):
    districts, _departments = orders
    with time_machine.travel(at(date(2026, 9, 12)), tick=False):
        response = login(world.pr_bihar).get(districts.get_absolute_url(), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = {row["code"]: row for row in rows_of(response)}
    assert set(rows) == {"BR-PATNA", "BR-GAYA"}
    assert (rows["BR-PATNA"]["handle"], rows["BR-PATNA"]["by_deadline"]) == ("DMPatna", "yes")
    assert (rows["BR-GAYA"]["by_deadline"], rows["BR-GAYA"]["account_registered_at"][:10]) == ("no", "2026-09-10")
    assert rows["BR-GAYA"]["mandate"] == "Each district: an account on X by 7 Sep 2026."


def test_an_account_on_another_platform_does_not_cover_the_unit(world, orders, login):
    _districts, departments = orders
    Account.objects.create(unit=Unit.objects.get(code="BR-IPRD"), platform="facebook", handle="iprd")
    with time_machine.travel(at(date(2026, 9, 12)), tick=False):
        coverage = mandate_coverage(departments, world.admin)
    assert [row.unit.code for row in coverage.missing] == ["BR-IPRD"]


# ---- who may see -------------------------------------------------------------------------------


@time_machine.travel(at(date(2026, 9, 12)), tick=False)
def test_a_district_official_sees_the_district_orders_with_only_their_own_row(world, orders, login):
    districts, departments = orders
    judged()
    client = login(world.dpro_patna)
    listed = client.get(reverse("compliance:mandates"))
    assert [mandate for mandate, _coverage in listed.context["rows"]] == [districts]
    page = client.get(districts.get_absolute_url())
    assert [row.unit.code for row in page.context["coverage"].units] == ["BR-PATNA"]
    assert page.context["flags"] == []  # Gaya's flag is not Patna's to see
    assert "Gaya" not in page.content.decode()
    assert {row["code"] for row in rows_of(client.get(districts.get_absolute_url(), {"format": "csv"}))} == {"BR-PATNA"}
    assert client.get(departments.get_absolute_url()).status_code == 404
    gaya_page = login(world.dpro_gaya).get(districts.get_absolute_url())
    assert [flag.unit for flag in gaya_page.context["flags"]] == [world.gaya]


def test_a_district_official_sees_an_order_to_offices_of_their_district_only(world, login):
    offices = make_mandate(world.bihar, world.admin, level=RuleLevel.OFFICES, district=world.gaya, name="Gaya offices")
    assert login(world.dpro_patna).get(offices.get_absolute_url()).status_code == 404
    page = login(world.dpro_gaya).get(offices.get_absolute_url())
    assert [row.unit for row in page.context["coverage"].units] == [world.gaya_health]


def test_a_state_officer_cannot_open_another_states_mandate(world, orders, login):
    districts, _departments = orders
    assert login(world.pr_rajasthan).get(districts.get_absolute_url()).status_code == 404
    assert login(world.pr_rajasthan).get(reverse("compliance:mandates")).context["rows"] == []


# ---- the form ------------------------------------------------------------------------------------


def test_only_an_admin_records_a_mandate_and_bad_input_says_where(world, login):
    url = reverse("compliance:mandate_new")
    assert login(world.pr_bihar).get(url).status_code == 403
    assert login(world.pr_bihar).post(url, {}).status_code == 403
    client = login(world.admin)
    form = {
        "name_en": "Offices on Facebook",
        "name_hi": "कार्यालय फेसबुक पर",
        "state": world.bihar.pk,
        "level": RuleLevel.OFFICES,
        "platform": Platform.FACEBOOK,
        "starts_on": "2026-11-20",
        "deadline": "2026-11-13",
    }
    bad = client.post(url, form)
    assert bad.status_code == 200
    errors = bad.context["form"].errors
    assert "before the order's date" in errors["deadline"][0]
    assert "Choose the district" in errors["district"][0]
    kind = client.post(url, form | {"level": RuleLevel.KIND, "deadline": "2026-11-26"})
    assert "Choose the kind of unit" in kind.context["form"].errors["unit_kind"][0]
    elsewhere = client.post(url, form | {"district": world.dausa.pk, "deadline": "2026-11-26"})
    assert "Dausa is not in Bihar" in elsewhere.context["form"].errors["district"][0]
    assert not Mandate.objects.exists()
    good = client.post(url, form | {"district": world.patna.pk, "deadline": "2026-11-26", "order_reference": "No. 12"})
    mandate = Mandate.objects.get()
    assert good.status_code == 302 and good["Location"] == mandate.get_absolute_url()
    assert mandate.rule.text == "Each office of district BR-PATNA: an account on Facebook by 26 Nov 2026."
    assert (mandate.created_by, mandate.rule.created_by, mandate.order_reference) == (
        world.admin,
        world.admin,
        "No. 12",
    )


def test_the_form_proposes_a_week_from_today(world, login):
    with time_machine.travel(at(date(2026, 11, 20)), tick=False):
        form = login(world.admin).get(reverse("compliance:mandate_new")).context["form"]
    assert (form.initial["starts_on"], form.initial["deadline"]) == (date(2026, 11, 20), date(2026, 11, 26))


# ---- the rule behind it ------------------------------------------------------------------------------


def test_the_rule_pages_show_a_mandate_rule_and_send_its_edits_to_the_mandate(world, orders, login):
    districts, _departments = orders
    judged()
    client = login(world.admin)
    rule = districts.rule
    detail = client.get(rule.get_absolute_url())
    assert detail.status_code == 200
    assert districts.get_absolute_url() in detail.content.decode()
    report = client.get(reverse("compliance:rule_report", kwargs={"pk": rule.pk}), {"start": "2026-09-01"})
    assert report.status_code == 200
    assert report.context["period"].end == DEADLINE
    assert (
        client.get(reverse("compliance:rule_edit", kwargs={"pk": rule.pk}))["Location"] == districts.get_absolute_url()
    )
    assert client.get(reverse("compliance:rule_list")).status_code == 200
    rule_form = client.get(reverse("compliance:rule_new")).context["form"]
    assert "deadline" not in dict(rule_form.fields["period"].choices)


def test_a_mandate_recorded_after_its_deadline_waits_for_an_officer_to_judge_it(world, login):
    registered(world.patna_x, at(date(2026, 8, 1)))
    registered(world.gaya_x, at(date(2026, 8, 1)))
    with time_machine.travel(at(date(2026, 9, 20)), tick=False):
        late = mandate_create(
            mandate=Mandate(
                state=world.bihar,
                name_en="Departments on YouTube",
                name_hi="विभाग यूट्यूब पर",
                level=RuleLevel.DEPARTMENTS,
                platform=Platform.YOUTUBE,
                starts_on=START,
                deadline=DEADLINE,
            ),
            user=world.admin,
        )
        assert evaluate_due_rules() == []  # not behind anyone's back
        page = login(world.pr_bihar).get(late.get_absolute_url())
        assert 'data-testid="not-judged"' in page.content.decode()
        assert login(world.dpro_patna).post(
            reverse("compliance:mandate_judge", kwargs={"pk": late.pk})
        ).status_code in (
            403,
            404,
        )
        response = login(world.pr_bihar).post(reverse("compliance:mandate_judge", kwargs={"pk": late.pk}))
        assert response.status_code == 302
        assert set(Flag.objects.filter(rule=late.rule).values_list("unit__code", flat=True)) == {"BR-HEALTH", "BR-IPRD"}
        login(world.pr_bihar).post(reverse("compliance:mandate_judge", kwargs={"pk": late.pk}))
    assert Flag.objects.filter(rule=late.rule).count() == 2
    assert Rule.objects.filter(pk=late.rule.pk, evaluations__isnull=False).count() == 1


# ---- queries --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 60])
def test_coverage_takes_one_query_whatever_the_number_of_units_and_days(world, size, django_assert_num_queries):
    for number in range(size):
        unit = Unit.objects.create(
            state=world.bihar,
            kind=UnitKind.STATE_DEPARTMENT,
            code=f"BR-DEPT{number}",
            name_en=f"Dept {number}",
            name_hi=f"विभाग {number}",
        )
        if number % 3:
            registered(
                Account.objects.create(unit=unit, platform=Platform.X, handle=f"d{number}"),
                at(START + timedelta(days=number % 20)),
            )
    mandate = make_mandate(world.bihar, world.admin, level=RuleLevel.DEPARTMENTS, deadline=START + timedelta(days=size))
    mandate = Mandate.objects.select_related("state", "district", "rule").get(pk=mandate.pk)
    with time_machine.travel(at(START + timedelta(days=size + 10)), tick=False), django_assert_num_queries(1):
        coverage = mandate_coverage(mandate, world.pr_bihar)
        assert len(coverage.days) == size + 11
        assert coverage.total == size + 2  # and Bihar's two departments of the world


def test_the_page_takes_a_fixed_number_of_queries_however_many_units(world, login, django_assert_num_queries):
    mandate = make_mandate(world.bihar, world.admin, level=RuleLevel.DEPARTMENTS)
    client = login(world.pr_bihar)
    judged()
    client.get(mandate.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(mandate.get_absolute_url()).status_code == 200
    Flag.objects.all().delete()
    RuleEvaluation.objects.all().delete()
    for number in range(40):
        unit = Unit.objects.create(
            state=world.bihar,
            kind=UnitKind.STATE_DEPARTMENT,
            code=f"BR-DEPT{number}",
            name_en=f"Dept {number}",
            name_hi=f"विभाग {number}",
        )
        if number % 2:
            Account.objects.create(unit=unit, platform=Platform.X, handle=f"d{number}")
    judged()
    assert Flag.objects.filter(rule=mandate.rule).count() > 20
    with django_assert_num_queries(len(queries)):
        assert client.get(mandate.get_absolute_url()).status_code == 200


def test_the_list_pages_by_twenty(world, login):
    for number in range(21):
        make_mandate(world.bihar, world.admin, name=f"Order {number:02d}")
    client = login(world.pr_bihar)
    first = client.get(reverse("compliance:mandates"))
    assert (len(first.context["rows"]), first.context["page"].paginator.num_pages) == (20, 2)
    second = client.get(reverse("compliance:mandates"), {"page": 2})
    assert [mandate.name_en for mandate, _coverage in second.context["rows"]] == ["Order 20"]


def test_a_mandate_flag_shows_the_order_not_a_ranking(world, orders, login):
    """Rank, median and follower figures mean nothing for "no account by the deadline": the flag page omits them."""
    districts, _departments = orders
    judged()
    flag = Flag.objects.get(rule=districts.rule)
    body = login(world.pr_bihar).get(flag.get_absolute_url()).content.decode()
    assert "Each district: an account on X by 7 Sep 2026." in body
    assert "Median of the units compared" not in body and "Followers at start" not in body
    assert 'data-testid="mandate-link"' in body
