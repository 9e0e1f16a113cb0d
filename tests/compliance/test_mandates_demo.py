"""The demo expresses PRODUCT.md's Uttar Pradesh order as a mandate, judged, once."""

from datetime import datetime

import time_machine
from django.utils import timezone

from compliance.demo import demo_mandates_create
from compliance.mandates import mandate_coverage
from compliance.models import Flag, Mandate
from departments.choices import Platform, UnitKind
from departments.models import Account, State, Unit
from users.models import User

IST = timezone.get_fixed_timezone(330)


@time_machine.travel(datetime(2026, 11, 22, 12, tzinfo=IST), tick=False)
def test_the_demo_records_up_s_order_and_flags_the_departments_without_x_by_the_deadline(db):
    up = State.objects.create(code="UP", name_en="Uttar Pradesh", name_hi="उत्तर प्रदेश")
    for number in range(30):
        unit = Unit.objects.create(
            state=up, kind=UnitKind.STATE_DEPARTMENT, code=f"UP-D{number}", name_en=f"D{number}", name_hi=f"वि{number}"
        )
        if number < 24:
            Account.objects.create(unit=unit, platform=Platform.X, handle=f"UPD{number}")
    flags = demo_mandates_create()
    mandate = Mandate.objects.get()
    assert (mandate.starts_on.isoformat(), mandate.deadline.isoformat(), mandate.platform) == (
        "2026-11-12",
        "2026-11-18",
        "x",
    )
    coverage = mandate_coverage(mandate, User(role=User.Role.ADMIN))
    assert len(coverage.missing) == 6  # the six without any X account
    assert flags == len(coverage.missing_at_deadline) == Flag.objects.count()
    assert len(coverage.late) >= 1  # the demo has a story: some were late
    assert coverage.days[0].covered < coverage.days[6].covered  # and accounts came in during the week
    assert demo_mandates_create() == 0
    assert Mandate.objects.count() == 1
