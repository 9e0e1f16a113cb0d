"""The demo rosters: Dausa's staff, a budget, a first run of the checks on the simulated platform."""

import pytest

from staff.demo import DEMO_BUDGET, demo_staff_create
from staff.models import FollowCheckBudget, FollowCheckRequest, FollowStatus, StaffMember

pytestmark = pytest.mark.django_db


def test_the_demo_rosters_are_created_once_and_partly_checked_within_the_budget(world, settings):
    settings.GOVSOCIAL_PLATFORM_MODE = "simulated"

    created = demo_staff_create()

    assert created == StaffMember.objects.count() > 10
    assert set(StaffMember.objects.values_list("unit__code", flat=True)) == {"RJ-DAUSA", "RJ-DAUSA-DPRO"}
    assert StaffMember.objects.filter(x_handle="").exists()
    assert StaffMember.objects.filter(declared_follows=True, declared_at__isnull=False).exists()
    budget = FollowCheckBudget.load()
    assert budget.enabled and budget.requests_per_week == DEMO_BUDGET
    assert 0 < FollowCheckRequest.objects.count() <= DEMO_BUDGET
    checked = StaffMember.objects.filter(follow_checked_at__isnull=False)
    assert checked.exists()
    assert set(checked.values_list("follow_status", flat=True)) <= set(FollowStatus.values) - {"unknown"}

    requests = FollowCheckRequest.objects.count()
    assert demo_staff_create() == 0
    assert FollowCheckRequest.objects.count() == requests
