"""The staff's follow compliance on the unit page, without a query of its own."""

import pytest
from django.utils import timezone

from departments.models import Unit
from staff.models import FollowStatus
from tests.factories import UnitFactory
from tests.staff.conftest import member

pytestmark = pytest.mark.django_db


def test_the_district_page_shows_its_and_its_offices_compliance(dausa, login):
    member(dausa.dausa, "A", "A1", follow_status=FollowStatus.FOLLOWS, follow_checked_at=timezone.now())
    member(dausa.dausa_pro, "B", "B1", follow_status=FollowStatus.PROTECTED, declared_follows=True)
    member(dausa.dausa_pro, "C", "")
    member(dausa.dausa_pro, "D", "D1", follow_status=FollowStatus.NOT_FOLLOWING, follow_checked_at=timezone.now())

    content = login(dausa.pr_rajasthan).get(dausa.dausa.get_absolute_url()).content.decode()

    card = content[content.index('data-testid="unit-staff"') :]
    card = card[: card.index("</div>\n</div>")]
    assert "50 %</span> following" in card
    assert "25 % verified via X" in card and "1 self-declared" in card
    assert "4 people listed" in card and "75 % with an X account" in card


def test_a_unit_without_staff_says_so_not_zero(dausa, login):
    content = login(dausa.pr_rajasthan).get(dausa.dausa.get_absolute_url()).content.decode()
    card = content[content.index('data-testid="unit-staff"') :][:800]
    assert "no staff listed" in card and "0 %" not in card


def test_a_unit_without_a_handle_to_follow_says_so(dausa, login):
    rj_iprd = Unit.objects.get(code="RJ-IPRD")
    member(rj_iprd, "A", "A1")
    content = login(dausa.pr_rajasthan).get(rj_iprd.get_absolute_url()).content.decode()
    card = content[content.index('data-testid="unit-staff"') :][:800]
    assert "no handle to follow" in card


def test_the_unit_page_with_staff_runs_the_pinned_queries(dausa, login, django_assert_num_queries):
    for n in range(3):
        office = UnitFactory(state=dausa.rajasthan, kind="district_office", district=dausa.dausa, code=f"RJ-DAUSA-O{n}")
        member(office, f"Person {n}", f"P{n}", follow_status=FollowStatus.FOLLOWS)
    client = login(dausa.pr_rajasthan)
    client.get(dausa.dausa.get_absolute_url())
    with django_assert_num_queries(12):  # the pin of tests/test_directory_view.py
        response = client.get(dausa.dausa.get_absolute_url())
    assert response.content.decode().count("100 %</span> following") == 4  # the district, and each office
