"""Figures per unit for a period, and the leaderboards ranked from them.

Honest numbers:
- growth over a period comes from each account's snapshots nearest to the
  period's bounds: the last one at or before the start (if it is no older than
  ``BOUND_TOLERANCE``), else the first one inside the period; and the last one
  inside the period;
- a unit none of whose accounts was polled in the period has *no data*: no
  figures, no score and no rank, never zeros;
- days without any snapshot are counted and shown as a gap, never filled in.

Everything a board shows comes from a fixed number of queries whatever the
number of units: units; accounts with their bound snapshots and days polled
(one query: index lookups per account); and posts.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.choices import UnitKind
from departments.models import Account, State, Unit
from leaderboards.models import SCORE_METRICS, ScoreWeights
from leaderboards.periods import Period
from metrics.choices import PostKind
from metrics.models import Post, Snapshot
from staff.selectors import StaffCompliance, staff_compliance

BOUND_TOLERANCE = timedelta(hours=36)
LIVE_MINIMUM_SECONDS = 30 * 60

ORIGINAL_KINDS = (PostKind.POST, PostKind.QUOTE, PostKind.VIDEO)

# Columns a board can be sorted by: (key, label, higher is better).
COLUMNS = [
    ("followers_end", _("Followers")),
    ("growth", _("Growth")),
    ("growth_pct", _("Growth %")),
    ("posts", _("Posts")),
    ("reposts", _("Retweets / shares")),
    ("replies", _("Replies")),
    ("lives", _("Lives")),
    ("long_lives", _("Lives 30+ min")),
    ("engagement", _("Engagement")),
    ("published", _("Published through the PR office")),
    ("score", _("Score")),
]
# The board's last column: the share of the unit's staff who follow its X handle (issue #7, ``staff``);
# not a figure of the period, so neither scored nor drilled into.
STAFF_COLUMN = ("staff_following_pct", _("Staff following %"))
SORT_KEYS = {"name", "rank", STAFF_COLUMN[0], *(key for key, _label in COLUMNS)}

LEVELS = [
    ("districts", _("Districts of a state")),
    ("departments", _("State departments and undertakings")),
    ("offices", _("Offices of one district")),
    ("kind", _("Units of one kind")),
]


@dataclass(frozen=True)
class Cohort:
    """The units a board or a rule compares: of some kinds, in a state, optionally within one district."""

    state: State
    kinds: tuple[str, ...]
    district: Unit | None = None

    @classmethod
    def for_level(cls, level: str, *, state: State, district: Unit | None = None, kind: str = "") -> Cohort:
        if level == "districts":
            return cls(state, (UnitKind.DISTRICT,))
        if level == "departments":
            return cls(state, (UnitKind.STATE_DEPARTMENT, UnitKind.STATE_UNDERTAKING))
        if level == "offices":
            return cls(state, (UnitKind.DISTRICT_OFFICE,), district)
        return cls(state, (kind or UnitKind.DISTRICT,))

    def units(self) -> QuerySet[Unit]:
        units = Unit.objects.filter(state=self.state, kind__in=self.kinds, is_active=True)
        if self.district is not None:
            units = units.filter(district=self.district)
        return units

    def describe(self) -> dict:
        return {
            "state": self.state.code,
            "kinds": list(self.kinds),
            "district": self.district.code if self.district else None,
        }


@dataclass
class AccountFigures:
    account_id: int
    unit_id: int
    platform: str
    handle: str
    start_slot: datetime | None = None
    start_followers: int | None = None
    end_slot: datetime | None = None
    end_followers: int | None = None
    days_polled: int = 0
    posts: int = 0
    reposts: int = 0
    replies: int = 0
    lives: int = 0
    long_lives: int = 0
    engagement: int = 0

    @property
    def polled(self) -> bool:
        return self.end_slot is not None

    @property
    def growth(self) -> int | None:
        if self.start_followers is None or self.end_followers is None:
            return None
        return self.end_followers - self.start_followers


@dataclass
class UnitFigures:
    unit: Unit
    accounts: list[AccountFigures] = field(default_factory=list)
    days_expected: int = 0
    followers_start: int | None = None
    followers_end: int | None = None
    growth: int | None = None
    growth_pct: Decimal | None = None
    posts: int | None = None
    reposts: int | None = None
    replies: int | None = None
    lives: int | None = None
    long_lives: int | None = None
    engagement: int | None = None
    published: int = 0  # posts the unit submitted that the PR office published in the period (credit)
    score: Decimal | None = None
    rank: int | None = None
    previous_rank: int | None = None
    gaps: list[str] = field(default_factory=list)
    staff: StaffCompliance | None = None  # set by ``attach_staff_compliance``

    @property
    def has_data(self) -> bool:
        return any(figures.polled for figures in self.accounts)

    @property
    def account_count(self) -> int:
        return len(self.accounts)

    @property
    def days_polled(self) -> int:
        """Days on which every polled account of the unit has a snapshot: the weakest account decides."""
        polled = [figures.days_polled for figures in self.accounts if figures.polled]
        return min(polled) if polled else 0

    @property
    def rank_change(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def staff_following_pct(self) -> Decimal | None:
        """Staff following the unit's handle (verified or self-declared), in %; None without staff or handle."""
        return self.staff.percent if self.staff is not None else None

    def value(self, metric: str):
        return getattr(self, metric)


def snapshots_before(start: datetime) -> QuerySet[Snapshot]:
    """An account's (``OuterRef("pk")``) snapshots that can stand for its count at ``start``: at or before it,
    no older than BOUND_TOLERANCE, newest first. Without one, the first snapshot after ``start`` does."""
    return Snapshot.objects.filter(account=OuterRef("pk"), slot__lte=start, slot__gte=start - BOUND_TOLERANCE).order_by(
        "-slot"
    )


def account_figures(
    accounts: QuerySet[Account],
    period: Period,
    *,
    live_minimum_seconds: int = LIVE_MINIMUM_SECONDS,
    now: datetime | None = None,
    with_days: bool = True,
) -> list[AccountFigures]:
    """Per account: the snapshots at the period's bounds, days polled, and posts by kind. Two queries.

    The bound snapshots' slot and followers and the days polled are read by subqueries of the
    accounts query itself (each an index lookup on the snapshots' (account, slot)), which the
    leaderboard benchmark measured 15-20% faster than fetching the bound snapshots and the days in
    queries of their own.
    """
    start, until = period.start_at, period.measured_until(now)
    in_period = Snapshot.objects.filter(account=OuterRef("pk"), slot__gte=start, slot__lt=until)
    before = snapshots_before(start)
    first, last = in_period.order_by("slot"), in_period.order_by("-slot")
    days = (
        in_period.order_by()
        .values("account")
        .annotate(days=Count(TruncDate("slot", tzinfo=timezone.get_current_timezone()), distinct=True))
        .values("days")
    )
    rows = (
        accounts.order_by()
        .annotate(
            before_slot=Subquery(before.values("slot")[:1]),
            before_followers=Subquery(before.values("followers")[:1]),
            first_slot=Subquery(first.values("slot")[:1]),
            first_followers=Subquery(first.values("followers")[:1]),
            last_slot=Subquery(last.values("slot")[:1]),
            last_followers=Subquery(last.values("followers")[:1]),
            days_polled=Subquery(days) if with_days else Value(None, output_field=IntegerField()),
        )
        .values_list(
            "pk",
            "unit_id",
            "platform",
            "handle",
            "before_slot",
            "before_followers",
            "first_slot",
            "first_followers",
            "last_slot",
            "last_followers",
            "days_polled",
        )
    )
    figures: dict[int, AccountFigures] = {}
    for pk, unit_id, platform, handle, *bounds, days_polled in rows:
        before_slot, before_followers, first_slot, first_followers, last_slot, last_followers = bounds
        item = AccountFigures(pk, unit_id, platform, handle, days_polled=days_polled or 0)
        if last_slot is not None:  # polled in the period: it has a first snapshot too
            if before_slot is not None:
                item.start_slot, item.start_followers = before_slot, before_followers
            else:
                item.start_slot, item.start_followers = first_slot, first_followers
            item.end_slot, item.end_followers = last_slot, last_followers
        figures[pk] = item
    if not figures:
        return []

    account_ids = list(figures)
    zero = Value(0, output_field=IntegerField())
    activity = (
        Post.objects.filter(account_id__in=account_ids, created_at__gte=start, created_at__lt=until)
        .values("account_id")
        .annotate(
            n_posts=Count("pk", filter=Q(kind__in=ORIGINAL_KINDS)),
            n_reposts=Count("pk", filter=Q(kind=PostKind.REPOST)),
            n_replies=Count("pk", filter=Q(kind=PostKind.REPLY)),
            n_lives=Count("pk", filter=Q(kind=PostKind.LIVE)),
            n_long_lives=Count("pk", filter=Q(kind=PostKind.LIVE, duration_seconds__gte=live_minimum_seconds)),
            n_engagement=Sum(
                Coalesce("likes", zero)
                + Coalesce("reposts", zero)
                + Coalesce("replies", zero)
                + Coalesce("quotes", zero),
                filter=~Q(kind=PostKind.REPOST),
            ),
        )
        .values_list("account_id", "n_posts", "n_reposts", "n_replies", "n_lives", "n_long_lives", "n_engagement")
    )
    for account_id, posts, reposts, replies, lives, long_lives, engagement in activity:
        item = figures[account_id]
        item.posts, item.reposts, item.replies = posts, reposts, replies
        item.lives, item.long_lives, item.engagement = lives, long_lives, engagement or 0
    return list(figures.values())


def unit_figures(
    units: QuerySet[Unit] | list[Unit],
    period: Period,
    *,
    platform: str = "",
    live_minimum_seconds: int = LIVE_MINIMUM_SECONDS,
    now: datetime | None = None,
    detail: bool = True,
) -> list[UnitFigures]:
    """Each unit's figures for the period, summed over its accounts (on one platform, or all)."""
    units = list(units)
    accounts = Account.objects.filter(unit__in=[unit.pk for unit in units])
    if platform:
        accounts = accounts.filter(platform=platform)
    by_unit: dict[int, list[AccountFigures]] = defaultdict(list)
    if units:
        figures = account_figures(
            accounts, period, live_minimum_seconds=live_minimum_seconds, now=now, with_days=detail
        )
        for item in figures:
            by_unit[item.unit_id].append(item)
    expected = period.days_elapsed(now)
    until = period.measured_until(now)
    return [_sum_unit(unit, by_unit[unit.pk], period, expected, until, detail=detail) for unit in units]


def _sum_unit(
    unit: Unit, accounts: list[AccountFigures], period: Period, expected: int, until, *, detail: bool = True
) -> UnitFigures:
    result = UnitFigures(
        unit=unit, accounts=sorted(accounts, key=lambda a: (a.platform, a.handle)), days_expected=expected
    )
    polled = [item for item in accounts if item.polled]
    if not polled:
        return result
    both = [item for item in polled if item.growth is not None]
    result.followers_end = sum(item.end_followers or 0 for item in polled)
    result.followers_start = sum(item.start_followers or 0 for item in both)
    result.growth = sum(item.growth for item in both)
    if result.followers_start:
        result.growth_pct = (Decimal(result.growth * 100) / result.followers_start).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
    for metric in ("posts", "reposts", "replies", "lives", "long_lives", "engagement"):
        setattr(result, metric, sum(getattr(item, metric) for item in polled))
    if not detail:
        return result
    for item in polled:
        if item.start_slot - period.start_at > BOUND_TOLERANCE:
            result.gaps.append(
                _("%(account)s: first snapshot only on %(day)s")
                % {"account": item.handle, "day": timezone.localtime(item.start_slot).date()}
            )
        if until - item.end_slot > BOUND_TOLERANCE:
            result.gaps.append(
                _("%(account)s: last snapshot on %(day)s")
                % {"account": item.handle, "day": timezone.localtime(item.end_slot).date()}
            )
        if item.days_polled < expected:
            result.gaps.append(
                _("%(account)s: polled on %(polled)d of %(expected)d days")
                % {"account": item.handle, "polled": item.days_polled, "expected": expected}
            )
    for item in accounts:
        if not item.polled:
            result.gaps.append(_("%(account)s: no snapshot in this period") % {"account": item.handle})
    return result


def current_weights() -> ScoreWeights:
    weights = ScoreWeights.objects.select_related("created_by").first()
    if weights is None:  # the data migration adds one; a fresh test database may have lost it
        weights = ScoreWeights.objects.create(note="Default weights")
    return weights


def score_and_rank(rows: list[UnitFigures], weights: dict[str, int]) -> None:
    """Score the units with data (0–100, each figure scaled by the best unit's) and rank them.

    Ties share a rank (1, 2, 2, 4); units with no data get neither score nor rank.
    """
    ranked = [row for row in rows if row.has_data]
    total_weight = sum(weights.values())
    best = {metric: max((_positive(row.value(metric)) for row in ranked), default=0) for metric in SCORE_METRICS}
    for row in ranked:
        points = sum(
            Decimal(weight) * _positive(row.value(metric)) / best[metric]
            for metric, weight in weights.items()
            if weight and best[metric]
        )
        row.score = (
            (Decimal(100) * points / total_weight).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if total_weight
            else Decimal(0)
        )
    ranked.sort(key=lambda row: -row.score)
    for position, row in enumerate(ranked, start=1):
        if position > 1 and row.score == ranked[position - 2].score:
            row.rank = ranked[position - 2].rank
        else:
            row.rank = position


def _positive(value) -> Decimal:
    return Decimal(value) if value and value > 0 else Decimal(0)


@dataclass
class Leaderboard:
    cohort: Cohort
    period: Period
    previous: Period
    platform: str
    weights: ScoreWeights
    rows: list[UnitFigures]
    future: bool = False
    ranked_among: int = 0  # units ranked in the whole cohort, whether or not the user sees their rows
    with_staff: bool = False  # the rows carry their staff's follow compliance

    @property
    def ranked(self) -> list[UnitFigures]:
        return [row for row in self.rows if row.rank is not None]

    @property
    def without_data(self) -> list[UnitFigures]:
        return [row for row in self.rows if not row.has_data]


def leaderboard(
    cohort: Cohort,
    period: Period,
    *,
    units: QuerySet[Unit] | None = None,
    platform: str = "",
    weights: ScoreWeights | None = None,
    now: datetime | None = None,
) -> Leaderboard:
    """The cohort's units ranked for the period, with rank change against the previous period.

    Every unit of the cohort is scored and ranked, so a rank is always a rank among all of them;
    ``units`` (a user's scope) then decides which rows are returned: a district official sees
    their own district's row with its true rank, not a rank of one. A fixed number of queries:
    1 for the weights, 1 for the units, 1 for the scope, 2 for this period's figures, and for the
    previous period's ranks 1 for the data's version and 2 more unless they are in the cache.
    """
    now = now or timezone.now()
    weights = weights or current_weights()
    unit_list = list(cohort.units().select_related("state"))
    visible = (
        {unit.pk for unit in unit_list}
        if units is None
        else set(cohort.units().filter(pk__in=units.values("pk")).values_list("pk", flat=True))
    )
    previous = period.previous()
    board = Leaderboard(cohort, period, previous, platform, weights, rows=[], future=period.is_future(now))
    if board.future:
        board.rows = [UnitFigures(unit=unit) for unit in unit_list if unit.pk in visible]
        return board
    rows = unit_figures(unit_list, period, platform=platform, now=now)
    score_and_rank(rows, weights.as_dict())
    board.ranked_among = sum(1 for row in rows if row.rank is not None)
    board.rows = [row for row in rows if row.unit.pk in visible]
    published = published_through_pr_office([row.unit.pk for row in board.rows], period, now=now)
    for row in board.rows:
        row.published = published.get(row.unit.pk, 0)
    previous_ranks = _previous_ranks(unit_list, previous, platform=platform, weights=weights, now=now)
    for row in board.rows:
        row.previous_rank = previous_ranks.get(row.unit.pk)
    return board


PREVIOUS_RANKS_TTL = 60 * 60


def attach_staff_compliance(board: Leaderboard) -> None:
    """Each visible row's staff follow compliance (a district's with its offices' staff). One query."""
    compliance = staff_compliance([row.unit.pk for row in board.rows])
    for row in board.rows:
        row.staff = compliance.get(row.unit.pk)
    board.with_staff = True


def published_through_pr_office(unit_ids: list[int], period: Period, *, now: datetime | None = None) -> dict[int, int]:
    """Per unit: the posts it submitted that were published in the period, on any account. One query.

    The credit of issue #6: the account that posted counts the post among its own (polling finds it), and
    the department that submitted it counts it here.
    """
    from content.models import PublishTarget, TargetState

    if not unit_ids:
        return {}
    rows = (
        PublishTarget.objects.filter(
            state=TargetState.PUBLISHED,
            submission__unit_id__in=unit_ids,
            published_at__gte=period.start_at,
            published_at__lt=period.measured_until(now),
        )
        .values("submission__unit_id")
        .annotate(n=Count("pk"))
        .values_list("submission__unit_id", "n")
    )
    return dict(rows)


def data_version() -> tuple[int, int]:
    """The newest snapshot and post ids: they change whenever a poll writes anything. One query."""
    snapshots, posts = Snapshot._meta.db_table, Post._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT MAX(id) FROM {snapshots}), (SELECT MAX(id) FROM {posts})")  # noqa: S608
        latest_snapshot, latest_post = cursor.fetchone()
    return latest_snapshot or 0, latest_post or 0


def _previous_ranks(
    units: list[Unit], previous: Period, *, platform: str, weights: ScoreWeights, now: datetime
) -> dict[int, int | None]:
    """The units' ranks in the previous period, which only decide the rank change.

    Kept in the cache under the data's version (the newest snapshot and post ids), so a cached
    ranking is exactly what computing it again would give until the next poll writes something;
    that spares a board two of its four heavy queries on every view between polls. A period
    still running is never cached.
    """
    key = None
    if previous.has_ended(now):
        ids = hashlib.sha256(",".join(str(unit.pk) for unit in units).encode()).hexdigest()[:16]
        key = "leaderboards:previous-ranks:" + ":".join(
            map(str, (previous.start, previous.end, platform, weights.pk, *data_version(), ids))
        )
        cached = cache.get(key)
        if cached is not None:
            return cached
    # Its days polled and gaps are not needed for a rank.
    before = unit_figures(units, previous, platform=platform, now=now, detail=False)
    score_and_rank(before, weights.as_dict())
    ranks = {row.unit.pk: row.rank for row in before}
    if key is not None:
        cache.set(key, ranks, PREVIOUS_RANKS_TTL)
    return ranks


def sort_rows(rows: list[UnitFigures], key: str, *, descending: bool) -> list[UnitFigures]:
    """Sort by a column; units without a figure always come last, whichever the direction."""
    if key == "name":
        return sorted(rows, key=lambda row: row.unit.name.casefold(), reverse=descending)
    if key == "rank":
        key, descending = "score", not descending
    present = [row for row in rows if row.value(key) is not None]
    missing = [row for row in rows if row.value(key) is None]
    present.sort(
        key=lambda row: (
            (row.value(key), row.unit.name_en.casefold())
            if not descending
            else (-row.value(key), row.unit.name_en.casefold())
        )
    )
    return present + sorted(missing, key=lambda row: row.unit.name_en.casefold())


def unit_daily_followers(
    accounts: QuerySet[Account] | list, period: Period, *, now: datetime | None = None
) -> list[dict]:
    """The followers of a set of accounts at the end of each IST day of the period: a trend line.

    One query for a list of accounts (or of their ids), two for a queryset.

    A day on which some account has no snapshot is left out (a gap), never filled in.
    """
    until = period.measured_until(now)
    rows = (
        Snapshot.objects.filter(account__in=accounts, slot__gte=period.start_at, slot__lt=until)
        .order_by("slot")
        .values_list("account_id", "slot", "followers")
    )
    # A list has a ``count`` method too (which needs an argument): only a queryset is counted in the database.
    account_count = accounts.count() if isinstance(accounts, QuerySet) else len(accounts)
    by_day: dict[str, dict[int, int]] = defaultdict(dict)
    for account_id, slot, followers in rows:
        if followers is not None:  # a snapshot without a follower count is a gap, not zero followers
            by_day[timezone.localtime(slot).date().isoformat()][account_id] = followers
    return [
        {"day": day, "followers": sum(values.values())}
        for day, values in sorted(by_day.items())
        if len(values) == account_count
    ]


def period_posts(account_ids: list[int], period: Period, *, now: datetime | None = None) -> QuerySet[Post]:
    """The posts of these accounts that a board counts for the period, newest first (the drill-down's list)."""
    return Post.objects.filter(
        account_id__in=account_ids, created_at__gte=period.start_at, created_at__lt=period.measured_until(now)
    ).order_by("-created_at", "-pk")


def counts_towards(post: Post, metric: str, *, live_minimum_seconds: int = LIVE_MINIMUM_SECONDS) -> bool:
    """Whether a post is one of those counted in a board's ``metric`` column (to highlight it)."""
    if metric == "posts":
        return post.kind in ORIGINAL_KINDS
    if metric == "reposts":
        return post.kind == PostKind.REPOST
    if metric == "replies":
        return post.kind == PostKind.REPLY
    if metric == "lives":
        return post.kind == PostKind.LIVE
    if metric == "long_lives":
        return post.kind == PostKind.LIVE and (post.duration_seconds or 0) >= live_minimum_seconds
    if metric == "engagement":
        return post.kind != PostKind.REPOST
    return False
