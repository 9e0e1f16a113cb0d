"""Roster pages: scoping, editing, self-declaration, exports, the overview and the budget page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from staff.models import FollowCheckBudget, FollowStatus, StaffMember
from tests.staff.conftest import budget, member

pytestmark = pytest.mark.django_db


def test_a_district_official_sees_and_edits_their_own_districts_rosters(dausa, login):
    clerk = member(dausa.dausa_pro, "Ramesh Meena", "RameshMeena")
    client = login(dausa.dpro_dausa)

    assert client.get(reverse("staff:roster", args=["RJ-DAUSA-DPRO"])).status_code == 200
    response = client.post(
        reverse("staff:member_edit", args=[clerk.pk]),
        {"name": "Ramesh Meena", "designation": "Senior Clerk", "x_handle": "@RameshM", "is_active": "on"},
    )

    assert response.status_code == 302
    clerk.refresh_from_db()
    assert (clerk.designation, clerk.x_handle) == ("Senior Clerk", "RameshM")


@pytest.mark.parametrize("persona", ["dpro_patna", "pr_bihar"])
def test_officials_of_another_district_or_state_get_404_and_cannot_edit(dausa, login, persona):
    clerk = member(dausa.dausa_pro, "Ramesh Meena", "RameshMeena")
    client = login(getattr(dausa, persona))

    assert client.get(reverse("staff:roster", args=["RJ-DAUSA-DPRO"])).status_code == 404
    assert client.get(reverse("staff:member_add", args=["RJ-DAUSA"])).status_code == 404
    edit = client.post(
        reverse("staff:member_edit", args=[clerk.pk]), {"name": "Hacked", "designation": "", "x_handle": ""}
    )
    assert edit.status_code == 404
    assert client.post(reverse("staff:member_deactivate", args=[clerk.pk])).status_code == 404
    assert client.post(reverse("staff:member_declare", args=[clerk.pk]), {"follows": "yes"}).status_code == 404
    clerk.refresh_from_db()
    assert (clerk.name, clerk.is_active, clerk.declared_follows) == ("Ramesh Meena", True, None)


def test_the_state_officer_edits_the_states_rosters(dausa, login):
    response = login(dausa.pr_rajasthan).post(
        reverse("staff:member_add", args=["RJ-DAUSA"]), {"name": "Asha Devi", "designation": "ANM", "x_handle": ""}
    )
    assert response.status_code == 302
    assert StaffMember.objects.get().unit == dausa.dausa


def test_adding_the_same_person_twice_is_refused(dausa, login):
    member(dausa.dausa, "Asha Devi", designation="ANM")
    response = login(dausa.dpro_dausa).post(
        reverse("staff:member_add", args=["RJ-DAUSA"]), {"name": "asha devi", "designation": "anm", "x_handle": ""}
    )
    assert response.status_code == 200
    assert "already lists a person" in response.content.decode()
    assert StaffMember.objects.count() == 1


def test_a_bad_handle_is_refused_with_the_platforms_rule(dausa, login):
    response = login(dausa.dpro_dausa).post(
        reverse("staff:member_add", args=["RJ-DAUSA"]),
        {"name": "A", "designation": "", "x_handle": "no spaces allowed"},
    )
    assert "not a valid X handle" in response.content.decode()
    assert not StaffMember.objects.exists()


def test_self_declaration_is_recorded_with_who_and_when_and_shown_as_such(dausa, login):
    clerk = member(dausa.dausa, "Hidden", "HiddenClerk", follow_status=FollowStatus.PROTECTED)
    client = login(dausa.dpro_dausa)

    client.post(reverse("staff:member_declare", args=[clerk.pk]), {"follows": "yes"})

    clerk.refresh_from_db()
    assert clerk.declared_follows is True and clerk.declared_by == dausa.dpro_dausa and clerk.declared_at
    content = client.get(reverse("staff:roster", args=["RJ-DAUSA"])).content.decode()
    assert "Self-declared: follows" in content
    assert "Follows (verified via X)" not in content


def test_deactivating_takes_a_person_off_the_roster_and_out_of_the_count(dausa, login):
    clerk = member(dausa.dausa, "Gone", "GoneClerk", follow_status=FollowStatus.FOLLOWS)
    client = login(dausa.dpro_dausa)

    client.post(reverse("staff:member_deactivate", args=[clerk.pk]))

    clerk.refresh_from_db()
    assert clerk.is_active is False
    page = client.get(reverse("staff:roster", args=["RJ-DAUSA"]))
    assert page.context["compliance"].total == 0
    assert list(page.context["page"]) == []


def test_the_roster_searches_sorts_and_exports(dausa, login):
    member(dausa.dausa, "Zeenat", "Zeenat1", designation="Typist")
    member(dausa.dausa, "Arjun", "", designation="Clerk")
    client = login(dausa.dpro_dausa)

    sorted_names = [
        m.name for m in client.get(reverse("staff:roster", args=["RJ-DAUSA"]), {"sort": "-name"}).context["page"]
    ]
    assert sorted_names == ["Zeenat", "Arjun"]
    found = [m.name for m in client.get(reverse("staff:roster", args=["RJ-DAUSA"]), {"q": "typ"}).context["page"]]
    assert found == ["Zeenat"]
    export = client.get(reverse("staff:roster", args=["RJ-DAUSA"]), {"format": "csv"})
    text = export.content.decode("utf-8-sig")
    assert export["Content-Disposition"].startswith("attachment")
    assert text.splitlines()[0].startswith("unit,name,designation,x_handle")
    assert "RJ-DAUSA,Zeenat,Typist,Zeenat1,yes,unknown" in text


def test_the_overview_shows_each_units_figures_and_the_budget(dausa, login):
    budget(50)
    member(dausa.dausa, "A", "A1", follow_status=FollowStatus.FOLLOWS, follow_checked_at=timezone.now())
    member(
        dausa.dausa_pro,
        "B",
        "B1",
        follow_status=FollowStatus.PROTECTED,
        follow_checked_at=timezone.now(),
        declared_follows=True,
    )
    member(dausa.dausa_pro, "C", "")
    member(dausa.dausa_pro, "D", "D1")  # waits for a check

    response = login(dausa.pr_rajasthan).get(reverse("staff:overview"))

    rows = {unit.code: unit.compliance for unit in response.context["page"]}
    district = rows["RJ-DAUSA"]  # with its office's staff
    assert (district.total, district.with_account, district.verified, district.declared) == (4, 3, 1, 1)
    assert district.percent == 50 and district.verified_percent == 25
    assert rows["RJ-IPRD"].total == 0 and rows["RJ-IPRD"].percent is None
    status = response.context["budget"]
    assert (status.used, status.limit, status.waiting) == (0, 50, 1)
    content = response.content.decode()
    assert "0 of 50 X requests used in the last 7 days" in content and "1 member waiting for a check" in content
    assert "no staff listed" in content


def test_the_overview_of_a_district_counts_each_unit_alone(dausa, login):
    member(dausa.dausa, "A", "A1", follow_status=FollowStatus.FOLLOWS)
    member(dausa.dausa_pro, "B", "B1")

    response = login(dausa.dpro_dausa).get(reverse("staff:overview"))

    rows = {unit.code: unit.compliance.total for unit in response.context["page"]}
    assert rows == {"RJ-DAUSA": 1, "RJ-DAUSA-DPRO": 1}


def test_a_district_official_cannot_open_another_districts_overview(dausa, login):
    assert login(dausa.dpro_patna).get(reverse("staff:overview"), {"district": "RJ-DAUSA"}).status_code == 404


def test_only_admins_set_the_budget(dausa, login):
    assert login(dausa.pr_rajasthan).post(reverse("staff:budget"), {"requests_per_week": 9}).status_code == 403

    response = login(dausa.admin).post(reverse("staff:budget"), {"requests_per_week": 900, "enabled": "on"})

    assert response.status_code == 302
    saved = FollowCheckBudget.load()
    assert (saved.requests_per_week, saved.enabled, saved.updated_by) == (900, True, dausa.admin)


def test_a_declaration_after_x_said_no_counts_until_the_next_check(dausa):
    from staff.selectors import staff_compliance

    checked = timezone.now() - timedelta(days=2)
    member(
        dausa.dausa,
        "Late",
        "Late1",
        follow_status=FollowStatus.NOT_FOLLOWING,
        follow_checked_at=checked,
        declared_follows=True,
        declared_at=checked + timedelta(days=1),
    )
    member(
        dausa.dausa,
        "Early",
        "Early1",
        follow_status=FollowStatus.NOT_FOLLOWING,
        follow_checked_at=checked,
        declared_follows=True,
        declared_at=checked - timedelta(days=1),
    )

    compliance = staff_compliance([dausa.dausa.pk])[dausa.dausa.pk]

    assert (compliance.verified, compliance.declared, compliance.percent) == (0, 1, 50)


def test_the_budget_page_shows_the_ledger(dausa, login):
    from staff.models import FollowCheckRequest

    budget(10)
    clerk = member(dausa.dausa, "Clerk", "Clerk1")
    FollowCheckRequest.objects.create(
        at=timezone.now(), endpoint="following", member=clerk, outcome="ok", http_status=200
    )

    content = login(dausa.admin).get(reverse("staff:budget")).content.decode()

    assert 'data-testid="ledger"' in content and "GET /2/users/:id/following" in content
    assert "1 of 10 X requests used in the last 7 days" in content


def test_the_add_and_edit_forms_render(dausa, login):
    clerk = member(dausa.dausa, "Clerk", "Clerk1")
    client = login(dausa.dpro_dausa)
    assert client.get(reverse("staff:member_add", args=["RJ-DAUSA"])).status_code == 200
    assert 'value="Clerk1"' in client.get(reverse("staff:member_edit", args=[clerk.pk])).content.decode()
    assert client.get(reverse("staff:import", args=["RJ-DAUSA"])).status_code == 200
    assert (
        client.get(reverse("staff:import_template"), {"district": "1"})
        .content.decode("utf-8-sig")
        .startswith("unit,name,designation,x_handle")
    )


def test_an_admin_opens_the_overview_on_a_state_with_staff(dausa, login):
    """Bihar comes first alphabetically but lists nobody; Rajasthan has staff, so the overview opens there."""
    member(dausa.dausa_pro, "A", "A1")
    response = login(dausa.admin).get(reverse("staff:overview"))
    assert response.context["state"].code == "RJ"
    assert login(dausa.admin).get(reverse("staff:overview"), {"state": "BR"}).context["state"].code == "BR"
