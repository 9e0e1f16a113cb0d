"""Shared set-up of the leaderboard page tests: August 2026 in IST, July's figures, more districts on demand."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.utils import timezone

from departments.choices import Platform, UnitKind
from departments.models import Account
from leaderboards.periods import month_of
from tests.factories import UnitFactory, daily_snapshots, post

JULY = month_of(date(2026, 7, 1))
NOW = timezone.make_aware(datetime(2026, 8, 10, 12))


def at(day: date, hour: int = 6) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def add_districts(state, count: int, *, prefix: str = "EXTRA") -> list:
    """``count`` more districts, each with an X account polled daily through June and July and a post in July."""
    units = []
    for number in range(count):
        unit = UnitFactory(
            state=state, kind=UnitKind.DISTRICT, code=f"{state.code}-{prefix}{number}", name_en=f"{prefix} {number:02d}"
        )
        account = Account.objects.create(unit=unit, platform=Platform.X, handle=f"{prefix.lower()}{number}")
        daily_snapshots(account, date(2026, 5, 31), JULY.end, followers_from=1000 + number, step=number % 7 + 1)
        post(account, at(date(2026, 7, 10)), "post", likes=number)
        post(account, at(date(2026, 6, 10)), "post", likes=number)
        units.append(unit)
    return units
