"""The leaderboard page: figures, no data, sort, search, exports, periods, scope, and a fixed number of queries."""

import csv
import io
import json
import re
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from departments.choices import Platform, UnitKind
from leaderboards.models import ScoreWeights
from tests.factories import UnitFactory, daily_snapshots, post
from tests.leaderboards.conftest import JULY, add_districts, at

URL = reverse("leaderboards:board")
JULY_PARAMS = {"period": "month", "month": "2026-07"}

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def july(world):
    """Patna's X account polled daily through July with some posts; Gaya never polled."""
    daily_snapshots(world.patna_x, date(2026, 6, 25), date(2026, 8, 5), followers_from=1000, step=10)
    post(world.patna_x, at(date(2026, 7, 10)), "post", likes=5, reposts=2, replies=1, quotes=0)
    post(world.patna_x, at(date(2026, 7, 11)), "repost", likes=100)
    post(world.patna_x, at(date(2026, 7, 12)), "reply")
    return world


def rows_of(content: str) -> list[str]:
    """The unit codes of the board's rows, in order."""
    return re.findall(r'data-unit="([A-Z0-9-]+)"', content)


def test_the_board_shows_each_units_figures_and_the_period(july, login):
    response = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "platform": "x"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Districts of Bihar" in content
    assert 'data-testid="period-label">July 2026<' in content
    assert rows_of(content) == ["BR-PATNA", "BR-GAYA"]
    patna = content[content.index('data-unit="BR-PATNA"') : content.index('data-unit="BR-GAYA"')]
    assert "1,360" in patna and "+310" in patna and "+29.52 %" in patna
    assert 'data-testid="rank">1<' in patna
    assert 'data-testid="score">80.0<' in patna  # no live: the lives weight (2 of 10) scores nothing
    assert july.patna.get_absolute_url() in patna  # the unit links to its unit page


def test_a_unit_without_data_says_no_data_never_zero(july, login):
    content = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "platform": "x"}).content.decode()
    gaya = content[content.index('data-unit="BR-GAYA"') :]
    gaya = gaya[: gaya.index("</tr>")]
    assert 'data-testid="no-data"' in gaya and "no data" in gaya
    assert 'data-testid="rank"' not in gaya
    assert ">0<" not in gaya


def test_every_figure_links_to_its_drill_down(july, login):
    content = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "platform": "x"}).content.decode()
    cell = reverse("leaderboards:cell", kwargs={"code": "BR-PATNA"})
    for metric in ("followers_end", "growth", "growth_pct", "posts", "reposts", "replies", "lives", "engagement"):
        assert f"{cell}?period=month&amp;month=2026-07&amp;platform=x&amp;metric={metric}" in content


def test_the_page_names_the_weights_it_used(july, login):
    weights = ScoreWeights.objects.create(posts=7, note="more posts", created_by=july.admin)
    content = login(july.pr_bihar).get(URL, JULY_PARAMS).content.decode()
    line = content[content.index('data-testid="weights-used"') :]
    line = line[: line.index("</p>")]
    assert f"Score weights #{weights.pk}, set by admin on" in line
    assert "follower growth (%) 3, posts 7" in line


def test_gaps_are_shown_with_their_text(july, login):
    # Patna's Facebook page was never polled: a gap, said in the warning's title.
    content = login(july.pr_bihar).get(URL, JULY_PARAMS).content.decode()
    assert 'data-testid="gaps" title="dm.patna: no snapshot in this period"' in content


def test_rank_change_against_the_previous_period(july, login):
    daily_snapshots(july.gaya_x, date(2026, 5, 31), date(2026, 6, 30), followers_from=1000, step=50)
    daily_snapshots(july.gaya_x, JULY.start, JULY.end, followers_from=2600, step=1)
    content = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "platform": "x"}).content.decode()
    patna = content[content.index('data-unit="BR-PATNA"') : content.index('data-unit="BR-GAYA"')]
    assert "▲1" in patna
    assert "▼1" in content[content.index('data-unit="BR-GAYA"') :]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("rank", ["BR-PATNA", "BR-ARWAL", "BR-GAYA"]),
        ("-rank", ["BR-ARWAL", "BR-PATNA", "BR-GAYA"]),
        ("followers_end", ["BR-ARWAL", "BR-PATNA", "BR-GAYA"]),
        ("-followers_end", ["BR-PATNA", "BR-ARWAL", "BR-GAYA"]),
        ("name", ["BR-ARWAL", "BR-GAYA", "BR-PATNA"]),
        ("nonsense", ["BR-PATNA", "BR-ARWAL", "BR-GAYA"]),
    ],
)
def test_sorting_keeps_units_without_data_last(july, login, sort, expected):
    arwal = UnitFactory(state=july.bihar, kind=UnitKind.DISTRICT, code="BR-ARWAL", name_en="Arwal")
    account = arwal.accounts.create(platform=Platform.X, handle="DMArwal")
    daily_snapshots(account, date(2026, 6, 30), JULY.end, followers_from=500, step=1)
    content = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "platform": "x", "sort": sort}).content.decode()
    assert rows_of(content) == expected


@pytest.mark.parametrize("q", ["पटना", "patna", "br-pat"])
def test_search_by_english_or_hindi_name_or_code_keeps_the_ranks(july, login, q):
    content = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "platform": "x", "q": q}).content.decode()
    assert rows_of(content) == ["BR-PATNA"]
    assert 'data-testid="rank">1<' in content


def test_a_search_without_a_match_says_so(july, login):
    content = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "q": "Nalanda"}).content.decode()
    assert "No unit matches “Nalanda”." in content


def test_csv_export_has_every_row_a_title_and_no_zeros_for_no_data(july, login):
    weights = ScoreWeights.objects.first()
    response = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "platform": "x", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert lines[0] == [
        f"Districts of Bihar — July 2026 (2026-07-01 to 2026-07-31) — score weights #{weights.pk} — platform: X"
    ]
    header = lines[1]
    rows = {line[2]: dict(zip(header, line, strict=True)) for line in lines[2:]}
    assert set(rows) == {"BR-PATNA", "BR-GAYA"}
    assert (rows["BR-PATNA"]["Rank"], rows["BR-PATNA"]["Followers"], rows["BR-PATNA"]["Growth %"]) == (
        "1",
        "1360",
        "29.52",
    )
    assert rows["BR-GAYA"]["Name (Hindi)"] == "गया"
    assert (rows["BR-GAYA"]["Rank"], rows["BR-GAYA"]["Followers"], rows["BR-GAYA"]["Posts"]) == ("", "", "")
    assert rows["BR-GAYA"]["Notes"] == "no data"


def test_xlsx_export_has_numbers_as_numbers_and_empty_cells_for_no_data(july, login):
    add_districts(july.bihar, 55)  # more than a page: the export has them all
    response = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "platform": "x", "format": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0].startswith("Districts of Bihar — July 2026") and "score weights #" in values[0][0]
    header = values[1]
    rows = {row[2]: dict(zip(header, row, strict=True)) for row in values[2:]}
    assert len(rows) == 57
    patna = rows["BR-PATNA"]
    assert (patna["Rank"], patna["Followers"], patna["Growth"], patna["Growth %"]) == (1, 1360, 310, 29.52)
    assert isinstance(patna["Score"], float)
    gaya = rows["BR-GAYA"]
    assert (gaya["Rank"], gaya["Followers"], gaya["Posts"], gaya["Score"]) == (None, None, None, None)
    assert gaya["Notes"] == "no data"


def test_the_board_is_paginated_by_fifty(july, login):
    add_districts(july.bihar, 55)
    client = login(july.pr_bihar)
    first = client.get(URL, JULY_PARAMS).content.decode()
    second = client.get(URL, {**JULY_PARAMS, "page": 2}).content.decode()
    assert len(rows_of(first)) == 50 and len(rows_of(second)) == 7
    assert "Page 2 of 2" in second


def test_the_chart_has_the_top_ten_and_the_bottom_ten(july, login):
    add_districts(july.bihar, 25)
    content = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "platform": "x"}).content.decode()
    data = json.loads(re.search(r'<script id="board-chart" type="application/json">(.*?)</script>', content)[1])
    assert [row["group"] for row in data] == ["top"] * 10 + ["bottom"] * 10
    assert data[0]["rank"] == 1 and data[0]["value"] == max(row["value"] for row in data)
    assert data[-1]["rank"] == max(row["rank"] for row in data)
    assert "vendor/chartjs/chart.umd.min.js" in content and "cdn" not in content.lower()


def test_a_bad_period_shows_its_message(july, login):
    response = login(july.pr_bihar).get(URL, {"period": "custom", "start": "2026-07-10", "end": "2026-07-01"})
    assert response.status_code == 400
    assert "The end date 2026-07-01 is before the start date 2026-07-10." in response.content.decode()
    response = login(july.pr_bihar).get(URL, {"period": "month", "month": "July"})
    assert "is not a date in the form YYYY-MM-DD" in response.content.decode()


def test_a_future_period_shows_a_message_instead_of_a_table(july, login):
    content = login(july.pr_bihar).get(URL, {"period": "month", "month": "2026-09"}).content.decode()
    assert 'data-testid="future-period"' in content
    assert "nothing has been measured yet" in content
    assert 'data-testid="board-table"' not in content


def test_a_district_official_sees_only_their_own_district(july, login):
    client = login(july.dpro_patna)
    content = client.get(URL, JULY_PARAMS).content.decode()  # their offices by default
    assert "Offices in Patna district" in content
    assert set(rows_of(content)) == {"BR-PATNA-HEALTH", "BR-PATNA-DPRO"}
    assert rows_of(client.get(URL, {**JULY_PARAMS, "level": "districts"}).content.decode()) == ["BR-PATNA"]
    assert rows_of(client.get(URL, {**JULY_PARAMS, "level": "departments"}).content.decode()) == []
    export = client.get(URL, {**JULY_PARAMS, "level": "kind", "kind": "district_office", "format": "csv"})
    assert "BR-PATNA-HEALTH" in export.content.decode() and "BR-GAYA" not in export.content.decode()
    assert client.get(URL, {"level": "offices", "district": "BR-GAYA"}).status_code == 404
    assert client.get(URL, {"state": "RJ"}).status_code == 404


def test_a_district_officials_row_keeps_its_rank_among_all_districts(july, login):
    """Ranks come from the whole cohort; scope only hides the other rows (never a fake rank of one)."""
    add_districts(july.bihar, 3)  # each grows faster than Patna's score, with a post in July
    officer = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "level": "districts"})
    patna_rank = next(row.rank for row in officer.context["page"] if row.unit.code == "BR-PATNA")
    own = login(july.dpro_patna).get(URL, {**JULY_PARAMS, "level": "districts"})
    [row] = own.context["page"].object_list
    assert row.unit.code == "BR-PATNA" and row.rank == patna_rank
    assert own.context["board"].ranked_among == 4  # Patna and the three added; Gaya has no data


def test_a_state_officer_cannot_pick_another_state(july, login):
    client = login(july.pr_bihar)
    assert client.get(URL, {"state": "RJ"}).status_code == 404
    assert client.get(URL, {"level": "offices", "district": "RJ-DAUSA"}).status_code == 404
    content = client.get(URL, {"level": "offices", "district": "BR-GAYA"}).content.decode()
    assert rows_of(content) == ["BR-GAYA-HEALTH"]


def test_an_admin_picks_the_state(july, login):
    content = login(july.admin).get(URL, {"state": "RJ"}).content.decode()
    assert "Districts of Rajasthan" in content and rows_of(content) == ["RJ-DAUSA"]


def test_departments_level(july, login):
    content = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "level": "departments"}).content.decode()
    assert "State departments and undertakings of Bihar" in content
    assert set(rows_of(content)) == {"BR-HEALTH", "BR-IPRD"}


@pytest.mark.parametrize("extra", [1, 28])
def test_the_board_runs_a_fixed_number_of_queries(july, login, django_assert_num_queries, extra):
    """3 districts or 30: the same queries.

    Session, user, states, districts, the state's started campaigns (offered as periods), weights,
    units, scope, 2 for this month's figures, the posts published through the PR office, the staff's
    follow compliance, and the data's version, under which June's ranks were cached by the first request.
    """
    add_districts(july.bihar, extra)
    daily_snapshots(july.gaya_x, date(2026, 6, 1), JULY.end, followers_from=10)
    client = login(july.pr_bihar)
    client.get(URL, JULY_PARAMS)  # warm the session, and cache June's ranks
    with django_assert_num_queries(14):
        response = client.get(URL, JULY_PARAMS)
    assert len(rows_of(response.content.decode())) == 2 + extra


def test_posts_published_through_the_pr_office_are_credited_to_the_department(july, login):
    """Issue #6's credit: a post the department submitted and the PR office published counts for it."""
    from content.models import PublishTarget, Submission, TargetState

    submission = Submission.objects.create(
        unit=july.health_dept,
        submitted_by=july.dpro_patna,
        text="Vaccination camp",
        category="event",
        status="approved",
    )
    PublishTarget.objects.create(
        submission=submission,
        account=july.patna_x,
        text="Vaccination camp",
        publish_at=at(date(2026, 7, 9)),
        state=TargetState.PUBLISHED,
        platform_post_id="1445880548472328192",
        published_at=at(date(2026, 7, 9)),
    )
    response = login(july.pr_bihar).get(URL, {**JULY_PARAMS, "level": "departments", "sort": "-published"})
    rows = list(response.context["page"])
    assert [(row.unit.code, row.published) for row in rows][0] == ("BR-HEALTH", 1)
    assert "Published through the PR office" in response.content.decode()
