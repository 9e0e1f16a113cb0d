"""Role × view: each persona sees its own scope; everything else answers 404."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# persona -> units (by attribute of World) it may open, among all units of the world.
VISIBLE_UNITS = {
    "admin": {"patna", "gaya", "dausa", "health_dept", "patna_health", "patna_pro", "gaya_health", "dausa_pro"},
    "pr_bihar": {"patna", "gaya", "health_dept", "patna_health", "patna_pro", "gaya_health"},
    "pr_rajasthan": {"dausa", "dausa_pro"},
    "dpro_patna": {"patna", "patna_health", "patna_pro"},
    "dpro_gaya": {"gaya", "gaya_health"},
}
ALL_UNITS = VISIBLE_UNITS["admin"]
VISIBLE_ACCOUNTS = {
    "admin": {"patna_x", "gaya_x", "dausa_x", "health_x"},
    "pr_bihar": {"patna_x", "gaya_x", "health_x"},
    "pr_rajasthan": {"dausa_x"},
    "dpro_patna": {"patna_x"},
    "dpro_gaya": {"gaya_x"},
}
ALL_ACCOUNTS = VISIBLE_ACCOUNTS["admin"]


@pytest.mark.parametrize("persona", VISIBLE_UNITS)
@pytest.mark.parametrize("unit_name", sorted(ALL_UNITS))
def test_unit_page_by_role(world, login, persona, unit_name):
    client = login(getattr(world, persona))
    unit = getattr(world, unit_name)
    response = client.get(reverse("departments:unit_detail", kwargs={"code": unit.code}))
    expected = 200 if unit_name in VISIBLE_UNITS[persona] else 404
    assert response.status_code == expected


@pytest.mark.parametrize("persona", VISIBLE_ACCOUNTS)
@pytest.mark.parametrize("account_name", sorted(ALL_ACCOUNTS))
def test_account_page_by_role(world, login, persona, account_name):
    client = login(getattr(world, persona))
    account = getattr(world, account_name)
    response = client.get(reverse("departments:account_detail", kwargs={"pk": account.pk}))
    expected = 200 if account_name in VISIBLE_ACCOUNTS[persona] else 404
    assert response.status_code == expected


def test_district_official_cannot_see_other_district(world, login):
    client = login(world.dpro_patna)
    assert client.get(world.gaya.get_absolute_url()).status_code == 404
    assert client.get(world.gaya_health.get_absolute_url()).status_code == 404
    assert client.get(world.gaya_x.get_absolute_url()).status_code == 404
    # and the other district does not leak through the directory or its CSV export
    page = client.get(reverse("departments:directory"), {"q": "Gaya"})
    assert "BR-GAYA" not in page.content.decode()
    export = b"".join(client.get(reverse("departments:directory"), {"format": "csv"}).streaming_content).decode()
    assert "BR-PATNA-HEALTH" in export and "BR-GAYA" not in export


def test_directory_lists_only_units_in_scope(world, login):
    client = login(world.pr_rajasthan)
    content = client.get(reverse("departments:directory"), {"state": "BR"}).content.decode()
    # asking for another state's directory falls back to the officer's own state
    assert "RJ-DAUSA" in content and "BR-PATNA" not in content


@pytest.mark.parametrize(("persona", "status"), [("admin", 200), ("pr_bihar", 200), ("dpro_patna", 403)])
def test_import_page_by_role(world, login, persona, status):
    assert login(getattr(world, persona)).get(reverse("departments:import")).status_code == status


@pytest.mark.parametrize(("persona", "status"), [("admin", 200), ("pr_bihar", 302), ("dpro_patna", 302)])
def test_django_admin_is_for_admins(world, login, persona, status):
    assert login(getattr(world, persona)).get(reverse("admin:index")).status_code == status


def test_home_fits_the_role(world, login):
    assert "Patna" in login(world.dpro_patna).get("/").content.decode()
    client = login(world.admin)
    content = client.get("/").content.decode()
    assert "Bihar" in content and "Rajasthan" in content
