"""Factories for domain objects; personas live in conftest.py."""

import factory

from departments.choices import Platform, UnitKind
from departments.models import Account, State, Unit


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = State
        django_get_or_create = ("code",)

    code = "BR"
    name_en = "Bihar"
    name_hi = "बिहार"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    state = factory.SubFactory(StateFactory)
    kind = UnitKind.DISTRICT
    code = factory.Sequence(lambda n: f"BR-UNIT{n}")
    name_en = factory.Sequence(lambda n: f"Unit {n}")
    name_hi = factory.Sequence(lambda n: f"इकाई {n}")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    unit = factory.SubFactory(UnitFactory)
    platform = Platform.X
    handle = factory.Sequence(lambda n: f"handle{n}")


def snapshot(account, when, followers, **fields):
    """A snapshot in the hour slot of ``when`` (an aware datetime)."""
    from metrics.models import Snapshot

    slot = when.replace(minute=0, second=0, microsecond=0)
    return Snapshot.objects.create(account=account, slot=slot, taken_at=when, followers=followers, **fields)


def daily_snapshots(account, first_day, last_day, followers_from, step=10, hour=6):
    """One snapshot a day at ``hour`` IST from ``first_day`` to ``last_day`` (dates), growing by ``step``."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from metrics.models import Snapshot

    rows, day, followers = [], first_day, followers_from
    while day <= last_day:
        when = timezone.make_aware(datetime.combine(day, time(hour)))
        rows.append(Snapshot(account=account, slot=when, taken_at=when, followers=followers))
        day += timedelta(days=1)
        followers += step
    return Snapshot.objects.bulk_create(rows)


_post_ids = iter(range(10**9))


def post(account, when, kind="post", **fields):
    from metrics.models import Post

    return Post.objects.create(
        account=account, platform_post_id=str(next(_post_ids)), kind=kind, created_at=when, **fields
    )
