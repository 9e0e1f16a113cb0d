"""Honest numbers: growth from the snapshots nearest the bounds, no data is not zero, gaps are shown."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from departments.choices import Platform, UnitKind
from leaderboards.models import ScoreWeights
from leaderboards.periods import Period, month_of, parse_period, quarter_of, week_of
from leaderboards.selectors import Cohort, leaderboard, score_and_rank, sort_rows, unit_figures
from tests.factories import AccountFactory, UnitFactory, daily_snapshots, post

JULY = month_of(date(2026, 7, 1))
NOW = timezone.make_aware(datetime(2026, 8, 10, 12))


def at(day: date, hour: int = 6) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_periods_are_whole_ist_days():
    assert (JULY.start, JULY.end) == (date(2026, 7, 1), date(2026, 7, 31))
    assert JULY.start_at.utcoffset() == timedelta(hours=5, minutes=30)
    assert JULY.previous() == month_of(date(2026, 6, 1))
    assert quarter_of(date(2026, 8, 15)) == Period("quarter", date(2026, 7, 1), date(2026, 9, 30))
    assert quarter_of(date(2026, 8, 15)).previous().start == date(2026, 4, 1)
    assert week_of(date(2026, 7, 15)).start == date(2026, 7, 13)  # a Monday


def test_a_custom_period_with_its_dates_reversed_says_so():
    from leaderboards.periods import PeriodError

    with pytest.raises(PeriodError, match="before the start"):
        parse_period({"period": "custom", "start": "2026-07-10", "end": "2026-07-01"})
    with pytest.raises(PeriodError, match="YYYY-MM-DD"):
        parse_period({"period": "custom", "start": "10/07/2026", "end": "2026-07-01"})


def test_growth_comes_from_the_snapshots_nearest_the_bounds(world, frozen):
    daily_snapshots(world.patna_x, date(2026, 6, 25), date(2026, 8, 5), followers_from=1000, step=10)
    [figures] = unit_figures([world.patna], JULY, platform=Platform.X)
    x = figures.accounts[0]
    # 30 June 06:00 IST (the last at or before the start) and 31 July 06:00 IST (the last inside).
    assert timezone.localtime(x.start_slot).date() == date(2026, 6, 30)
    assert timezone.localtime(x.end_slot).date() == date(2026, 7, 31)
    assert (figures.followers_start, figures.followers_end, figures.growth) == (1050, 1360, 310)
    assert figures.growth_pct == Decimal("29.52")
    assert figures.days_polled == 31 and figures.gaps == []


def test_a_unit_with_no_snapshots_has_no_data_not_zero(world, frozen):
    daily_snapshots(world.patna_x, JULY.start, JULY.end, followers_from=1000)
    board = leaderboard(Cohort.for_level("districts", state=world.bihar), JULY)
    gaya = next(row for row in board.rows if row.unit == world.gaya)
    assert not gaya.has_data
    assert (gaya.followers_end, gaya.posts, gaya.score, gaya.rank) == (None, None, None, None)
    assert gaya in board.without_data and gaya not in board.ranked
    patna = next(row for row in board.rows if row.unit == world.patna)
    assert patna.rank == 1


def test_a_polling_gap_across_the_start_is_shown_not_interpolated(world, frozen):
    # Nothing from 20 June to 4 July: the first snapshot in July is used, and the gap is said.
    daily_snapshots(world.patna_x, date(2026, 6, 1), date(2026, 6, 19), followers_from=500)
    daily_snapshots(world.patna_x, date(2026, 7, 5), JULY.end, followers_from=1000, step=10)
    [figures] = unit_figures([world.patna], JULY, platform=Platform.X)
    assert timezone.localtime(figures.accounts[0].start_slot).date() == date(2026, 7, 5)
    assert figures.growth == 260
    assert figures.days_polled == 27
    assert any("first snapshot only on 2026-07-05" in str(gap) for gap in figures.gaps)
    assert any("polled on 27 of 31 days" in str(gap) for gap in figures.gaps)


def test_a_polling_gap_across_the_end_is_shown(world, frozen):
    daily_snapshots(world.patna_x, date(2026, 6, 30), date(2026, 7, 20), followers_from=1000, step=10)
    [figures] = unit_figures([world.patna], JULY, platform=Platform.X)
    assert figures.followers_end == 1200
    assert any("last snapshot on 2026-07-20" in str(gap) for gap in figures.gaps)


def test_posts_are_counted_by_kind_and_lives_by_length(world, frozen):
    daily_snapshots(world.patna_x, JULY.start, JULY.end, followers_from=1000)
    day = date(2026, 7, 10)
    post(world.patna_x, at(day), "post", likes=5, reposts=2, replies=1, quotes=0)
    post(world.patna_x, at(day), "repost", likes=100)
    post(world.patna_x, at(day), "reply")
    post(world.patna_x, at(day), "live", duration_seconds=31 * 60)
    post(world.patna_x, at(day), "live", duration_seconds=25 * 60)
    post(world.patna_x, at(date(2026, 8, 1)), "post")  # after July, IST
    [figures] = unit_figures([world.patna], JULY, platform=Platform.X)
    assert (figures.posts, figures.reposts, figures.replies, figures.lives, figures.long_lives) == (1, 1, 1, 2, 1)
    assert figures.engagement == 8  # a retweet's likes are the original's, not the district's


def test_a_tie_in_score_shares_the_rank(world, frozen):
    other = UnitFactory(state=world.bihar, kind=UnitKind.DISTRICT, name_en="Arwal", code="BR-ARWAL")
    accounts = [world.patna_x, world.gaya_x, AccountFactory(unit=other)]
    for account, step in zip(accounts, (10, 10, 5), strict=True):
        daily_snapshots(account, date(2026, 6, 30), JULY.end, followers_from=1000, step=step)
    board = leaderboard(Cohort.for_level("districts", state=world.bihar), JULY, platform=Platform.X)
    ranks = {row.unit.name_en: row.rank for row in board.rows}
    assert ranks == {"Gaya": 1, "Patna": 1, "Arwal": 3}


def test_a_period_in_the_future_has_no_data_and_no_rank(world, frozen):
    daily_snapshots(world.patna_x, JULY.start, JULY.end, followers_from=1000)
    board = leaderboard(Cohort.for_level("districts", state=world.bihar), month_of(date(2026, 9, 1)))
    assert board.future
    assert all(row.rank is None and not row.has_data for row in board.rows)


def test_rank_change_against_the_previous_period(world, frozen):
    daily_snapshots(world.patna_x, date(2026, 5, 31), JULY.end, followers_from=1000, step=10)
    daily_snapshots(world.gaya_x, date(2026, 5, 31), date(2026, 6, 30), followers_from=1000, step=20)
    daily_snapshots(world.gaya_x, JULY.start, JULY.end, followers_from=1620, step=1)
    board = leaderboard(Cohort.for_level("districts", state=world.bihar), JULY, platform=Platform.X)
    rows = {row.unit.name_en: row for row in board.rows}
    assert (rows["Patna"].rank, rows["Patna"].previous_rank, rows["Patna"].rank_change) == (1, 2, 1)
    assert (rows["Gaya"].rank, rows["Gaya"].rank_change) == (2, -1)


def test_score_uses_the_weights_given():
    class Row:
        def __init__(self, name, **values):
            self.name, self.values, self.score, self.rank = name, values, None, None
            self.has_data = True

        def value(self, metric):
            return self.values.get(metric, 0)

    a, b = Row("a", posts=10, growth_pct=1), Row("b", posts=5, growth_pct=4)
    score_and_rank([a, b], {"posts": 1, "growth_pct": 0})
    assert (a.rank, a.score, b.score) == (1, Decimal("100.0"), Decimal("50.0"))
    score_and_rank([a, b], {"posts": 0, "growth_pct": 1})
    assert (b.rank, b.score, a.score) == (1, Decimal("100.0"), Decimal("25.0"))


def test_sorting_keeps_units_without_data_last(world, frozen):
    daily_snapshots(world.patna_x, JULY.start, JULY.end, followers_from=1000)
    board = leaderboard(Cohort.for_level("districts", state=world.bihar), JULY)
    for descending in (True, False):
        rows = sort_rows(board.rows, "followers_end", descending=descending)
        assert rows[-1].unit == world.gaya


def test_weights_in_force_are_the_newest_row(db):
    from leaderboards.selectors import current_weights

    ScoreWeights.objects.create(posts=9, note="more posts")
    assert current_weights().posts == 9


def test_cached_previous_ranks_follow_new_data(world, frozen):
    """The previous period's ranks are cached under the data's version: a new post changes the rank change."""
    daily_snapshots(world.patna_x, date(2026, 5, 31), JULY.end, followers_from=1000, step=10)
    daily_snapshots(world.gaya_x, date(2026, 5, 31), JULY.end, followers_from=1000, step=10)
    for day in (3, 4):
        post(world.patna_x, at(date(2026, 7, day)))
    cohort = Cohort.for_level("districts", state=world.bihar)
    first = {row.unit.name_en: row.previous_rank for row in leaderboard(cohort, JULY, platform=Platform.X).rows}
    assert first == {"Patna": 1, "Gaya": 1}  # a tie in June
    post(world.gaya_x, at(date(2026, 6, 20)))  # a June post found late, by a poll in July
    again = {row.unit.name_en: row.previous_rank for row in leaderboard(cohort, JULY, platform=Platform.X).rows}
    assert again == {"Gaya": 1, "Patna": 2}
