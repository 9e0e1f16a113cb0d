"""Demo rosters for Dausa (the district of Rajasthan's order), for ``core.demo`` to call.

Dausa's collectorate and a few of its offices get plausible staff: most with an X handle, some
without, a few who declare that they follow @DmDausa. An admin budget is set (if none was), and the
first run of the follow checks on the simulated platform verifies as many as that budget allows,
leaving the rest waiting, as on a real week.
"""

from __future__ import annotations

import random

from django.conf import settings

from departments.choices import UnitKind
from departments.models import Unit
from staff.follows import follow_checks_run
from staff.models import FollowCheckBudget, FollowCheckRequest, StaffMember

DEMO_DISTRICT = "RJ-DAUSA"
DEMO_OFFICES = 4
DEMO_BUDGET = 60  # X requests per 7 days: enough for most, not all, of the demo staff in the first week
FIRST = ["Ramesh", "Sunita", "Mahesh", "Kavita", "Rajendra", "Pooja", "Suresh", "Anita", "Mukesh", "Rekha", "Vikram"]
LAST = ["Meena", "Sharma", "Gurjar", "Saini", "Bairwa", "Jain", "Yadav", "Verma", "Choudhary", "Joshi"]
DESIGNATIONS = ["Assistant Officer", "Clerk", "Senior Assistant", "Junior Engineer", "Data Entry Operator", "Peon"]


def demo_staff_create() -> int:
    """Create the demo rosters (idempotent); returns how many people were added."""
    district = Unit.objects.filter(code=DEMO_DISTRICT, kind=UnitKind.DISTRICT).first()
    if district is None:
        return 0
    units = [district, *district.offices.filter(is_active=True).order_by("code")[:DEMO_OFFICES]]
    created = 0
    for unit in units:
        rng = random.Random(unit.code)
        for number in range(rng.randint(6, 12)):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            designation = DESIGNATIONS[number % len(DESIGNATIONS)]
            handle = f"{name.replace(' ', '')}{rng.randint(10, 99)}"[:15] if rng.random() < 0.75 else ""
            declared = rng.random() < 0.2
            _member, was_created = StaffMember.objects.get_or_create(
                unit=unit,
                name=name,
                designation=designation,
                defaults={"x_handle": handle, "declared_follows": True if declared else None},
            )
            created += was_created
    StaffMember.objects.filter(declared_follows=True, declared_at__isnull=True).update(declared_at=district.created_at)
    budget = FollowCheckBudget.load()
    if budget.updated_by_id is None and not budget.requests_per_week:
        budget.requests_per_week, budget.enabled = DEMO_BUDGET, True
        budget.save(update_fields=["requests_per_week", "enabled", "updated_at"])
    if settings.GOVSOCIAL_PLATFORM_MODE == "simulated" and not FollowCheckRequest.objects.exists():
        follow_checks_run()
    return created
