"""The directory and coverage: filters, sorting, search, pagination, CSV, fixed query count."""

import csv
import io

import pytest
from django.urls import reverse

from departments.choices import Platform, UnitKind
from departments.models import Account, Unit
from tests.factories import AccountFactory, UnitFactory

pytestmark = pytest.mark.django_db
URL = reverse("departments:directory")


def codes(response) -> list[str]:
    return [unit.code for unit in response.context["page"]]


def test_which_departments_still_have_no_x_account(world, login):
    # the coverage question of Uttar Pradesh's order, asked of Bihar
    response = login(world.pr_bihar).get(URL, {"kind": UnitKind.STATE_DEPARTMENT, "missing": Platform.X})
    assert codes(response) == ["BR-IPRD"]  # BR-HEALTH has @BiharHealthDept
    Account.objects.create(unit=Unit.objects.get(code="BR-IPRD"), platform=Platform.X, handle="IPRDBihar")
    response = login(world.pr_bihar).get(URL, {"kind": UnitKind.STATE_DEPARTMENT, "missing": Platform.X})
    assert codes(response) == []
    assert "Every unit that matches has an account on this platform." in response.content.decode()


def test_coverage_summary_counts_units_per_platform(world, login):
    summary = login(world.pr_bihar).get(URL).context["summary"]
    districts = next(row for row in summary if row["kind"] == UnitKind.DISTRICT)
    x = next(p for p in districts["platforms"] if p["platform"] == Platform.X)
    facebook = next(p for p in districts["platforms"] if p["platform"] == Platform.FACEBOOK)
    assert (districts["total"], x["count"], x["missing"], x["percent"]) == (2, 2, 0, 100)
    assert (facebook["count"], facebook["missing"], facebook["percent"]) == (1, 1, 50)


def test_search_matches_hindi_and_english_names_and_codes(world, login):
    client = login(world.pr_bihar)
    assert set(codes(client.get(URL, {"q": "पटना"}))) == {"BR-PATNA", "BR-PATNA-HEALTH", "BR-PATNA-DPRO"}
    assert set(codes(client.get(URL, {"q": "gaya"}))) == {"BR-GAYA", "BR-GAYA-HEALTH"}
    assert codes(client.get(URL, {"q": "br-health"})) == ["BR-HEALTH"]


def test_district_filter_shows_the_district_and_its_offices(world, login):
    response = login(world.pr_bihar).get(URL, {"district": "BR-PATNA", "sort": "code"})
    assert codes(response) == ["BR-PATNA", "BR-PATNA-DPRO", "BR-PATNA-HEALTH"]


def test_sorting_both_ways(world, login):
    client = login(world.pr_bihar)
    ascending = codes(client.get(URL, {"kind": UnitKind.DISTRICT, "sort": "name"}))
    descending = codes(client.get(URL, {"kind": UnitKind.DISTRICT, "sort": "-name"}))
    assert ascending == ["BR-GAYA", "BR-PATNA"] and descending == ["BR-PATNA", "BR-GAYA"]
    # an unknown sort key falls back to the default, never a 500
    assert client.get(URL, {"sort": "password"}).status_code == 200


def test_pagination(world, login):
    UnitFactory.create_batch(120, state=world.bihar, kind=UnitKind.STATE_DEPARTMENT)
    client = login(world.pr_bihar)
    first = client.get(URL, {"kind": UnitKind.STATE_DEPARTMENT})
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.num_pages == 3
    last = client.get(URL, {"kind": UnitKind.STATE_DEPARTMENT, "page": 3})
    assert len(last.context["page"]) == 122 - 100
    assert client.get(URL, {"page": "many"}).status_code == 200


def test_csv_export_follows_the_filters_and_keeps_hindi(world, login):
    response = login(world.pr_bihar).get(URL, {"kind": UnitKind.DISTRICT, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["code"], r["name_hi"], r["x"], r["facebook"]) for r in rows] == [
        ("BR-GAYA", "गया", "yes", "no"),
        ("BR-PATNA", "पटना", "yes", "yes"),
    ]


def test_directory_runs_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.pr_bihar)
    client.get(URL)  # warm the session
    with django_assert_num_queries(7) as small:
        client.get(URL, {"kind": ""})
    for unit in UnitFactory.create_batch(40, state=world.bihar, kind=UnitKind.DISTRICT):
        AccountFactory(unit=unit, platform=Platform.X)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(URL, {"kind": ""})


def test_unit_page_runs_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.pr_bihar)
    client.get(world.patna.get_absolute_url())
    # one more than before the page listed the unit's compliance flags, one for its improvement plans,
    # one for its show-cause notices, one for its posts (and one for their published targets, when it has posts),
    # one for the campaigns it takes part in
    with django_assert_num_queries(12) as few:
        client.get(world.patna.get_absolute_url())
    UnitFactory.create_batch(
        30, state=world.bihar, kind=UnitKind.DISTRICT_OFFICE, district=world.patna, department=world.health_dept
    )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(world.patna.get_absolute_url())


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("persona", "expected"), [("admin", 6), ("pr_bihar", 6), ("dpro_patna", 7)])
def test_home_page_query_count_does_not_grow_with_units(world, login, persona, expected):
    client = login(getattr(world, persona))
    client.get("/")
    assert _queries(client, "/") == expected
    UnitFactory.create_batch(25, state=world.bihar, kind=UnitKind.DISTRICT_OFFICE, district=world.patna)
    assert _queries(client, "/") == expected


def test_names_sort_in_the_language_shown(world, login, settings):
    world.gaya.name_hi = "शेरघाटी"  # after पटना in Devanagari, while Gaya is before Patna in English
    world.gaya.save()
    client = login(world.pr_bihar)
    assert codes(client.get(URL, {"kind": UnitKind.DISTRICT, "sort": "name"})) == ["BR-GAYA", "BR-PATNA"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hi"
    assert codes(client.get(URL, {"kind": UnitKind.DISTRICT, "sort": "name"})) == ["BR-PATNA", "BR-GAYA"]
