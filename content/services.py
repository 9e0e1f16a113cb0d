"""Writes of the content domain: drafts, submission, review, and publishing each target exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import (
    ContentEvent,
    PublishTarget,
    Submission,
    SubmissionImage,
    SubmissionStatus,
    TargetState,
)
from departments.choices import UnitKind
from departments.models import Account, Unit
from departments.selectors import units_for
from users.models import User

MAX_IMAGES = 4


def _event(submission: Submission, action: str, user: User | None, *, target=None, frm="", to="", note="", **data):
    return ContentEvent.objects.create(
        submission=submission,
        target=target,
        action=action,
        from_state=frm,
        to_state=to,
        by=user,
        at=timezone.now(),
        note=note,
        data=data,
    )


# ---- who may do what ------------------------------------------------------------


def targetable_accounts(user: User) -> QuerySet[Account]:
    """The accounts a user may submit posts to: their district's and its offices', and the state's if it allows."""
    if user.is_admin_role:
        return Account.objects.all()
    units = units_for(user)
    accounts = Q(unit__in=units)
    if user.is_district_official and user.state and user.state.districts_post_to_state_accounts:
        accounts |= Q(unit__state=user.state, unit__kind__in=(UnitKind.STATE_DEPARTMENT, UnitKind.STATE_UNDERTAKING))
    return Account.objects.filter(accounts)


def may_review(submission: Submission, user: User) -> bool:
    """The district's PR officer reviews posts to district accounts; the state PR officer (or an admin) any of the
    state's; the submitter never reviews their own."""
    if user.pk == submission.submitted_by_id:
        return False
    if user.is_admin_role:
        return True
    accounts = list(submission.accounts.select_related("unit"))
    if user.is_state_officer:
        return all(account.unit.state_id == user.state_id for account in accounts) and bool(accounts)
    if user.is_district_official and user.is_pr_officer:
        return bool(accounts) and all(
            account.unit.kind in (UnitKind.DISTRICT, UnitKind.DISTRICT_OFFICE)
            and (account.unit_id == user.district_id or account.unit.district_id == user.district_id)
            for account in accounts
        )
    return False


# ---- drafts and submission ------------------------------------------------------


@transaction.atomic
def submission_save(
    *,
    user: User,
    unit: Unit,
    text: str,
    category: str,
    accounts: Sequence[Account],
    scheme: str = "",
    publish_at: datetime | None = None,
    images: Sequence = (),
    submission: Submission | None = None,
) -> Submission:
    """Create or update a draft (or a post sent back for changes). Images are cleaned uploads, replacing any before."""
    if not units_for(user).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("You can submit posts only for units in your scope."))
    allowed = set(targetable_accounts(user).filter(pk__in=[a.pk for a in accounts]).values_list("pk", flat=True))
    if not accounts or any(account.pk not in allowed for account in accounts):
        raise PermissionDenied(_("Choose accounts you may post to."))
    if len(images) > MAX_IMAGES:
        raise ValidationError(_("At most %(count)d images.") % {"count": MAX_IMAGES})
    if submission is None:
        submission = Submission(submitted_by=user)
    else:
        if submission.submitted_by_id != user.pk:
            raise PermissionDenied(_("Only the person who wrote this post can change it."))
        if submission.status not in (SubmissionStatus.DRAFT, SubmissionStatus.CHANGES_REQUESTED):
            raise ValidationError(
                _("This post can no longer be changed (it is: %(status)s).")
                % {"status": submission.get_status_display()}
            )
    submission.unit, submission.text, submission.category = unit, text.strip(), category
    submission.scheme, submission.publish_at = scheme.strip(), publish_at
    created = submission.pk is None
    submission.save()
    submission.accounts.set(accounts)
    if images or created:
        submission.images.all().delete()
        for position, image in enumerate(images, start=1):
            stored = SubmissionImage(
                submission=submission,
                position=position,
                name=image.name,
                content_type=image.content_type,
                size=image.size,
                sha256=image.sha256,
            )
            stored.file.save(image.name, ContentFile(image.data), save=False)
            stored.save()
    _event(submission, "save", user, to=submission.status)
    return submission


def submission_errors(submission: Submission) -> list[str]:
    """What the platforms would refuse, per account (``content.validation``)."""
    from content.validation import validate_for_account

    images = list(submission.images.all())
    errors = []
    for account in submission.accounts.all():
        errors += validate_for_account(
            platform=account.platform, text=submission.text, images=images, account_label=str(account)
        )
    return errors


@transaction.atomic
def submission_submit(*, submission: Submission, user: User) -> Submission:
    if submission.submitted_by_id != user.pk:
        raise PermissionDenied(_("Only the person who wrote this post can send it for review."))
    errors = submission_errors(submission)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    updated = Submission.objects.filter(
        pk=submission.pk, status__in=(SubmissionStatus.DRAFT, SubmissionStatus.CHANGES_REQUESTED)
    ).update(status=SubmissionStatus.SUBMITTED, submitted_at=now)
    if not updated:
        raise ValidationError(_("This post has already been sent for review."))
    _event(submission, "submit", user, frm=submission.status, to=SubmissionStatus.SUBMITTED)
    submission.refresh_from_db()
    return submission


@transaction.atomic
def submission_review(
    *, submission: Submission, user: User, decision: str, comment: str = "", text: str | None = None
) -> Submission:
    """Approve (optionally with the text edited), ask for changes (a comment back), or reject.

    Approving creates one publishing target per account, with the text frozen as approved, and
    queues their publishing for the approved time once the transaction has committed.
    """
    if not may_review(submission, user):
        raise PermissionDenied(_("Only the PR office reviews this post, and never its own author."))
    if decision not in ("approve", "request_changes", "reject"):
        raise ValidationError(_("Unknown decision."))
    if decision in ("request_changes", "reject") and not comment.strip():
        raise ValidationError({"comment": _("Tell the submitter why.")})
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(
            _("This post is not awaiting review (it is: %(status)s).") % {"status": locked.get_status_display()}
        )
    now = timezone.now()
    if text is not None and text.strip() and text.strip() != locked.text:
        _event(locked, "edit", user, note=_("Text edited by the reviewer."), before=locked.text)
        locked.text = text.strip()
        errors = submission_errors(locked)
        if errors:
            raise ValidationError(errors)
    to = {
        "approve": SubmissionStatus.APPROVED,
        "request_changes": SubmissionStatus.CHANGES_REQUESTED,
        "reject": SubmissionStatus.REJECTED,
    }[decision]
    Submission.objects.filter(pk=locked.pk, status=SubmissionStatus.SUBMITTED).update(
        status=to, text=locked.text, reviewed_by=user, reviewed_at=now, review_comment=comment.strip()
    )
    _event(locked, decision, user, frm=SubmissionStatus.SUBMITTED, to=to, note=comment.strip())
    if to == SubmissionStatus.APPROVED:
        publish_at = max(locked.publish_at or now, now)
        targets = PublishTarget.objects.bulk_create(
            [
                PublishTarget(submission=locked, account=account, text=locked.text, publish_at=publish_at)
                for account in locked.accounts.all()
            ]
        )
        ids = [target.pk for target in targets]
        transaction.on_commit(lambda: _enqueue(ids, publish_at))
    submission.refresh_from_db()
    return submission


def _enqueue(target_ids: list[int], publish_at: datetime) -> None:
    from content.tasks import publish_target

    for target_id in target_ids:
        publish_target.apply_async(args=[target_id], eta=publish_at)


# ---- publishing, exactly once ----------------------------------------------------


def target_claim(target_id: int, *, now: datetime | None = None) -> uuid.UUID | None:
    """Win the right to send the create request: approved and due → claimed. Only one caller gets a token."""
    now = now or timezone.now()
    token = uuid.uuid4()
    won = PublishTarget.objects.filter(pk=target_id, state=TargetState.APPROVED, publish_at__lte=now).update(
        state=TargetState.CLAIMED, claim_token=token, claimed_at=now
    )
    return token if won else None


CLAIM_TIMEOUT_MINUTES = 10


def _finish(target_id: int, token: uuid.UUID, **changes) -> bool:
    """Store the outcome only if this worker still holds the claim."""
    return bool(
        PublishTarget.objects.filter(pk=target_id, state=TargetState.CLAIMED, claim_token=token).update(**changes)
    )


def _mark_reauth(account: Account, reason: str) -> None:
    from departments.choices import AccountStatus

    Account.objects.filter(pk=account.pk).exclude(status=AccountStatus.REAUTH_REQUIRED).update(
        status=AccountStatus.REAUTH_REQUIRED, status_reason=reason[:500], status_changed_at=timezone.now()
    )


def target_publish(target_id: int) -> str:
    """Publish one target if it is approved and due: claim, send the create request once, store the outcome.

    Safe to run twice or from twenty workers at once: only the worker whose conditional update
    claimed the target sends anything. A definite error fails the target with its reason; a
    timeout, a 5xx or any unexpected error after the request may have gone out leaves it
    ``unknown`` (never retried by itself: see ``target_reconcile``).
    """
    from content.publishing import (
        PublishFailed,
        PublishOutcomeUnknown,
        PublishTokenExpired,
        publish_request,
        publisher_for,
    )

    token = target_claim(target_id)
    if token is None:
        return "not claimed"
    target = PublishTarget.objects.select_related("account", "submission").get(pk=target_id)
    _event(target.submission, "claim", None, target=target, frm=TargetState.APPROVED, to=TargetState.CLAIMED)
    try:  # everything before the create request: an error here is definite, nothing was sent
        publisher = publisher_for(target.account)
        request = publish_request(target)
    except Exception as error:
        reason = _("Could not prepare the post: %(error)s") % {"error": error}
        _finish(target_id, token, state=TargetState.FAILED, error=reason)
        _event(
            target.submission,
            "failed",
            None,
            target=target,
            frm=TargetState.CLAIMED,
            to=TargetState.FAILED,
            note=reason,
        )
        return TargetState.FAILED
    try:
        published = publisher.publish(request)
    except PublishTokenExpired as error:
        reason = _("The account's token has expired or was revoked: %(error)s") % {"error": error}
        _mark_reauth(target.account, str(error))
        state = TargetState.FAILED
    except PublishFailed as error:
        reason, state = str(error), TargetState.FAILED
    except PublishOutcomeUnknown as error:
        reason, state = str(error), TargetState.UNKNOWN
    except Exception as error:
        reason, state = f"{type(error).__name__}: {error}", TargetState.UNKNOWN
    else:
        _finish(
            target_id,
            token,
            state=TargetState.PUBLISHED,
            platform_post_id=published.post_id,
            url=published.url,
            published_at=published.created_at or timezone.now(),
            error="",
        )
        _event(
            target.submission,
            "published",
            None,
            target=target,
            frm=TargetState.CLAIMED,
            to=TargetState.PUBLISHED,
            post_id=published.post_id,
            url=published.url,
        )
        return TargetState.PUBLISHED
    _finish(target_id, token, state=state, error=reason)
    _event(target.submission, state, None, target=target, frm=TargetState.CLAIMED, to=state, note=reason)
    return state


def targets_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Beat's sweep: claims whose worker died become ``unknown``; due targets never claimed are queued again."""
    from datetime import timedelta

    from content.tasks import publish_target

    now = now or timezone.now()
    stale = list(
        PublishTarget.objects.filter(
            state=TargetState.CLAIMED, claimed_at__lt=now - timedelta(minutes=CLAIM_TIMEOUT_MINUTES)
        ).select_related("submission")
    )
    reason = _("The worker stopped after claiming this post: it may or may not have been published. Reconcile it.")
    for target in stale:
        if PublishTarget.objects.filter(pk=target.pk, state=TargetState.CLAIMED, claim_token=target.claim_token).update(
            state=TargetState.UNKNOWN, error=reason
        ):
            _event(
                target.submission,
                "unknown",
                None,
                target=target,
                frm=TargetState.CLAIMED,
                to=TargetState.UNKNOWN,
                note=reason,
            )
    due = list(
        PublishTarget.objects.filter(
            state=TargetState.APPROVED, publish_at__lte=now - timedelta(minutes=CLAIM_TIMEOUT_MINUTES)
        ).values_list("pk", flat=True)
    )
    for target_id in due:
        publish_target.delay(target_id)
    return {"unknown": len(stale), "requeued": len(due)}


def target_reconcile(target_id: int) -> str:
    """Look for an ``unknown`` target's post among the account's recent posts; published if found."""
    from datetime import timedelta

    from content.platforms import find_post
    from content.publishing import publisher_for

    target = PublishTarget.objects.select_related("account", "submission").get(pk=target_id)
    if target.state != TargetState.UNKNOWN:
        return target.state
    since = (target.claimed_at or target.publish_at) - timedelta(minutes=5)
    try:
        recent = publisher_for(target.account).recent_posts(since=since)
    except Exception as error:  # a failed check decides nothing: the target stays unknown, the failure is kept
        _event(
            target.submission,
            "reconcile",
            None,
            target=target,
            note=_("Could not read the recent posts: %(error)s") % {"error": error},
        )
        return TargetState.UNKNOWN
    match = find_post(recent, target.text)
    if match is None:
        _event(target.submission, "reconcile", None, target=target, note=_("Not among the account's recent posts yet."))
        return TargetState.UNKNOWN
    if PublishTarget.objects.filter(pk=target.pk, state=TargetState.UNKNOWN).update(
        state=TargetState.PUBLISHED,
        platform_post_id=match.post_id,
        url=match.url,
        published_at=match.created_at or timezone.now(),
        error="",
    ):
        _event(
            target.submission,
            "reconciled",
            None,
            target=target,
            frm=TargetState.UNKNOWN,
            to=TargetState.PUBLISHED,
            post_id=match.post_id,
        )
    return TargetState.PUBLISHED


@transaction.atomic
def target_resolve(
    *, target: PublishTarget, user: User, outcome: str, post_id: str = "", url: str = "", note: str = ""
) -> PublishTarget:
    """A person decides an unknown (or failed) target: it was published (with its id), it failed, or send it again."""
    if not may_review(target.submission, user):
        raise PermissionDenied(_("Only the PR office decides on a post's publishing."))
    allowed = {
        "published": (TargetState.UNKNOWN,),
        "failed": (TargetState.UNKNOWN,),
        "retry": (TargetState.UNKNOWN, TargetState.FAILED),
    }
    if outcome not in allowed:
        raise ValidationError(_("Unknown outcome."))
    target = PublishTarget.objects.select_for_update().select_related("submission").get(pk=target.pk)
    if target.state not in allowed[outcome]:
        raise ValidationError(_("This post's state has changed; reload the page."))
    changes: dict = {"resolved_by": user}
    if outcome == "published":
        if not post_id.strip():
            raise ValidationError({"post_id": _("Give the post's id on the platform.")})
        changes.update(
            state=TargetState.PUBLISHED, platform_post_id=post_id.strip(), url=url.strip(), published_at=timezone.now()
        )
    elif outcome == "failed":
        changes.update(state=TargetState.FAILED, error=note.strip() or _("Not published, as checked by a person."))
    else:
        if outcome == "retry" and target.state == TargetState.UNKNOWN and not note.strip():
            raise ValidationError({"note": _("Say that you checked the account and the post is not there.")})
        changes.update(state=TargetState.APPROVED, publish_at=timezone.now(), claim_token=None, claimed_at=None)
    updated = PublishTarget.objects.filter(pk=target.pk, state__in=allowed[outcome]).update(**changes)
    if not updated:
        raise ValidationError(_("This post's state has changed; reload the page."))
    _event(
        target.submission, f"resolve_{outcome}", user, target=target, frm=target.state, to=changes["state"], note=note
    )
    if outcome == "retry":
        transaction.on_commit(lambda: _enqueue([target.pk], timezone.now()))
    target.refresh_from_db()
    return target
