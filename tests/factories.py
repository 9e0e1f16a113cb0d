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
