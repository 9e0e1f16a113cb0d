"""A campaign's dates as a leaderboard period: offered for the started campaigns the user may see."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignScope, CampaignStatus, CampaignUnit
from leaderboards.periods import PeriodError, parse_period
from tests.factories import daily_snapshots

URL = reverse("leaderboards:board")

pytestmark = pytest.mark.usefixtures("frozen")


def campaign(world, *, state=None, status=CampaignStatus.RUNNING, name="July drive", units=(), **dates):
    started = status != CampaignStatus.DRAFT
    made = Campaign.objects.create(
        state=state or world.bihar,
        name_en=name,
        name_hi="जुलाई अभियान",
        starts_on=dates.get("starts_on", date(2026, 7, 6)),
        ends_on=dates.get("ends_on", date(2026, 7, 20)),
        status=status,
        scope=CampaignScope.DISTRICTS,
        created_by=world.pr_bihar,
        started_at=timezone.now() if started else None,
        started_by=world.pr_bihar if started else None,
        closed_at=timezone.now() if status == CampaignStatus.CLOSED else None,
    )
    CampaignUnit.objects.bulk_create(CampaignUnit(campaign=made, unit=unit) for unit in units)
    return made


def test_parse_period_takes_a_campaigns_dates_only_from_the_offered_ones():
    offered = {"7": (date(2026, 7, 6), date(2026, 7, 20))}
    period = parse_period({"period": "campaign", "campaign": "7"}, campaigns=offered)
    assert (period.kind, period.start, period.end, period.days) == ("campaign", date(2026, 7, 6), date(2026, 7, 20), 15)
    assert period.as_params() == {"period": "campaign", "campaign": "7"}
    with pytest.raises(PeriodError, match="Choose a campaign"):
        parse_period({"period": "campaign"}, campaigns=offered)
    with pytest.raises(PeriodError, match="no started campaign 8"):
        parse_period({"period": "campaign", "campaign": "8"}, campaigns=offered)


def test_the_board_measures_the_campaigns_days(world, login):
    """Growth over the campaign's 15 days, not July's 31: 14 daily steps of 10 from the 6th to the 20th."""
    daily_snapshots(world.patna_x, date(2026, 6, 25), date(2026, 8, 5), followers_from=1000, step=10)
    drive = campaign(world, units=[world.patna, world.gaya])
    response = login(world.pr_bihar).get(
        URL, {"state": "BR", "level": "districts", "platform": "x", "period": "campaign", "campaign": drive.pk}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "July drive</a>: 6 Jul 2026 – 20 Jul 2026" in content
    patna = content[content.index('data-unit="BR-PATNA"') : content.index('data-unit="BR-GAYA"')]
    assert "+150" in patna  # followers at the last snapshot of the 20th minus the last before the 6th
    # the drill-down links keep the campaign as the period
    assert f"period=campaign&amp;campaign={drive.pk}" in patna


def test_only_started_campaigns_of_the_state_the_user_sees_are_offered(world, login):
    running = campaign(world, name="Running drive", units=[world.patna])
    closed = campaign(world, name="Closed drive", status=CampaignStatus.CLOSED, units=[world.gaya])
    draft = campaign(world, name="Draft drive", status=CampaignStatus.DRAFT, units=[world.patna])
    other_state = campaign(world, state=world.rajasthan, name="Dausa drive", units=[world.dausa])

    def offered(user) -> set[str]:
        content = login(user).get(URL, {"state": "BR", "level": "districts"}).content.decode()
        select = content[content.index('data-testid="campaign-period"') :]
        select = select[: select.index("</select>")]
        return set(re.findall(r'<option value="(\d+)"', select))

    assert offered(world.pr_bihar) == {str(running.pk), str(closed.pk)}
    assert offered(world.dpro_gaya) == {str(closed.pk)}  # only the campaigns Gaya takes part in
    for hidden in (draft, other_state):
        response = login(world.pr_bihar).get(URL, {"state": "BR", "period": "campaign", "campaign": hidden.pk})
        assert response.status_code == 400
        assert f"no started campaign {hidden.pk}" in response.content.decode()


def test_the_drill_down_takes_the_campaign_period(world, login):
    daily_snapshots(world.patna_x, date(2026, 6, 25), date(2026, 8, 5), followers_from=1000, step=10)
    drive = campaign(world, units=[world.patna])
    url = reverse("leaderboards:cell", kwargs={"code": "BR-PATNA"})
    response = login(world.pr_bihar).get(url, {"period": "campaign", "campaign": drive.pk, "platform": "x"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "July drive</a>: 6 Jul 2026 – 20 Jul 2026" in content
    assert f"period=campaign&amp;campaign={drive.pk}" in content  # back to the board for the same campaign


def test_a_started_campaign_links_to_its_leaderboard(world, login):
    daily_snapshots(world.patna_x, date(2026, 6, 25), date(2026, 8, 5), followers_from=1000, step=10)
    drive = campaign(world, units=[world.patna, world.gaya])
    client = login(world.pr_bihar)
    content = client.get(drive.get_absolute_url()).content.decode()
    link = re.search(r'data-testid="leaderboard-link"[^>]*href="([^"]+)"', content, re.S).group(1).replace("&amp;", "&")
    assert link == f"{URL}?state=BR&level=districts&period=campaign&campaign={drive.pk}"
    board = client.get(link).content.decode()
    assert "July drive</a>: 6 Jul 2026 – 20 Jul 2026" in board
