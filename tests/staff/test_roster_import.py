"""The roster CSV import: all or nothing, every bad row reported by line and column, idempotent."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.services.csv_import import ImportRejected
from staff.models import StaffMember
from staff.services import roster_import
from tests.staff.conftest import member

pytestmark = pytest.mark.django_db


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_a_clean_file_imports_every_row_and_normalises_handles(dausa):
    data = csv_bytes(
        "name,designation,x_handle",
        "Ramesh Meena,Clerk,@RameshMeena",
        "Sunita Sharma,Assistant,https://x.com/SunitaS",
        "Mohan Lal,Driver,",
    )

    result = roster_import(data=data, unit=dausa.dausa_pro, user=dausa.dpro_dausa)

    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    handles = dict(StaffMember.objects.values_list("name", "x_handle"))
    assert handles == {"Ramesh Meena": "RameshMeena", "Sunita Sharma": "SunitaS", "Mohan Lal": ""}


def test_importing_the_same_file_twice_changes_nothing(dausa):
    data = csv_bytes("name,designation,x_handle", "Ramesh Meena,Clerk,RameshMeena")
    roster_import(data=data, unit=dausa.dausa_pro, user=dausa.dpro_dausa)

    again = roster_import(
        data=data.replace(b"Ramesh Meena", b"ramesh meena"), unit=dausa.dausa_pro, user=dausa.dpro_dausa
    )

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert StaffMember.objects.count() == 1


def test_a_new_handle_on_reimport_updates_the_person_and_forgets_the_old_check(dausa):
    old = member(dausa.dausa_pro, "Ramesh Meena", "OldHandle", x_user_id="9", follow_status="follows")
    data = csv_bytes("name,designation,x_handle", "Ramesh Meena,Clerk,NewHandle")

    result = roster_import(data=data, unit=dausa.dausa_pro, user=dausa.dpro_dausa)

    old.refresh_from_db()
    assert result.updated == 1
    assert (old.x_handle, old.x_user_id, old.follow_status) == ("NewHandle", "", "unknown")


def test_every_bad_row_is_reported_and_nothing_is_imported(dausa):
    data = csv_bytes(
        "unit,name,designation,x_handle",
        "RJ-DAUSA,Good Person,Clerk,GoodPerson",
        "RJ-DAUSA,,Clerk,NoName",
        "RJ-DAUSA-DPRO,Bad Handle,Clerk,not a handle!",
        "RJ-NOWHERE,Lost,Clerk,",
        "BR-PATNA,Elsewhere,Clerk,",
        "RJ-DAUSA,good person,clerk,",
    )

    with pytest.raises(ImportRejected) as caught:
        roster_import(data=data, unit=dausa.dausa, user=dausa.dpro_dausa)

    problems = [(e.line, e.column) for e in caught.value.errors]
    assert problems == [(3, "name"), (4, "x_handle"), (5, "unit"), (6, "unit"), (7, "name")]
    messages = {e.line: e.message for e in caught.value.errors}
    assert "missing" in messages[3]
    assert "not a valid X handle" in messages[4]
    assert "unknown unit code RJ-NOWHERE" in messages[5]
    assert "outside your district" in messages[6]
    assert "line 2" in messages[7]
    assert not StaffMember.objects.exists()


def test_a_district_wide_file_fills_the_district_and_its_offices(dausa):
    data = csv_bytes(
        "unit,name,designation,x_handle",
        "RJ-DAUSA,Collector's PA,PA,",
        "RJ-DAUSA-DPRO,PRO Clerk,Clerk,",
        ",Empty Means District,Peon,",
    )

    roster_import(data=data, unit=dausa.dausa, user=dausa.dpro_dausa)

    units = dict(StaffMember.objects.values_list("name", "unit__code"))
    assert units == {"Collector's PA": "RJ-DAUSA", "PRO Clerk": "RJ-DAUSA-DPRO", "Empty Means District": "RJ-DAUSA"}


def test_an_office_page_accepts_no_other_unit(dausa):
    data = csv_bytes("unit,name,designation,x_handle", "RJ-DAUSA,Someone,Clerk,")

    with pytest.raises(ImportRejected) as caught:
        roster_import(data=data, unit=dausa.dausa_pro, user=dausa.dpro_dausa)

    assert [(e.line, e.column) for e in caught.value.errors] == [(2, "unit")]


def test_wrong_columns_are_refused(dausa):
    with pytest.raises(ImportRejected) as caught:
        roster_import(data=csv_bytes("name,handle", "A,b"), unit=dausa.dausa, user=dausa.dpro_dausa)
    assert "wrong columns" in caught.value.errors[0].message


def test_the_import_page_lists_the_problems(dausa, login):
    upload = SimpleUploadedFile("roster.csv", csv_bytes("name,designation,x_handle", ",Clerk,"), "text/csv")

    response = login(dausa.dpro_dausa).post(reverse("staff:import", args=["RJ-DAUSA"]), {"file": upload})

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="import-errors"' in content and "the name is missing." in content
    assert not StaffMember.objects.exists()


def test_the_import_page_of_another_district_is_not_found(dausa, login):
    upload = SimpleUploadedFile("roster.csv", csv_bytes("name,designation,x_handle", "A,Clerk,"), "text/csv")
    response = login(dausa.dpro_patna).post(reverse("staff:import", args=["RJ-DAUSA"]), {"file": upload})
    assert response.status_code == 404
    assert not StaffMember.objects.exists()
