"""The plan list: scoped by the user's units, filters and CSV, linked from the unit page and compliance pages."""

import csv
import io

import pytest
from django.urls import reverse

from tests.plans.conftest import (
    LIST,
    count_queries,
    more_plans,
)


def test_the_list_filters_and_exports_csv(world, login, approved):
    client = login(world.pr_bihar)
    assert [p.unit.code for p in client.get(LIST, {"status": "approved"}).context["page"]] == ["BR-PATNA"]
    assert [p.unit.code for p in client.get(LIST, {"status": "requested"}).context["page"]] == ["BR-GAYA"]
    assert client.get(LIST, {"month": "2026-11"}).context["page"].paginator.count == 2
    assert client.get(LIST, {"month": "2026-12"}).context["page"].paginator.count == 0
    assert login(world.admin).get(LIST, {"state": "RJ"}).context["page"].paginator.count == 0
    response = client.get(LIST, {"format": "csv", "status": "approved"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["unit"], r["status"], r["month1"], r["month1_lives"], r["month3_followers"]) for r in rows] == [
        ("BR-PATNA", "approved", "2026-09", "3", "7000")
    ]


def test_the_unit_page_and_the_compliance_pages_link_to_plans(world, login, patna_plan):
    client = login(world.dpro_patna)
    html = client.get(world.patna.get_absolute_url()).content.decode()
    assert 'data-testid="unit-plans"' in html and patna_plan.get_absolute_url() in html
    assert 'data-testid="plans-link"' in client.get(reverse("compliance:rule_list")).content.decode()


@pytest.mark.parametrize(("persona", "expected"), [("pr_bihar", 6), ("dpro_patna", 6)])
def test_the_list_runs_a_fixed_number_of_queries(world, login, required, persona, expected):
    client = login(getattr(world, persona))
    client.get(LIST)  # warm the session
    # session, user, the user's state (the navbar), count, the states for the filter, the page of plans
    assert count_queries(client, LIST) == expected
    more_plans(world, 18)
    assert count_queries(client, LIST) == expected
