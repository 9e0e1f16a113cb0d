"""Reads of posts, always through the user's scope: a post outside it is simply not found (404).

Who sees a post: its author always; everyone else whose scope holds the unit it is for (a district's
officials and its PR officer, the state's officers, admins) once it has been sent for review. A
draft is its author's alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from content.models import PublishTarget, Submission, SubmissionImage, SubmissionStatus, TargetState
from departments.choices import UnitKind
from departments.models import Account, Unit
from departments.selectors import units_for
from users.models import User


def submissions_for(user: User) -> QuerySet[Submission]:
    visible = Q(submitted_by=user) | (Q(unit__in=units_for(user)) & ~Q(status=SubmissionStatus.DRAFT))
    return Submission.objects.filter(visible)


def submission_detail(user: User, pk: int) -> Submission:
    """The post if the user may see it; ``Submission.DoesNotExist`` otherwise."""
    return submissions_for(user).select_related("unit__state", "submitted_by", "reviewed_by").get(pk=pk)


def image_for(user: User, pk: int) -> SubmissionImage:
    """An image of a post the user may see; ``SubmissionImage.DoesNotExist`` otherwise."""
    return SubmissionImage.objects.get(pk=pk, submission__in=submissions_for(user))


def target_for(user: User, pk: int) -> PublishTarget:
    """A publishing target of a post the user may see; ``PublishTarget.DoesNotExist`` otherwise."""
    return PublishTarget.objects.select_related("submission", "account").get(
        pk=pk, submission__in=submissions_for(user)
    )


def reviewable_by(user: User) -> QuerySet[Submission]:
    """Posts awaiting review that ``user`` may review: ``services.may_review`` as one query.

    An admin reviews any; a state officer those whose accounts are all in the state; a district PR
    officer those whose accounts are all the district's own or its offices'. Never one's own.
    """
    submissions = Submission.objects.filter(status=SubmissionStatus.SUBMITTED).exclude(submitted_by=user)
    if user.is_admin_role:
        return submissions
    accounts = Account.objects.filter(submissions=OuterRef("pk"))
    if user.is_state_officer:
        outside = accounts.exclude(unit__state_id=user.state_id)
    elif user.is_district_official and user.is_pr_officer:
        outside = accounts.exclude(
            Q(unit__kind__in=(UnitKind.DISTRICT, UnitKind.DISTRICT_OFFICE))
            & (Q(unit_id=user.district_id) | Q(unit__district_id=user.district_id))
        )
    else:
        return submissions.none()
    return submissions.filter(Exists(accounts)).exclude(Exists(outside))


def review_queue(user: User) -> QuerySet[Submission]:
    """What the user may review and also open (the post's unit in their scope), oldest first."""
    return (
        (reviewable_by(user) & submissions_for(user))
        .select_related("unit", "submitted_by")
        .prefetch_related("accounts", "targets")
        .order_by("submitted_at", "pk")
    )


@dataclass(frozen=True)
class ListFilters:
    status: str = ""
    category: str = ""
    unit: Unit | None = None
    account: Account | None = None
    q: str = ""


def submission_list(user: User, filters: ListFilters) -> QuerySet[Submission]:
    """The list page's posts, newest first, with their accounts and targets (three queries a page)."""
    submissions = submissions_for(user)
    if filters.status:
        submissions = submissions.filter(status=filters.status)
    if filters.category:
        submissions = submissions.filter(category=filters.category)
    if filters.unit is not None:
        submissions = submissions.filter(unit=filters.unit)
    if filters.account is not None:
        submissions = submissions.filter(accounts=filters.account)
    if filters.q:
        text = (
            Q(text__icontains=filters.q)
            | Q(scheme__icontains=filters.q)
            | Q(unit__name_en__icontains=filters.q)
            | Q(unit__name_hi__icontains=filters.q)
            | Q(unit__code__icontains=filters.q)
        )
        if filters.q.lstrip("#").isdigit():
            text |= Q(pk=int(filters.q.lstrip("#")))
        submissions = submissions.filter(text)
    return (
        submissions.select_related("unit", "submitted_by", "reviewed_by")
        .prefetch_related("accounts", Prefetch("targets", PublishTarget.objects.select_related("account")))
        .order_by("-updated_at", "-pk")
    )


def submissions_for_unit(user: User, unit: Unit, *, limit: int = 10) -> list[Submission]:
    """A unit's recent posts (the unit gets the credit), each with the accounts it was published to."""
    published = PublishTarget.objects.filter(state=TargetState.PUBLISHED).select_related("account")
    return list(
        submissions_for(user)
        .filter(unit=unit)
        .prefetch_related(Prefetch("targets", published, to_attr="published_targets"))
        .order_by("-updated_at", "-pk")[:limit]
    )


def published_to_account(account: Account, *, limit: int = 10) -> list[PublishTarget]:
    """What was published to an account, newest first."""
    return list(
        PublishTarget.objects.filter(account=account, state=TargetState.PUBLISHED)
        .select_related("submission__unit")
        .order_by("-published_at", "-pk")[:limit]
    )
