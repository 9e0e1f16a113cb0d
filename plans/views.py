from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.csvexport import csv_download
from departments.choices import UnitKind
from departments.selectors import states_for, units_for
from leaderboards.periods import today
from plans.forms import DecideForm, RequireForm, SubmitForm, parse_month, target_formset
from plans.models import ImprovementPlan, PlanStatus, add_months
from plans.selectors import (
    PlanFilters,
    chart_series,
    plan_baseline,
    plan_detail,
    plan_list,
    plan_progress,
)
from plans.services import may_decide, plan_approve, plan_return, plan_submit, plans_require

PAGE_SIZE = 50
DUE_IN_DAYS = 10


def _plan(request: HttpRequest, pk: int) -> ImprovementPlan:
    try:
        return plan_detail(request.user, pk)
    except ImprovementPlan.DoesNotExist:
        raise Http404(_("No such plan in your scope.")) from None


# ---- the list ---------------------------------------------------------------------


def plan_index(request: HttpRequest) -> HttpResponse:
    states = states_for(request.user)
    state = get_object_or_404(states, code=request.GET["state"]) if request.GET.get("state") else None
    status = request.GET.get("status", "")
    if status not in PlanStatus.values:
        status = ""
    month = None
    if request.GET.get("month"):
        month = parse_month(request.GET["month"])
        if month is None:
            messages.error(
                request, _("“%(value)s” is not a month in the form YYYY-MM.") % {"value": request.GET["month"]}
            )
    filters = PlanFilters(state=state, status=status, month=month, q=request.GET.get("q", "").strip())
    plans = plan_list(request.user, filters)
    if request.GET.get("format") == "csv":
        return _plans_csv(plans)
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/plan_list.html",
        {
            "page": page,
            "filters": filters,
            "states": states,
            "statuses": PlanStatus.choices,
            "query": request.GET.copy(),
            "can_require": request.user.is_admin_role,
        },
    )


def _plans_csv(plans) -> HttpResponse:
    response, writer = csv_download("govsocial-plans.csv")
    header = ["state", "unit", "unit_name_en", "unit_name_hi", "status", "first_month", "due_date", "reason"]
    header += ["requested_at", "submitted_at", "decided_at"]
    for number in range(1, 4):
        header += [f"month{number}", f"month{number}_followers", f"month{number}_posts", f"month{number}_lives"]
    writer.writerow(header)
    for plan in plans.prefetch_related("targets").iterator(chunk_size=500):
        row = [
            plan.unit.state.code,
            plan.unit.code,
            plan.unit.name_en,
            plan.unit.name_hi,
            plan.status,
            f"{plan.first_month:%Y-%m}",
            plan.due_date.isoformat(),
            plan.reason,
        ]
        row += [value.isoformat() if value else "" for value in (plan.requested_at, plan.submitted_at, plan.decided_at)]
        targets = {target.month: target for target in plan.targets.all()}
        for month in plan.months:
            target = targets.get(month)
            row += [f"{month:%Y-%m}"]
            row += [target.followers_target, target.posts_target, target.lives_target] if target else ["", "", ""]
        writer.writerow(row)
    return response


# ---- requiring plans ---------------------------------------------------------------


def plan_require(request: HttpRequest) -> HttpResponse:
    """An admin requires plans from units of one state: chosen from its districts and departments, or prefilled.

    ``?units=CODE,CODE`` preselects units (e.g. those that failed a rule) and picks their state.
    """
    if not request.user.is_admin_role:
        raise PermissionDenied(_("Only admins require improvement plans."))
    states = states_for(request.user)
    codes = [code.strip().upper() for code in request.GET.get("units", "").split(",") if code.strip()]
    prefilled = list(units_for(request.user).filter(code__in=codes).select_related("state"))
    code = request.POST.get("state") or request.GET.get("state")
    if code:
        state = get_object_or_404(states, code=code)
    elif prefilled:
        state = prefilled[0].state
    else:
        state = states.order_by("name_en").first()
        if state is None:
            raise Http404(_("No state is set up yet."))
    choices = (
        units_for(request.user)
        .filter(state=state, is_active=True)
        .filter(
            Q(kind__in=[UnitKind.DISTRICT, UnitKind.STATE_DEPARTMENT, UnitKind.STATE_UNDERTAKING]) | Q(code__in=codes)
        )
        .order_by("kind", "name_en")
    )
    next_month = add_months(today().replace(day=1), 1)
    form = RequireForm(
        request.POST or None,
        units=choices,
        initial={
            "units": [unit.pk for unit in prefilled if unit.state_id == state.pk],
            "first_month": next_month,
            "due_date": today() + timedelta(days=DUE_IN_DAYS),
            "reason": request.GET.get("reason", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = plans_require(
                units=form.cleaned_data["units"],
                first_month=form.cleaned_data["first_month"],
                due_date=form.cleaned_data["due_date"],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if outcome.created:
                count = len(outcome.created)
                messages.success(
                    request,
                    ngettext("A plan was required from %(n)d unit.", "A plan was required from %(n)d units.", count)
                    % {"n": count},
                )
            if outcome.skipped:
                messages.warning(
                    request,
                    _("Skipped, as they already have an open plan from that month: %(units)s.")
                    % {"units": ", ".join(unit.name for unit in outcome.skipped)},
                )
            query = urlencode({"state": state.code, "month": f"{form.cleaned_data['first_month']:%Y-%m}"})
            return redirect(f"{reverse('plans:list')}?{query}")
    return render(
        request,
        "plans/plan_require.html",
        {"form": form, "state": state, "states": states, "units_param": ",".join(codes)},
    )


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# ---- one plan ------------------------------------------------------------------------


def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return _render_plan(request, plan)


def _render_plan(request, plan, *, formset=None, submit_form=None, decide_form=None, status=200) -> HttpResponse:
    # The plan was found within the user's scope, which is exactly who may submit it (plan_submit checks again).
    can_submit = plan.awaits_unit
    can_decide = plan.status == PlanStatus.SUBMITTED and may_decide(request.user, plan)
    if can_submit:
        formset = formset or target_formset(plan)
        submit_form = submit_form or SubmitForm(initial={"summary": plan.summary})
    if can_decide:
        decide_form = decide_form or DecideForm()
    progress = plan_progress(plan) if plan.targets.all() else None
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "targets": plan.targets.all(),
            "progress": progress,
            "chart": chart_series(progress) if progress and any(row.timing != "future" for row in progress) else None,
            "baseline": plan_baseline(plan),
            "events": plan.events.select_related("by"),
            "can_submit": can_submit,
            "can_decide": can_decide,
            "own_submission": plan.submitted_by_id == request.user.pk,
            "formset": formset,
            "submit_form": submit_form,
            "decide_form": decide_form,
        },
        status=status,
    )


@require_POST
def plan_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)  # outside the user's scope: 404
    formset = target_formset(plan, request.POST)
    submit_form = SubmitForm(request.POST)
    if formset.is_valid() and submit_form.is_valid():
        try:
            plan_submit(
                plan=plan, user=request.user, targets=formset.targets, summary=submit_form.cleaned_data["summary"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The plan was submitted for approval."))
            return redirect(plan)
    return _render_plan(request, plan, formset=formset, submit_form=submit_form)


@require_POST
def plan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not may_decide(request.user, plan):
        raise PermissionDenied(_("Only admins and the state's PR officers decide on a plan."))
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == DecideForm.APPROVE
        service = plan_approve if approve else plan_return
        try:
            service(plan=plan, user=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The plan was approved.") if approve else _("The plan was sent back to the unit.")
            )
        return redirect(plan)
    return _render_plan(request, plan, decide_form=form)
