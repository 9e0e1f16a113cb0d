"""Campaign pages: the list, the draft form, the campaign with its burn-up and leaderboard, a unit within it,
and the report (printable, PDF, CSV). Views are thin: scope → form → service → redirect or render."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.forms import CampaignForm, CloseForm, target_formset
from campaigns.models import Campaign, CampaignStatus, TargetMetric, TargetPlatform
from campaigns.report import ReportRenderError, report_filename, report_pdf
from campaigns.selectors import (
    STATUS_LABELS,
    CampaignFilters,
    baselines,
    burnup_series,
    campaign_detail,
    campaign_list,
    campaign_progress,
    may_create,
    may_manage,
    report_rows,
    report_summary,
)
from campaigns.services import campaign_close, campaign_create, campaign_start, campaign_update
from core.csvexport import csv_download
from departments.models import State
from departments.selectors import states_for

logger = logging.getLogger(__name__)
PAGE_SIZE = 25
BOARD_PAGE_SIZE = 50


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    try:
        return campaign_detail(request.user, pk)
    except Campaign.DoesNotExist:
        raise Http404(_("No such campaign in your scope.")) from None


def _managed(request: HttpRequest, pk: int) -> Campaign:
    """The campaign for someone who may run it: 404 outside the user's scope, 403 for a district official."""
    campaign = _campaign(request, pk)
    if not may_manage(request.user, campaign):
        raise PermissionDenied(_("Only admins and the state's PR officers run campaigns."))
    return campaign


# ---- the list -----------------------------------------------------------------------------------


def campaign_index(request: HttpRequest) -> HttpResponse:
    states = states_for(request.user)
    state = get_object_or_404(states, code=request.GET["state"]) if request.GET.get("state") else None
    status = request.GET.get("status", "")
    if status not in CampaignStatus.values:
        status = ""
    filters = CampaignFilters(state=state, status=status, q=request.GET.get("q", "").strip())
    page = Paginator(campaign_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "page": page,
            "filters": filters,
            "states": states,
            "statuses": CampaignStatus.choices,
            "can_create": may_create(request.user),
            "filtered": bool(state or status or filters.q),
        },
    )


# ---- drafting -------------------------------------------------------------------------------------


def _form_state(request: HttpRequest) -> State:
    if not may_create(request.user):
        raise PermissionDenied(_("Only admins and the state's PR officers run campaigns."))
    states = states_for(request.user)
    code = request.POST.get("state") or request.GET.get("state")
    if code:
        return get_object_or_404(states, code=code)
    state = states.order_by("name_en").first()
    if state is None:
        raise Http404(_("No state is set up yet."))
    return state


def _add_errors(form, formset, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        if name == "targets":
            formset._non_form_errors = formset.error_class(
                [*formset.non_form_errors(), *(message for e in errors for message in e.messages)]
            )
        else:
            form.add_error(name if name in form.fields else None, errors)


def _save(request: HttpRequest, *, state: State, campaign: Campaign | None) -> HttpResponse:
    initial, target_initial = CampaignForm.defaults(), None
    if campaign is not None:
        initial = {
            "name_en": campaign.name_en,
            "name_hi": campaign.name_hi,
            "description": campaign.description,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "scope": campaign.scope,
            "district": campaign.district_id,
            "units": list(campaign.units.values_list("unit_id", flat=True)),
        }
        target_initial = [
            {
                "metric": target.metric,
                "platform": target.platform,
                "value": target.value,
                "live_minimum_minutes": target.live_minimum_minutes,
                "unit": target.unit_id,
            }
            for target in campaign.targets.order_by("pk")
        ]
    form = CampaignForm(request.POST or None, state=state, initial=initial)
    formset = target_formset(units=form.fields["units"].queryset, data=request.POST or None, initial=target_initial)
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            data = form.cleaned_data
            fields = {
                "name_en": data["name_en"],
                "name_hi": data["name_hi"],
                "description": data["description"],
                "starts_on": data["starts_on"],
                "ends_on": data["ends_on"],
                "scope": data["scope"],
                "district": data["district"],
                "units": data["units"],
                "targets": formset.targets,
            }
            try:
                if campaign is None:
                    campaign = campaign_create(user=request.user, state=state, **fields)
                    messages.success(request, _("The campaign was saved as a draft. Start it when it is ready."))
                else:
                    campaign = campaign_update(campaign=campaign, user=request.user, **fields)
                    messages.success(request, _("The campaign was saved."))
            except ValidationError as error:
                _add_errors(form, formset, error)
            else:
                return redirect(campaign)
    return render(
        request,
        "campaigns/campaign_form.html",
        {
            "form": form,
            "formset": formset,
            "state": state,
            "states": states_for(request.user),
            "campaign": campaign,
        },
        status=400 if request.method == "POST" else 200,
    )


def campaign_new(request: HttpRequest) -> HttpResponse:
    return _save(request, state=_form_state(request), campaign=None)


def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    if not campaign.is_editable:
        messages.error(request, _("A campaign that has been started cannot be changed."))
        return redirect(campaign)
    return _save(request, state=campaign.state, campaign=campaign)


# ---- one campaign ----------------------------------------------------------------------------------


def _sorted_rows(rows, sort: str):
    """Sort the leaderboard by rank, name, overall % or one target's %; units without a figure come last."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")

    def name(row):
        return row.unit.name.casefold()

    if key == "name":
        return sorted(rows, key=name, reverse=descending)
    if key == "rank":
        key, descending = "score", not descending

    def value(row):
        return row.score if key == "score" else _column_value(row, key)

    present = [row for row in rows if value(row) is not None]
    missing = [row for row in rows if value(row) is None]
    present.sort(key=lambda row: (-value(row) if descending else value(row), name(row)))
    return present + sorted(missing, key=name)


def _column_value(row, key: str):
    item = row.by_key().get(tuple(key.split(":", 1))) if ":" in key else None
    return item.percent if item is not None else None


def campaign_page(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return _render_campaign(request, campaign)


def _render_campaign(request, campaign, *, close_form=None, status=200) -> HttpResponse:
    can_manage = may_manage(request.user, campaign)
    progress = campaign_progress(campaign)
    columns = [
        {
            "key": f"{metric}:{platform}",
            "metric": metric,
            "platform": platform,
            "label": _column_label(metric, platform),
        }
        for metric, platform in progress.columns
    ]
    q = request.GET.get("q", "").strip()
    sort = request.GET.get("sort") or "rank"
    rows = progress.units
    if q:
        needle = q.casefold()
        rows = [
            row
            for row in rows
            if needle in row.unit.name_en.casefold() or needle in row.unit.name_hi or needle in row.unit.code.casefold()
        ]
    rows = _sorted_rows(rows, sort)
    board = Paginator(rows, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    targets = sorted(progress.targets, key=lambda target: (target.unit_id is not None, target.pk))
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": progress,
            "columns": columns,
            "board": board,
            "sort": sort,
            "q": q,
            "targets": targets,
            "chart": burnup_series(progress) if campaign.has_started and progress.elapsed else None,
            "can_manage": can_manage,
            "can_start": can_manage and campaign.status == CampaignStatus.DRAFT,
            "can_close": can_manage and campaign.status == CampaignStatus.RUNNING,
            "close_form": close_form or CloseForm(),
            "status_labels": STATUS_LABELS,
        },
        status=status,
    )


def _column_label(metric: str, platform: str) -> str:
    return f"{TargetMetric(metric).label} · {TargetPlatform(platform).label}"


@require_POST
def campaign_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    try:
        campaign = campaign_start(campaign=campaign, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if campaign.status == CampaignStatus.RUNNING:
            messages.success(request, _("The campaign is running: its accounts are polled every hour until its end."))
        else:
            messages.success(request, _("The campaign is scheduled: it starts on its first day."))
    return redirect(campaign)


@require_POST
def campaign_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            campaign = campaign_close(campaign=campaign, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect(campaign)
        else:
            messages.success(request, _("The campaign was closed and its report frozen."))
            return redirect(campaign)
    return _render_campaign(request, campaign, close_form=form, status=400)


def campaign_unit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One unit within the campaign: its targets day by day, its accounts and their baselines."""
    campaign = _campaign(request, pk)
    entry = campaign.units.select_related("unit").filter(unit__code=code).first()
    if entry is None:
        raise Http404(_("This unit does not take part in the campaign."))
    progress = campaign_progress(campaign, unit_ids=[entry.unit_id])
    (row,) = progress.units
    charts = []
    for item in row.targets:
        charts.append(
            {
                "id": f"unit-burnup-{item.target.slug}",
                "label": str(item.target.label),
                "days": [day.isoformat() for day in progress.days],
                "achieved": [float(value) if value is not None else None for value in item.daily],
                "expected": [float(value) for value in item.expected],
            }
        )
    return render(
        request,
        "campaigns/campaign_unit.html",
        {
            "campaign": campaign,
            "progress": progress,
            "row": row,
            "charts": charts if campaign.has_started and progress.elapsed else None,
        },
    )


# ---- the report -------------------------------------------------------------------------------------


def _report_context(campaign: Campaign) -> dict:
    rows = report_rows(campaign)
    return {
        "campaign": campaign,
        "rows": rows,
        "summary": report_summary(rows),
        "baselines": baselines(campaign),
        "frozen": campaign.status == CampaignStatus.CLOSED,
        "status_labels": STATUS_LABELS,
    }


def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not campaign.has_started:
        raise Http404(_("A campaign has a report once it has started."))
    if request.GET.get("format") == "csv":
        return _report_csv(campaign)
    return render(request, "campaigns/campaign_report.html", _report_context(campaign))


def campaign_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not campaign.has_started:
        raise Http404(_("A campaign has a report once it has started."))
    try:
        pdf = report_pdf(_report_context(campaign))
    except (OSError, ReportRenderError):  # WeasyPrint could not load Pango: say so, and offer the printable page
        logger.exception("The PDF report of campaign %s could not be made", campaign.pk)
        message = _(
            "The PDF cannot be made on this server: its PDF library needs Pango (apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0). The printable report works, and the browser can save it as PDF."
        )
        return render(
            request,
            "campaigns/report_unavailable.html",
            {"campaign": campaign, "message": message, "report_url": reverse("campaigns:report", kwargs={"pk": pk})},
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, report_filename(campaign))
    return response


def _report_csv(campaign: Campaign) -> HttpResponse:
    response, writer = csv_download(f"govsocial-campaign-{campaign.pk}.csv")
    writer.writerow(
        [
            "campaign",
            "starts_on",
            "ends_on",
            "status",
            "unit",
            "unit_name_en",
            "unit_name_hi",
            "metric",
            "platform",
            "live_minimum_minutes",
            "target",
            "before",
            "after",
            "achieved",
            "percent_of_target",
            "result",
        ]
    )
    for row in report_rows(campaign):
        writer.writerow(
            [
                campaign.name_en,
                campaign.starts_on.isoformat(),
                campaign.ends_on.isoformat(),
                campaign.status,
                row.unit.code,
                row.unit.name_en,
                row.unit.name_hi,
                row.metric,
                row.platform,
                row.live_minimum_minutes or "",
                _number(row.target),
                "" if row.before is None else row.before,
                "" if row.after is None else row.after,
                _number(row.achieved),
                _number(row.percent),
                row.status,
            ]
        )
    return response


def _number(value) -> str:
    if value is None:
        return ""
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
