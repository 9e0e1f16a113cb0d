"""Writes to staff rosters: add, edit, deactivate, record a self-declaration, import a CSV, set the budget."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.choices import Platform
from departments.handles import normalize_handle
from departments.models import Unit
from departments.services.csv_import import ImportRejected, RowError, csv_records
from staff.models import FollowCheckBudget, FollowStatus, StaffMember
from staff.selectors import import_units
from users.models import User

ROSTER_COLUMNS = ("name", "designation", "x_handle")
DISTRICT_ROSTER_COLUMNS = ("unit", *ROSTER_COLUMNS)


def clean_x_handle(raw: str) -> str:
    """The bare X handle (``@DmDausa`` and ``https://x.com/DmDausa`` give ``DmDausa``); empty = no account."""
    raw = (raw or "").strip()
    return normalize_handle(Platform.X, raw) if raw else ""


def _duplicate() -> ValidationError:
    return ValidationError(_("This unit already lists a person of this name and designation."))


def member_create(*, unit: Unit, name: str, designation: str = "", x_handle: str = "") -> StaffMember:
    try:
        with transaction.atomic():
            return StaffMember.objects.create(
                unit=unit, name=name.strip(), designation=designation.strip(), x_handle=clean_x_handle(x_handle)
            )
    except IntegrityError:
        raise _duplicate() from None


def member_update(*, member: StaffMember, name: str, designation: str, x_handle: str, is_active: bool) -> StaffMember:
    """Edit a member; a new handle forgets what X said about the old one (the next run checks it)."""
    handle = clean_x_handle(x_handle)
    fields = {"name": name.strip(), "designation": designation.strip(), "is_active": is_active}
    if handle.lower() != member.x_handle.lower():
        fields.update(
            x_handle=handle, x_user_id="", follow_status=FollowStatus.UNKNOWN, follow_target="", follow_checked_at=None
        )
    elif handle != member.x_handle:
        fields["x_handle"] = handle  # only the capitals changed: X handles ignore case
    for key, value in fields.items():
        setattr(member, key, value)
    try:
        with transaction.atomic():
            member.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:
        raise _duplicate() from None
    return member


def member_deactivate(*, member: StaffMember) -> None:
    """Off the roster (left the office), kept for the record; no longer counted or checked."""
    StaffMember.objects.filter(pk=member.pk).update(is_active=False, updated_at=timezone.now())


def member_declare(*, member: StaffMember, follows: bool | None, by: User) -> None:
    """Record what the person says (follows or not), with who recorded it and when; None withdraws it."""
    now = timezone.now()
    StaffMember.objects.filter(pk=member.pk).update(
        declared_follows=follows,
        declared_at=now if follows is not None else None,
        declared_by=by if follows is not None else None,
        updated_at=now,
    )


def budget_set(*, requests_per_week: int, enabled: bool, by: User) -> FollowCheckBudget:
    budget = FollowCheckBudget.load()
    budget.requests_per_week = requests_per_week
    budget.enabled = enabled
    budget.updated_by = by
    budget.save(update_fields=["requests_per_week", "enabled", "updated_by", "updated_at"])
    return budget


# --- CSV import ---------------------------------------------------------------------------------------


@dataclass
class RosterImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _roster_columns(header: list[str]) -> list[str]:
    if set(header) not in (set(ROSTER_COLUMNS), set(DISTRICT_ROSTER_COLUMNS)) or len(set(header)) != len(header):
        raise ImportRejected(
            [
                RowError(
                    1,
                    "",
                    _("wrong columns: a roster file has %(plain)s, or %(district)s for a district-wide file.")
                    % {"plain": ",".join(ROSTER_COLUMNS), "district": ",".join(DISTRICT_ROSTER_COLUMNS)},
                )
            ]
        )
    return header


def _rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    return csv_records(data, _roster_columns)


def roster_import(*, data: bytes, unit: Unit, user: User) -> RosterImportResult:
    """Import a roster into ``unit`` (or, with a ``unit`` column, into a district and its offices): all or nothing.

    Every row is checked first (missing name, bad handle, unknown unit, unit outside the user's district,
    a person twice in the file); if any row is bad nothing is written and every problem is reported by
    line. A person already listed (same unit, name and designation, whatever the case) is updated, so
    importing the same file twice changes nothing.
    """
    header, rows = _rows(data)
    allowed = {u.code: u for u in import_units(user, unit)}
    existing_codes = set()
    if "unit" in header:
        codes = {values["unit"].upper() for _line, values in rows}
        existing_codes = set(Unit.objects.filter(code__in=codes).values_list("code", flat=True))
    errors: list[RowError] = []
    plans: list[tuple[Unit, str, str, str]] = []
    seen: dict[tuple[int, str, str], int] = {}
    for line, values in rows:
        target = unit
        if "unit" in header:
            code = values["unit"].upper()
            target = allowed.get(code or unit.code)
            if target is None:
                if code in existing_codes:
                    message = _("%(code)s is outside your district (or not an office of %(unit)s).") % {
                        "code": code,
                        "unit": unit.code,
                    }
                else:
                    message = _("unknown unit code %(code)s.") % {"code": code}
                errors.append(RowError(line, "unit", message))
        name, designation = values["name"], values["designation"]
        if not name:
            errors.append(RowError(line, "name", _("the name is missing.")))
        elif len(name) > 200:
            errors.append(RowError(line, "name", _("the name is longer than 200 characters.")))
        if len(designation) > 200:
            errors.append(RowError(line, "designation", _("the designation is longer than 200 characters.")))
        try:
            handle = clean_x_handle(values["x_handle"])
        except ValidationError as exc:
            errors.append(RowError(line, "x_handle", " ".join(exc.messages)))
            handle = ""
        if target is not None and name:
            key = (target.pk, name.casefold(), designation.casefold())
            if key in seen:
                errors.append(
                    RowError(
                        line, "name", _("%(name)s also appears on line %(line)s.") % {"name": name, "line": seen[key]}
                    )
                )
            else:
                seen[key] = line
            plans.append((target, name, designation, handle))
    if errors:
        raise ImportRejected(errors)
    result = RosterImportResult(rows=len(rows))
    with transaction.atomic():
        _write(plans, result)
    return result


def _write(plans: list[tuple[Unit, str, str, str]], result: RosterImportResult) -> None:
    existing = {
        (m.unit_id, m.name.casefold(), m.designation.casefold()): m
        for m in StaffMember.objects.filter(unit__in={target.pk for target, *_rest in plans})
    }
    for target, name, designation, handle in plans:
        member = existing.get((target.pk, name.casefold(), designation.casefold()))
        if member is None:
            StaffMember.objects.create(unit=target, name=name, designation=designation, x_handle=handle)
            result.created += 1
        elif member.x_handle.lower() == handle.lower() and member.is_active:
            result.unchanged += 1
        else:
            member_update(
                member=member, name=member.name, designation=member.designation, x_handle=handle, is_active=True
            )
            result.updated += 1
