import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.selectors import campaigns_for_unit
from compliance.selectors import flags_for_unit
from content.selectors import published_to_account, submissions_for_unit
from departments.choices import Platform, UnitKind
from departments.forms import CsvImportForm, DirectoryFilterForm
from departments.models import Unit
from departments.selectors import (
    DirectoryFilters,
    accounts_for,
    coverage_summary,
    directory_units,
    states_for,
    unit_accounts,
    unit_offices,
    units_for,
)
from departments.services.csv_import import ACCOUNT_COLUMNS, UNIT_COLUMNS, ImportRejected, csv_import
from metrics.selectors import activity_summary, follower_series, latest_snapshot, recent_posts
from notices.selectors import notices_for_unit
from plans.selectors import plans_for_unit
from staff.selectors import compliance_annotations as staff_compliance_annotations
from staff.selectors import compliance_of as staff_compliance_of

PAGE_SIZE = 50


class _Echo:
    def write(self, value: str) -> str:
        return value


def _filters(request: HttpRequest) -> tuple[DirectoryFilterForm, DirectoryFilters, list]:
    form = DirectoryFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    states = list(states_for(request.user))
    state = next((s for s in states if s.code == (data.get("state") or "").upper()), None)
    if state is None and states:
        state = request.user.state if request.user.state_id else states[0]
    district = None
    if data.get("district"):
        district = units_for(request.user).filter(code=data["district"].upper(), kind=UnitKind.DISTRICT).first()
    filters = DirectoryFilters(
        state=state,
        kind=data.get("kind") or "",
        district=district,
        missing=data.get("missing") or "",
        has=data.get("has") or "",
        q=(data.get("q") or "").strip(),
        sort=data.get("sort") or "name",
        hindi=(get_language() or "").startswith("hi"),
    )
    return form, filters, states


def directory(request: HttpRequest) -> HttpResponse:
    form, filters, states = _filters(request)
    units = directory_units(request.user, filters)
    if request.GET.get("format") == "csv":
        return _directory_csv(units, filters)
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    scope = units_for(request.user)
    if filters.state is not None:
        scope = scope.filter(state=filters.state)
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "departments/directory.html",
        {
            "form": form,
            "filters": filters,
            "states": states,
            "page": page,
            "summary": coverage_summary(scope),
            "platforms": Platform.choices,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "kinds": UnitKind.choices,
        },
    )


def _directory_csv(units, filters: DirectoryFilters) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # so Excel reads the Hindi names as UTF-8
        yield writer.writerow(["code", "kind", "name_en", "name_hi", "state", "district", "x", "facebook", "youtube"])
        for unit in units.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    unit.code,
                    unit.kind,
                    unit.name_en,
                    unit.name_hi,
                    unit.state.code,
                    unit.district.code if unit.district_id else "",
                    "yes" if unit.has_x else "no",
                    "yes" if unit.has_facebook else "no",
                    "yes" if unit.has_youtube else "no",
                ]
            )

    name = f"govsocial-units-{filters.state.code if filters.state else 'all'}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        # unit_detail's query, with the staff's follow compliance as subqueries of it (no query of its own)
        unit = (
            units_for(request.user)
            .select_related("state", "district", "department")
            .annotate(**staff_compliance_annotations())
            .get(code=code.upper())
        )
    except Unit.DoesNotExist:
        raise Http404(_("No such unit in your scope.")) from None
    offices = None
    if unit.kind == UnitKind.DISTRICT:
        offices = list(unit_offices(unit).annotate(**staff_compliance_annotations(include_offices=False)))
        for office in offices:
            office.staff_compliance = staff_compliance_of(office)
    return render(
        request,
        "departments/unit_detail.html",
        {
            "unit": unit,
            "accounts": unit_accounts(unit),
            "offices": offices,
            "office_summary": coverage_summary(unit.offices.all()) if offices is not None else None,
            "flags": flags_for_unit(unit),
            "plans": plans_for_unit(unit),
            "campaigns": campaigns_for_unit(unit),
            "notices": notices_for_unit(unit),
            "submissions": submissions_for_unit(request.user, unit),
            "staff_compliance": staff_compliance_of(unit),
        },
    )


def account_page(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(
        accounts_for(request.user).select_related("unit__state", "unit__district", "poll_state"), pk=pk
    )
    return render(
        request,
        "departments/account_detail.html",
        {
            "account": account,
            "series": follower_series(account),
            "latest": latest_snapshot(account),
            "posts": recent_posts(account),
            "activity": activity_summary(account),
            "published": published_to_account(account),
        },
    )


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_admin_role or request.user.is_state_officer):
        raise PermissionDenied(_("Only admins and state PR officers import units and accounts."))
    errors = None
    form = CsvImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = csv_import(data=form.cleaned_data["file"].read(), user=request.user)
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
                _(
                    "Imported %(rows)s %(layout)s rows: %(created)s created, %(updated)s updated, "
                    "%(unchanged)s unchanged."
                )
                % {
                    "rows": result.rows,
                    "layout": result.layout,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("departments:import")
    return render(
        request,
        "departments/import.html",
        {
            "form": form,
            "errors": errors,
            "unit_columns": ",".join(UNIT_COLUMNS),
            "account_columns": ",".join(ACCOUNT_COLUMNS),
        },
    )


def import_template(request: HttpRequest, layout: str) -> HttpResponse:
    """An empty CSV with the right header, to start from."""
    columns = {"units": UNIT_COLUMNS, "accounts": ACCOUNT_COLUMNS}.get(layout)
    if columns is None:
        raise Http404
    response = HttpResponse("\ufeff" + ",".join(columns) + "\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="govsocial-{layout}-template.csv"'
    return response
