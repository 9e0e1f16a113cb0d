"""Bulk import of units and accounts from CSV, all or nothing.

The file is read whole, every row is checked against the database and against
the other rows, and only a file without a single error is written, in one
transaction. A rejected file comes back with every problem listed by line.

Two layouts are recognised by their header:

- units:    state,code,kind,name_en,name_hi,district,department
- accounts: unit,platform,handle,platform_id,verified
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from departments.choices import Platform, UnitKind
from departments.handles import normalize_handle
from departments.models import Account, State, Unit, code_validator
from users.models import User

T = TypeVar("T")

UNIT_COLUMNS = ("state", "code", "kind", "name_en", "name_hi", "district", "department")
ACCOUNT_COLUMNS = ("unit", "platform", "handle", "platform_id", "verified")
LAYOUTS = {"units": UNIT_COLUMNS, "accounts": ACCOUNT_COLUMNS}
_TRUE = {"yes", "true", "1", "y", "हाँ", "हां"}
_FALSE = {"no", "false", "0", "n", "", "नहीं"}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("line %(line)s") % {"line": self.line} if self.line else _("file")
        if self.column:
            where = f"{where}, {self.column}"
        return f"{where}: {self.message}"


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = sorted(errors, key=lambda e: (e.line, e.column))
        super().__init__(f"{len(self.errors)} problem(s) in the file")


@dataclass
class ImportResult:
    layout: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, str]


def decode_upload(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):  # Excel's "CSV UTF-8" starts with a BOM
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            [
                RowError(
                    line,
                    "",
                    _(
                        "the file is not UTF-8 text (byte 0x%(byte)02x). "
                        "Save it as “CSV UTF-8” and upload it again; Hindi names need UTF-8."
                    )
                    % {"byte": data[exc.start]},
                )
            ]
        ) from None


def csv_records(data: bytes, columns_check: Callable[[list[str]], T]) -> tuple[T, list[tuple[int, dict[str, str]]]]:
    """An uploaded CSV read for an import: its size, encoding and header checked, then every row by line.

    ``columns_check`` gets the header (stripped, lower-case) and raises ``ImportRejected`` for wrong
    columns, or returns what the caller needs to know about them. Rows come as (line, {column: value});
    blank lines are skipped; a row with the wrong number of fields, or unreadable CSV, is an error of its
    line, and all of them are reported together.
    """
    if len(data) > settings.GOVSOCIAL_IMPORT_MAX_BYTES:
        raise ImportRejected(
            [
                RowError(
                    0,
                    "",
                    _("the file is larger than %(limit)s bytes; split it into smaller files.")
                    % {"limit": settings.GOVSOCIAL_IMPORT_MAX_BYTES},
                )
            ]
        )
    text = decode_upload(data)
    if "\x00" in text:
        raise ImportRejected([RowError(0, "", _("the file contains NUL bytes: it is not a CSV text file."))])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected([RowError(0, "", _("the file is empty."))]) from None
    except csv.Error as exc:
        raise ImportRejected([RowError(1, "", _("unreadable CSV: %(error)s") % {"error": exc})]) from None
    columns = [name.strip().lower() for name in header]
    checked = columns_check(columns)
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    line = reader.line_num + 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(columns):
                errors.append(
                    RowError(
                        start,
                        "",
                        _("%(found)s fields where the header has %(expected)s.")
                        % {"found": len(record), "expected": len(columns)},
                    )
                )
                continue
            rows.append((start, {col: cell.strip() for col, cell in zip(columns, record, strict=True)}))
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "", _("unreadable CSV: %(error)s") % {"error": exc}))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([RowError(0, "", _("the file has a header but no rows."))])
    return checked, rows


def _layout(columns: list[str]) -> str:
    """Which of the two files this is (units or accounts), or ImportRejected naming what is wrong."""
    layout = next((name for name, expected in LAYOUTS.items() if set(columns) == set(expected)), None)
    if layout is not None:
        return layout
    best = max(LAYOUTS, key=lambda name: len(set(columns) & set(LAYOUTS[name])))
    expected = LAYOUTS[best]
    missing = [c for c in expected if c not in columns]
    unknown = [c for c in columns if c not in expected]
    parts = []
    if missing:
        parts.append(_("missing column(s): %(cols)s") % {"cols": ", ".join(missing)})
    if unknown:
        parts.append(_("unknown column(s): %(cols)s") % {"cols": ", ".join(unknown)})
    if len(set(columns)) != len(columns):
        parts.append(_("a column appears twice"))
    raise ImportRejected(
        [
            RowError(
                1,
                "",
                _("wrong columns (%(problems)s). A %(layout)s file has exactly: %(expected)s")
                % {"problems": "; ".join(parts), "layout": best, "expected": ",".join(expected)},
            )
        ]
    )


def _read(data: bytes) -> tuple[str, list[_Row]]:
    layout, rows = csv_records(data, _layout)
    return layout, [_Row(line, values) for line, values in rows]


def _allowed_states(user: User | None) -> set[int] | None:
    """None means every state (admin or a command run by the operator)."""
    if user is None or user.is_admin_role:
        return None
    if user.is_state_officer:
        return {user.state_id}
    return set()


def _check_permission(user: User | None) -> None:
    if user is not None and not (user.is_admin_role or user.is_state_officer):
        raise ImportRejected([RowError(0, "", _("only admins and state PR officers may import units and accounts."))])


# --- units -----------------------------------------------------------------


def _validate_units(rows: list[_Row], allowed: set[int] | None) -> tuple[list[RowError], list[dict]]:
    errors: list[RowError] = []
    states = {s.code: s for s in State.objects.all()}
    existing = {u.code: u for u in Unit.objects.only("id", "code", "kind", "state_id", "name_en", "name_hi")}
    in_file: dict[str, _Row] = {}
    for row in rows:
        code = row.values["code"].upper()
        if code in in_file:
            errors.append(
                RowError(
                    row.line,
                    "code",
                    _("%(code)s also appears on line %(line)s.") % {"code": code, "line": in_file[code].line},
                )
            )
        else:
            in_file[code] = row
    kinds = {row.values["code"].upper(): row.values["kind"] for row in rows}
    file_states = {row.values["code"].upper(): row.values["state"].upper() for row in rows}
    plans: list[dict] = []
    for row in rows:
        v = row.values
        code, kind = v["code"].upper(), v["kind"]
        state = states.get(v["state"].upper())
        if state is None:
            errors.append(RowError(row.line, "state", _("unknown state %(code)s.") % {"code": v["state"] or "∅"}))
        elif allowed is not None and state.pk not in allowed:
            errors.append(RowError(row.line, "state", _("%(code)s is outside your state.") % {"code": state.code}))
        try:
            code_validator(code)
        except ValidationError:
            errors.append(
                RowError(
                    row.line, "code", _("%(code)s: use capital letters, digits and hyphens.") % {"code": code or "∅"}
                )
            )
        if kind not in UnitKind.values:
            errors.append(
                RowError(
                    row.line,
                    "kind",
                    _("unknown kind %(kind)s; use one of %(kinds)s.")
                    % {"kind": kind or "∅", "kinds": ", ".join(UnitKind.values)},
                )
            )
        for column in ("name_en", "name_hi"):
            if not v[column]:
                errors.append(RowError(row.line, column, _("the name is empty.")))
            elif len(v[column]) > 200:
                errors.append(RowError(row.line, column, _("the name is longer than 200 characters.")))
        if v["name_hi"] and not any("\u0900" <= ch <= "\u097f" for ch in v["name_hi"]):
            errors.append(RowError(row.line, "name_hi", _("the Hindi name has no Devanagari letters.")))
        old = existing.get(code)
        if old is not None and (old.kind != kind or (state is not None and old.state_id != state.pk)):
            errors.append(
                RowError(
                    row.line, "code", _("%(code)s already exists as another kind or in another state.") % {"code": code}
                )
            )
        district_code, department_code = v["district"].upper(), v["department"].upper()
        if kind == UnitKind.DISTRICT_OFFICE:
            if not district_code:
                errors.append(RowError(row.line, "district", _("a district office needs its district.")))
            else:
                district_kind = kinds.get(district_code) or getattr(existing.get(district_code), "kind", None)
                district_state = (
                    getattr(states.get(file_states[district_code]), "pk", None)
                    if district_code in kinds
                    else getattr(existing.get(district_code), "state_id", None)
                )
                if district_kind != UnitKind.DISTRICT:
                    errors.append(
                        RowError(row.line, "district", _("unknown district %(code)s.") % {"code": district_code})
                    )
                elif state is not None and district_state != state.pk:
                    errors.append(
                        RowError(
                            row.line, "district", _("district %(code)s is in another state.") % {"code": district_code}
                        )
                    )
            if department_code:
                department_kind = kinds.get(department_code) or getattr(existing.get(department_code), "kind", None)
                if department_kind not in (UnitKind.STATE_DEPARTMENT, UnitKind.STATE_UNDERTAKING):
                    errors.append(
                        RowError(
                            row.line, "department", _("unknown state department %(code)s.") % {"code": department_code}
                        )
                    )
        elif district_code or department_code:
            errors.append(
                RowError(
                    row.line, "district", _("only a district office has a district or a department; leave them empty.")
                )
            )
        plans.append(
            {
                "code": code,
                "kind": kind,
                "state": state,
                "name_en": v["name_en"],
                "name_hi": v["name_hi"],
                "district": district_code,
                "department": department_code,
            }
        )
    return errors, plans


def _write_units(plans: list[dict], result: ImportResult) -> None:
    existing = {u.code: u for u in Unit.objects.filter(code__in=[p["code"] for p in plans])}
    # Districts and departments first, so offices can point at them.
    parents = [p for p in plans if p["kind"] != UnitKind.DISTRICT_OFFICE]
    offices = [p for p in plans if p["kind"] == UnitKind.DISTRICT_OFFICE]
    for batch in (parents, offices):
        codes = {p["district"] for p in batch} | {p["department"] for p in batch}
        refs = {u.code: u for u in Unit.objects.filter(code__in=codes - {""})}
        new, changed = [], []
        for plan in batch:
            district = refs.get(plan["district"])
            department = refs.get(plan["department"])
            unit = existing.get(plan["code"])
            if unit is None:
                new.append(
                    Unit(
                        code=plan["code"],
                        kind=plan["kind"],
                        state=plan["state"],
                        name_en=plan["name_en"],
                        name_hi=plan["name_hi"],
                        district=district,
                        department=department,
                    )
                )
                continue
            wanted = {
                "name_en": plan["name_en"],
                "name_hi": plan["name_hi"],
                "district_id": district.pk if district else None,
                "department_id": department.pk if department else None,
            }
            if all(getattr(unit, key) == value for key, value in wanted.items()):
                result.unchanged += 1
                continue
            for key, value in wanted.items():
                setattr(unit, key, value)
            changed.append(unit)
        Unit.objects.bulk_create(new, batch_size=1000)
        Unit.objects.bulk_update(changed, ["name_en", "name_hi", "district", "department"], batch_size=1000)
        result.created += len(new)
        result.updated += len(changed)


# --- accounts ----------------------------------------------------------------


def _parse_bool(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def _validate_accounts(rows: list[_Row], allowed: set[int] | None) -> tuple[list[RowError], list[dict]]:
    errors: list[RowError] = []
    unit_codes = {row.values["unit"].upper() for row in rows}
    units = {u.code: u for u in Unit.objects.filter(code__in=unit_codes).only("id", "code", "state_id")}
    seen_handles: dict[tuple[str, str], int] = {}
    seen_ids: dict[tuple[str, str], int] = {}
    plans: list[dict] = []
    for row in rows:
        v = row.values
        unit = units.get(v["unit"].upper())
        if unit is None:
            errors.append(RowError(row.line, "unit", _("unknown unit %(code)s.") % {"code": v["unit"] or "∅"}))
        elif allowed is not None and unit.state_id not in allowed:
            errors.append(RowError(row.line, "unit", _("%(code)s is outside your state.") % {"code": unit.code}))
        platform = v["platform"].lower()
        if platform == "twitter":
            platform = Platform.X
        handle = ""
        if platform not in Platform.values:
            errors.append(
                RowError(
                    row.line,
                    "platform",
                    _("unknown platform %(p)s; use x, facebook or youtube.") % {"p": v["platform"] or "∅"},
                )
            )
        else:
            try:
                handle = normalize_handle(platform, v["handle"])
            except ValidationError as exc:
                errors.append(RowError(row.line, "handle", " ".join(exc.messages)))
        if handle:
            key = (platform, handle.lower())
            if key in seen_handles:
                errors.append(
                    RowError(
                        row.line,
                        "handle",
                        _("%(h)s also appears on line %(line)s.") % {"h": handle, "line": seen_handles[key]},
                    )
                )
            else:
                seen_handles[key] = row.line
        platform_id = v["platform_id"]
        if platform_id:
            if not platform_id.replace("_", "").replace("-", "").isalnum() or len(platform_id) > 64:
                errors.append(
                    RowError(row.line, "platform_id", _("%(id)s is not a platform id.") % {"id": platform_id})
                )
            key = (platform, platform_id)
            if key in seen_ids:
                errors.append(
                    RowError(
                        row.line,
                        "platform_id",
                        _("%(id)s also appears on line %(line)s.") % {"id": platform_id, "line": seen_ids[key]},
                    )
                )
            else:
                seen_ids[key] = row.line
        verified = _parse_bool(v["verified"])
        if verified is None:
            errors.append(RowError(row.line, "verified", _("%(v)s is not yes or no.") % {"v": v["verified"]}))
        plans.append(
            {
                "line": row.line,
                "unit": unit,
                "platform": platform,
                "handle": handle,
                "platform_id": platform_id,
                "verified": bool(verified),
            }
        )
    if errors:
        return errors, plans
    # Against the database: a handle or id that belongs to another unit is a conflict.
    by_handle = {
        (a.platform, a.handle_lower): a
        for a in Account.objects.annotate(handle_lower=Lower("handle")).filter(
            handle_lower__in=[p["handle"].lower() for p in plans]
        )
    }
    by_id = {
        (a.platform, a.platform_id): a
        for a in Account.objects.filter(platform_id__in=[p["platform_id"] for p in plans if p["platform_id"]])
    }
    for plan in plans:
        current = by_handle.get((plan["platform"], plan["handle"].lower()))
        if current is not None and current.unit_id != plan["unit"].pk:
            errors.append(
                RowError(
                    plan["line"],
                    "handle",
                    _("%(h)s is already the account of another unit (%(unit)s).")
                    % {"h": plan["handle"], "unit": current.unit.code},
                )
            )
        plan["account"] = current
        holder = by_id.get((plan["platform"], plan["platform_id"]))
        if holder is not None and (current is None or holder.pk != current.pk):
            errors.append(
                RowError(
                    plan["line"],
                    "platform_id",
                    _("%(id)s already belongs to %(acct)s.") % {"id": plan["platform_id"], "acct": holder},
                )
            )
    return errors, plans


def _write_accounts(plans: list[dict], result: ImportResult) -> None:
    new, changed = [], []
    for plan in plans:
        account = plan["account"]
        if account is None:
            new.append(
                Account(
                    unit=plan["unit"],
                    platform=plan["platform"],
                    handle=plan["handle"],
                    platform_id=plan["platform_id"],
                    verified=plan["verified"],
                )
            )
            continue
        wanted = {
            "handle": plan["handle"],
            "platform_id": plan["platform_id"] or account.platform_id,
            "verified": plan["verified"],
        }
        if all(getattr(account, key) == value for key, value in wanted.items()):
            result.unchanged += 1
            continue
        for key, value in wanted.items():
            setattr(account, key, value)
        changed.append(account)
    Account.objects.bulk_create(new, batch_size=1000)
    Account.objects.bulk_update(changed, ["handle", "platform_id", "verified"], batch_size=1000)
    result.created += len(new)
    result.updated += len(changed)


# --- entry points --------------------------------------------------------------


def csv_import(*, data: bytes, user: User | None = None) -> ImportResult:
    """Import a units or accounts CSV; raises ``ImportRejected`` with every problem, having written nothing."""
    _check_permission(user)
    layout, rows = _read(data)
    allowed = _allowed_states(user)
    validate, write = (_validate_units, _write_units) if layout == "units" else (_validate_accounts, _write_accounts)
    with transaction.atomic():
        errors, plans = validate(rows, allowed)
        if errors:
            raise ImportRejected(errors)
        result = ImportResult(layout=layout, rows=len(rows))
        write(plans, result)
    return result


def units_csv(rows: list[dict[str, str]]) -> bytes:
    """Render unit rows in the import layout (used by ``load_hierarchy``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=UNIT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()
