"""The leaderboard's "staff following %" column (issue #7): shown, sortable, exported, one query."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from staff.models import FollowStatus, StaffMember
from tests.leaderboards.conftest import add_districts
from tests.leaderboards.test_board_views import JULY_PARAMS, rows_of
from tests.leaderboards.test_board_views import july as july_fixture

URL = reverse("leaderboards:board")
pytestmark = pytest.mark.usefixtures("frozen")
july = july_fixture  # Patna polled through July, Gaya never


def staff(unit, n_following: int, n_not: int, *, declared: int = 0) -> None:
    for i in range(n_following):
        StaffMember.objects.create(
            unit=unit, name=f"F{i} {unit.code}", x_handle=f"f{i}{unit.pk}", follow_status=FollowStatus.FOLLOWS
        )
    for i in range(n_not):
        StaffMember.objects.create(
            unit=unit,
            name=f"N{i} {unit.code}",
            x_handle=f"n{i}{unit.pk}",
            follow_status=FollowStatus.NOT_FOLLOWING,
            follow_checked_at=timezone.now(),
        )
    for i in range(declared):
        StaffMember.objects.create(
            unit=unit, name=f"D{i} {unit.code}", declared_follows=True, declared_at=timezone.now()
        )


def cell(content: str, code: str) -> str:
    row = content[content.index(f'data-unit="{code}"') :]
    row = row[: row.index("</tr>")]
    return row[row.index('data-testid="staff-following"') :]


def test_a_districts_row_counts_its_own_and_its_offices_staff(july, login):
    staff(july.patna, 1, 1)
    staff(july.patna_health, 1, 0, declared=1)  # 3 of 4 follow, 2 verified

    content = login(july.pr_bihar).get(URL, JULY_PARAMS).content.decode()

    patna = cell(content, "BR-PATNA")
    assert "75 %" in patna and "50 % verified" in patna
    assert "—" in cell(content, "BR-GAYA")  # no staff listed: no percentage, never 0 %
    assert "0 %" not in cell(content, "BR-GAYA")


def test_the_column_sorts_units_without_staff_last(july, login):
    staff(july.patna, 1, 3)
    staff(july.gaya, 1, 0)
    extra = add_districts(july.bihar, 1)[0]
    client = login(july.pr_bihar)

    ascending = rows_of(client.get(URL, {**JULY_PARAMS, "sort": "staff_following_pct"}).content.decode())
    descending = rows_of(client.get(URL, {**JULY_PARAMS, "sort": "-staff_following_pct"}).content.decode())

    assert ascending == ["BR-PATNA", "BR-GAYA", extra.code]
    assert descending == ["BR-GAYA", "BR-PATNA", extra.code]


def test_the_exports_carry_the_staff_columns(july, login):
    staff(july.patna, 1, 1)
    client = login(july.pr_bihar)

    text = client.get(URL, {**JULY_PARAMS, "format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, patna = rows[1], next(r for r in rows if len(r) > 2 and r[2] == "BR-PATNA")
    assert header[-3:] == ["Staff", "Staff following %", "Staff following % (verified via X)"]
    assert patna[-3:] == ["2", "50.0", "50.0"]

    workbook = openpyxl.load_workbook(io.BytesIO(client.get(URL, {**JULY_PARAMS, "format": "xlsx"}).content))
    sheet = list(workbook.active.values)
    gaya = next(r for r in sheet if len(r) > 2 and r[2] == "BR-GAYA")
    assert sheet[1][-2] == "Staff following %" and gaya[-3:] == (0, None, None)


@pytest.mark.parametrize("extra", [1, 28])
def test_staff_cost_one_query_whatever_the_number_of_units(july, login, django_assert_num_queries, extra):
    for unit in [july.patna, july.gaya, *add_districts(july.bihar, extra)]:
        staff(unit, 2, 1)
    client = login(july.pr_bihar)
    client.get(URL, JULY_PARAMS)
    with django_assert_num_queries(14):  # the board's pinned count (test_board_views)
        response = client.get(URL, JULY_PARAMS)
    assert response.content.decode().count("67 %") == 2 + extra
