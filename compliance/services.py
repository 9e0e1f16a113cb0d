"""Writes of the compliance domain: saving rules with their versions, evaluating them, and moving flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import (
    Comparison,
    Flag,
    FlagEvent,
    FlagStatus,
    Mandate,
    Rule,
    RuleEvaluation,
    RuleMetric,
    RulePeriod,
    RuleRevision,
)
from compliance.rules import RuleSpec, rule_results
from leaderboards.periods import Period, period_for
from users.models import User


@transaction.atomic
def rule_save(*, rule: Rule, user: User | None) -> Rule:
    """Save a rule (new or changed) and keep its definition as a new version, if it changed."""
    rule.full_clean()
    if rule.pk is None:
        rule.created_by = user
    rule.save()
    definition = RuleSpec.from_rule(rule).as_definition()
    latest = rule.revisions.order_by("-number").first()
    if latest is None or latest.definition != definition:
        RuleRevision.objects.create(
            rule=rule, number=(latest.number + 1) if latest else 1, definition=definition, created_by=user
        )
    return rule


def revision_for(rule: Rule, period: Period) -> RuleRevision:
    """The version of the rule in force when the period closed (for a rule made later: its first version)."""
    in_force = rule.revisions.filter(created_at__lt=period.end_at).order_by("-number").first()
    return in_force or rule.revisions.order_by("number").first()


def last_ended_period(rule_period: str, *, now: datetime | None = None) -> Period:
    current = period_for(rule_period, timezone.localtime(now or timezone.now()).date())
    return period_for(rule_period, current.start - timedelta(days=1))


class EvaluationError(ValueError):
    pass


@dataclass
class EvaluationOutcome:
    evaluation: RuleEvaluation
    flags_raised: int


@transaction.atomic
def rule_evaluate(
    *,
    rule: Rule,
    period: Period,
    trigger: str = RuleEvaluation.Trigger.MANUAL,
    user: User | None = None,
    now: datetime | None = None,
) -> EvaluationOutcome:
    """Judge every unit the rule applies to for an ended period, and flag those that fail.

    Safe to run twice: the evaluation is one row per rule and period (updated with the latest
    figures), and a flag is one row per unit, rule and period; a flag already raised keeps the
    evidence it was raised with.
    """
    now = now or timezone.now()
    if not period.has_ended(now):
        raise EvaluationError(
            _("%(period)s has not ended yet: a rule is judged only once its period is over.") % {"period": period.label}
        )
    if period != rule.period_containing(period.start):
        if rule.is_one_off:
            raise EvaluationError(
                _("This rule is judged once, for %(period)s.") % {"period": rule.period_containing(period.start).label}
            )
        raise EvaluationError(_("This rule is judged %(period)s at a time.") % {"period": rule.get_period_display()})
    revision = revision_for(rule, period)
    spec = RuleSpec.from_definition(revision.definition)
    results = rule_results(spec, period, now=now)
    evaluation, _created = RuleEvaluation.objects.update_or_create(
        rule=rule,
        period_start=period.start,
        defaults={
            "period_end": period.end,
            "revision": revision,
            "trigger": trigger,
            "evaluated_at": now,
            "evaluated_by": user,
            "units": len(results.results),
            "passed": len(results.passed),
            "failed": len(results.failed),
            "no_data": len(results.no_data),
            "results": [result.as_json() for result in results.results],
        },
    )
    median = results.median
    flags = [
        Flag(
            rule=rule,
            revision=revision,
            unit=result.unit,
            period_start=period.start,
            period_end=period.end,
            value=result.value,
            raised_at=now,
            evidence=_evidence(spec, revision, period, result, median, len(results.results)),
        )
        for result in results.failed
    ]
    before = Flag.objects.filter(rule=rule, period_start=period.start).count()
    Flag.objects.bulk_create(flags, ignore_conflicts=True)
    raised = Flag.objects.filter(rule=rule, period_start=period.start).count() - before
    return EvaluationOutcome(evaluation, raised)


def _evidence(spec: RuleSpec, revision: RuleRevision, period: Period, result, median, compared: int) -> dict:
    figures = result.figures
    return {
        "rule": revision.definition,
        "revision": revision.number,
        "period": period.as_dict(),
        "metric": spec.metric,
        "value": None if result.value is None else str(result.value),
        "comparison": spec.comparison,
        "threshold": str(spec.threshold),
        "reason": str(result.reason),
        "rank": result.rank,
        "units_compared": compared,
        "median": None if median is None else str(median),
        "accounts": [
            {
                "platform": item.platform,
                "handle": item.handle,
                "start_slot": item.start_slot.isoformat() if item.start_slot else None,
                "start_followers": item.start_followers,
                "end_slot": item.end_slot.isoformat() if item.end_slot else None,
                "end_followers": item.end_followers,
                "days_polled": item.days_polled,
                "posts": item.posts,
                "reposts": item.reposts,
                "replies": item.replies,
                "lives": item.lives,
                "long_lives": item.long_lives,
            }
            for item in figures.accounts
        ],
        "days_expected": figures.days_expected,
        "gaps": [str(gap) for gap in figures.gaps],
    }


def last_ended_period_of(rule: Rule, *, now: datetime | None = None) -> Period | None:
    """The rule's last period that has ended by now; a one-off rule's only period, once its deadline is over."""
    if rule.is_one_off:
        period = rule.period_containing(rule.deadline)
        return period if period.has_ended(now) else None
    return last_ended_period(rule.period, now=now)


def evaluate_due_rules(*, now: datetime | None = None) -> list[EvaluationOutcome]:
    """For each active rule, judge its last ended period if that has not been done: what beat runs daily.

    A rule judged by a deadline is judged the first time this runs after the deadline's day has
    ended (IST), and never again: its one period then has its evaluation.
    """
    now = now or timezone.now()
    outcomes = []
    for rule in Rule.objects.filter(is_active=True).select_related("state"):
        period = last_ended_period_of(rule, now=now)
        if period is None:
            continue  # a deadline not yet over
        if rule.created_at > period.end_at and not rule.evaluations.exists():
            continue  # a rule made after the period closed is judged on demand, not behind anyone's back
        if RuleEvaluation.objects.filter(rule=rule, period_start=period.start).exists():
            continue
        outcomes.append(rule_evaluate(rule=rule, period=period, trigger=RuleEvaluation.Trigger.SCHEDULE, now=now))
    return outcomes


# ---- account mandates ----------------------------------------------------------


@transaction.atomic
def mandate_create(*, mandate: Mandate, user: User | None) -> Mandate:
    """Record an order (every unit in scope: an account on the platform by the deadline) and its rule.

    The rule asks for at least one account on the platform and is judged once, the day after the
    deadline, by the schedule that judges every rule: the units without one are flagged then.
    """
    if mandate.level != "kind":
        mandate.unit_kind = ""
    if mandate.level != "offices":
        mandate.district = None
    mandate.full_clean(exclude=["rule"])
    rule = rule_save(
        rule=Rule(
            state=mandate.state,
            name_en=mandate.name_en,
            name_hi=mandate.name_hi,
            level=mandate.level,
            unit_kind=mandate.unit_kind,
            district=mandate.district,
            metric=RuleMetric.ACCOUNTS,
            platform=mandate.platform,
            comparison=Comparison.AT_LEAST,
            threshold=1,
            period=RulePeriod.DEADLINE,
            starts_on=mandate.starts_on,
            deadline=mandate.deadline,
        ),
        user=user,
    )
    mandate.rule = rule
    mandate.created_by = user
    mandate.save()
    return mandate


# ---- flags ------------------------------------------------------------------

# Who may move a flag from one status to another.
TRANSITIONS = {
    (FlagStatus.OPEN, FlagStatus.EXPLAINED): "unit",
    (FlagStatus.OPEN, FlagStatus.RESOLVED): "officer",
    (FlagStatus.EXPLAINED, FlagStatus.RESOLVED): "officer",
    (FlagStatus.EXPLAINED, FlagStatus.OPEN): "officer",
    (FlagStatus.RESOLVED, FlagStatus.OPEN): "officer",
}


def flag_allowed_statuses(flag: Flag, user: User) -> list[str]:
    return [to for (frm, to), who in TRANSITIONS.items() if frm == flag.status and _may(user, who)]


def _may(user: User, who: str) -> bool:
    if who == "unit":
        return user.is_district_official or user.is_state_officer or user.is_admin_role
    return user.is_state_officer or user.is_admin_role


@transaction.atomic
def flag_set_status(*, flag: Flag, user: User, status: str, note: str = "") -> Flag:
    """Move a flag to ``status`` if this user may; a conditional update, so two clicks make one change."""
    who = TRANSITIONS.get((flag.status, status))
    if who is None:
        raise ValidationError(
            _("A flag that is %(current)s cannot become %(new)s.")
            % {
                "current": flag.get_status_display(),
                "new": FlagStatus(status).label if status in FlagStatus.values else status,
            }
        )
    if not _may(user, who):
        raise PermissionDenied(_("Only the state's PR officers can do that."))
    if status == FlagStatus.EXPLAINED and not note.strip():
        raise ValidationError(_("Write the explanation."))
    changes = {"status": status, "status_changed_at": timezone.now(), "status_changed_by": user}
    if status == FlagStatus.EXPLAINED:
        changes["explanation"] = note.strip()
    updated = Flag.objects.filter(pk=flag.pk, status=flag.status).update(**changes)
    if not updated:
        raise ValidationError(_("Someone else changed this flag just now; reload the page."))
    FlagEvent.objects.create(flag=flag, from_status=flag.status, to_status=status, note=note.strip(), by=user)
    flag.refresh_from_db()
    return flag
