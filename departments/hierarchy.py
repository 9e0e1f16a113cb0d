"""The real hierarchy shipped with govsocial (departments/data/*.csv).

States, their districts as they stood in 2025, state departments and
undertakings, and one office per district for every department that keeps
district offices. Loaded through the same all-or-nothing CSV import that
officers use, so the shipped data obeys the same rules.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from departments.choices import UnitKind
from departments.models import State
from departments.services.csv_import import ImportResult, csv_import, units_csv

DATA_DIR = Path(__file__).resolve().parent / "data"
PR_DEPARTMENT_SUFFIX = "IPRD"


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def office_rows(districts: list[dict[str, str]], departments: list[dict[str, str]]) -> list[dict[str, str]]:
    rows = []
    for district in districts:
        for department in departments:
            if department["district_office"].strip().lower() != "yes" or department["state"] != district["state"]:
                continue
            short = department["code"].split("-", 1)[1]
            if short == PR_DEPARTMENT_SUFFIX:
                name_en = f"District Public Relations Office, {district['name_en']}"
                name_hi = f"जिला जनसंपर्क कार्यालय, {district['name_hi']}"
                short = "DPRO"
            else:
                name_en = f"{department['name_en']}, {district['name_en']}"
                name_hi = f"{department['name_hi']}, {district['name_hi']}"
            rows.append(
                {
                    "state": district["state"],
                    "code": f"{district['code']}-{short}",
                    "kind": UnitKind.DISTRICT_OFFICE,
                    "name_en": name_en,
                    "name_hi": name_hi,
                    "district": district["code"],
                    "department": department["code"],
                }
            )
    return rows


def hierarchy_load(*, states: list[str] | None = None) -> ImportResult:
    """Create or update the shipped hierarchy; running it twice changes nothing."""
    wanted = {code.upper() for code in states} if states else None
    state_rows = [r for r in _read("states.csv") if wanted is None or r["code"] in wanted]
    districts = [r for r in _read("districts.csv") if wanted is None or r["state"] in wanted]
    departments = [r for r in _read("departments.csv") if wanted is None or r["state"] in wanted]
    rows = [
        {
            "state": d["state"],
            "code": d["code"],
            "kind": UnitKind.DISTRICT,
            "name_en": d["name_en"],
            "name_hi": d["name_hi"],
            "district": "",
            "department": "",
        }
        for d in districts
    ]
    rows += [
        {
            "state": d["state"],
            "code": d["code"],
            "kind": d["kind"],
            "name_en": d["name_en"],
            "name_hi": d["name_hi"],
            "district": "",
            "department": "",
        }
        for d in departments
    ]
    rows += office_rows(districts, departments)
    with transaction.atomic():
        for row in state_rows:
            state, _created = State.objects.update_or_create(
                code=row["code"], defaults={"name_en": row["name_en"], "name_hi": row["name_hi"]}
            )
            if row.get("notice_prefix") and not state.notice_prefix:  # an admin's own prefix stays
                State.objects.filter(pk=state.pk).update(notice_prefix=row["notice_prefix"])
        return csv_import(data=units_csv(rows))
