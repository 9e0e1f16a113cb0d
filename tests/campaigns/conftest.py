"""Dausa's 15-day campaign (1–15 August 2026, IST) for the district's department offices.

- the health office's X account is polled daily at 06:00 from 25 July, with a polling gap on 5–7 August;
- the PR office's X account was not polled from 29 July to 2 August: a gap across the start, so its
  baseline is its first snapshot inside the campaign (3 August);
- the PWD office has no account at all: no data.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from campaigns.models import CampaignScope, TargetMetric
from departments.choices import Platform, UnitKind
from departments.models import Account, Unit
from tests.factories import daily_snapshots, post

FIRST, LAST = date(2026, 8, 1), date(2026, 8, 15)
GAP = (date(2026, 8, 5), date(2026, 8, 7))


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


DRAFTED = at(date(2026, 7, 30), 11)
STARTED = at(date(2026, 7, 31), 12)  # the day before: scheduled
FIRST_HOUR = at(FIRST, 0, 1)  # campaigns_advance at minute 1: running
END = at(LAST + timedelta(days=1))  # midnight after the last day
AFTER_END = at(LAST + timedelta(days=1), 0, 1)

TARGETS = [
    {"metric": TargetMetric.FOLLOWERS_PCT, "platform": Platform.X, "value": "5"},
    {"metric": TargetMetric.POSTS, "platform": Platform.X, "value": "30"},
    {"metric": TargetMetric.REPOSTS, "platform": Platform.X, "value": "20"},
]


def _office(world, code, en, hi, department_code):
    department = Unit.objects.create(
        state=world.rajasthan, code=department_code, kind=UnitKind.STATE_DEPARTMENT, name_en=en, name_hi=hi
    )
    return Unit.objects.create(
        state=world.rajasthan,
        code=code,
        kind=UnitKind.DISTRICT_OFFICE,
        name_en=f"{en}, Dausa",
        name_hi=f"{hi}, दौसा",
        district=world.dausa,
        department=department,
    )


class Dausa:
    def __init__(self, world):
        self.world = world
        self.health = _office(world, "RJ-DAUSA-HEALTH", "Health Department", "स्वास्थ्य विभाग", "RJ-HEALTH")
        self.pwd = _office(world, "RJ-DAUSA-PWD", "Public Works Department", "सार्वजनिक निर्माण विभाग", "RJ-PWD")
        self.pro = world.dausa_pro
        self.health_x = Account.objects.create(unit=self.health, platform=Platform.X, handle="CMHODausa")
        self.pro_x = Account.objects.create(unit=self.pro, platform=Platform.X, handle="DiprDausa")
        self.offices = [self.health, self.pro, self.pwd]

    def history(self):
        """Daily snapshots with their gaps, and the posts and retweets of the campaign."""
        # Health: 1000 on 25 July, +10 a day (by the calendar, also over the gap), no snapshot on 5-7 August.
        daily_snapshots(self.health_x, date(2026, 7, 25), GAP[0] - timedelta(days=1), followers_from=1000)
        daily_snapshots(self.health_x, GAP[1] + timedelta(days=1), date(2026, 8, 20), followers_from=1140)
        # PR office: polled until 28 July, then nothing until 3 August (2000), +5 a day.
        daily_snapshots(self.pro_x, date(2026, 7, 20), date(2026, 7, 28), followers_from=1950, step=5)
        daily_snapshots(self.pro_x, date(2026, 8, 3), date(2026, 8, 20), followers_from=2000, step=5)
        for number in range(30):  # health: 30 posts, 2 a day from 1 August
            post(self.health_x, at(FIRST + timedelta(days=number // 2), 9 + number % 2))
        for number in range(10):  # health: 10 retweets
            post(self.health_x, at(FIRST + timedelta(days=number), 15), "repost")
        for number in range(30):  # PR office: 30 posts and 25 retweets, from 3 August
            post(self.pro_x, at(date(2026, 8, 3) + timedelta(days=number % 12), 10 + number // 12))
        for number in range(25):
            post(self.pro_x, at(date(2026, 8, 3) + timedelta(days=number % 12), 16 + number // 12), "repost")
        post(self.pro_x, at(FIRST - timedelta(days=1), 10))  # before the campaign: not counted
        post(self.pro_x, at(LAST + timedelta(days=1), 10))  # after it: not counted

    def campaign_fields(self, **overrides):
        return {
            "state": self.world.rajasthan,
            "name_en": "Dausa 15-day X drive",
            "name_hi": "दौसा 15 दिवसीय X अभियान",
            "starts_on": FIRST,
            "ends_on": LAST,
            "scope": CampaignScope.DISTRICT_OFFICES,
            "district": self.world.dausa,
            "units": self.offices,
            "targets": TARGETS,
        } | overrides


@pytest.fixture
def dausa(world):
    return Dausa(world)
