"""plan_approve and plan_return: the state's officers, from submitted only, once, never on their own submission."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans.models import ImprovementPlan, PlanAction, PlanEvent, PlanStatus
from plans.services import plan_approve, plan_return, plan_submit, plans_require
from tests.plans.conftest import (
    SEPTEMBER,
    targets,
)


def test_sent_back_with_a_note_then_submitted_again_then_approved(world, patna_plan):
    plan = plan_submit(plan=patna_plan, user=world.dpro_patna, targets=targets())
    with pytest.raises(ValidationError, match="what the unit should change"):
        plan_return(plan=plan, user=world.pr_bihar, note="  ")
    plan = plan_return(plan=plan, user=world.pr_bihar, note="Aim for 4 Lives a month.")
    assert plan.status == PlanStatus.RETURNED and plan.decision_note == "Aim for 4 Lives a month."
    plan = plan_submit(plan=plan, user=world.dpro_patna, targets=targets(lives=(4, 4, 4)))
    assert plan.status == PlanStatus.SUBMITTED and plan.decided_by is None
    plan = plan_approve(plan=plan, user=world.pr_bihar, note="Good.")
    assert plan.status == PlanStatus.APPROVED and plan.decided_by == world.pr_bihar
    assert list(plan.targets.values_list("lives_target", flat=True)) == [4, 4, 4]
    history = list(plan.events.values_list("action", "from_status", "to_status"))
    assert history == [
        ("require", "", "requested"),
        ("submit", "requested", "submitted"),
        ("return", "submitted", "returned"),
        ("submit", "returned", "submitted"),
        ("approve", "submitted", "approved"),
    ]
    # each submission keeps the targets it had
    first, second = plan.events.filter(action=PlanAction.SUBMIT)
    assert [row["lives_target"] for row in first.targets] == [3, 2, 2]
    assert [row["lives_target"] for row in second.targets] == [4, 4, 4]


def test_approving_twice_does_nothing_the_second_time(world, approved):
    with pytest.raises(ValidationError, match="cannot be approved"):
        plan_approve(plan=approved, user=world.admin, note="")
    assert approved.events.filter(action=PlanAction.APPROVE).count() == 1
    assert ImprovementPlan.objects.get(pk=approved.pk).decided_by == world.pr_bihar


def test_a_plan_not_submitted_cannot_be_approved_or_sent_back(world, patna_plan):
    with pytest.raises(ValidationError):
        plan_approve(plan=patna_plan, user=world.pr_bihar)
    with pytest.raises(ValidationError):
        plan_return(plan=patna_plan, user=world.pr_bihar, note="No")
    assert ImprovementPlan.objects.get(pk=patna_plan.pk).status == PlanStatus.REQUESTED


def test_only_the_states_officers_and_admins_decide(world, patna_plan):
    plan = plan_submit(plan=patna_plan, user=world.dpro_patna, targets=targets())
    for user in (world.dpro_patna, world.dpro_gaya, world.pr_rajasthan):
        with pytest.raises(PermissionDenied):
            plan_approve(plan=plan, user=user)
    assert not PlanEvent.objects.filter(action=PlanAction.APPROVE).exists()


def test_the_approver_cannot_be_the_submitter(world, august):
    (plan,) = plans_require(
        units=[world.health_dept], first_month=SEPTEMBER, due_date=date(2026, 8, 20), reason="x", user=world.admin
    ).created
    plan = plan_submit(plan=plan, user=world.pr_bihar, targets=targets())  # a state department's plan
    with pytest.raises(ValidationError, match="another officer decides"):
        plan_approve(plan=plan, user=world.pr_bihar)
    plan = plan_approve(plan=plan, user=world.admin)
    assert plan.status == PlanStatus.APPROVED
