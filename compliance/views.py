from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from compliance.forms import EvaluateForm, FlagStatusForm, MandateForm, RuleForm
from compliance.mandates import (
    MandateFilters,
    coverage_of_mandates,
    mandate_coverage,
    mandate_list,
    mandates_for,
)
from compliance.models import Flag, FlagStatus, Mandate, Rule, RuleMetric
from compliance.rules import FAIL, RuleSpec, rule_results
from compliance.selectors import (
    FlagFilters,
    evaluation_for,
    flag_list,
    flags_for,
    matching_live_rule,
    rules_for,
)
from compliance.services import (
    EvaluationError,
    flag_allowed_statuses,
    flag_set_status,
    mandate_create,
    revision_for,
    rule_evaluate,
    rule_save,
)
from core.csvexport import csv_download
from departments.choices import Platform
from departments.models import State
from departments.selectors import states_for, units_for
from leaderboards.periods import Period, PeriodError, month_of, period_for, today

MONTHS_BACK = 12


def _state(request: HttpRequest) -> State:
    """The state a page is about: ?state=CODE within the user's states, else their own (or the first)."""
    states = states_for(request.user)
    code = request.GET.get("state", "")
    if code:
        return get_object_or_404(states, code=code)
    if request.user.state_id:
        return get_object_or_404(states, pk=request.user.state_id)
    state = states.order_by("name_en").first()
    if state is None:
        raise Http404(_("No state is set up yet."))
    return state


def _officer_required(request: HttpRequest) -> None:
    if not (request.user.is_admin_role or request.user.is_state_officer):
        raise PermissionDenied(_("Only admins and state PR officers can do this."))


def _admin_required(request: HttpRequest) -> None:
    if not request.user.is_admin_role:
        raise PermissionDenied(_("Only admins define compliance rules."))


def _visible(results, user) -> list:
    """The rows of a table the user may see: a district official sees their own district's."""
    if not user.is_district_official:
        return results.results
    allowed = set(units_for(user).values_list("pk", flat=True))
    return [result for result in results.results if result.unit.pk in allowed]


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response, writer = csv_download(filename)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _results_csv(filename: str, spec: RuleSpec, period: Period, rows) -> HttpResponse:
    return _csv_response(
        filename,
        ["rank", "code", "name_en", "name_hi", "value", "status", "reason", "rule", "period_start", "period_end"],
        (
            [
                result.rank or "",
                result.unit.code,
                result.unit.name_en,
                result.unit.name_hi,
                "" if result.value is None else f"{result.value.normalize():f}",
                result.status,
                result.reason,
                spec.text("en"),
                period.start.isoformat(),
                period.end.isoformat(),
            ]
            for result in rows
        ),
    )


def _sorted(rows: list, sort: str) -> list:
    if sort.lstrip("-") == "name":
        rows = sorted(rows, key=lambda result: result.unit.name.casefold())
    elif sort.lstrip("-") == "value":
        valued = sorted((r for r in rows if r.value is not None), key=lambda r: (r.value, r.unit.name_en.casefold()))
        rows = valued + [r for r in rows if r.value is None]
        if not sort.startswith("-"):
            return rows
        return list(reversed(valued)) + [r for r in rows if r.value is None]
    if sort.startswith("-"):
        return list(reversed(rows))
    return rows


# ---- Bihar's monthly Facebook Live table -------------------------------------


def monthly_lives(request: HttpRequest) -> HttpResponse:
    """For a state and a month: each district's qualifying Facebook Lives, pass or fail, and who failed."""
    state = _state(request)
    errors = []
    try:
        month = month_of(date.fromisoformat(request.GET["month"] + "-01")) if request.GET.get("month") else None
    except ValueError:
        month = None
        errors.append(_("“%(value)s” is not a month in the form YYYY-MM.") % {"value": request.GET["month"]})
    month = month or month_of(today().replace(day=1) - timedelta(days=1))
    minutes = _int_param(request, "minutes", 30, errors, low=1, high=600)
    threshold = _int_param(request, "threshold", 1, errors, low=0, high=1000)
    platform = request.GET.get("platform") or Platform.FACEBOOK
    if platform not in Platform.values:
        raise Http404
    spec = RuleSpec(
        state=state.code,
        level="districts",
        metric=RuleMetric.LIVES,
        comparison="gte",
        threshold=threshold,
        period="monthly",
        platform=platform,
        min_duration_minutes=minutes,
    )
    future = month.is_future()
    results = rule_results(spec, month)
    rows = _sorted(_visible(results, request.user), request.GET.get("sort", ""))
    if request.GET.get("format") == "csv":
        return _results_csv(f"govsocial-{state.code}-lives-{month.start:%Y-%m}.csv", spec, month, rows)
    rule = matching_live_rule(state, platform=platform, minutes=minutes)
    evaluation = evaluation_for(rule, month.start) if rule else None
    return render(
        request,
        "compliance/monthly_lives.html",
        {
            "state": state,
            "states": states_for(request.user),
            "month": month,
            "minutes": minutes,
            "threshold": threshold,
            "platform": platform,
            "platforms": Platform.choices,
            "spec": spec,
            "results": results,
            "rows": rows,
            "failed": [row for row in rows if row.status == FAIL],
            "future": future,
            "running": not future and not month.has_ended(),
            "rule": rule,
            "evaluation": evaluation,
            "errors": errors,
            "sort": request.GET.get("sort", ""),
            "base_query": urlencode(
                {"state": state.code, "month": f"{month.start:%Y-%m}", "minutes": minutes, "threshold": threshold}
                | {"platform": platform}
            ),
            "can_judge": request.user.is_admin_role or request.user.is_state_officer,
        },
    )


def _int_param(request, name: str, default: int, errors: list, *, low: int, high: int) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        errors.append(
            _("%(name)s must be a whole number from %(low)d to %(high)d.") % {"name": name, "low": low, "high": high}
        )
        return default
    return value


# ---- rules ---------------------------------------------------------------------


def rule_list(request: HttpRequest) -> HttpResponse:
    rules = rules_for(request.user).order_by("state__name_en", "-is_active", "name_en")
    return render(request, "compliance/rule_list.html", {"rules": rules})


def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _admin_required(request)
    rule = get_object_or_404(rules_for(request.user), pk=pk) if pk else Rule()
    if rule.is_one_off:
        mandate = Mandate.objects.filter(rule=rule).first()
        messages.info(request, _("This rule enforces an account mandate: it is set by the mandate, not edited alone."))
        return redirect(mandate or rule)
    form = RuleForm(request.POST or None, instance=rule, states=states_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            rule = rule_save(rule=form.save(commit=False), user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Rule saved: %(text)s") % {"text": RuleSpec.from_rule(rule).text()})
            return redirect(rule)
    return render(request, "compliance/rule_form.html", {"form": form, "rule": rule})


def _ended_periods(rule: Rule, count: int = MONTHS_BACK) -> list[Period]:
    if rule.is_one_off:
        period = rule.period_containing(rule.deadline)
        return [period] if period.has_ended() else []
    periods, day = [], today()
    current = period_for(rule.period, day)
    for _i in range(count):
        current = period_for(rule.period, current.start - timedelta(days=1))
        periods.append(current)
    return periods


def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(rules_for(request.user), pk=pk)
    form = EvaluateForm(request.POST or None, periods=_ended_periods(rule))
    if request.method == "POST":
        _officer_required(request)
        if form.is_valid():
            try:
                outcome = rule_evaluate(rule=rule, period=form.period, user=request.user)
            except EvaluationError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("%(period)s judged: %(failed)d failed, %(raised)d new flags raised.")
                    % {
                        "period": form.period.label,
                        "failed": outcome.evaluation.failed,
                        "raised": outcome.flags_raised,
                    },
                )
                report = reverse("compliance:rule_report", kwargs={"pk": rule.pk})
                return redirect(f"{report}?start={form.period.start.isoformat()}")
    return render(
        request,
        "compliance/rule_detail.html",
        {
            "rule": rule,
            "spec": RuleSpec.from_rule(rule),
            "revisions": rule.revisions.select_related("created_by"),
            "evaluations": rule.evaluations.select_related("revision", "evaluated_by")[:24],
            "form": form,
            "current": rule.period_containing(today()),
            "mandate": Mandate.objects.filter(rule=rule).first() if rule.is_one_off else None,
        },
    )


def rule_report(request: HttpRequest, pk: int) -> HttpResponse:
    """One rule for one period: each unit's figure, pass or fail, by the version of the rule in force."""
    rule = get_object_or_404(rules_for(request.user), pk=pk)
    try:
        start = date.fromisoformat(request.GET.get("start", "")) if request.GET.get("start") else today()
    except ValueError:
        raise Http404 from None
    try:
        period = rule.period_containing(start)
    except PeriodError:
        raise Http404 from None
    revision = revision_for(rule, period)
    spec = RuleSpec.from_definition(revision.definition)
    results = rule_results(spec, period)
    rows = _sorted(_visible(results, request.user), request.GET.get("sort", ""))
    if request.GET.get("format") == "csv":
        return _results_csv(f"govsocial-rule-{rule.pk}-{period.start.isoformat()}.csv", spec, period, rows)
    flags = {flag.unit_id: flag for flag in Flag.objects.filter(rule=rule, period_start=period.start)}
    return render(
        request,
        "compliance/rule_report.html",
        {
            "rule": rule,
            "spec": spec,
            "revision": revision,
            "period": period,
            "previous": None if rule.is_one_off else rule.period_containing(period.start - timedelta(days=1)),
            "next": None if rule.is_one_off else rule.period_containing(period.end + timedelta(days=1)),
            "results": results,
            "rows": [(row, flags.get(row.unit.pk)) for row in rows],
            "evaluation": evaluation_for(rule, period.start),
            "future": period.is_future(),
            "running": not period.is_future() and not period.has_ended(),
            "sort": request.GET.get("sort", ""),
            "base_query": urlencode({"start": period.start.isoformat()}),
        },
    )


# ---- flags ---------------------------------------------------------------------


def flag_index(request: HttpRequest) -> HttpResponse:
    states = states_for(request.user)
    state = get_object_or_404(states, code=request.GET["state"]) if request.GET.get("state") else None
    status = request.GET.get("status", "")
    if status not in FlagStatus.values:
        status = ""
    rule = None
    if request.GET.get("rule", "").isdigit():
        rule = rules_for(request.user).filter(pk=request.GET["rule"]).first()
    month = None
    if request.GET.get("month"):
        try:
            month = date.fromisoformat(request.GET["month"] + "-01")
        except ValueError:
            messages.error(
                request, _("“%(value)s” is not a month in the form YYYY-MM.") % {"value": request.GET["month"]}
            )
    filters = FlagFilters(state=state, status=status, rule=rule, month=month, q=request.GET.get("q", "").strip())
    flags = flag_list(request.user, filters)
    if request.GET.get("format") == "csv":
        return _csv_response(
            "govsocial-flags.csv",
            [
                "state",
                "unit",
                "unit_name_en",
                "rule",
                "period_start",
                "period_end",
                "value",
                "threshold",
                "status",
                "raised_at",
            ],
            (
                [
                    flag.unit.state.code,
                    flag.unit.code,
                    flag.unit.name_en,
                    flag.evidence.get("rule", {}).get("text_en", ""),
                    flag.period_start.isoformat(),
                    flag.period_end.isoformat(),
                    flag.evidence.get("value") or "",
                    flag.evidence.get("threshold", ""),
                    flag.status,
                    flag.raised_at.isoformat(),
                ]
                for flag in flags.iterator(chunk_size=1000)
            ),
        )
    page = Paginator(flags, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "compliance/flag_list.html",
        {
            "page": page,
            "filters": filters,
            "states": states,
            "statuses": FlagStatus.choices,
            "rules": rules_for(request.user),
            "query": request.GET.copy(),
        },
    )


def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(flags_for(request.user), pk=pk)
    allowed = flag_allowed_statuses(flag, request.user)
    form = FlagStatusForm(request.POST or None, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            flag_set_status(
                flag=flag, user=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The flag is now %(status)s.") % {"status": flag.get_status_display()})
            return redirect(flag)
    return render(
        request,
        "compliance/flag_detail.html",
        {"flag": flag, "form": form, "allowed": allowed, "events": flag.events.select_related("by")},
    )


@require_POST
def monthly_lives_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """Raise the flags of a monthly live rule for a month, from the monthly table."""
    _officer_required(request)
    rule = get_object_or_404(rules_for(request.user), pk=pk)
    try:
        period = month_of(date.fromisoformat(request.POST.get("month", "") + "-01"))
        outcome = rule_evaluate(rule=rule, period=period, user=request.user)
    except (ValueError, EvaluationError) as error:
        messages.error(request, str(error) if isinstance(error, EvaluationError) else _("Choose a month."))
        return redirect("compliance:monthly_lives")
    messages.success(
        request,
        _("%(period)s judged: %(failed)d failed, %(raised)d new flags raised.")
        % {"period": period.label, "failed": outcome.evaluation.failed, "raised": outcome.flags_raised},
    )
    query = urlencode(
        {
            "state": rule.state.code,
            "month": f"{period.start:%Y-%m}",
            "minutes": rule.min_duration_minutes,
            "platform": rule.platform,
        }
    )
    return redirect(f"{reverse('compliance:monthly_lives')}?{query}")


# ---- account mandates -------------------------------------------------------------


MANDATE_STATUSES = [("running", _lazy("Running")), ("passed", _lazy("Deadline passed"))]


def mandate_index(request: HttpRequest) -> HttpResponse:
    """The orders that every unit in a scope have an account on a platform by a date, with their coverage."""
    states = states_for(request.user)
    state = get_object_or_404(states, code=request.GET["state"]) if request.GET.get("state") else None
    status = request.GET.get("status", "")
    if status not in dict(MANDATE_STATUSES):
        status = ""
    filters = MandateFilters(state=state, status=status)
    page = Paginator(mandate_list(request.user, filters, today=today()), 20).get_page(request.GET.get("page"))
    coverage = coverage_of_mandates(list(page.object_list), request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "compliance/mandate_list.html",
        {
            "page": page,
            "rows": [(mandate, coverage[mandate.pk]) for mandate in page.object_list],
            "filters": filters,
            "states": states,
            "statuses": MANDATE_STATUSES,
            "today": today(),
            "query": query,
        },
    )


def mandate_new(request: HttpRequest) -> HttpResponse:
    if not request.user.is_admin_role:
        raise PermissionDenied(_("Only admins record account mandates."))
    form = MandateForm(request.POST or None, states=states_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            mandate = mandate_create(mandate=form.save(commit=False), user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Mandate recorded: %(text)s") % {"text": mandate.rule.text})
            return redirect(mandate)
    return render(request, "compliance/mandate_form.html", {"form": form})


def mandate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The order in a sentence, coverage day by day, who has the account since when, who does not, and the flags."""
    mandate = get_object_or_404(mandates_for(request.user), pk=pk)
    coverage = mandate_coverage(mandate, request.user)
    if request.GET.get("format") == "csv":
        return _mandate_csv(mandate, coverage)
    flags = list(
        Flag.objects.filter(rule=mandate.rule_id, unit__in=units_for(request.user))
        .select_related("unit")
        .order_by("unit__name_en", "pk")
    )
    day = today()
    flagged = {flag.unit_id: flag for flag in flags}
    without = coverage.missing_at_deadline if coverage.deadline_passed else coverage.missing
    return render(
        request,
        "compliance/mandate_detail.html",
        {
            "mandate": mandate,
            "coverage": coverage,
            "chart": coverage.chart(),
            "flags": flags,
            "without": [(row, flagged.get(row.unit.pk)) for row in without],
            "evaluation": evaluation_for(mandate.rule, mandate.starts_on),
            "today": day,
            "days_left": mandate.days_left(day),
            "started": day >= mandate.starts_on,
            "can_judge": request.user.is_admin_role or request.user.is_state_officer,
        },
    )


def _mandate_csv(mandate: Mandate, coverage) -> HttpResponse:
    deadline_end = coverage.deadline_end
    order = RuleSpec.from_rule(mandate.rule).text("en")
    return _csv_response(
        f"govsocial-mandate-{mandate.pk}-coverage.csv",
        [
            "code",
            "name_en",
            "name_hi",
            "platform",
            "handle",
            "account_registered_at",
            "by_deadline",
            "deadline",
            "mandate",
        ],
        (
            [
                row.unit.code,
                row.unit.name_en,
                row.unit.name_hi,
                mandate.platform,
                row.handle,
                timezone.localtime(row.account_at).isoformat() if row.account_at else "",
                "yes" if row.had_by(deadline_end) else "no",
                mandate.deadline.isoformat(),
                order,
            ]
            for row in coverage.units
        ),
    )


@require_POST
def mandate_judge(request: HttpRequest, pk: int) -> HttpResponse:
    """Judge a mandate whose deadline has passed now, rather than wait for the schedule (e.g. one recorded late)."""
    _officer_required(request)
    mandate = get_object_or_404(mandates_for(request.user), pk=pk)
    try:
        outcome = rule_evaluate(rule=mandate.rule, period=mandate.period, user=request.user)
    except EvaluationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Judged at the deadline: %(failed)d units without an account, %(raised)d new flags raised.")
            % {"failed": outcome.evaluation.failed, "raised": outcome.flags_raised},
        )
    return redirect(mandate)
