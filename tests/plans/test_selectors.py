"""A plan's targets against the unit's figures, month by month: met, missed, so far, not yet, no data."""

import time_machine

from plans.selectors import MET, MISSED, NO_DATA, NOT_YET, SO_FAR, chart_series, plan_baseline, plan_progress
from tests.plans.conftest import DECEMBER_5, OCTOBER_20


def _table(progress):
    return [
        (row.month.month, row.status, [(m.key, m.target, m.actual, m.status) for m in row.metrics]) for row in progress
    ]


def test_an_ended_month_is_judged_a_running_one_shows_so_far_and_a_future_one_not_yet(world, approved, figures):
    with time_machine.travel(OCTOBER_20, tick=False):
        progress = plan_progress(approved)
    assert _table(progress) == [
        # followers at 30 Sep: X 1300 + Facebook 5150; 12 + 3 posts; 2 Lives of 30+ minutes (not the 20-minute one)
        (9, MISSED, [("followers", 6000, 6450, MET), ("posts", 10, 15, MET), ("lives", 3, 2, MISSED)]),
        # so far: the last snapshot of 19 October, 4 posts, 1 Live
        (10, SO_FAR, [("followers", 6500, 6735, SO_FAR), ("posts", 12, 4, SO_FAR), ("lives", 2, 1, SO_FAR)]),
        (11, NOT_YET, [("followers", 7000, None, NOT_YET), ("posts", 14, None, NOT_YET), ("lives", 2, None, NOT_YET)]),
    ]
    assert progress[1].gaps  # polled on 19 of 20 days so far: shown, not filled in


def test_a_month_without_any_snapshot_has_no_data_never_zero(world, approved, figures):
    with time_machine.travel(DECEMBER_5, tick=False):
        progress = plan_progress(approved)
    assert _table(progress)[1:] == [
        (10, MISSED, [("followers", 6500, 6735, MET), ("posts", 12, 4, MISSED), ("lives", 2, 1, MISSED)]),
        (11, NO_DATA, [("followers", 7000, None, NO_DATA), ("posts", 14, None, NO_DATA), ("lives", 2, None, NO_DATA)]),
    ]


def test_every_target_met_makes_the_month_met(world, patna_plan, figures):
    from plans.services import plan_submit
    from tests.plans.conftest import targets

    plan_submit(plan=patna_plan, user=world.dpro_patna, targets=targets(lives=(2, 1, 0)))
    with time_machine.travel(OCTOBER_20, tick=False):
        (september, _october, _november) = plan_progress(patna_plan)
    assert september.status == MET


def test_progress_takes_two_queries_a_started_month(world, approved, figures, django_assert_num_queries):
    approved.targets.all()  # as the plan page prefetches them
    plan = type(approved).objects.prefetch_related("targets").select_related("unit").get(pk=approved.pk)
    with time_machine.travel(OCTOBER_20, tick=False), django_assert_num_queries(4):
        plan_progress(plan)  # September and October: accounts and posts each; November not yet
    with time_machine.travel(DECEMBER_5, tick=False), django_assert_num_queries(6):
        plan_progress(plan)


def test_the_baseline_is_the_month_before_the_plan(world, approved, figures):
    with time_machine.travel(OCTOBER_20, tick=False):
        baseline = plan_baseline(approved)
    assert baseline.period.start.month == 8
    assert [(key, value) for key, _label, value in baseline.values] == [("followers", 6000), ("posts", 0), ("lives", 0)]


def test_chart_series_leave_a_gap_where_there_is_no_figure(world, approved, figures):
    with time_machine.travel(OCTOBER_20, tick=False):
        series = chart_series(plan_progress(approved))
    followers = series[0]
    assert followers["targets"] == [6000, 6500, 7000]
    assert followers["actuals"] == [6450, 6735, None]
