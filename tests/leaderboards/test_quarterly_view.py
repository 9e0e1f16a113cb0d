"""The quarterly review: state departments and undertakings ranked for a quarter, the top three honoured."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from departments.choices import Platform, UnitKind
from departments.models import Account
from tests.factories import UnitFactory, daily_snapshots, post
from tests.leaderboards.conftest import at

URL = reverse("leaderboards:quarterly")
Q2 = {"quarter": "2026-Q2"}  # April to June 2026

pytestmark = pytest.mark.usefixtures("frozen")  # 10 August 2026: the last complete quarter is Q2


def department(world, code, name, *, step, posts=0, kind=UnitKind.STATE_DEPARTMENT):
    unit = UnitFactory(state=world.bihar, kind=kind, code=code, name_en=name, name_hi=name)
    account = Account.objects.create(unit=unit, platform=Platform.X, handle=code.replace("-", ""))
    daily_snapshots(account, date(2026, 3, 31), date(2026, 6, 30), followers_from=1000, step=step)
    for number in range(posts):
        post(account, at(date(2026, 5, 1 + number)), "post")
    return unit


@pytest.fixture
def q2(world):
    """Four active departments and undertakings in Bihar, of different activity; two without data."""
    department(world, "BR-TEMPLE", "Temple Committee", step=30, posts=20, kind=UnitKind.STATE_UNDERTAKING)
    department(world, "BR-SMARTCITY", "Smart City", step=20, posts=15, kind=UnitKind.STATE_UNDERTAKING)
    department(world, "BR-HOMEGUARDS", "Home Guards", step=10, posts=10)
    department(world, "BR-TOURISM", "Tourism", step=1, posts=1)
    return world


def test_the_top_three_are_honoured(q2, login):
    response = login(q2.pr_bihar).get(URL)  # the last complete quarter by default
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="period-label">Apr–Jun 2026<' in content
    honoured = content[content.index('data-testid="honoured"') : content.index('data-testid="quarterly-table"')]
    assert honoured.index("Temple Committee") < honoured.index("Smart City") < honoured.index("Home Guards")
    assert "Gold" in honoured and "Silver" in honoured and "Bronze" in honoured and "honoured" in honoured
    assert "Tourism" not in honoured
    assert 'data-honoured="1" data-unit="BR-TEMPLE"' in content
    assert 'data-honoured="3" data-unit="BR-HOMEGUARDS"' in content
    assert "BR-PATNA" not in content  # districts are not in the review


def test_the_quarter_select_offers_the_last_eight_quarters(q2, login):
    content = login(q2.pr_bihar).get(URL).content.decode()
    assert '<option value="2026-Q2" selected>' in content
    assert '<option value="2024-Q3"' in content and '<option value="2024-Q2"' not in content
    older = login(q2.pr_bihar).get(URL, {"quarter": "2026-Q1"}).content.decode()
    assert 'data-testid="period-label">Jan–Mar 2026<' in older


def test_a_bad_or_future_quarter_says_so(q2, login):
    client = login(q2.pr_bihar)
    bad = client.get(URL, {"quarter": "2026-Q5"})
    assert bad.status_code == 400 and "is not a quarter in the form YYYY-Qn" in bad.content.decode()
    future = client.get(URL, {"quarter": "2026-Q4"}).content.decode()
    assert 'data-testid="future-period"' in future and 'data-testid="quarterly-table"' not in future


def test_the_printable_report(q2, login):
    content = login(q2.pr_bihar).get(URL, {**Q2, "print": "1"}).content.decode()
    assert 'data-testid="print-page"' in content
    assert "leaderboards/print.css" in content
    assert '<nav class="navbar' not in content  # a clean page: no navbar
    assert "Quarterly review of state departments and undertakings, Bihar" in content
    assert "Report of 10 Aug 2026" in content
    assert "Score weights #" in content
    assert 'class="medal medal-1' in content and "Temple Committee" in content


def test_csv_and_xlsx_exports(q2, login):
    client = login(q2.pr_bihar)
    text = client.get(URL, {**Q2, "format": "csv"}).content.decode()
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert lines[0][0].startswith("Quarterly review of state departments and undertakings, Bihar — Apr–Jun 2026")
    assert [line[2] for line in lines[2:6]] == ["BR-TEMPLE", "BR-SMARTCITY", "BR-HOMEGUARDS", "BR-TOURISM"]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(URL, {**Q2, "format": "xlsx"}).content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert (values[2][0], values[2][2]) == (1, "BR-TEMPLE")
    assert values[-1][0] is None and values[-1][-1] == "no data"  # a department never polled


def test_a_state_officer_cannot_open_another_states_review(q2, login):
    assert login(q2.pr_rajasthan).get(URL, {"state": "BR"}).status_code == 404
    assert login(q2.admin).get(URL, {"state": "BR"}).status_code == 200


def test_a_district_official_sees_no_state_department(q2, login):
    content = login(q2.dpro_patna).get(URL).content.decode()
    assert 'data-testid="quarterly-empty"' in content and "Temple Committee" not in content


@pytest.mark.parametrize("extra", [0, 27])
def test_the_review_runs_a_fixed_number_of_queries(q2, login, django_assert_num_queries, extra):
    """6 departments or 33: session, user, the navbar's state, states, weights, units, scope,
    2 for the quarter's figures, the posts published through the PR office, and the data's version
    (the previous quarter's ranks are cached)."""
    for number in range(extra):
        department(q2, f"BR-DEPT{number}", f"Department {number}", step=number + 1, posts=1)
    client = login(q2.pr_bihar)
    client.get(URL, Q2)
    with django_assert_num_queries(11):
        response = client.get(URL, Q2)
    assert response.content.decode().count("data-unit=") == 6 + extra
