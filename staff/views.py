"""Staff rosters and follow compliance. Every unit and member comes through the user's scope: else 404.

District officials edit their own district's rosters (the district and its offices), state PR officers
their state's, admins all; only admins set the X budget.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.csvexport import csv_download
from departments.choices import UnitKind
from departments.models import State, Unit
from departments.selectors import states_for, units_for
from departments.services.csv_import import ImportRejected
from staff.follows import budget_status
from staff.forms import BudgetForm, DeclarationForm, MemberForm, RosterImportForm
from staff.models import FollowCheckBudget, FollowCheckRequest, StaffMember
from staff.selectors import (
    OVERVIEW_SORTS,
    ROSTER_SORTS,
    compliance_annotations,
    compliance_of,
    member_in_scope,
    overview_units,
    roster,
    target_account,
    unit_in_scope,
)
from staff.services import (
    DISTRICT_ROSTER_COLUMNS,
    ROSTER_COLUMNS,
    budget_set,
    member_create,
    member_deactivate,
    member_declare,
    member_update,
    roster_import,
)

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    sort: str = "name"
    q: str = ""
    inactive: bool = False


def _unit(request: HttpRequest, code: str) -> Unit:
    try:
        return unit_in_scope(request.user, code)
    except Unit.DoesNotExist:
        raise Http404(_("No such unit in your scope.")) from None


def _member(request: HttpRequest, pk: int) -> StaffMember:
    try:
        return member_in_scope(request.user, pk)
    except StaffMember.DoesNotExist:
        raise Http404(_("No such staff member in your scope.")) from None


# ---- the overview --------------------------------------------------------------------------------


def _first_state_with_staff(states: list[State]) -> State | None:
    """For an admin: open on a state whose units have listed staff, rather than an empty alphabetical first."""
    with_staff = set(
        StaffMember.objects.filter(unit__state__in=states).values_list("unit__state_id", flat=True).distinct()
    )
    return next((s for s in states if s.pk in with_staff), states[0] if states else None)


def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    states = list(states_for(user))
    state: State | None = None
    if request.GET.get("state"):
        state = next((s for s in states if s.code == request.GET["state"].upper()), None)
        if state is None:
            raise Http404(_("No such state in your scope."))
    else:
        state = next((s for s in states if s.pk == user.state_id), None) or _first_state_with_staff(states)
    district = None
    code = request.GET.get("district", "")
    if code:
        try:
            district = units_for(user).get(code=code.upper(), kind=UnitKind.DISTRICT)
        except Unit.DoesNotExist:
            raise Http404(_("No such district in your scope.")) from None
        state = district.state
    elif user.is_district_official:
        district = user.district
    sort = request.GET.get("sort", "name")
    if sort not in OVERVIEW_SORTS:
        sort = "name"
    units = overview_units(user, state=state, district=district, sort=sort) if state else Unit.objects.none()
    if request.GET.get("format") == "csv":
        return _overview_csv(units, state, district)
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    for unit in page:
        unit.compliance = compliance_of(unit)
    scope = StaffMember.objects.filter(unit__in=units_for(user))
    if district is not None:
        scope = scope.filter(unit__in=Unit.objects.filter(pk=district.pk) | district.offices.all())
    elif state is not None:
        scope = scope.filter(unit__state=state)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/overview.html",
        {
            "states": states,
            "state": state,
            "district": district,
            "page": page,
            "filters": Filters(sort=sort),
            "budget": budget_status(scope),
            "query": query,
        },
    )


def _overview_csv(units, state: State | None, district: Unit | None) -> HttpResponse:
    name = district.code if district else (state.code if state else "all")
    response, writer = csv_download(f"govsocial-staff-compliance-{name}.csv")
    writer.writerow(
        [
            "unit",
            "name_en",
            "name_hi",
            "staff",
            "with_x_account",
            "following_verified",
            "following_self_declared",
            "following_percent",
            "following_verified_percent",
            "last_checked",
            "handle_to_follow",
        ]
    )
    for unit in units:
        c = compliance_of(unit)
        writer.writerow(
            [
                unit.code,
                unit.name_en,
                unit.name_hi,
                c.total,
                c.with_account,
                c.verified,
                c.declared,
                "" if c.percent is None else c.percent,
                "" if c.verified_percent is None else c.verified_percent,
                timezone.localtime(c.last_checked).isoformat() if c.last_checked else "",
                "yes" if c.has_target else "no",
            ]
        )
    return response


# ---- a unit's roster -----------------------------------------------------------------------------


def roster_page(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)
    q = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "name")
    if sort not in ROSTER_SORTS:
        sort = "name"
    inactive = request.GET.get("inactive") == "1"
    members = roster(unit, q=q, sort=sort, inactive=inactive)
    if request.GET.get("format") == "csv":
        return _roster_csv(unit, members)
    annotated = Unit.objects.annotate(**compliance_annotations(include_offices=False)).get(pk=unit.pk)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/roster.html",
        {
            "unit": unit,
            "page": Paginator(members, PAGE_SIZE).get_page(request.GET.get("page")),
            "filters": Filters(sort=sort, q=q, inactive=inactive),
            "compliance": compliance_of(annotated),
            "target": target_account(unit),
            "budget": budget_status(unit.staff.all()),
            "declaration_form": DeclarationForm(),
            "query": query,
        },
    )


def _roster_csv(unit: Unit, members) -> HttpResponse:
    response, writer = csv_download(f"govsocial-staff-{unit.code}.csv")
    writer.writerow(
        [
            "unit",
            "name",
            "designation",
            "x_handle",
            "active",
            "follow_status",
            "checked_against",
            "last_checked",
            "self_declared",
            "declared_at",
        ]
    )
    for m in members:
        declared = {True: "follows", False: "does not follow"}.get(m.declared_follows, "")
        writer.writerow(
            [
                unit.code,
                m.name,
                m.designation,
                m.x_handle,
                "yes" if m.is_active else "no",
                m.follow_status,
                m.follow_target,
                timezone.localtime(m.follow_checked_at).isoformat() if m.follow_checked_at else "",
                declared,
                timezone.localtime(m.declared_at).isoformat() if m.declared_at else "",
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)
    form = MemberForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = member_create(
                unit=unit, name=data["name"], designation=data["designation"], x_handle=data["x_handle"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s was added to the roster.") % {"name": member.name})
            return redirect("staff:roster", code=unit.code)
    return render(request, "staff/member_form.html", {"unit": unit, "form": form, "member": None})


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    unit = member.unit
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fresh = StaffMember.objects.get(pk=member.pk)  # the form wrote into ``member``; the service compares
        try:
            member_update(
                member=fresh,
                name=data["name"],
                designation=data["designation"],
                x_handle=data["x_handle"],
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": fresh.name})
            return redirect("staff:roster", code=unit.code)
    return render(request, "staff/member_form.html", {"unit": unit, "form": form, "member": member})


@require_POST
def member_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    member_deactivate(member=member)
    messages.success(request, _("%(name)s is off the roster (kept for the record).") % {"name": member.name})
    return redirect("staff:roster", code=member.unit.code)


@require_POST
def member_declare_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = DeclarationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what the person declares."))
    else:
        member_declare(member=member, follows=form.value(), by=request.user)
        messages.success(request, _("The self-declaration of %(name)s was recorded.") % {"name": member.name})
    return redirect("staff:roster", code=member.unit.code)


# ---- import --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def roster_import_page(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)
    errors = None
    form = RosterImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = roster_import(data=form.cleaned_data["file"].read(), unit=unit, user=request.user)
        except ImportRejected as exc:
            errors = exc.errors
            messages.error(
                request,
                _("The file was rejected and nothing was imported: %(n)s problem(s), listed below.")
                % {"n": len(errors)},
            )
        else:
            messages.success(
                request,
                _("Imported %(rows)s rows: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("staff:roster", code=unit.code)
    return render(
        request,
        "staff/import.html",
        {
            "unit": unit,
            "form": form,
            "errors": errors,
            "columns": ",".join(ROSTER_COLUMNS),
            "district_columns": ",".join(DISTRICT_ROSTER_COLUMNS),
            "district_wide": unit.kind == UnitKind.DISTRICT,
        },
    )


def import_template(request: HttpRequest) -> HttpResponse:
    """An empty roster CSV with the right header (``?district=1``: with the unit column)."""
    columns = DISTRICT_ROSTER_COLUMNS if request.GET.get("district") else ROSTER_COLUMNS
    response, writer = csv_download("govsocial-staff-template.csv")
    writer.writerow(columns)
    return response


# ---- the budget ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest) -> HttpResponse:
    if not request.user.is_admin_role:
        raise PermissionDenied(_("Only admins set the X budget of the follow checks."))
    form = BudgetForm(request.POST or None, instance=FollowCheckBudget.load())
    if request.method == "POST" and form.is_valid():
        budget_set(
            requests_per_week=form.cleaned_data["requests_per_week"],
            enabled=form.cleaned_data["enabled"],
            by=request.user,
        )
        messages.success(request, _("The budget of the follow checks was saved."))
        return redirect("staff:budget")
    return render(
        request,
        "staff/budget.html",
        {
            "form": form,
            "status": budget_status(),
            "recent": FollowCheckRequest.objects.select_related("member")[:50],
        },
    )
