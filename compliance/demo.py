"""Demo data of the compliance domain: PRODUCT.md's Uttar Pradesh order as an account mandate.

Called by ``core.demo.demo_seed`` after the demo's units and accounts exist.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from compliance.models import Mandate, RuleEvaluation, RuleLevel
from compliance.services import mandate_create, rule_evaluate
from departments.choices import Platform, UnitKind
from departments.models import Account, State

UP_ORDER_NAME_EN = "Every department on X within a week"
UP_ORDER_NAME_HI = "हर विभाग एक सप्ताह में X पर"
UP_ORDER_REFERENCE = "Chief Minister's order: every department to open an X account within a week"


@transaction.atomic
def demo_mandates_create() -> int:
    """Uttar Pradesh's order that every department open an X account within a week; returns the flags raised.

    The order is dated ten days ago, so its deadline (three days ago) has passed and the page has
    a whole story: the demo registered the departments' X accounts all at once, so each one's
    registration is spread, deterministically, over the days around the order (some before it,
    most during the week, a few after the deadline); the departments without one by the deadline
    are flagged, as the schedule would have done. Idempotent: nothing happens if the mandate exists.
    """
    state = State.objects.filter(code="UP").first()
    if state is None or Mandate.objects.filter(state=state, name_en=UP_ORDER_NAME_EN).exists():
        return 0
    starts_on = timezone.localdate() - timedelta(days=10)
    deadline = starts_on + timedelta(days=6)
    accounts = Account.objects.filter(
        unit__state=state,
        unit__kind__in=[UnitKind.STATE_DEPARTMENT, UnitKind.STATE_UNDERTAKING],
        platform=Platform.X,
    ).select_related("unit")
    for account in accounts:
        rng = random.Random(f"{account.unit.code}-mandate")
        draw = rng.random()
        if draw < 0.3:
            day = starts_on - timedelta(days=rng.randint(30, 400))  # long before the order
        elif draw < 0.9:
            day = starts_on + timedelta(days=rng.randint(0, 6))  # during the week
        else:
            day = deadline + timedelta(days=rng.randint(1, 3))  # late
        moment = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 19), rng.randint(0, 59))))
        Account.objects.filter(pk=account.pk).update(created_at=moment)
    mandate = mandate_create(
        mandate=Mandate(
            state=state,
            name_en=UP_ORDER_NAME_EN,
            name_hi=UP_ORDER_NAME_HI,
            level=RuleLevel.DEPARTMENTS,
            platform=Platform.X,
            starts_on=starts_on,
            deadline=deadline,
            order_reference=UP_ORDER_REFERENCE,
        ),
        user=None,
    )
    outcome = rule_evaluate(rule=mandate.rule, period=mandate.period, trigger=RuleEvaluation.Trigger.SCHEDULE)
    return outcome.flags_raised
