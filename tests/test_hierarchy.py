"""The shipped hierarchy: the real districts of 2025, with Hindi names, loaded idempotently."""

import pytest
from django.core.management import call_command

from departments.choices import UnitKind
from departments.models import State, Unit

pytestmark = pytest.mark.django_db

DISTRICTS_2025 = {"BR": 38, "UP": 75, "RJ": 41, "UT": 13, "HR": 22}


@pytest.fixture
def loaded():
    call_command("load_hierarchy", verbosity=0)


def test_district_counts_as_they_stand_in_2025(loaded):
    for code, expected in DISTRICTS_2025.items():
        assert Unit.objects.filter(state__code=code, kind=UnitKind.DISTRICT).count() == expected, code


def test_every_unit_has_a_devanagari_name(loaded):
    for name_hi in Unit.objects.values_list("name_hi", flat=True):
        assert any("\u0900" <= ch <= "\u097f" for ch in name_hi), name_hi
    assert State.objects.get(code="BR").name_hi == "बिहार"


def test_districts_named_in_the_reports_are_there(loaded):
    bihar = set(Unit.objects.filter(state__code="BR", kind=UnitKind.DISTRICT).values_list("name_en", flat=True))
    named = {"Samastipur", "Arwal", "Patna", "Kaimur", "Saharsa", "Aurangabad", "Sitamarhi", "Nalanda"}
    named |= {"Khagaria", "Rohtas", "Supaul", "Bhojpur", "Katihar", "Madhepura"}
    assert named <= bihar
    assert Unit.objects.get(code="RJ-DAUSA").name_hi == "दौसा"


def test_every_district_has_a_pr_office_and_every_state_an_iprd(loaded):
    for state in DISTRICTS_2025:
        assert Unit.objects.filter(code=f"{state}-IPRD", kind=UnitKind.STATE_DEPARTMENT).exists()
    districts = Unit.objects.filter(kind=UnitKind.DISTRICT)
    offices = Unit.objects.filter(code__endswith="-DPRO", kind=UnitKind.DISTRICT_OFFICE)
    assert offices.count() == districts.count()
    dausa_pro = Unit.objects.get(code="RJ-DAUSA-DPRO")
    assert dausa_pro.district.code == "RJ-DAUSA" and dausa_pro.department.code == "RJ-IPRD"


def test_uttarakhand_bodies_honoured_in_the_quarterly_review_exist(loaded):
    for code in ("UT-BKTC", "UT-SMART-CITY-DEHRADUN", "UT-HOME-GUARDS"):
        assert Unit.objects.filter(code=code).exists(), code


def test_departments_named_in_the_dausa_order_have_district_offices(loaded):
    dausa_departments = set(
        Unit.objects.filter(district__code="RJ-DAUSA").values_list("department__name_en", flat=True)
    )
    for word in ("Energy", "Public Works", "Health", "Planning", "Social Justice", "Agriculture", "Labour"):
        assert any(word.lower() in (name or "").lower() for name in dausa_departments), word


def test_loading_twice_changes_nothing(loaded):
    before = list(Unit.objects.order_by("pk").values_list("pk", "code", "name_en", "name_hi", "updated_at"))
    call_command("load_hierarchy", verbosity=0)
    after = list(Unit.objects.order_by("pk").values_list("pk", "code", "name_en", "name_hi", "updated_at"))
    assert before == after


def test_one_state_only():
    call_command("load_hierarchy", "--state", "UT", verbosity=0)
    assert set(Unit.objects.values_list("state__code", flat=True)) == {"UT"}
