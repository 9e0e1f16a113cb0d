"""Reads of campaigns, always through the user's scope, and each unit's progress day by day.

Honest numbers, as the leaderboards count them (``leaderboards.selectors``):
- follower growth is measured from each account's frozen baseline (``CampaignBaseline``) to its last
  snapshot of each IST day; a day on which some of the unit's accounts has no snapshot is a *gap*
  (None), drawn as a gap, never filled in;
- posts, retweets and Lives are counted from the polled posts by IST day, with the kinds the
  leaderboards count (``ORIGINAL_KINDS``, reposts, Lives of at least a minimum length);
- a unit none of whose accounts was polled has *no data* for that target: no figure, no rank.

A campaign's progress is read in a fixed number of queries whatever the number of units: the
participants, the targets, the baselines with each day's last follower count (one subquery per
day, each an index lookup on the snapshots' (account, slot)), and the posts by day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import (
    Campaign,
    CampaignBaseline,
    CampaignResult,
    CampaignScope,
    CampaignStatus,
    CampaignTarget,
    CampaignUnit,
    TargetMetric,
    TargetPlatform,
)
from departments.choices import UnitKind
from departments.models import State, Unit
from departments.selectors import units_for
from leaderboards.selectors import ORIGINAL_KINDS, snapshots_before
from metrics.choices import PostKind
from metrics.models import Post, Snapshot
from users.models import User

# A unit is off track when what it achieved lags the pro-rata expectation by more than this share of its target.
OFF_TRACK_TOLERANCE = Decimal("0.10")

MET, ON_TRACK, OFF_TRACK, MISSED, NO_DATA = "met", "on_track", "off_track", "missed", "no_data"
STATUS_LABELS = {
    MET: _("met"),
    ON_TRACK: _("on track"),
    OFF_TRACK: _("off track"),
    MISSED: _("missed"),
    NO_DATA: _("no data"),
}
FOLLOWER_METRICS = (TargetMetric.FOLLOWERS, TargetMetric.FOLLOWERS_PCT)
HUNDRED = Decimal(100)


# ---- scope -------------------------------------------------------------------------------


def campaigns_for(user: User) -> QuerySet[Campaign]:
    """Admins: all; a state PR officer: the state's; a district official: the campaigns (not drafts) in which
    their district or one of its offices takes part."""
    campaigns = Campaign.objects.select_related("state", "district")
    if user.is_admin_role:
        return campaigns
    if user.is_state_officer:
        return campaigns.filter(state_id=user.state_id)
    if user.is_district_official:
        taking_part = CampaignUnit.objects.filter(unit__in=units_for(user)).values("campaign_id")
        return campaigns.filter(pk__in=taking_part).exclude(status=CampaignStatus.DRAFT)
    return campaigns.none()


def campaigns_for_unit(unit: Unit, *, limit: int = 5) -> list[Campaign]:
    """The started campaigns the unit takes part in, newest first (for its page)."""
    return list(
        Campaign.objects.filter(units__unit=unit)
        .exclude(status=CampaignStatus.DRAFT)
        .order_by("-starts_on", "-pk")[:limit]
    )


def campaign_detail(user: User, pk: int) -> Campaign:
    """The campaign, or ``Campaign.DoesNotExist`` outside the user's scope."""
    return campaigns_for(user).select_related("created_by", "started_by", "closed_by").get(pk=pk)


def may_manage(user: User, campaign: Campaign) -> bool:
    """Admins anywhere; a state PR officer of the campaign's state."""
    return user.is_admin_role or (user.is_state_officer and user.state_id == campaign.state_id)


def may_create(user: User) -> bool:
    return user.is_admin_role or user.is_state_officer


@dataclass(frozen=True)
class CampaignFilters:
    state: State | None = None
    status: str = ""
    q: str = ""


def campaign_list(user: User, filters: CampaignFilters) -> QuerySet[Campaign]:
    campaigns = campaigns_for(user)
    if filters.state is not None:
        campaigns = campaigns.filter(state=filters.state)
    if filters.status:
        campaigns = campaigns.filter(status=filters.status)
    if filters.q:
        campaigns = campaigns.filter(
            Q(name_en__icontains=filters.q) | Q(name_hi__icontains=filters.q) | Q(description__icontains=filters.q)
        )
    return campaigns.annotate(unit_count=Count("units", distinct=True)).order_by("-starts_on", "-pk")


def scope_units(state: State, scope: str, *, district: Unit | None = None) -> QuerySet[Unit]:
    """The units a scope can take part with: the candidates a form offers and the service accepts."""
    units = Unit.objects.filter(state=state, is_active=True)
    if scope == CampaignScope.STATE:
        return units.filter(kind__in=[UnitKind.DISTRICT, UnitKind.STATE_DEPARTMENT, UnitKind.STATE_UNDERTAKING])
    if scope == CampaignScope.DISTRICTS:
        return units.filter(kind=UnitKind.DISTRICT)
    if scope == CampaignScope.DEPARTMENTS:
        return units.filter(kind__in=[UnitKind.STATE_DEPARTMENT, UnitKind.STATE_UNDERTAKING])
    if scope == CampaignScope.DISTRICT_OFFICES and district is not None:
        return units.filter(kind=UnitKind.DISTRICT_OFFICE, district=district)
    return units.none()


# ---- targets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The target in force for a unit: the campaign's default, or the unit's own override."""

    metric: str
    platform: str
    value: Decimal
    live_minimum_minutes: int | None = None
    override: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.metric, self.platform)

    @property
    def slug(self) -> str:
        return f"{self.metric}-{self.platform}"

    @property
    def label(self) -> str:
        return target_label(self.metric, self.platform, self.value, self.live_minimum_minutes)

    @property
    def is_followers(self) -> bool:
        return self.metric in FOLLOWER_METRICS


def target_label(metric: str, platform: str, value, minimum: int | None = None) -> str:
    value = _plain(value)
    platform_label = TargetPlatform(platform).label
    if metric == TargetMetric.FOLLOWERS:
        text = _("Followers +%(value)s") % {"value": value}
    elif metric == TargetMetric.FOLLOWERS_PCT:
        text = _("Followers +%(value)s%%") % {"value": value}
    elif metric == TargetMetric.POSTS:
        text = _("%(value)s posts") % {"value": value}
    elif metric == TargetMetric.REPOSTS:
        text = _("%(value)s retweets / reposts") % {"value": value}
    elif minimum:
        text = _("%(value)s Lives of %(minutes)s+ minutes") % {"value": value, "minutes": minimum}
    else:
        text = _("%(value)s Lives") % {"value": value}
    return f"{text} · {platform_label}"


def _plain(value) -> str:
    """5.00 -> 5, 2.50 -> 2.5."""
    if value is None:
        return "—"
    value = Decimal(value)
    return (
        f"{value.normalize():f}" if value == value.to_integral() else f"{value.quantize(Decimal('0.01')).normalize():f}"
    )


def targets_for_units(targets: list[CampaignTarget], unit_ids: list[int]) -> dict[int, list[Target]]:
    """Each unit's targets: the defaults, each replaced by the unit's override of the same metric and platform."""
    defaults = [target for target in targets if target.unit_id is None]
    overrides: dict[int, list[CampaignTarget]] = defaultdict(list)
    for target in targets:
        if target.unit_id is not None:
            overrides[target.unit_id].append(target)
    result = {}
    for unit_id in unit_ids:
        keyed: dict[tuple[str, str], Target] = {}
        for target in defaults:
            keyed[target.key] = Target(target.metric, target.platform, target.value, target.live_minimum_minutes)
        for target in overrides.get(unit_id, []):
            keyed[target.key] = Target(
                target.metric, target.platform, target.value, target.live_minimum_minutes, override=True
            )
        result[unit_id] = list(keyed.values())
    return result


def target_columns(targets: list[CampaignTarget]) -> list[tuple[str, str]]:
    """The (metric, platform) keys of a campaign's targets in their order: the leaderboard's columns."""
    keys: list[tuple[str, str]] = []
    for target in sorted(targets, key=lambda t: (t.unit_id is not None, t.pk or 0)):
        if target.key not in keys:
            keys.append(target.key)
    return keys


# ---- progress ------------------------------------------------------------------------------


@dataclass
class AccountDays:
    """One participating account: its frozen baseline, its last follower count of each day, its posts by day."""

    account_id: int
    unit_id: int
    platform: str
    handle: str
    baseline: int | None
    baseline_slot: datetime | None
    followers: list[int | None]  # per campaign day (None: no snapshot that day, or a day still to come)
    posts: dict[str, list[int]] = field(default_factory=dict)  # per counter, per day

    @property
    def latest_followers(self) -> int | None:
        return next((value for value in reversed(self.followers) if value is not None), None)

    @property
    def polled(self) -> bool:
        return self.baseline is not None or any(value is not None for value in self.followers)

    def count(self, counter: str) -> int:
        return sum(self.posts.get(counter, ()))


@dataclass
class TargetProgress:
    target: Target
    daily: list[Decimal | None]  # achieved at the end of each campaign day (None: gap, no data or not yet)
    expected: list[Decimal]  # the pro-rata line
    goal: Decimal  # the target in the units of ``daily`` (for +N%: followers needed; else the target)
    achieved: Decimal | None = None  # in the target's own units (+N% as a percentage)
    before: int | None = None
    after: int | None = None
    status: str = NO_DATA
    elapsed: int = 0

    @property
    def percent(self) -> Decimal | None:
        """Achieved as a share of the target, uncapped."""
        if self.achieved is None:
            return None
        return (HUNDRED * self.achieved / self.target.value).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def gap_days(self) -> int | None:
        """Days so far without a figure (follower targets; None for a target with no data at all)."""
        if self.achieved is None:
            return None
        return sum(1 for value in self.daily[: self.elapsed] if value is None)


@dataclass
class UnitProgress:
    unit: Unit
    targets: list[TargetProgress]
    accounts: list[AccountDays]
    score: Decimal | None = None  # mean over its targets of achieved/target, each capped at 100 %
    rank: int | None = None

    @property
    def has_data(self) -> bool:
        return self.score is not None

    @property
    def off_track(self) -> list[TargetProgress]:
        return [item for item in self.targets if item.status in (OFF_TRACK, MISSED)]

    @property
    def without_baseline(self) -> list[AccountDays]:
        return [account for account in self.accounts if account.baseline is None]

    def by_key(self) -> dict[tuple[str, str], TargetProgress]:
        return {item.target.key: item for item in self.targets}


@dataclass
class CampaignProgress:
    campaign: Campaign
    days: list[date]
    elapsed: int  # days begun so far (day X of N)
    until: datetime
    columns: list[tuple[str, str]]
    units: list[UnitProgress]
    targets: list[CampaignTarget] = field(default_factory=list)

    @property
    def ranked(self) -> list[UnitProgress]:
        return sorted((row for row in self.units if row.rank is not None), key=lambda row: (row.rank, row.unit.name_en))

    @property
    def off_track(self) -> list[UnitProgress]:
        return [row for row in self.units if row.off_track]

    @property
    def without_data(self) -> list[UnitProgress]:
        return [row for row in self.units if not row.has_data]


def campaign_days(campaign: Campaign) -> list[date]:
    return [campaign.starts_on + timedelta(days=offset) for offset in range(campaign.days)]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _counters(targets: list[CampaignTarget]) -> dict[str, Q]:
    """The post counts the targets need, each a filter on a post: posts, reposts, Lives (per minimum length)."""
    counters = {"posts": Q(kind__in=ORIGINAL_KINDS), "reposts": Q(kind=PostKind.REPOST)}
    for target in targets:
        if target.metric == TargetMetric.LIVES:
            minimum = target.live_minimum_minutes or 0
            counters[f"lives_{minimum}"] = (
                Q(kind=PostKind.LIVE, duration_seconds__gte=minimum * 60) if minimum else Q(kind=PostKind.LIVE)
            )
    return counters


def counter_for(target: Target) -> str:
    if target.metric == TargetMetric.POSTS:
        return "posts"
    if target.metric == TargetMetric.REPOSTS:
        return "reposts"
    return f"lives_{target.live_minimum_minutes or 0}"


def account_days(
    campaign: Campaign, targets: list[CampaignTarget], *, unit_ids: list[int] | None = None, now: datetime | None = None
) -> list[AccountDays]:
    """The participating accounts with their baselines, each day's last follower count and posts. Two queries."""
    until = campaign.measured_until(now)
    days = campaign_days(campaign)
    begun = [day for day in days if _day_start(day) < until]
    annotations = {}
    for index, day in enumerate(begun):
        start, end = _day_start(day), min(_day_start(day + timedelta(days=1)), until)
        last = Snapshot.objects.filter(
            account=OuterRef("account_id"), slot__gte=start, slot__lt=end, followers__isnull=False
        ).order_by("-slot")
        annotations[f"day{index}"] = Subquery(last.values("followers")[:1])
    baselines = CampaignBaseline.objects.filter(campaign=campaign)
    if unit_ids is not None:
        baselines = baselines.filter(unit_id__in=unit_ids)
    rows = baselines.order_by("unit_id", "platform", "account__handle").annotate(**annotations)
    fields = ["account_id", "unit_id", "platform", "account__handle", "followers", "slot"]
    accounts = {}
    for row in rows.values_list(*fields, *annotations):
        account_id, unit_id, platform, handle, baseline, slot, *daily = row
        followers = list(daily) + [None] * (len(days) - len(daily))
        accounts[account_id] = AccountDays(account_id, unit_id, platform, handle, baseline, slot, followers)
    if not accounts or not begun:
        return list(accounts.values())
    counters = _counters(targets)
    tz = timezone.get_current_timezone()
    activity = (
        Post.objects.filter(account_id__in=list(accounts), created_at__gte=campaign.start_at, created_at__lt=until)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("account_id", "day")
        .annotate(**{name: Count("pk", filter=condition) for name, condition in counters.items()})
        .values_list("account_id", "day", *counters)
    )
    index_of = {day: index for index, day in enumerate(days)}
    for account in accounts.values():
        account.posts = {name: [0] * len(days) for name in counters}
    for account_id, day, *counts in activity:
        position = index_of.get(day)
        if position is None:
            continue
        for name, count in zip(counters, counts, strict=True):
            accounts[account_id].posts[name][position] = count
    return list(accounts.values())


def _matches(account: AccountDays, platform: str) -> bool:
    return platform == TargetPlatform.ALL or account.platform == platform


def target_progress(
    target: Target, accounts: list[AccountDays], *, days: int, elapsed: int, closed: bool
) -> TargetProgress:
    """One unit's progress on one target, day by day, and its status."""
    mine = [account for account in accounts if _matches(account, target.platform)]
    daily: list[Decimal | None] = [None] * days
    goal = target.value
    before = after = achieved = None
    if target.is_followers:
        counted = [account for account in mine if account.baseline is not None]
        if counted:
            before = sum(account.baseline for account in counted)
            for index in range(elapsed):
                values = [account.followers[index] for account in counted]
                if all(value is not None for value in values):
                    daily[index] = Decimal(sum(values) - before)
            last = next((index for index in range(elapsed - 1, -1, -1) if daily[index] is not None), None)
            if last is not None:
                after = before + int(daily[last])
                growth = daily[last]
                if target.metric == TargetMetric.FOLLOWERS_PCT:
                    achieved = (HUNDRED * growth / before).quantize(Decimal("0.01"), ROUND_HALF_UP) if before else None
                else:
                    achieved = growth
        if target.metric == TargetMetric.FOLLOWERS_PCT:
            goal = (Decimal(before or 0) * target.value / HUNDRED).quantize(Decimal("1"), ROUND_HALF_UP)
            if not before:
                daily = [None] * days
    elif any(account.polled for account in mine):
        counter = counter_for(target)
        series = [account.posts[counter] for account in mine if counter in account.posts]
        per_day = [sum(counts) for counts in zip(*series, strict=True)] if series else [0] * days
        total = 0
        for index in range(elapsed):
            total += per_day[index]
            daily[index] = Decimal(total)
        if elapsed:
            achieved = Decimal(total)
            after = total
    expected = list(_expected_line(goal, days))
    progress = TargetProgress(target, daily, expected, goal, achieved, before, after, elapsed=elapsed)
    progress.status = _judge(progress, elapsed=elapsed, days=days, closed=closed)
    return progress


@lru_cache(maxsize=1024)
def _expected_line(goal: Decimal, days: int) -> tuple[Decimal, ...]:
    """The pro-rata line to ``goal``, day by day: the same for every unit with the same goal (all but +N%),
    so it is worked out once, not once per unit and target."""
    return tuple((goal * (index + 1) / days).quantize(Decimal("0.01"), ROUND_HALF_UP) for index in range(days))


def _judge(progress: TargetProgress, *, elapsed: int, days: int, closed: bool) -> str:
    if progress.achieved is None:
        return NO_DATA
    value = progress.target.value
    if progress.achieved >= value:
        return MET
    if closed:
        return MISSED
    expected_now = value * elapsed / days
    return OFF_TRACK if progress.achieved < expected_now - OFF_TRACK_TOLERANCE * value else ON_TRACK


def unit_score(targets: list[TargetProgress]) -> Decimal | None:
    """The mean over the unit's targets of achieved / target, each capped at 100 %.

    A target with no data counts 0 (a missing account earns nothing); a unit with no data on any target
    has no score and no rank.
    """
    if not targets or all(item.achieved is None for item in targets):
        return None
    shares = [
        min(HUNDRED, max(Decimal(0), item.percent)) if item.percent is not None else Decimal(0) for item in targets
    ]
    return (sum(shares) / len(shares)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def rank_units(rows: list[UnitProgress]) -> None:
    """Rank the units with a score, highest first; ties share a rank (1, 2, 2, 4)."""
    ranked = sorted((row for row in rows if row.score is not None), key=lambda row: -row.score)
    for position, row in enumerate(ranked, start=1):
        if position > 1 and row.score == ranked[position - 2].score:
            row.rank = ranked[position - 2].rank
        else:
            row.rank = position


def campaign_progress(
    campaign: Campaign, *, unit_ids: list[int] | None = None, now: datetime | None = None
) -> CampaignProgress:
    """Every participant's progress on each of its targets, day by day, ranked. Four queries.

    Ranks are always among all participants; ``unit_ids`` (a drill-down) then keeps only those rows.
    """
    now = now or timezone.now()
    entries = list(CampaignUnit.objects.filter(campaign=campaign).select_related("unit").order_by("unit__name_en"))
    targets = list(CampaignTarget.objects.filter(campaign=campaign).select_related("unit").order_by("pk"))
    days = campaign_days(campaign)
    elapsed = campaign.day_number(now) if campaign.has_started else 0
    by_unit: dict[int, list[AccountDays]] = defaultdict(list)
    if campaign.has_started:
        for account in account_days(campaign, targets, now=now):
            by_unit[account.unit_id].append(account)
    unit_targets = targets_for_units(targets, [entry.unit_id for entry in entries])
    closed = campaign.status == CampaignStatus.CLOSED or campaign.has_ended_at(now)
    rows = []
    for entry in entries:
        accounts = by_unit[entry.unit_id]
        progress = [
            target_progress(target, accounts, days=len(days), elapsed=elapsed, closed=closed)
            for target in unit_targets[entry.unit_id]
        ]
        rows.append(UnitProgress(entry.unit, progress, accounts, score=unit_score(progress) if elapsed else None))
    rank_units(rows)
    if unit_ids is not None:
        rows = [row for row in rows if row.unit.pk in unit_ids]
    return CampaignProgress(
        campaign, days, elapsed, campaign.measured_until(now), target_columns(targets), rows, targets
    )


# ---- charts --------------------------------------------------------------------------------


def burnup_series(progress: CampaignProgress, rows: list[UnitProgress] | None = None) -> list[dict]:
    """Per target (metric and platform): achieved against expected, day by day, summed over the units.

    +N% is drawn in followers (each unit's growth against the followers its percentage asks of it), so
    units add up. Units without data on a target are left out of its line and its expectation (counted in
    ``left_out``); a day on which any unit counted has a gap is a gap of the whole line (None), never filled in.
    """
    rows = progress.units if rows is None else rows
    series = []
    for metric, platform in progress.columns:
        counted = []
        left_out = 0
        for row in rows:
            item = row.by_key().get((metric, platform))
            if item is None:
                continue
            if item.achieved is None:
                left_out += 1
            else:
                counted.append(item)
        days = len(progress.days)
        achieved = []
        for index in range(days):
            values = [item.daily[index] for item in counted]
            if index >= progress.elapsed or not counted or any(value is None for value in values):
                achieved.append(None)
            else:
                achieved.append(float(sum(values)))
        expected = [float(sum(item.expected[index] for item in counted)) for index in range(days)] if counted else []
        sample = counted[0].target if counted else None
        series.append(
            {
                "id": f"burnup-{metric}-{platform}",
                "metric": metric,
                "platform": platform,
                "label": str(_series_label(metric, platform, sample)),
                "days": [day.isoformat() for day in progress.days],
                "achieved": achieved,
                "expected": expected,
                "units": len(counted),
                "left_out": left_out,
            }
        )
    return series


def _series_label(metric: str, platform: str, sample: Target | None) -> str:
    names = dict(TargetMetric.choices)
    text = f"{names[metric]} · {TargetPlatform(platform).label}"
    if metric == TargetMetric.FOLLOWERS_PCT:
        text += " — " + str(_("followers gained"))
    return text


# ---- the report ------------------------------------------------------------------------------


def campaign_results(campaign: Campaign) -> list[CampaignResult]:
    """The frozen report, unit by unit. One query."""
    return list(
        CampaignResult.objects.filter(campaign=campaign).select_related("unit").order_by("unit__name_en", "position")
    )


def baselines(campaign: Campaign) -> list[CampaignBaseline]:
    return list(
        CampaignBaseline.objects.filter(campaign=campaign)
        .select_related("unit", "account")
        .order_by("unit__name_en", "platform", "account__handle")
    )


def baseline_snapshot(account_ids: list[int], start: datetime, *, until: datetime) -> dict[int, tuple]:
    """Per account: (slot, followers) of the last snapshot at or before ``start`` no older than the bound
    tolerance, else of the first inside [start, until), as the leaderboards take a period's start. One query."""
    from departments.models import Account

    before = snapshots_before(start).filter(followers__isnull=False)
    inside = Snapshot.objects.filter(
        account=OuterRef("pk"), slot__gte=start, slot__lt=until, followers__isnull=False
    ).order_by("slot")
    rows = (
        Account.objects.filter(pk__in=account_ids)
        .annotate(
            before_slot=Subquery(before.values("slot")[:1]),
            before_followers=Subquery(before.values("followers")[:1]),
            first_slot=Subquery(inside.values("slot")[:1]),
            first_followers=Subquery(inside.values("followers")[:1]),
        )
        .values_list("pk", "before_slot", "before_followers", "first_slot", "first_followers")
    )
    found = {}
    for pk, before_slot, before_followers, first_slot, first_followers in rows:
        if before_slot is not None:
            found[pk] = (before_slot, before_followers)
        elif first_slot is not None:
            found[pk] = (first_slot, first_followers)
    return found


@dataclass
class ReportRow:
    unit: Unit
    metric: str
    platform: str
    live_minimum_minutes: int | None
    target: Decimal
    before: int | None
    after: int | None
    achieved: Decimal | None
    percent: Decimal | None
    status: str

    @property
    def label(self) -> str:
        return target_label(self.metric, self.platform, self.target, self.live_minimum_minutes)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_followers(self) -> bool:
        return self.metric in FOLLOWER_METRICS


def report_rows(campaign: Campaign, *, now: datetime | None = None) -> list[ReportRow]:
    """Before and after per unit and target: the frozen results of a closed campaign (one query), else the
    figures so far (four queries)."""
    if campaign.status == CampaignStatus.CLOSED:
        return [
            ReportRow(
                result.unit,
                result.metric,
                result.platform,
                result.live_minimum_minutes,
                result.target,
                result.before,
                result.after,
                result.achieved,
                result.percent,
                result.status,
            )
            for result in campaign_results(campaign)
        ]
    progress = campaign_progress(campaign, now=now)
    return [
        ReportRow(
            row.unit,
            item.target.metric,
            item.target.platform,
            item.target.live_minimum_minutes,
            item.target.value,
            item.before,
            item.after,
            item.achieved,
            item.percent,
            item.status,
        )
        for row in progress.units
        for item in row.targets
    ]


def report_summary(rows: list[ReportRow]) -> dict[str, int]:
    summary = {MET: 0, MISSED: 0, NO_DATA: 0, ON_TRACK: 0, OFF_TRACK: 0}
    for row in rows:
        summary[row.status] = summary.get(row.status, 0) + 1
    return summary
