"""Writes of campaigns: drafting, starting (baseline and hourly polling), closing (the frozen report), advancing.

Every transition locks the campaign's row and checks its status first, so a repeated request, a second
worker or the hourly ``campaigns_advance`` running twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import (
    MAX_CAMPAIGN_DAYS,
    Campaign,
    CampaignBaseline,
    CampaignResult,
    CampaignScope,
    CampaignStatus,
    CampaignTarget,
    CampaignUnit,
    ResultStatus,
    TargetMetric,
    TargetPlatform,
)
from campaigns.selectors import (
    MET,
    MISSED,
    NO_DATA,
    baseline_snapshot,
    campaign_progress,
    may_create,
    may_manage,
    scope_units,
)
from departments.choices import UnitKind
from departments.models import Account, State, Unit
from leaderboards.periods import Period
from metrics.models import AccountPollState
from users.models import User

# Sane upper bounds for a target, far above any real account in 92 days.
TARGET_MAXIMUM = {
    TargetMetric.FOLLOWERS: Decimal(100_000_000),
    TargetMetric.FOLLOWERS_PCT: Decimal(1000),
    TargetMetric.POSTS: Decimal(100_000),
    TargetMetric.REPOSTS: Decimal(100_000),
    TargetMetric.LIVES: Decimal(1000),
}
WHOLE_NUMBER_METRICS = (TargetMetric.FOLLOWERS, TargetMetric.POSTS, TargetMetric.REPOSTS, TargetMetric.LIVES)


# ---- drafting ----------------------------------------------------------------------------------


def clean_targets(targets: Iterable[Mapping], *, unit_ids: set[int]) -> list[dict]:
    """Targets as the campaign stores them; every problem named, none skipped.

    Each: a metric and a platform of the choices, a value above zero (a whole number except for +N%),
    a Live's minimum length only for Lives, a unit only if it takes part; one target per metric and
    platform for everyone, and one per unit.
    """
    cleaned, errors, seen = [], [], set()
    for number, item in enumerate(targets, start=1):
        metric, platform = item.get("metric"), item.get("platform")
        unit = item.get("unit")
        unit_id = unit.pk if isinstance(unit, Unit) else unit
        if metric not in TargetMetric.values or platform not in TargetPlatform.values:
            errors.append(_("Target %(n)d: choose a metric and a platform.") % {"n": number})
            continue
        try:
            value = Decimal(str(item.get("value")))
        except (InvalidOperation, ValueError):
            errors.append(_("Target %(n)d: the target is not a number.") % {"n": number})
            continue
        if not value.is_finite() or value <= 0:
            errors.append(_("Target %(n)d: a target is above zero.") % {"n": number})
            continue
        if metric in WHOLE_NUMBER_METRICS and value != value.to_integral():
            errors.append(_("Target %(n)d: this target is a whole number.") % {"n": number})
            continue
        if value > TARGET_MAXIMUM[metric]:
            errors.append(_("Target %(n)d: %(value)s is beyond any account.") % {"n": number, "value": value})
            continue
        minimum = item.get("live_minimum_minutes") or None
        if minimum is not None and metric != TargetMetric.LIVES:
            errors.append(_("Target %(n)d: a minimum length is only for Facebook Lives.") % {"n": number})
            continue
        if unit_id is not None and unit_id not in unit_ids:
            errors.append(_("Target %(n)d: the unit does not take part in the campaign.") % {"n": number})
            continue
        key = (unit_id, metric, platform)
        if key in seen:
            errors.append(
                _("Target %(n)d: this metric and platform already have a target for the same units.") % {"n": number}
            )
            continue
        seen.add(key)
        cleaned.append(
            {
                "metric": metric,
                "platform": platform,
                "value": value,
                "live_minimum_minutes": minimum,
                "unit_id": unit_id,
            }
        )
    if errors:
        raise ValidationError({"targets": errors})
    return cleaned


def _clean_units(*, state: State, scope: str, district: Unit | None, units: Iterable[Unit]) -> list[Unit]:
    candidates = scope_units(state, scope, district=district)
    if scope == CampaignScope.STATE:
        return list(candidates)
    allowed = {unit.pk: unit for unit in candidates}
    chosen = {unit.pk: unit for unit in units}
    outside = [unit for pk, unit in chosen.items() if pk not in allowed]
    if outside:
        raise ValidationError(
            {
                "units": _("These units cannot take part with the chosen scope: %(units)s.")
                % {"units": ", ".join(unit.name for unit in outside)}
            }
        )
    return [allowed[pk] for pk in chosen]


def _validate(campaign: Campaign, *, units: list[Unit], targets: list[dict], today: date) -> None:
    errors: dict[str, list[str]] = {}
    try:
        campaign.full_clean(exclude=["created_by", "status"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if campaign.starts_on and campaign.ends_on:
        if campaign.ends_on < campaign.starts_on:
            errors.setdefault("ends_on", []).append(_("The last day cannot be before the first."))
        elif (campaign.ends_on - campaign.starts_on).days + 1 > MAX_CAMPAIGN_DAYS:
            errors.setdefault("ends_on", []).append(
                _("A campaign lasts at most %(days)d days.") % {"days": MAX_CAMPAIGN_DAYS}
            )
        elif campaign.ends_on < today:
            errors.setdefault("ends_on", []).append(_("The last day has passed already."))
    if campaign.scope == CampaignScope.DISTRICT_OFFICES:
        district = campaign.district
        if district is None or district.kind != UnitKind.DISTRICT or district.state_id != campaign.state_id:
            errors.setdefault("district", []).append(_("Choose a district of the campaign's state."))
    if not units:
        errors.setdefault("units", []).append(_("Choose at least one unit to take part."))
    if not targets:
        errors.setdefault("targets", []).append(_("Give at least one target."))
    if errors:
        raise ValidationError(errors)


def _check_may_create(user: User, state: State) -> None:
    if not may_create(user) or not (user.is_admin_role or user.state_id == state.pk):
        raise PermissionDenied(_("Only admins and the state's PR officers run campaigns."))


def _save_parts(campaign: Campaign, units: list[Unit], targets: list[dict]) -> None:
    CampaignTarget.objects.filter(campaign=campaign).delete()
    CampaignUnit.objects.filter(campaign=campaign).delete()
    CampaignUnit.objects.bulk_create(CampaignUnit(campaign=campaign, unit=unit) for unit in units)
    CampaignTarget.objects.bulk_create(CampaignTarget(campaign=campaign, **target) for target in targets)


@transaction.atomic
def campaign_create(
    *,
    user: User,
    state: State,
    name_en: str,
    name_hi: str,
    starts_on: date,
    ends_on: date,
    scope: str,
    units: Iterable[Unit] = (),
    targets: Iterable[Mapping] = (),
    district: Unit | None = None,
    description: str = "",
    now: datetime | None = None,
) -> Campaign:
    """A draft campaign with its participants and targets (admins, and the state's PR officers)."""
    _check_may_create(user, state)
    now = now or timezone.now()
    campaign = Campaign(
        state=state,
        name_en=name_en.strip(),
        name_hi=name_hi.strip(),
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        scope=scope,
        district=district if scope == CampaignScope.DISTRICT_OFFICES else None,
        created_by=user,
        created_at=now,
    )
    unit_list = _clean_units(state=state, scope=scope, district=campaign.district, units=units)
    cleaned = clean_targets(targets, unit_ids={unit.pk for unit in unit_list})
    _validate(campaign, units=unit_list, targets=cleaned, today=timezone.localdate(now))
    campaign.save()
    _save_parts(campaign, unit_list, cleaned)
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    user: User,
    name_en: str,
    name_hi: str,
    starts_on: date,
    ends_on: date,
    scope: str,
    units: Iterable[Unit] = (),
    targets: Iterable[Mapping] = (),
    district: Unit | None = None,
    description: str = "",
    now: datetime | None = None,
) -> Campaign:
    """Change a draft: its name, dates, participants and targets (replaced as a whole). Drafts only."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not may_manage(user, locked):
        raise PermissionDenied(_("Only admins and the state's PR officers run campaigns."))
    if locked.status != CampaignStatus.DRAFT:
        raise ValidationError(_("A campaign that has been started cannot be changed."), code="status")
    now = now or timezone.now()
    locked.name_en, locked.name_hi, locked.description = name_en.strip(), name_hi.strip(), description.strip()
    locked.starts_on, locked.ends_on, locked.scope = starts_on, ends_on, scope
    locked.district = district if scope == CampaignScope.DISTRICT_OFFICES else None
    unit_list = _clean_units(state=locked.state, scope=scope, district=locked.district, units=units)
    cleaned = clean_targets(targets, unit_ids={unit.pk for unit in unit_list})
    _validate(locked, units=unit_list, targets=cleaned, today=timezone.localdate(now))
    locked.save()
    _save_parts(locked, unit_list, cleaned)
    return locked


# ---- starting -------------------------------------------------------------------------------------


@transaction.atomic
def campaign_start(*, campaign: Campaign, user: User, now: datetime | None = None) -> Campaign:
    """Start a draft: running if its first day has come (baseline frozen, hourly polling on), else scheduled.

    Starting a campaign that is already scheduled or running changes nothing.
    """
    now = now or timezone.now()
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not may_manage(user, locked):
        raise PermissionDenied(_("Only admins and the state's PR officers run campaigns."))
    if locked.status in (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING):
        return locked
    if locked.status != CampaignStatus.DRAFT:
        raise ValidationError(_("A closed campaign cannot be started again."), code="status")
    errors = []
    if not locked.units.exists():
        errors.append(_("No unit takes part yet: choose the participants first."))
    if not locked.targets.exists():
        errors.append(_("The campaign has no target yet: give at least one."))
    if locked.ends_on < timezone.localdate(now):
        errors.append(_("The campaign's last day has passed already: change its dates first."))
    if errors:
        raise ValidationError(errors)
    locked.status = CampaignStatus.SCHEDULED
    locked.started_at, locked.started_by = now, user
    locked.save(update_fields=["status", "started_at", "started_by"])
    if locked.starts_on <= timezone.localdate(now):
        _activate(locked, now=now)
    return locked


def _activate(campaign: Campaign, *, now: datetime) -> None:
    """Scheduled → running (the caller holds the row lock): freeze each participating account's baseline at
    the campaign's first moment (IST midnight) and poll the accounts hourly until its end."""
    accounts = list(
        Account.objects.filter(unit__campaign_entries__campaign=campaign).values_list("pk", "unit_id", "platform")
    )
    found = baseline_snapshot([pk for pk, _unit, _platform in accounts], campaign.start_at, until=now)
    CampaignBaseline.objects.bulk_create(
        [
            CampaignBaseline(
                campaign=campaign,
                account_id=pk,
                unit_id=unit_id,
                platform=platform,
                slot=found[pk][0] if pk in found else None,
                followers=found[pk][1] if pk in found else None,
            )
            for pk, unit_id, platform in accounts
        ],
        ignore_conflicts=True,
    )
    hourly_polling_on([pk for pk, _unit, _platform in accounts], until=campaign.end_at)
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])


def hourly_polling_on(account_ids: list[int], *, until: datetime) -> int:
    """Poll these accounts every hour until ``until``; a later end already set (another campaign) is kept."""
    if not account_ids:
        return 0
    AccountPollState.objects.bulk_create([AccountPollState(account_id=pk) for pk in account_ids], ignore_conflicts=True)
    return (
        AccountPollState.objects.filter(account_id__in=account_ids)
        .filter(Q(hourly_until__isnull=True) | Q(hourly_until__lt=until))
        .update(hourly_until=until)
    )


def hourly_polling_off(campaign: Campaign) -> None:
    """The campaign's accounts go back to daily polling, unless another running campaign still covers them:
    then they are polled hourly until that campaign's end (the latest, if several)."""
    account_ids = list(CampaignBaseline.objects.filter(campaign=campaign).values_list("account_id", flat=True))
    others = dict(
        CampaignBaseline.objects.filter(account_id__in=account_ids, campaign__status=CampaignStatus.RUNNING)
        .exclude(campaign=campaign)
        .values("account_id")
        .annotate(last_day=Max("campaign__ends_on"))
        .values_list("account_id", "last_day")
    )
    by_end: dict[datetime, list[int]] = {}
    for account_id, last_day in others.items():
        by_end.setdefault(Period("custom", last_day, last_day).end_at, []).append(account_id)
    for end, ids in by_end.items():
        AccountPollState.objects.filter(account_id__in=ids).update(hourly_until=end)
    # Only what this campaign set (or less) is switched off: a later end belongs to someone else.
    AccountPollState.objects.filter(
        account_id__in=[pk for pk in account_ids if pk not in others], hourly_until__lte=campaign.end_at
    ).update(hourly_until=None)


def baselines_fill(campaign: Campaign, *, now: datetime | None = None) -> int:
    """Accounts that had no snapshot at the start get the first one inside the campaign, as the leaderboards
    take a period's start; a baseline once set is never changed."""
    now = now or timezone.now()
    missing = list(
        CampaignBaseline.objects.filter(campaign=campaign, followers__isnull=True).values_list("account_id", flat=True)
    )
    if not missing:
        return 0
    found = baseline_snapshot(missing, campaign.start_at, until=campaign.measured_until(now))
    filled = 0
    for account_id, (slot, followers) in found.items():
        filled += CampaignBaseline.objects.filter(
            campaign=campaign, account_id=account_id, followers__isnull=True
        ).update(slot=slot, followers=followers)
    return filled


# ---- closing ---------------------------------------------------------------------------------------


@transaction.atomic
def campaign_close(*, campaign: Campaign, user: User | None, reason: str = "", now: datetime | None = None) -> Campaign:
    """Close a running campaign: early (with a reason) before its last day has ended. Freezes the report and
    switches hourly polling off. Closing a closed campaign changes nothing."""
    now = now or timezone.now()
    locked = Campaign.objects.select_for_update().select_related("state").get(pk=campaign.pk)
    if user is not None and not may_manage(user, locked):
        raise PermissionDenied(_("Only admins and the state's PR officers run campaigns."))
    if locked.status == CampaignStatus.CLOSED:
        return locked
    if locked.status != CampaignStatus.RUNNING:
        raise ValidationError(_("Only a running campaign can be closed."), code="status")
    early = now < locked.end_at
    if early and not reason.strip():
        raise ValidationError({"reason": _("Say why the campaign is closed before its last day.")})
    baselines_fill(locked, now=now)
    locked.status = CampaignStatus.CLOSED
    locked.closed_at, locked.closed_by = (now if early else locked.end_at), user
    locked.closed_early = early
    locked.close_reason = reason.strip() if early else ""
    locked.save(update_fields=["status", "closed_at", "closed_by", "closed_early", "close_reason"])
    results_freeze(locked, now=now)
    hourly_polling_off(locked)
    return locked


STATUS_FOR_RESULT = {MET: ResultStatus.MET, MISSED: ResultStatus.MISSED, NO_DATA: ResultStatus.NO_DATA}


def results_freeze(campaign: Campaign, *, now: datetime) -> int:
    """The report as it stands at the close, one row per unit and target; written once."""
    progress = campaign_progress(campaign, now=now)
    rows = []
    for row in progress.units:
        for position, item in enumerate(row.targets):
            rows.append(
                CampaignResult(
                    campaign=campaign,
                    unit=row.unit,
                    metric=item.target.metric,
                    platform=item.target.platform,
                    live_minimum_minutes=item.target.live_minimum_minutes,
                    target=item.target.value,
                    before=item.before,
                    after=item.after,
                    achieved=item.achieved,
                    percent=item.percent,
                    status=STATUS_FOR_RESULT.get(item.status, ResultStatus.MISSED),
                    position=position,
                )
            )
    return len(CampaignResult.objects.bulk_create(rows, ignore_conflicts=True))


# ---- the hourly pass ---------------------------------------------------------------------------------


@dataclass
class AdvanceOutcome:
    started: list[int]
    closed: list[int]
    baselines_filled: int


def campaigns_advance(*, now: datetime | None = None) -> AdvanceOutcome:
    """Start the scheduled campaigns whose first day has come; close (not early) the running ones whose last
    day has ended; fill the baselines of accounts first polled after the start. Safe to run twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    outcome = AdvanceOutcome([], [], 0)
    for pk in Campaign.objects.filter(status=CampaignStatus.SCHEDULED, starts_on__lte=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            locked = Campaign.objects.select_for_update().get(pk=pk)
            if locked.status == CampaignStatus.SCHEDULED and locked.starts_on <= today:
                _activate(locked, now=now)
                outcome.started.append(pk)
    for pk in Campaign.objects.filter(status=CampaignStatus.RUNNING, ends_on__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            locked = Campaign.objects.select_for_update().get(pk=pk)
            if locked.status == CampaignStatus.RUNNING and locked.ends_on < today:
                campaign_close(campaign=locked, user=None, now=now)
                outcome.closed.append(pk)
    for campaign in Campaign.objects.filter(
        status=CampaignStatus.RUNNING, baselines__followers__isnull=True
    ).distinct():
        outcome.baselines_filled += baselines_fill(campaign, now=now)
    return outcome
