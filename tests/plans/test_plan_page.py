"""The plan page: the unit submits its targets, the state approves or sends them back, then targets against figures."""

from datetime import date

import time_machine

from plans.models import ImprovementPlan, PlanAction, PlanEvent, PlanStatus
from plans.services import plan_submit, plans_require
from tests.plans.conftest import (
    LIST,
    OCTOBER_20,
    REASON,
    REQUIRE,
    SEPTEMBER,
    count_queries,
    decide_url,
    more_plans,
    submit_data,
    submit_url,
    targets,
)


def test_the_whole_flow_from_requirement_to_approval(world, login, august, figures):
    admin = login(world.admin)
    form = admin.get(REQUIRE, {"state": "BR"})
    assert form.status_code == 200
    choices = {unit.code for unit in form.context["form"].fields["units"].queryset}
    assert {"BR-PATNA", "BR-GAYA", "BR-HEALTH"} <= choices and "BR-PATNA-HEALTH" not in choices
    response = admin.post(
        REQUIRE,
        {
            "state": "BR",
            "units": [world.patna.pk, world.gaya.pk],
            "first_month": "2026-09",
            "due_date": "2026-08-20",
            "reason": REASON,
        },
        follow=True,
    )
    assert "A plan was required from 2 units." in response.content.decode()
    assert [plan.unit.code for plan in response.context["page"]] == ["BR-GAYA", "BR-PATNA"]
    plan = ImprovementPlan.objects.get(unit=world.patna)

    patna = login(world.dpro_patna)
    page = patna.get(plan.get_absolute_url())
    assert 'data-testid="submit-form"' in page.content.decode()
    assert patna.post(submit_url(plan), submit_data(summary="A Live every week")).status_code == 302

    officer = login(world.pr_bihar)
    page = officer.get(plan.get_absolute_url())
    assert 'data-testid="decide-form"' in page.content.decode()
    response = officer.post(decide_url(plan), {"decision": "return", "note": "Aim for 4 Lives a month."}, follow=True)
    assert "The plan was sent back to the unit." in response.content.decode()

    page = login(world.dpro_patna).get(plan.get_absolute_url())
    html = page.content.decode()
    assert 'data-testid="returned-note"' in html and "Aim for 4 Lives a month." in html
    assert page.context["formset"].forms[2].initial["lives_target"] == 2  # the targets sent back, to correct
    assert patna.post(submit_url(plan), submit_data(lives=(4, 4, 4))).status_code == 302

    response = login(world.pr_bihar).post(decide_url(plan), {"decision": "approve", "note": ""}, follow=True)
    assert "The plan was approved." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert list(plan.events.values_list("action", flat=True)) == ["require", "submit", "return", "submit", "approve"]

    with time_machine.travel(OCTOBER_20, tick=False):
        page = login(world.dpro_patna).get(plan.get_absolute_url())
    rows = [(row.month.month, row.status) for row in page.context["progress"]]
    assert rows == [(9, "missed"), (10, "so_far"), (11, "not_yet")]
    html = page.content.decode()
    assert 'data-plan-chart="plan-chart-followers"' in html and "6,450" in html
    assert 'data-testid="decide-form"' not in html and 'data-testid="submit-form"' not in html


def test_a_district_official_cannot_see_or_submit_another_districts_plan(world, login, patna_plan):
    gaya = login(world.dpro_gaya)
    assert gaya.get(patna_plan.get_absolute_url()).status_code == 404
    assert gaya.post(submit_url(patna_plan), submit_data()).status_code == 404
    assert [plan.unit.code for plan in gaya.get(LIST).context["page"]] == ["BR-GAYA"]
    assert login(world.pr_rajasthan).get(patna_plan.get_absolute_url()).status_code == 404
    assert ImprovementPlan.objects.get(pk=patna_plan.pk).status == PlanStatus.REQUESTED


def test_a_district_official_cannot_approve_or_require(world, login, patna_plan):
    plan_submit(plan=patna_plan, user=world.dpro_patna, targets=targets())
    client = login(world.dpro_patna)
    assert client.post(decide_url(patna_plan), {"decision": "approve"}).status_code == 403
    assert 'data-testid="decide-form"' not in client.get(patna_plan.get_absolute_url()).content.decode()
    assert client.get(REQUIRE).status_code == 403
    assert login(world.pr_bihar).get(REQUIRE).status_code == 403  # a state officer does not require plans either
    assert ImprovementPlan.objects.get(pk=patna_plan.pk).status == PlanStatus.SUBMITTED


def test_a_submitted_plan_cannot_be_submitted_again(world, login, patna_plan):
    client = login(world.dpro_patna)
    client.post(submit_url(patna_plan), submit_data())
    response = client.post(submit_url(patna_plan), submit_data(posts=(1, 1, 1)), follow=True)
    assert "A plan that is submitted cannot be submitted." in response.content.decode()
    assert PlanEvent.objects.filter(action=PlanAction.SUBMIT).count() == 1
    assert list(patna_plan.targets.values_list("posts_target", flat=True)) == [10, 12, 14]


def test_approving_twice_does_nothing_the_second_time(world, login, patna_plan):
    plan_submit(plan=patna_plan, user=world.dpro_patna, targets=targets())
    client = login(world.pr_bihar)
    client.post(decide_url(patna_plan), {"decision": "approve"})
    response = client.post(decide_url(patna_plan), {"decision": "approve"}, follow=True)
    assert "A plan that is approved cannot be approved or sent back." in response.content.decode()
    assert PlanEvent.objects.filter(action=PlanAction.APPROVE).count() == 1


def test_the_approver_cannot_be_the_submitter(world, login, august):
    (plan,) = plans_require(
        units=[world.health_dept], first_month=SEPTEMBER, due_date=date(2026, 8, 20), reason="x", user=world.admin
    ).created
    client = login(world.pr_bihar)
    assert client.post(submit_url(plan), submit_data()).status_code == 302
    page = client.get(plan.get_absolute_url())
    assert "You submitted this plan: another officer decides on it." in page.content.decode()
    response = client.post(decide_url(plan), {"decision": "approve"}, follow=True)
    assert "You submitted this plan: another officer decides on it." in response.content.decode()
    assert ImprovementPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_four_months_or_negative_numbers_are_refused_with_clear_errors(world, login, patna_plan):
    client = login(world.dpro_patna)
    four = submit_data(
        followers=(1, 2, 3, 4),
        posts=(1, 2, 3, 4),
        lives=(1, 1, 1, 1),
        months=["2026-09-01", "2026-10-01", "2026-11-01", "2026-12-01"],
    )
    response = client.post(submit_url(patna_plan), four)
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == [
        "A plan has targets for exactly three months: September 2026, October 2026, November 2026."
    ]
    assert 'data-testid="formset-errors"' in response.content.decode()
    response = client.post(submit_url(patna_plan), submit_data(posts=(10, -5, 14), lives=(1, 1, "many")))
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert forms[1].errors["posts_target"] == ["A target cannot be below zero."]
    assert forms[2].errors["lives_target"] == ["Enter a whole number."]
    assert "A target cannot be below zero." in response.content.decode()
    assert ImprovementPlan.objects.get(pk=patna_plan.pk).status == PlanStatus.REQUESTED
    assert not patna_plan.targets.exists()


def test_sending_back_needs_a_note(world, login, patna_plan):
    plan_submit(plan=patna_plan, user=world.dpro_patna, targets=targets())
    response = login(world.pr_bihar).post(decide_url(patna_plan), {"decision": "return", "note": " "})
    assert response.status_code == 200
    assert response.context["decide_form"].errors["note"] == [
        "Say what the unit should change before sending the plan back."
    ]
    assert ImprovementPlan.objects.get(pk=patna_plan.pk).status == PlanStatus.SUBMITTED


def test_the_plan_page_runs_a_fixed_number_of_queries(world, login, approved, figures):
    url = approved.get_absolute_url()
    with time_machine.travel(OCTOBER_20, tick=False):
        client = login(world.pr_bihar)  # a session opened in August would have expired by October
        client.get(url)
        # session, user, the user's state (the navbar), the plan with its unit and people, its targets,
        # its events; the baseline month (2), September and October (2 each; November has not started)
        few = count_queries(client, url)
    assert few == 12
    more_plans(world, 18)
    with time_machine.travel(OCTOBER_20, tick=False):
        client = login(world.pr_bihar)
        client.get(url)
        assert count_queries(client, url) == few
