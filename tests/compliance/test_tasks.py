"""Beat's task judges the rules whose period has ended, once."""

from datetime import date, datetime

import time_machine
from django.conf import settings
from django.utils import timezone

from compliance.models import Flag, Rule, RuleLevel, RuleMetric
from compliance.services import rule_save
from compliance.tasks import evaluate_due_rules_task
from departments.choices import Platform
from govsocial.celery import app
from tests.factories import daily_snapshots

IST = timezone.get_fixed_timezone(330)


def test_beat_runs_the_rule_task_just_after_midnight_ist():
    entry = settings.CELERY_BEAT_SCHEDULE["evaluate-rules"]
    assert entry["task"] == evaluate_due_rules_task.name
    assert entry["task"] in app.tasks
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {30})


def test_the_task_raises_flags_once_however_often_it_runs(world):
    with time_machine.travel(datetime(2026, 6, 15, tzinfo=IST), tick=False):
        rule_save(
            rule=Rule(
                state=world.bihar,
                name_en="Posts",
                name_hi="पोस्ट",
                level=RuleLevel.DISTRICTS,
                metric=RuleMetric.POSTS,
                platform=Platform.X,
                threshold=5,
            ),
            user=None,
        )
    for account in (world.patna_x, world.gaya_x):
        daily_snapshots(account, date(2026, 6, 30), date(2026, 7, 31), followers_from=10)
    with time_machine.travel(datetime(2026, 8, 1, 0, 30, tzinfo=IST), tick=False):
        assert evaluate_due_rules_task.apply().get() == 2
        assert evaluate_due_rules_task.apply().get() == 0
    assert Flag.objects.count() == 2
