"""The “require plans” page: admins only, prefilled from ?units=, errors where they were entered."""

from datetime import date

from django.urls import reverse

from departments.models import Account
from plans.models import ImprovementPlan
from tests.factories import daily_snapshots, post
from tests.plans.conftest import (
    REASON,
    REQUIRE,
    at,
)


def test_require_form_is_prefilled_from_units_in_the_query_and_skips_open_plans(world, login, required):
    client = login(world.admin)
    form = client.get(REQUIRE, {"units": "BR-PATNA,BR-PATNA-HEALTH,RJ-DAUSA"}).context["form"]
    assert sorted(form.initial["units"]) == sorted([world.patna.pk, world.patna_health.pk])  # not Dausa: not Bihar
    assert "BR-PATNA-HEALTH" in {unit.code for unit in form.fields["units"].queryset}  # prefilled, so offered
    response = client.post(
        f"{REQUIRE}?units=BR-PATNA,BR-PATNA-HEALTH,RJ-DAUSA",  # the form posts back to its own address
        {
            "state": "BR",
            "units": [world.patna.pk, world.patna_health.pk],
            "first_month": "2026-09",
            "due_date": "2026-08-20",
            "reason": REASON,
        },
        follow=True,
    )
    html = response.content.decode()
    assert "A plan was required from 1 unit." in html
    assert "Skipped, as they already have an open plan from that month: Patna." in html


def test_require_form_refuses_a_past_month_where_it_was_entered(world, login, august):
    response = login(world.admin).post(
        REQUIRE,
        {"state": "BR", "units": [world.patna.pk], "first_month": "2026-06", "due_date": "2026-08-01", "reason": "x"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["first_month"] == ["A plan covers months to come: choose this month or a later one."]
    assert errors["due_date"] == ["The due date has passed already."]
    assert not ImprovementPlan.objects.exists()


def test_the_monthly_live_table_offers_plans_for_the_districts_that_broke_the_rule(world, login, august):
    patna = Account.objects.get(unit=world.patna, platform="facebook")
    gaya = Account.objects.create(unit=world.gaya, platform="facebook", handle="dmgaya.page")
    for page in (patna, gaya):
        daily_snapshots(page, date(2026, 6, 30), date(2026, 7, 31), followers_from=100)
    post(patna, at(date(2026, 7, 3)), "live", duration_seconds=40 * 60)
    table = reverse("compliance:monthly_lives") + "?state=BR&month=2026-07"
    html = login(world.admin).get(table).content.decode()
    assert 'data-testid="require-plans-from-failed"' in html
    assert "units=BR-GAYA&amp;reason=Judged%20less%20active%20in%20July%202026" in html
    assert 'data-testid="require-plans-from-failed"' not in login(world.pr_bihar).get(table).content.decode()
    form = login(world.admin).get(REQUIRE, {"state": "BR", "units": "BR-GAYA", "reason": "Judged less active"})
    assert form.context["form"].initial["units"] == [world.gaya.pk]
    assert form.context["form"].initial["reason"] == "Judged less active"


def test_the_flag_list_offers_plans_for_the_units_flagged_on_the_page(world, login, august):
    from compliance.models import Rule
    from compliance.services import rule_evaluate, rule_save
    from leaderboards.periods import month_of

    gaya = Account.objects.create(unit=world.gaya, platform="facebook", handle="dmgaya.page")
    daily_snapshots(gaya, date(2026, 6, 30), date(2026, 7, 31), followers_from=100)
    rule = rule_save(
        rule=Rule(
            state=world.bihar,
            name_en="Monthly Live",
            name_hi="मासिक लाइव",
            metric="lives",
            platform="facebook",
            threshold=1,
            min_duration_minutes=30,
        ),
        user=world.admin,
    )
    rule_evaluate(rule=rule, period=month_of(date(2026, 7, 1)))
    flags = reverse("compliance:flag_list")
    html = login(world.admin).get(flags).content.decode()
    assert f'href="{REQUIRE}?units=BR-GAYA"' in html  # Patna's page was not polled: no data, no flag
    assert 'data-testid="require-plans-from-flags"' not in login(world.pr_bihar).get(flags).content.decode()
