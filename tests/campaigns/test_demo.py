"""The demo's campaigns: a running Dausa drive and a closed Bihar campaign with its report, made once."""

from datetime import date, timedelta

import pytest
import time_machine

from campaigns.demo import demo_campaigns_create
from campaigns.models import Campaign, CampaignStatus
from departments.choices import UnitKind
from departments.models import Account
from tests.campaigns.conftest import at
from tests.factories import daily_snapshots

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


def test_demo_makes_a_running_dausa_campaign_and_a_closed_bihar_one_once(dausa, world):
    from users.models import User

    world.pr_rajasthan.username, world.pr_bihar.username = "pr.rajasthan", "pr.bihar"
    User.objects.bulk_update([world.pr_rajasthan, world.pr_bihar], ["username"])
    for account in Account.objects.all():
        daily_snapshots(account, TODAY - timedelta(days=90), TODAY - timedelta(days=1), followers_from=1000)

    with time_machine.travel(at(TODAY, 10), tick=False):
        assert demo_campaigns_create() == 2
        assert demo_campaigns_create() == 0

    dausa_drive = Campaign.objects.get(state=world.rajasthan)
    assert dausa_drive.status == CampaignStatus.RUNNING and dausa_drive.days == 15
    assert set(dausa_drive.units.values_list("unit__kind", flat=True)) == {UnitKind.DISTRICT_OFFICE}
    assert dausa_drive.baselines.filter(followers__isnull=False).count() == 2
    bihar = Campaign.objects.get(state=world.bihar)
    assert bihar.status == CampaignStatus.CLOSED and not bihar.closed_early
    assert bihar.results.filter(unit=world.patna, metric="followers_pct").get().status == "met"  # +10 a day
