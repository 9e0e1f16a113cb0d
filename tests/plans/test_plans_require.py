"""plans_require: an admin asks many units at once; a unit with an open plan for the month is skipped."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from plans.models import ImprovementPlan, PlanAction, PlanStatus
from plans.services import plans_require
from tests.plans.conftest import (
    NOVEMBER,
    OCTOBER,
    REASON,
    SEPTEMBER,
)


def test_an_admin_requires_plans_of_many_units_at_once(world, required):
    assert sorted(plan.unit.code for plan in required.created) == ["BR-GAYA", "BR-PATNA"]
    assert required.skipped == []
    plan = ImprovementPlan.objects.get(unit=world.patna)
    assert plan.status == PlanStatus.REQUESTED and plan.requested_by == world.admin
    assert plan.months == [SEPTEMBER, OCTOBER, NOVEMBER]
    assert list(plan.events.values_list("action", "from_status", "to_status", "note")) == [
        (PlanAction.REQUIRE, "", PlanStatus.REQUESTED, REASON)
    ]


def test_a_unit_with_an_open_plan_for_the_month_is_skipped_and_reported(world, required):
    again = plans_require(
        units=[world.patna, world.dausa],
        first_month=SEPTEMBER,
        due_date=date(2026, 8, 25),
        reason="Again",
        user=world.admin,
    )
    assert [plan.unit for plan in again.created] == [world.dausa]
    assert again.skipped == [world.patna]
    assert ImprovementPlan.objects.filter(unit=world.patna).count() == 1


def test_the_database_refuses_a_second_open_plan_for_the_same_unit_and_month(world, patna_plan):
    with pytest.raises(IntegrityError):
        ImprovementPlan.objects.create(
            unit=world.patna,
            first_month=SEPTEMBER,
            due_date=date(2026, 8, 20),
            reason="x",
            requested_by=world.admin,
            requested_at=patna_plan.requested_at,
        )


def test_once_approved_a_new_plan_for_the_same_month_may_be_required(world, approved):
    again = plans_require(
        units=[world.patna], first_month=SEPTEMBER, due_date=date(2026, 8, 25), reason="Again", user=world.admin
    )
    assert len(again.created) == 1


def test_only_an_admin_requires_plans(world, august):
    for user in (world.pr_bihar, world.dpro_patna):
        with pytest.raises(PermissionDenied):
            plans_require(units=[world.patna], first_month=SEPTEMBER, due_date=date(2026, 8, 20), reason="x", user=user)
    assert not ImprovementPlan.objects.exists()


def test_requiring_a_plan_for_past_months_or_with_a_past_due_date_is_refused(world, august):
    with pytest.raises(ValidationError) as error:
        plans_require(units=[], first_month=date(2026, 7, 1), due_date=date(2026, 8, 1), reason=" ", user=world.admin)
    assert set(error.value.message_dict) == {"units", "first_month", "due_date", "reason"}
    with pytest.raises(ValidationError):
        plans_require(
            units=[world.patna], first_month=date(2026, 9, 2), due_date=date(2026, 8, 20), reason="x", user=world.admin
        )
