"""The account page (chart, posts) and the account-health page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from departments.choices import AccountStatus
from metrics.models import AccountPollState, PollRun, Post, Snapshot
from metrics.services.history import history_backfill
from tests.factories import AccountFactory, UnitFactory

pytestmark = pytest.mark.django_db
HEALTH = reverse("metrics:health")


def test_account_page_shows_the_growth_chart_data_and_recent_posts(world, login):
    now = timezone.now()
    for day in range(5):
        Snapshot.objects.create(
            account=world.patna_x, slot=now - timedelta(days=day), taken_at=now, followers=1000 + day
        )
    Post.objects.create(account=world.patna_x, platform_post_id="1", kind="post", created_at=now, text="जल जीवन मिशन")
    response = login(world.dpro_patna).get(world.patna_x.get_absolute_url())
    content = response.content.decode()
    assert [point["followers"] for point in response.context["series"]] == [1004, 1003, 1002, 1001, 1000]
    assert 'id="follower-series"' in content and "chart.umd.min.js" in content
    assert "जल जीवन मिशन" in content


def test_account_page_without_data_says_so(world, login):
    content = login(world.dpro_patna).get(world.patna_x.get_absolute_url()).content.decode()
    assert "No snapshots yet" in content and "No posts recorded yet." in content


def test_health_page_lists_reauthorisation_per_state(world, login):
    world.gaya_x.status = AccountStatus.REAUTH_REQUIRED
    world.gaya_x.save()
    AccountPollState.objects.create(
        account=world.gaya_x, last_error_kind="reauth_required", last_error="Session expired"
    )
    AccountPollState.objects.create(account=world.patna_x, last_success_at=timezone.now())
    response = login(world.pr_bihar).get(HEALTH)
    states = {row["unit__state__code"]: row for row in response.context["states"]}
    assert set(states) == {"BR"}  # scope
    assert (states["BR"]["reauth_required"], states["BR"]["never"]) == (1, 3)
    assert [a.handle for a in response.context["page"]] == ["DMGaya"]
    assert "Session expired" in response.content.decode()


def test_district_official_sees_only_their_accounts_on_the_health_page(world, login):
    for account in (world.patna_x, world.gaya_x):
        account.status = AccountStatus.NOT_FOUND
        account.save()
    response = login(world.dpro_patna).get(HEALTH)
    assert [a.pk for a in response.context["page"]] == [world.patna_x.pk]
    assert response.context["runs"] == []


def test_health_csv_export(world, login):
    world.gaya_x.status = AccountStatus.SUSPENDED
    world.gaya_x.save()
    response = login(world.pr_bihar).get(HEALTH, {"status": "suspended", "format": "csv"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("state,unit,platform,handle,status")
    assert len(lines) == 2 and "DMGaya" in lines[1]


def test_health_page_query_count_is_fixed(world, login, django_assert_max_num_queries):
    client = login(world.admin)
    client.get(HEALTH)
    for unit in UnitFactory.create_batch(20, state=world.bihar):
        AccountFactory(unit=unit, status=AccountStatus.NOT_FOUND)
    PollRun.objects.create(platform="x", trigger="schedule", slot=timezone.now())
    with django_assert_max_num_queries(9):
        client.get(HEALTH)


def test_ninety_days_of_simulated_history(world, settings):
    settings.GOVSOCIAL_SIMULATED_FAULTS = False
    totals = history_backfill(days=90)
    assert totals["snapshots"] == Snapshot.objects.count() == 5 * 91  # five accounts, one a day, both ends
    assert Snapshot.objects.filter(account=world.patna_x).count() == 91
    # idempotent
    history_backfill(days=90)
    assert Snapshot.objects.count() == 5 * 91
