"""Hourly polling follows the campaigns: on for exactly the participating accounts at the start, off at the close,
kept while another running campaign still covers an account; campaigns_advance is safe to run twice."""

from datetime import date

import pytest
import time_machine

from campaigns import services
from campaigns.models import Campaign, CampaignStatus
from campaigns.tasks import campaigns_advance
from departments.choices import Platform
from metrics.models import AccountPollState
from metrics.services.polling import accounts_to_poll
from tests.campaigns.conftest import AFTER_END, DRAFTED, END, FIRST_HOUR, STARTED, at

pytestmark = pytest.mark.django_db


def _hourly(now):
    return set(accounts_to_poll(platform=Platform.X, now=now, hourly_only=True).values_list("handle", flat=True))


def _create(dausa, **fields):
    with time_machine.travel(DRAFTED, tick=False):
        return services.campaign_create(user=dausa.world.pr_rajasthan, **dausa.campaign_fields(**fields))


def test_hourly_polling_on_at_the_start_for_exactly_the_participants_and_off_at_the_close(dausa):
    AccountPollState.objects.create(account=dausa.health_x)  # one has a poll state already, the other not yet
    campaign = _create(dausa)
    with time_machine.travel(STARTED, tick=False):
        services.campaign_start(campaign=campaign, user=dausa.world.pr_rajasthan)
        assert _hourly(STARTED) == set()  # scheduled: not yet
    with time_machine.travel(FIRST_HOUR, tick=False):
        result = campaigns_advance.apply().get()
    assert result["started"] == [campaign.pk]

    states = {s.account_id: s.hourly_until for s in AccountPollState.objects.all()}
    assert states == {dausa.health_x.pk: END, dausa.pro_x.pk: END}
    assert _hourly(at(date(2026, 8, 9), 5)) == {"CMHODausa", "DiprDausa"}  # not DmDausa, the district's own
    assert _hourly(END) == set()  # hourly_until is exclusive: the campaign's end

    with time_machine.travel(AFTER_END, tick=False):
        first = campaigns_advance.apply().get()
        second = campaigns_advance.apply().get()
    assert first["closed"] == [campaign.pk] and second == {"started": [], "closed": [], "baselines_filled": 0}
    assert set(AccountPollState.objects.values_list("hourly_until", flat=True)) == {None}


def test_closing_keeps_hourly_polling_for_accounts_another_running_campaign_covers(dausa):
    first = _create(dausa)
    longer = _create(dausa, name_en="Health month", units=[dausa.health], ends_on=date(2026, 8, 31))
    with time_machine.travel(FIRST_HOUR, tick=False):
        services.campaign_start(campaign=first, user=dausa.world.pr_rajasthan)
        services.campaign_start(campaign=longer, user=dausa.world.pr_rajasthan)
    longer_end = Campaign.objects.get(pk=longer.pk).end_at
    assert AccountPollState.objects.get(account=dausa.health_x).hourly_until == longer_end  # never shortened
    assert AccountPollState.objects.get(account=dausa.pro_x).hourly_until == END

    with time_machine.travel(at(date(2026, 8, 6), 12), tick=False):
        services.campaign_close(campaign=first, user=dausa.world.pr_rajasthan, reason="Merged into the health month")
    assert AccountPollState.objects.get(account=dausa.health_x).hourly_until == longer_end
    assert AccountPollState.objects.get(account=dausa.pro_x).hourly_until is None
    assert _hourly(at(date(2026, 8, 7), 5)) == {"CMHODausa"}


def test_a_shorter_campaign_starting_later_does_not_shorten_hourly_polling(dausa):
    longer = _create(dausa, name_en="Health month", units=[dausa.health], ends_on=date(2026, 8, 31))
    short = _create(dausa, ends_on=date(2026, 8, 5))
    with time_machine.travel(FIRST_HOUR, tick=False):
        services.campaign_start(campaign=longer, user=dausa.world.pr_rajasthan)
        services.campaign_start(campaign=short, user=dausa.world.pr_rajasthan)
    with time_machine.travel(at(date(2026, 8, 6), 0, 1), tick=False):
        outcome = services.campaigns_advance()
    assert outcome.closed == [short.pk]
    longer.refresh_from_db()
    assert AccountPollState.objects.get(account=dausa.health_x).hourly_until == longer.end_at
    assert longer.status == CampaignStatus.RUNNING


def test_starting_twice_changes_nothing_and_a_closed_campaign_cannot_start_again(dausa):
    campaign = _create(dausa)
    with time_machine.travel(FIRST_HOUR, tick=False):
        started = services.campaign_start(campaign=campaign, user=dausa.world.pr_rajasthan)
        again = services.campaign_start(campaign=campaign, user=dausa.world.pr_rajasthan)
    assert started.status == again.status == CampaignStatus.RUNNING and again.started_at == started.started_at
    assert campaign.baselines.count() == 2
    with time_machine.travel(AFTER_END, tick=False):
        services.campaign_close(campaign=campaign, user=None)
        closed_at = Campaign.objects.get(pk=campaign.pk).closed_at
        services.campaign_close(campaign=campaign, user=dausa.world.pr_rajasthan, reason="twice")
        with pytest.raises(Exception, match="cannot be started again"):
            services.campaign_start(campaign=campaign, user=dausa.world.pr_rajasthan)
    campaign.refresh_from_db()
    assert campaign.closed_at == closed_at == END and not campaign.closed_early and campaign.results.count() == 9


def test_a_campaign_without_participants_or_targets_does_not_start(dausa):
    campaign = _create(dausa)
    campaign.units.all().delete()
    campaign.targets.all().delete()
    with time_machine.travel(FIRST_HOUR, tick=False), pytest.raises(Exception) as error:
        services.campaign_start(campaign=campaign, user=dausa.world.pr_rajasthan)
    assert "No unit takes part yet" in str(error.value) and "no target yet" in str(error.value)
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT
