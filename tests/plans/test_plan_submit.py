"""plan_submit: the unit's own officials, from requested or sent back only, the plan's three months exactly."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans.models import ImprovementPlan, PlanAction, PlanStatus, PlanTarget
from plans.services import plan_submit
from tests.plans.conftest import (
    NOVEMBER,
    OCTOBER,
    SEPTEMBER,
    targets,
)


def test_the_unit_submits_its_three_months(world, patna_plan):
    plan = plan_submit(plan=patna_plan, user=world.dpro_patna, targets=targets(), summary="Weekly Lives on schemes")
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_by == world.dpro_patna
    assert list(plan.targets.values_list("month", "followers_target", "posts_target", "lives_target")) == [
        (SEPTEMBER, 6000, 10, 3),
        (OCTOBER, 6500, 12, 2),
        (NOVEMBER, 7000, 14, 2),
    ]
    event = plan.events.get(action=PlanAction.SUBMIT)
    assert event.targets[0] == {"month": "2026-09-01", "followers_target": 6000, "posts_target": 10, "lives_target": 3}


def test_another_district_cannot_submit(world, patna_plan):
    with pytest.raises(PermissionDenied):
        plan_submit(plan=patna_plan, user=world.dpro_gaya, targets=targets())
    assert ImprovementPlan.objects.get(pk=patna_plan.pk).status == PlanStatus.REQUESTED


@pytest.mark.parametrize(
    "bad",
    [
        targets()[:2],
        targets() + [{"month": date(2026, 12, 1), "followers_target": 1, "posts_target": 1, "lives_target": 1}],
        targets(months=(SEPTEMBER, OCTOBER, OCTOBER)),
        targets(months=(OCTOBER, NOVEMBER, date(2026, 12, 1))),
        targets(posts=(10, -1, 14)),
        targets(lives=(1, 2, "3")),
        targets(lives=(1, 2, True)),
    ],
    ids=["two-months", "four-months", "a-month-twice", "wrong-months", "negative", "text", "boolean"],
)
def test_targets_other_than_three_months_of_whole_numbers_are_refused(world, patna_plan, bad):
    with pytest.raises(ValidationError):
        plan_submit(plan=patna_plan, user=world.dpro_patna, targets=bad)
    assert not PlanTarget.objects.exists()
    assert ImprovementPlan.objects.get(pk=patna_plan.pk).status == PlanStatus.REQUESTED


def test_a_submitted_plan_cannot_be_submitted_again(world, patna_plan):
    stale = ImprovementPlan.objects.get(pk=patna_plan.pk)  # as a second tab still shows it: requested
    plan_submit(plan=patna_plan, user=world.dpro_patna, targets=targets())
    with pytest.raises(ValidationError, match="cannot be submitted"):
        plan_submit(plan=patna_plan, user=world.dpro_patna, targets=targets())
    with pytest.raises(ValidationError, match="changed just now"):
        plan_submit(plan=stale, user=world.dpro_patna, targets=targets(posts=(1, 1, 1)))
    assert patna_plan.events.filter(action=PlanAction.SUBMIT).count() == 1
    assert list(PlanTarget.objects.values_list("posts_target", flat=True)) == [10, 12, 14]
