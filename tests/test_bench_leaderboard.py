"""The leaderboard benchmark's generator, at a tiny scale, writes what it says it wrote (no timing here)."""

from datetime import date

import pytest
from django.db import connection

from bench.leaderboard_benchmark import Shape, generate
from departments.choices import UnitKind
from departments.models import Account, State, Unit
from metrics.models import Post, Snapshot

pytestmark = pytest.mark.django_db


def test_generator_writes_the_hierarchy_snapshots_and_posts_it_reports():
    shape = Shape(states=(("BL", 2), ("S01", 1)), departments=3, days=10, office_posts_per_week=2)
    with connection.cursor() as cursor:
        generated = generate(cursor, shape, last_day=date(2026, 7, 31))

    # per state: its districts, 3 departments, an office of each department in each district
    assert generated.counts["states"] == State.objects.count() == 2
    assert generated.counts["units"] == Unit.objects.count() == shape.units == (2 + 3 + 6) + (1 + 3 + 3)
    assert generated.counts["accounts"] == Account.objects.count() == shape.accounts == 3 * 18
    assert Unit.objects.filter(kind=UnitKind.DISTRICT_OFFICE, district__isnull=False, department__isnull=False).count()
    assert generated.counts["snapshots"] == Snapshot.objects.count()
    assert 0.9 * 54 * 10 <= generated.counts["snapshots"] <= 54 * 10
    assert generated.counts["posts"] == Post.objects.count() > 0
    slots = Snapshot.objects.order_by("slot").values_list("slot", flat=True)
    assert (slots.first().date(), slots.last().date()) == (date(2026, 7, 22), date(2026, 7, 31))

    # the indexes and constraints dropped for the load are back, and ids continue where COPY left them
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'metrics_snapshot'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert {"snapshot_slot_idx", "metrics_snapshot_one_per_slot"} <= indexes
    district = Unit.objects.filter(kind=UnitKind.DISTRICT).first()
    assert Unit.objects.create(state=district.state, kind=UnitKind.DISTRICT, code="BL-NEW", name_en="n", name_hi="n")
