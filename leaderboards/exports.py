"""A leaderboard as a file: CSV (UTF-8 with a BOM, for Excel) or XLSX, every row, with a title line.

A unit without data has empty cells, never zeros; the title names the period, the score weights and the
platform, so that a file read months later still says what it measured.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from departments.choices import Platform
from leaderboards.selectors import Leaderboard, UnitFigures

FIGURES = (
    "followers_end",
    "growth",
    "growth_pct",
    "posts",
    "reposts",
    "replies",
    "lives",
    "long_lives",
    "engagement",
    "published",
    "score",
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header(*, with_staff: bool = False) -> list[str]:
    columns = [
        _("Rank"),
        _("Rank change"),
        _("Code"),
        _("Name (English)"),
        _("Name (Hindi)"),
        _("Kind"),
        _("Followers"),
        _("Growth"),
        _("Growth %"),
        _("Posts"),
        _("Retweets / shares"),
        _("Replies"),
        _("Lives"),
        _("Lives 30+ min"),
        _("Engagement"),
        _("Published through the PR office"),
        _("Score"),
        _("Days polled"),
        _("Days expected"),
        _("Notes"),
    ]
    if with_staff:
        columns += [_("Staff"), _("Staff following %"), _("Staff following % (verified via X)")]
    return columns


def row_values(row: UnitFigures, *, with_staff: bool = False) -> list:
    """One unit's cells: numbers as numbers, and None (an empty cell) where there is no figure."""
    values = [row.rank, row.rank_change, row.unit.code, row.unit.name_en, row.unit.name_hi, row.unit.get_kind_display()]
    values += [_number(row.value(metric)) for metric in FIGURES]
    if row.has_data:
        values += [row.days_polled, row.days_expected, "; ".join(str(gap) for gap in row.gaps)]
    else:
        values += [None, row.days_expected or None, _("no data")]
    if with_staff:
        staff = row.staff
        values += [
            staff.total if staff else None,
            _number(staff.percent) if staff else None,
            _number(staff.verified_percent) if staff else None,
        ]
    return values


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def title(board: Leaderboard, heading: str) -> str:
    platform = Platform(board.platform).label if board.platform else _("all platforms")
    text = _("%(heading)s — %(period)s (%(start)s to %(end)s) — score weights #%(weights)s — platform: %(platform)s")
    return text % {
        "heading": heading,
        "period": board.period.label,
        "start": board.period.start.isoformat(),
        "end": board.period.end.isoformat(),
        "weights": board.weights.pk,
        "platform": platform,
    }


def csv_response(board: Leaderboard, rows: Iterable[UnitFigures], *, heading: str, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so Excel reads the Hindi names as UTF-8
    writer = csv.writer(buffer)
    writer.writerow([title(board, heading)])
    writer.writerow(header(with_staff=board.with_staff))
    for row in rows:
        writer.writerow(["" if value is None else value for value in row_values(row, with_staff=board.with_staff)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(board: Leaderboard, rows: Iterable[UnitFigures], *, heading: str, filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Leaderboard"))
    sheet.append([title(board, heading)])
    sheet.append(header(with_staff=board.with_staff))
    for row in rows:
        sheet.append(row_values(row, with_staff=board.with_staff))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
