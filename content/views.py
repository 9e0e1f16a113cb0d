from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from content.forms import EDITABLE, ResolveForm, ReviewForm, SubmissionForm, submission_initial
from content.models import Category, PublishTarget, Submission, SubmissionImage, SubmissionStatus, TargetState
from content.selectors import (
    ListFilters,
    image_for,
    review_queue,
    submission_detail,
    submission_list,
    target_for,
)
from content.services import (
    may_review,
    submission_review,
    submission_save,
    submission_submit,
    target_resolve,
    targetable_accounts,
)
from core.csvexport import csv_download
from departments.selectors import accounts_for, units_for

PAGE_SIZE = 50
RESOLVABLE = (TargetState.UNKNOWN, TargetState.FAILED)


def _submission(request: HttpRequest, pk: int) -> Submission:
    try:
        return submission_detail(request.user, pk)
    except Submission.DoesNotExist:
        raise Http404(_("No such post in your scope.")) from None


# ---- the list, the queue ------------------------------------------------------------


def submissions(request: HttpRequest) -> HttpResponse:
    """The posts in the user's scope, with filters and CSV export."""
    unit = account = None
    if request.GET.get("unit"):
        unit = get_object_or_404(units_for(request.user), code=request.GET["unit"].strip().upper())
    if request.GET.get("account", "").isdigit():
        accounts = accounts_for(request.user) | targetable_accounts(request.user)
        account = get_object_or_404(accounts.select_related("unit"), pk=request.GET["account"])
    status, category = request.GET.get("status", ""), request.GET.get("category", "")
    filters = ListFilters(
        status=status if status in SubmissionStatus.values else "",
        category=category if category in Category.values else "",
        unit=unit,
        account=account,
        q=request.GET.get("q", "").strip(),
    )
    submissions = submission_list(request.user, filters)
    if request.GET.get("format") == "csv":
        return _list_csv(submissions)
    query = request.GET.copy()
    query.pop("page", None)
    without_account = query.copy()
    without_account.pop("account", None)
    return render(
        request,
        "content/list.html",
        {
            "page": Paginator(submissions, PAGE_SIZE).get_page(request.GET.get("page")),
            "filters": filters,
            "statuses": SubmissionStatus.choices,
            "categories": Category.choices,
            "query": query.urlencode(),
            "without_account": without_account.urlencode(),
            "queue_count": review_queue(request.user).count(),
        },
    )


def _when(value) -> str:
    return timezone.localtime(value).isoformat() if value else ""


def _list_csv(submissions) -> HttpResponse:
    """One row per post and account it was approved for (a post not approved yet: one row, no target)."""
    response, writer = csv_download("govsocial-posts.csv")
    writer.writerow(
        [
            "submission_id",
            "unit",
            "unit_name_en",
            "category",
            "scheme",
            "status",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "account",
            "target_state",
            "post_id",
            "link",
            "published_at",
        ]
    )
    for submission in submissions.iterator(chunk_size=500):
        row = [
            submission.pk,
            submission.unit.code,
            submission.unit.name_en,
            submission.category,
            submission.scheme,
            submission.status,
            submission.submitted_by.username,
            _when(submission.submitted_at),
            submission.reviewed_by.username if submission.reviewed_by_id else "",
            _when(submission.reviewed_at),
        ]
        targets = list(submission.targets.all())
        if not targets:
            writer.writerow([*row, "", "", "", "", ""])
        for target in targets:
            writer.writerow(
                [
                    *row,
                    str(target.account),
                    target.state,
                    target.platform_post_id,
                    target.url,
                    _when(target.published_at),
                ]
            )
    return response


def queue(request: HttpRequest) -> HttpResponse:
    """Posts awaiting review that the user may review, oldest first."""
    return render(
        request,
        "content/queue.html",
        {"page": Paginator(review_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))},
    )


# ---- writing a post -----------------------------------------------------------------


def _save(request: HttpRequest, form: SubmissionForm, submission: Submission | None) -> HttpResponse | None:
    """Save the draft, and send it for review if asked; a response, or None to render the form again."""
    data = form.cleaned_data
    try:
        submission = submission_save(
            user=request.user,
            unit=data["unit"],
            text=data["text"],
            category=data["category"],
            scheme=data["scheme"],
            accounts=list(data["accounts"]),
            publish_at=data["publish_at"],
            images=data["images"],
            submission=submission,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if request.POST.get("action") != "submit":
        messages.success(request, _("Draft saved. Send it for review when it is ready."))
        return redirect("content:edit", pk=submission.pk)
    try:
        submission_submit(submission=submission, user=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        messages.warning(request, _("The draft is saved, but not sent for review: correct what is listed below."))
        return render(request, "content/form.html", _form_context(form, submission))
    messages.success(request, _("Sent for review to the PR office."))
    return redirect(submission)


def _form_context(form: SubmissionForm, submission: Submission | None) -> dict:
    return {
        "form": form,
        "submission": submission,
        "images": list(submission.images.all()) if submission is not None else [],
    }


def new(request: HttpRequest) -> HttpResponse:
    initial = {"unit": request.user.district} if request.user.district_id else {}
    form = SubmissionForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, None)
        if response is not None:
            return response
    status = 400 if form.is_bound else 200
    return render(request, "content/form.html", _form_context(form, None), status=status)


def edit(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    if submission.submitted_by_id != request.user.pk:
        raise PermissionDenied(_("Only the person who wrote this post can change it."))
    if submission.status not in EDITABLE:
        messages.info(
            request,
            _("This post can no longer be changed (it is: %(status)s).") % {"status": submission.get_status_display()},
        )
        return redirect(submission)
    form = SubmissionForm(
        request.POST or None, request.FILES or None, user=request.user, initial=submission_initial(submission)
    )
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, submission)
        if response is not None:
            return response
    status = 400 if form.is_bound else 200
    return render(request, "content/form.html", _form_context(form, submission), status=status)


@require_POST
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a saved draft for review as it is (the detail page's button)."""
    submission = _submission(request, pk)
    try:
        submission_submit(submission=submission, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("content:edit", pk=submission.pk) if submission.status in EDITABLE else redirect(submission)
    messages.success(request, _("Sent for review to the PR office."))
    return redirect(submission)


# ---- the post, its review and its targets --------------------------------------------


def _detail(request: HttpRequest, submission: Submission, *, review_form=None, resolve_forms=None, status=200):
    reviewer = may_review(submission, request.user)
    targets = list(submission.targets.select_related("account", "resolved_by").order_by("account__platform", "pk"))
    if reviewer and submission.status == SubmissionStatus.SUBMITTED and review_form is None:
        review_form = ReviewForm(initial={"text": submission.text})
    resolve_forms = resolve_forms or {}
    for target in targets:
        target.resolve_form = None
        if reviewer and target.state in RESOLVABLE:
            target.resolve_form = resolve_forms.get(target.pk) or ResolveForm(
                state=target.state, prefix=f"target-{target.pk}"
            )
    accounts = list(submission.accounts.select_related("unit").order_by("platform", "handle"))
    return render(
        request,
        "content/detail.html",
        {
            "submission": submission,
            "accounts": accounts,
            "images": list(submission.images.all()),
            "targets": targets,
            "events": submission.events.select_related("by", "target__account"),
            "review_form": review_form if submission.status == SubmissionStatus.SUBMITTED and reviewer else None,
            "can_edit": submission.submitted_by_id == request.user.pk and submission.status in EDITABLE,
            "preview_text": targets[0].text if targets else submission.text,
        },
        status=status,
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _submission(request, pk))


@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _submission(request, pk)
    if not may_review(submission, request.user):
        raise PermissionDenied(_("Only the PR office reviews this post, and never its own author."))
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _detail(request, submission, review_form=form, status=400)
    decision = form.cleaned_data["decision"]
    try:
        submission = submission_review(
            submission=submission,
            user=request.user,
            decision=decision,
            comment=form.cleaned_data["comment"],
            text=form.cleaned_data["text"] if decision == "approve" else None,
        )
    except ValidationError as error:
        submission.refresh_from_db()
        if submission.status != SubmissionStatus.SUBMITTED:  # decided already, perhaps in another tab
            messages.error(request, " ".join(error.messages))
            return redirect(submission)
        form.add_error(None, error)
        return _detail(request, submission, review_form=form, status=400)
    messages.success(
        request,
        {
            "approve": _("Approved: the post will be published to each account at its time."),
            "request_changes": _("Sent back to the submitter with your comment."),
            "reject": _("Rejected; the submitter sees your comment."),
        }[decision],
    )
    return redirect(submission)


@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer decides an unknown or failed target: published (with its id), failed, or send again."""
    try:
        target = target_for(request.user, pk)
    except PublishTarget.DoesNotExist:
        raise Http404(_("No such post in your scope.")) from None
    submission = target.submission
    if not may_review(submission, request.user):
        raise PermissionDenied(_("Only the PR office decides on a post's publishing."))
    form = ResolveForm(request.POST, state=target.state, prefix=f"target-{target.pk}")
    if target.state in RESOLVABLE and form.is_valid():
        data = form.cleaned_data
        try:
            target_resolve(
                target=target,
                user=request.user,
                outcome=data["outcome"],
                post_id=data["post_id"],
                url=data["url"],
                note=data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(submission)
        messages.success(request, _("Recorded for %(account)s.") % {"account": target.account})
        return redirect(submission)
    if target.state not in RESOLVABLE:
        messages.error(request, _("This post's state has changed; reload the page."))
        return redirect(submission)
    return _detail(request, _submission(request, submission.pk), resolve_forms={target.pk: form}, status=400)


def image(request: HttpRequest, pk: int) -> FileResponse:
    try:
        item = image_for(request.user, pk)
    except SubmissionImage.DoesNotExist:
        raise Http404(_("No such image in your scope.")) from None
    response = FileResponse(item.file.open("rb"), content_type=item.content_type, filename=item.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
