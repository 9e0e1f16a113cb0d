"""Leaderboards of districts, departments and offices; a drill-down per unit; score weights; the quarterly review.

Every unit shown comes through the user's scope (``units_for``): a state or district outside it answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.models import CampaignStatus
from campaigns.selectors import campaigns_for
from departments.choices import Platform, UnitKind
from departments.models import State, Unit
from departments.selectors import states_for, unit_detail, units_for
from leaderboards import exports
from leaderboards.forms import (
    BoardFilterForm,
    ScoreWeightsForm,
    parse_quarter,
    quarter_code,
    recent_quarters,
)
from leaderboards.models import SCORE_METRICS, ScoreWeights
from leaderboards.periods import PERIOD_CHOICES, Period, PeriodError, parse_period, today
from leaderboards.selectors import (
    COLUMNS,
    LEVELS,
    STAFF_COLUMN,
    Cohort,
    Leaderboard,
    UnitFigures,
    attach_staff_compliance,
    counts_towards,
    leaderboard,
    period_posts,
    sort_rows,
    unit_daily_followers,
    unit_figures,
)
from leaderboards.services import weights_set

PAGE_SIZE = 50
CHART_UNITS = 10  # the chart shows the top ten and the bottom ten
CAMPAIGN_CHOICES = 50  # the newest started campaigns offered as a period
METRICS = {key for key, _label in COLUMNS}


@dataclass(frozen=True)
class BoardFilters:
    level: str
    state: State | None
    district: Unit | None
    kind: str
    platform: str
    q: str
    sort: str  # a key of SORT_KEYS, "-" first for descending


# ---- access helpers: the object asked for, or 404 outside the user's scope ----------------------------


def _state_in_scope(request: HttpRequest, code: str) -> tuple[State | None, list[State]]:
    """The state asked for (default: the user's own, or the first for an admin) among those the user may see."""
    states = list(states_for(request.user))
    if code:
        state = next((s for s in states if s.code == code.upper()), None)
        if state is None:
            raise Http404(_("No such state in your scope."))
        return state, states
    own = next((s for s in states if s.pk == request.user.state_id), None)
    return own or (states[0] if states else None), states


def _board_filters(request: HttpRequest) -> tuple[BoardFilters, list[State], list[Unit]]:
    form = BoardFilterForm(request.GET)
    form.is_valid()  # an invalid value falls back to its default
    data = form.cleaned_data
    user = request.user
    state, states = _state_in_scope(request, data.get("state") or "")
    level = data.get("level") or ("offices" if user.is_district_official else "districts")
    districts = list(units_for(user).filter(state=state, kind=UnitKind.DISTRICT).order_by("name_en")) if state else []
    district = None
    if data.get("district"):
        district = next((d for d in districts if d.code == data["district"].upper()), None)
        if district is None:
            raise Http404(_("No such district in your scope."))
    elif user.is_district_official and districts:
        district = districts[0]  # their own: the only one in their scope
    filters = BoardFilters(
        level=level,
        state=state,
        district=district if level == "offices" else None,
        kind=(data.get("kind") or UnitKind.DISTRICT) if level == "kind" else "",
        platform=data.get("platform") or "",
        q=(data.get("q") or "").strip(),
        sort=data.get("sort") or "rank",
    )
    return filters, states, districts


def _heading(filters: BoardFilters) -> str:
    state = filters.state.name if filters.state else ""
    if filters.level == "departments":
        return _("State departments and undertakings of %(state)s") % {"state": state}
    if filters.level == "offices":
        if filters.district is not None:
            return _("Offices in %(district)s district") % {"district": filters.district.name}
        return _("District offices of %(state)s") % {"state": state}
    if filters.level == "kind":
        return _("Units of the kind “%(kind)s” in %(state)s") % {
            "kind": UnitKind(filters.kind).label,
            "state": state,
        }
    return _("Districts of %(state)s") % {"state": state}


# ---- shared pieces of the pages --------------------------------------------------------------------


def _period_params(period: Period) -> dict[str, str]:
    """Query parameters that select the period, as a month where it is one (for its label)."""
    if period.kind == "month":
        return {"period": "month", "month": period.start.strftime("%Y-%m")}
    return period.as_params()


def _cell_query(period: Period, platform: str) -> str:
    query = QueryDict(mutable=True)
    query.update(_period_params(period))
    if platform:
        query["platform"] = platform
    return query.urlencode()


def _weights_summary(weights: ScoreWeights) -> list[tuple[str, int]]:
    return [(ScoreWeights._meta.get_field(metric).verbose_name, getattr(weights, metric)) for metric in SCORE_METRICS]


def _search(rows: list[UnitFigures], q: str) -> list[UnitFigures]:
    """Units whose English or Hindi name or code contains ``q``; ranks stay those of the whole board."""
    if not q:
        return rows
    needle = q.casefold()
    return [
        row
        for row in rows
        if any(needle in text.casefold() for text in (row.unit.name_en, row.unit.name_hi, row.unit.code))
    ]


def _sorted(rows: list[UnitFigures], sort: str) -> list[UnitFigures]:
    return sort_rows(rows, sort.removeprefix("-"), descending=sort.startswith("-"))


def _without(query: QueryDict, *keys: str) -> str:
    query = query.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


def _chart(board: Leaderboard) -> list[dict]:
    """The top ten and the bottom ten ranked units by score (all of them when there are twenty or fewer)."""
    ranked = sorted(board.ranked, key=lambda row: (row.rank, row.unit.name_en.casefold()))
    top, rest = ranked[:CHART_UNITS], ranked[CHART_UNITS:]
    bottom = rest[-CHART_UNITS:]
    return [
        {"label": row.unit.name, "value": float(row.score), "rank": row.rank, "group": group}
        for group, rows in (("top", top), ("bottom", bottom))
        for row in rows
    ]


def _export(request: HttpRequest, board: Leaderboard, rows, *, heading: str, filename: str) -> HttpResponse | None:
    fmt = request.GET.get("format")
    if fmt == "csv":
        return exports.csv_response(board, rows, heading=heading, filename=filename)
    if fmt == "xlsx":
        return exports.xlsx_response(board, rows, heading=heading, filename=filename)
    return None


def _campaign_choices(request: HttpRequest, state: State | None) -> tuple[list, dict]:
    """The started campaigns of the state the user may see, for the period picker, and their dates by id."""
    if state is None:
        return [], {}
    campaigns = list(
        campaigns_for(request.user)
        .filter(state=state, status__in=[CampaignStatus.RUNNING, CampaignStatus.CLOSED])
        .order_by("-starts_on", "-pk")[:CAMPAIGN_CHOICES]
    )
    return campaigns, {str(campaign.pk): (campaign.starts_on, campaign.ends_on) for campaign in campaigns}


def _chosen(campaigns: list, period: Period):
    return next((campaign for campaign in campaigns if str(campaign.pk) == period.campaign), None)


# ---- pages --------------------------------------------------------------------------------------------


def board(request: HttpRequest) -> HttpResponse:
    filters, states, districts = _board_filters(request)
    query = request.GET.copy()
    for key in ("page", "format"):
        query.pop(key, None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    context = {
        "filters": filters,
        "states": states,
        "districts": districts,
        "heading": _heading(filters) if filters.state else "",
        "levels": LEVELS,
        "kinds": UnitKind.choices,
        "platforms": Platform.choices,
        "columns": COLUMNS,
        "staff_column": STAFF_COLUMN,
        "period_choices": PERIOD_CHOICES,
        "period_param": request.GET.get("period") or "month",
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
    }
    if filters.state is None:
        return render(request, "leaderboards/board.html", context)
    context["campaigns"], campaign_dates = _campaign_choices(request, filters.state)
    try:
        period = parse_period(request.GET, campaigns=campaign_dates)
    except PeriodError as exc:
        context["period_error"] = str(exc)
        return render(request, "leaderboards/board.html", context, status=400)
    cohort = Cohort.for_level(filters.level, state=filters.state, district=filters.district, kind=filters.kind)
    result = leaderboard(cohort, period, units=units_for(request.user), platform=filters.platform)
    attach_staff_compliance(result)
    rows = _sorted(_search(result.rows, filters.q), filters.sort)
    filename = f"leaderboard-{filters.state.code}-{filters.level}-{period.start}-{period.end}"
    export = _export(request, result, rows, heading=context["heading"], filename=filename)
    if export is not None:
        return export
    context.update(
        {
            "period": period,
            "period_campaign": _chosen(context["campaigns"], period),
            "board": result,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "weights_summary": _weights_summary(result.weights),
            "chart": _chart(result),
            "cell_query": _cell_query(period, filters.platform),
            "unit_count": len(result.rows),
            "platform_label": dict(Platform.choices).get(filters.platform, ""),
            "search_cleared": _without(query, "q"),
        }
    )
    return render(request, "leaderboards/board.html", context)


def _board_url(unit: Unit, period: Period, platform: str) -> str:
    """The leaderboard the unit appears on, for the same period and platform."""
    query = QueryDict(mutable=True)
    query["state"] = unit.state.code
    if unit.kind == UnitKind.DISTRICT:
        query["level"] = "districts"
    elif unit.kind == UnitKind.DISTRICT_OFFICE:
        query.update({"level": "offices", "district": unit.district.code})
    else:
        query["level"] = "departments"
    query.update(_period_params(period))
    if platform:
        query["platform"] = platform
    return f"{reverse('leaderboards:board')}?{query.urlencode()}"


def cell(request: HttpRequest, code: str) -> HttpResponse:
    """One unit's figures for a period, account by account, with the snapshots and posts behind them."""
    try:
        unit = unit_detail(request.user, code.upper())
    except Unit.DoesNotExist:
        raise Http404(_("No such unit in your scope.")) from None
    form = BoardFilterForm(request.GET)
    form.is_valid()
    platform = form.cleaned_data.get("platform") or ""
    metric = request.GET.get("metric") if request.GET.get("metric") in METRICS else ""
    context = {
        "unit": unit,
        "platform": platform,
        "platform_label": dict(Platform.choices).get(platform, ""),
        "platforms": Platform.choices,
        "metric": metric,
        "metric_label": dict(COLUMNS).get(metric, ""),
        "period_choices": PERIOD_CHOICES,
        "period_param": request.GET.get("period") or "month",
        "board_url": reverse("leaderboards:board"),
    }
    context["campaigns"], campaign_dates = _campaign_choices(request, unit.state)
    try:
        period = parse_period(request.GET, campaigns=campaign_dates)
    except PeriodError as exc:
        context["period_error"] = str(exc)
        return render(request, "leaderboards/cell.html", context, status=400)
    context.update(
        {
            "period": period,
            "period_campaign": _chosen(context["campaigns"], period),
            "board_url": _board_url(unit, period, platform),
        }
    )
    if period.is_future():
        return render(request, "leaderboards/cell.html", context)
    [figures] = unit_figures([unit], period, platform=platform)
    polled = [item.account_id for item in figures.accounts if item.polled]
    labels = dict(Platform.choices)
    handles = {item.account_id: f"{labels[item.platform]} {item.handle}" for item in figures.accounts}
    page = Paginator(period_posts(polled, period), PAGE_SIZE).get_page(request.GET.get("page"))
    for post in page:
        post.account_label = handles[post.account_id]
        post.highlighted = counts_towards(post, metric)
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        {
            "figures": figures,
            "cards": [
                {"key": key, "label": label, "value": figures.value(key)} for key, label in COLUMNS if key != "score"
            ],
            "accounts": [{"figures": item, "platform": labels[item.platform]} for item in figures.accounts],
            "page": page,
            "trend": unit_daily_followers(polled, period),
            "query": query.urlencode(),
        }
    )
    return render(request, "leaderboards/cell.html", context)


@require_http_methods(["GET", "POST"])
def weights(request: HttpRequest) -> HttpResponse:
    """The history of the score weights; admins add new ones (a new row, never an edit)."""
    may_set = request.user.is_admin_role
    history = ScoreWeights.objects.select_related("created_by")
    form = None
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied(_("Only admins set the score weights."))
        form = ScoreWeightsForm(request.POST)
        if form.is_valid():
            try:
                new = weights_set(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Score weights #%(id)s are now in force.") % {"id": new.pk})
                return redirect("leaderboards:weights")
    elif may_set:
        current = history.first()
        form = ScoreWeightsForm(initial=current.as_dict() if current else None)
    page = Paginator(history, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "leaderboards/weights.html",
        {"form": form, "page": page, "metrics": [ScoreWeights._meta.get_field(m) for m in SCORE_METRICS]},
    )


def quarterly(request: HttpRequest) -> HttpResponse:
    """The quarterly review: state departments and undertakings ranked by activity score, the top three honoured."""
    state, states = _state_in_scope(request, request.GET.get("state", ""))
    quarters = recent_quarters(today())
    quarter_param = (request.GET.get("quarter") or quarter_code(quarters[0])).strip().upper()
    context = {
        "state": state,
        "states": states,
        "quarters": [(quarter_code(q), q.label) for q in quarters],
        "quarter_param": quarter_param,
        "quarter_listed": any(quarter_code(q) == quarter_param for q in quarters),
        "query": _without(request.GET, "format", "print"),
        "columns": COLUMNS,
    }
    try:
        period = parse_quarter(quarter_param)
    except PeriodError as exc:
        context["period_error"] = str(exc)
        return render(request, "leaderboards/quarterly.html", context, status=400)
    context["period"] = period
    if state is None:
        return render(request, "leaderboards/quarterly.html", context)
    cohort = Cohort.for_level("departments", state=state)
    result = leaderboard(cohort, period, units=units_for(request.user))
    rows = sort_rows(result.rows, "rank", descending=False)
    heading = _("Quarterly review of state departments and undertakings, %(state)s") % {"state": state.name}
    export = _export(
        request, result, rows, heading=heading, filename=f"quarterly-review-{state.code}-{quarter_code(period)}"
    )
    if export is not None:
        return export
    context.update(
        {
            "board": result,
            "rows": rows,
            "heading": heading,
            "honoured": [row for row in rows if row.rank is not None and row.rank <= 3],
            "weights_summary": _weights_summary(result.weights),
            "cell_query": _cell_query(period, ""),
            "generated_on": today(),
        }
    )
    template = "leaderboards/quarterly_print.html" if request.GET.get("print") else "leaderboards/quarterly.html"
    return render(request, template, context)
