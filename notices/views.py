from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compliance.selectors import flags_for
from core.csvexport import csv_download
from departments.selectors import states_for, units_for
from notices.forms import DecisionForm, FlagNoticesForm, NoticeForm, ReplyForm
from notices.machine import DECISIONS, NoticeStatus, allowed_actions
from notices.models import Notice, ReplyAttachment
from notices.selectors import RegisterFilters, attachment_for, notice_detail, notice_register
from notices.services import may_reply, notice_decide, notice_issue, notice_reply, notices_issue_from_flags


def notice_in_scope(request: HttpRequest, pk: int) -> Notice:
    try:
        return notice_detail(request.user, pk)
    except Notice.DoesNotExist:
        raise Http404(_("No such notice in your scope.")) from None


def _admin_required(request: HttpRequest) -> None:
    if not request.user.is_admin_role:
        raise PermissionDenied(_("Only admins issue show-cause notices and decide on replies."))


def _date_param(request: HttpRequest, name: str) -> date | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        messages.error(request, _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": value})
        return None


def register(request: HttpRequest) -> HttpResponse:
    """All notices in the user's scope, with filters and CSV export."""
    states = states_for(request.user)
    state = get_object_or_404(states, code=request.GET["state"]) if request.GET.get("state") else None
    unit = None
    if request.GET.get("unit"):
        unit = get_object_or_404(units_for(request.user), code=request.GET["unit"].upper())
    status = request.GET.get("status", "")
    filters = RegisterFilters(
        state=state,
        unit=unit,
        status=status if status in NoticeStatus.values else "",
        issued_from=_date_param(request, "from"),
        issued_to=_date_param(request, "to"),
        overdue=request.GET.get("overdue") == "1",
        q=request.GET.get("q", "").strip(),
    )
    notices = notice_register(request.user, filters)
    if request.GET.get("format") == "csv":
        return _register_csv(notices)
    return render(
        request,
        "notices/register.html",
        {
            "page": Paginator(notices, 50).get_page(request.GET.get("page")),
            "filters": filters,
            "states": states,
            "statuses": NoticeStatus.choices,
            "query": request.GET.copy(),
        },
    )


def _register_csv(notices) -> HttpResponse:
    response, writer = csv_download("govsocial-notices.csv")
    writer.writerow(
        ["number", "state", "unit", "unit_name_en", "status", "overdue", "issued_at", "deadline", "issued_by", "level"]
    )
    for notice in notices.iterator(chunk_size=1000):
        writer.writerow(
            [
                notice.number,
                notice.state.code,
                notice.unit.code,
                notice.unit.name_en,
                notice.status,
                "yes" if notice.overdue else "no",
                timezone.localtime(notice.issued_at).isoformat(),
                timezone.localtime(notice.deadline).isoformat(),
                notice.issued_by.username,
                notice.level,
            ]
        )
    return response


def issue(request: HttpRequest) -> HttpResponse:
    """Issue a notice by hand."""
    _admin_required(request)
    units = units_for(request.user)
    initial = {}
    if request.GET.get("unit"):
        initial["unit"] = units.filter(code=request.GET["unit"].upper()).first()
    form = NoticeForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = notice_issue(
                unit=data["unit"],
                user=request.user,
                deadline=data["deadline"],
                reason_en=data["reason_en"],
                reason_hi=data["reason_hi"],
                subject_en=data["subject_en"],
                subject_hi=data["subject_hi"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Notice %(number)s issued.") % {"number": notice.number})
            return redirect(notice)
    return render(request, "notices/issue.html", {"form": form})


def issue_from_flags(request: HttpRequest) -> HttpResponse:
    """Issue one notice per unit for the flags chosen on the flag list ("send notices to all eleven")."""
    _admin_required(request)
    ids = [value for value in request.POST.getlist("flags") or request.GET.getlist("flags") if value.isdigit()]
    flags = list(flags_for(request.user).filter(pk__in=ids).prefetch_related("notices").order_by("unit__name_en"))
    form = FlagNoticesForm(request.POST if request.method == "POST" and "deadline" in request.POST else None)
    if form.is_bound and form.is_valid():
        try:
            notices = notices_issue_from_flags(
                flags=flags,
                user=request.user,
                deadline=form.cleaned_data["deadline"],
                reason_en=form.cleaned_data["reason_en"],
                reason_hi=form.cleaned_data["reason_hi"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(count)d notices issued: %(numbers)s.")
                % {"count": len(notices), "numbers": ", ".join(notice.number for notice in notices)},
            )
            return redirect("notices:register")
    return render(
        request,
        "notices/issue_from_flags.html",
        {"form": form, "flags": flags, "units": sorted({flag.unit for flag in flags}, key=str)},
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notice_in_scope(request, pk)
    can_reply = notice.awaiting_reply and may_reply(notice, request.user)
    decisions = [action for action in allowed_actions(notice.status) if action in DECISIONS]
    if notice.awaiting_reply and not notice.past_deadline:
        decisions = []  # the unit can still reply: nothing to decide yet
    can_decide = request.user.is_admin_role and bool(decisions)
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "replies": notice.replies.select_related("submitted_by").prefetch_related("attachments"),
            "events": notice.events.select_related("by"),
            "reply_form": ReplyForm() if can_reply else None,
            "decision_form": DecisionForm(actions=decisions) if can_decide else None,
            "escalation": Notice.objects.filter(escalated_from=notice).first(),
        },
    )


@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notice_in_scope(request, pk)
    if not may_reply(notice, request.user):
        raise PermissionDenied(_("Only the addressed unit's own officials can reply to this notice."))
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            answer = notice_reply(
                notice=notice,
                user=request.user,
                text=form.cleaned_data["text"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(notice)
        if answer.late:
            messages.warning(request, _("Your reply is recorded; it came after the deadline and is marked late."))
        else:
            messages.success(request, _("Your reply is recorded."))
        return redirect(notice)
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "replies": notice.replies.select_related("submitted_by").prefetch_related("attachments"),
            "events": notice.events.select_related("by"),
            "reply_form": form,
            "decision_form": None,
            "escalation": None,
        },
        status=400,
    )


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_required(request)
    notice = notice_in_scope(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect(notice)
    try:
        notice = notice_decide(
            notice=notice,
            user=request.user,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
            new_deadline=form.cleaned_data["new_deadline"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(notice)
    messages.success(request, _("Decision recorded: %(status)s.") % {"status": notice.get_status_display()})
    escalation = Notice.objects.filter(escalated_from=notice).first()
    return redirect(escalation or notice)


def attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    try:
        item = attachment_for(request.user, pk, attachment)
    except ReplyAttachment.DoesNotExist:
        raise Http404(_("No such attachment in your scope.")) from None
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=True, filename=item.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
