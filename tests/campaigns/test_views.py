"""Campaign pages: who sees and runs what, the draft form's errors, the running campaign's page and the report."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from campaigns import services
from campaigns.models import Campaign, CampaignStatus
from departments.choices import Platform, UnitKind
from departments.models import Account
from tests.campaigns.conftest import AFTER_END, DRAFTED, FIRST, FIRST_HOUR, LAST, at
from tests.factories import UnitFactory, daily_snapshots, post

pytestmark = pytest.mark.django_db
DAY10 = at(date(2026, 8, 10), 12)


def _form_data(dausa, **overrides):
    data = {
        "state": "RJ",
        "name_en": "Dausa 15-day X drive",
        "name_hi": "दौसा 15 दिवसीय X अभियान",
        "description": "",
        "starts_on": FIRST.isoformat(),
        "ends_on": LAST.isoformat(),
        "scope": "district_offices",
        "district": str(dausa.world.dausa.pk),
        "units": [str(unit.pk) for unit in dausa.offices],
        "targets-TOTAL_FORMS": "2",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "20",
        "targets-0-metric": "followers_pct",
        "targets-0-platform": "x",
        "targets-0-value": "5",
        "targets-1-metric": "posts",
        "targets-1-platform": "x",
        "targets-1-value": "30",
    }
    data.update(overrides)
    return data


def _running(dausa, when=FIRST_HOUR):
    dausa.history()
    with time_machine.travel(DRAFTED, tick=False):
        campaign = services.campaign_create(user=dausa.world.pr_rajasthan, **dausa.campaign_fields())
    with time_machine.travel(when, tick=False):
        return services.campaign_start(campaign=campaign, user=dausa.world.pr_rajasthan)


# ---- the form ---------------------------------------------------------------------------------


def test_state_officer_creates_a_draft_for_a_districts_offices(dausa, login):
    client = login(dausa.world.pr_rajasthan)
    with time_machine.travel(DRAFTED, tick=False):
        response = client.post(reverse("campaigns:new"), _form_data(dausa))

    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert campaign.status == CampaignStatus.DRAFT and campaign.days == 15
    assert set(campaign.units.values_list("unit__code", flat=True)) == {
        "RJ-DAUSA-HEALTH",
        "RJ-DAUSA-DPRO",
        "RJ-DAUSA-PWD",
    }
    assert sorted(campaign.targets.values_list("metric", "value")) == [("followers_pct", 5), ("posts", 30)]


def test_form_defaults_to_15_days_from_today(dausa, login):
    with time_machine.travel(DRAFTED, tick=False):
        response = login(dausa.world.pr_rajasthan).get(reverse("campaigns:new"))
    form = response.context["form"]
    assert (form.initial["starts_on"], form.initial["ends_on"]) == (date(2026, 7, 30), date(2026, 8, 13))


def test_choosing_a_district_takes_all_its_offices_when_none_is_ticked(dausa, login):
    with time_machine.travel(DRAFTED, tick=False):
        login(dausa.world.pr_rajasthan).post(reverse("campaigns:new"), _form_data(dausa, units=[]))
    assert Campaign.objects.get().units.count() == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": "2026-07-31"}, "The last day cannot be before the first."),
        ({"scope": "districts", "units": []}, "Choose at least one unit to take part."),
        (
            {"targets-0-metric": "", "targets-0-value": "", "targets-1-metric": "", "targets-1-value": ""},
            "Give at least one target.",
        ),
        ({"targets-1-value": "-4"}, "A target is above zero."),
        ({"targets-1-value": "2.5"}, "This target is a whole number."),
        ({"targets-1-value": "many"}, "Enter a number."),
        ({"targets-1-metric": "followers_pct", "targets-1-value": "7"}, "already have a target"),
        ({"units": [], "scope": "districts", "district": ""}, "Choose at least one unit to take part."),
    ],
)
def test_form_errors_are_shown_and_nothing_is_saved(dausa, login, overrides, message):
    with time_machine.travel(DRAFTED, tick=False):
        response = login(dausa.world.pr_rajasthan).post(reverse("campaigns:new"), _form_data(dausa, **overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Campaign.objects.exists()


def test_units_outside_the_scope_are_refused(dausa, login):
    with time_machine.travel(DRAFTED, tick=False):
        response = login(dausa.world.pr_rajasthan).post(
            reverse("campaigns:new"), _form_data(dausa, units=[str(dausa.world.dausa.pk)])
        )
    assert response.status_code == 400
    assert "cannot take part with the chosen scope" in response.content.decode()


def test_a_started_campaign_cannot_be_edited(dausa, login):
    campaign = _running(dausa)
    with time_machine.travel(DAY10, tick=False):
        response = login(dausa.world.pr_rajasthan).post(
            reverse("campaigns:edit", args=[campaign.pk]), _form_data(dausa)
        )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.targets.count() == 3  # unchanged


# ---- who sees what -----------------------------------------------------------------------------


def test_district_official_of_another_district_gets_404(dausa, login, world):
    campaign = _running(dausa)
    client = login(world.dpro_patna)
    with time_machine.travel(DAY10, tick=False):
        assert client.get(campaign.get_absolute_url()).status_code == 404
        assert client.get(reverse("campaigns:report", args=[campaign.pk])).status_code == 404
        assert client.post(reverse("campaigns:close", args=[campaign.pk]), {"reason": "x"}).status_code == 404
        assert client.get(reverse("campaigns:list")).context["page"].paginator.count == 0


def test_state_officer_of_another_state_gets_404_and_cannot_start(dausa, login, world):
    with time_machine.travel(DRAFTED, tick=False):
        campaign = services.campaign_create(user=world.pr_rajasthan, **dausa.campaign_fields())
        client = login(world.pr_bihar)
        assert client.get(campaign.get_absolute_url()).status_code == 404
        assert client.post(reverse("campaigns:start", args=[campaign.pk])).status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_district_official_of_a_taking_part_district_sees_it_read_only(dausa, login, world):
    from users.models import User

    dpro_dausa = User.objects.create(
        username="dpro.dausa", role=User.Role.DISTRICT_OFFICIAL, state=world.rajasthan, district=world.dausa
    )
    campaign = _running(dausa)
    client = login(dpro_dausa)
    with time_machine.travel(DAY10, tick=False):
        page = client.get(campaign.get_absolute_url())
        assert page.status_code == 200 and not page.context["can_close"]
        assert b"close-form" not in page.content
        assert client.post(reverse("campaigns:close", args=[campaign.pk]), {"reason": "no"}).status_code == 403
        assert client.post(reverse("campaigns:start", args=[campaign.pk])).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING


def test_district_officials_do_not_see_drafts(dausa, login, world):
    from users.models import User

    dpro_dausa = User.objects.create(
        username="dpro.dausa", role=User.Role.DISTRICT_OFFICIAL, state=world.rajasthan, district=world.dausa
    )
    with time_machine.travel(DRAFTED, tick=False):
        campaign = services.campaign_create(user=world.pr_rajasthan, **dausa.campaign_fields())
        assert login(dpro_dausa).get(campaign.get_absolute_url()).status_code == 404


def test_district_official_cannot_create(login, world):
    assert login(world.dpro_patna).get(reverse("campaigns:new")).status_code == 403


# ---- the list ----------------------------------------------------------------------------------------


def test_list_filters_and_helpful_empty_state(dausa, login, world):
    client = login(world.pr_rajasthan)
    empty = client.get(reverse("campaigns:list"))
    assert "No campaign yet" in empty.content.decode() and b"new-campaign" in empty.content
    _running(dausa)
    with time_machine.travel(DAY10, tick=False):
        assert client.get(reverse("campaigns:list")).context["page"].paginator.count == 1
        assert client.get(reverse("campaigns:list"), {"status": "closed"}).context["page"].paginator.count == 0
        assert client.get(reverse("campaigns:list"), {"q": "15-day"}).context["page"].paginator.count == 1
        filtered = client.get(reverse("campaigns:list"), {"q": "nothing like it"})
    assert "No campaign matches these filters." in filtered.content.decode()


# ---- the running campaign ---------------------------------------------------------------------------------


def test_campaign_page_shows_day_x_of_n_the_burnup_the_board_and_who_is_off_track(dausa, login):
    campaign = _running(dausa)
    with time_machine.travel(DAY10, tick=False):
        services.campaigns_advance()
        response = login(dausa.world.pr_rajasthan).get(campaign.get_absolute_url())

    body = response.content.decode()
    assert "day 10 of 15" in body
    assert [series["id"] for series in response.context["chart"]] == [
        "burnup-followers_pct-x",
        "burnup-posts-x",
        "burnup-reposts-x",
    ]
    assert 'data-burnup="burnup-posts-x"' in body
    rows = [(row.unit.code, row.rank) for row in response.context["board"]]
    assert rows[-1] == ("RJ-DAUSA-PWD", None)  # no data: no rank, last
    assert {code for code, _rank in rows[:2]} == {"RJ-DAUSA-HEALTH", "RJ-DAUSA-DPRO"}
    off_track = [row.unit.code for row in response.context["progress"].off_track]
    assert "RJ-DAUSA-HEALTH" in off_track  # its retweets
    assert b"close-form" in response.content


def test_leaderboard_is_sortable_and_searchable(dausa, login):
    campaign = _running(dausa)
    client = login(dausa.world.pr_rajasthan)
    with time_machine.travel(DAY10, tick=False):
        by_name = client.get(campaign.get_absolute_url(), {"sort": "-name"})
        searched = client.get(campaign.get_absolute_url(), {"q": "health"})
        by_posts = client.get(campaign.get_absolute_url(), {"sort": "-posts:x"})
    assert [row.unit.code for row in by_name.context["board"]] == ["RJ-DAUSA-PWD", "RJ-DAUSA-HEALTH", "RJ-DAUSA-DPRO"]
    assert [row.unit.code for row in searched.context["board"]] == ["RJ-DAUSA-HEALTH"]
    # by posts (% of 30): the PR office 22 by noon on 10 August, health 20
    assert [row.unit.code for row in by_posts.context["board"]][:2] == ["RJ-DAUSA-DPRO", "RJ-DAUSA-HEALTH"]


def test_unit_drill_down_shows_its_accounts_and_gaps(dausa, login):
    campaign = _running(dausa)
    with time_machine.travel(DAY10, tick=False):
        response = login(dausa.world.pr_rajasthan).get(reverse("campaigns:unit", args=[campaign.pk, "RJ-DAUSA-HEALTH"]))
        missing = login(dausa.world.pr_rajasthan).get(reverse("campaigns:unit", args=[campaign.pk, "BR-PATNA"]))
    row = response.context["row"]
    growth = row.by_key()[("followers_pct", "x")]
    assert growth.gap_days == 3
    assert "1060 followers at the start" in response.content.decode()
    assert missing.status_code == 404


def _add_units(state, district, count, prefix):
    units = []
    for number in range(count):
        unit = UnitFactory(
            state=state,
            kind=UnitKind.DISTRICT_OFFICE,
            district=district,
            department=None,
            code=f"RJ-DAUSA-{prefix}{number}",
            name_en=f"{prefix} office {number}",
        )
        account = Account.objects.create(unit=unit, platform=Platform.X, handle=f"{prefix.lower()}{number}")
        daily_snapshots(account, date(2026, 7, 28), date(2026, 8, 12), followers_from=500 + number)
        post(account, at(date(2026, 8, 3), 9))
        units.append(unit)
    return units


@pytest.mark.parametrize("extra", [0, 8])
def test_campaign_page_queries_do_not_grow_with_units(dausa, login, django_assert_num_queries, extra):
    units = _add_units(dausa.world.rajasthan, dausa.world.dausa, extra, "EXTRA")
    dausa.history()
    with time_machine.travel(DRAFTED, tick=False):
        campaign = services.campaign_create(
            user=dausa.world.pr_rajasthan, **dausa.campaign_fields(units=[*dausa.offices, *units])
        )
    with time_machine.travel(FIRST_HOUR, tick=False):
        services.campaign_start(campaign=campaign, user=dausa.world.pr_rajasthan)
    client = login(dausa.world.pr_rajasthan)
    # session, user, the user's state (navbar), campaign, participants, targets, baselines by day, posts by day
    with time_machine.travel(DAY10, tick=False), django_assert_num_queries(8):
        response = client.get(campaign.get_absolute_url())
    assert len(response.context["board"].object_list) == 3 + extra


# ---- closing --------------------------------------------------------------------------------------------


def test_closed_early_freezes_the_report_and_later_snapshots_change_nothing(dausa, login):
    campaign = _running(dausa)
    client = login(dausa.world.pr_rajasthan)
    with time_machine.travel(DAY10, tick=False):
        refused = client.post(reverse("campaigns:close", args=[campaign.pk]), {"reason": ""})
        assert refused.status_code == 400 and "Say why the campaign is closed" in refused.content.decode()
        response = client.post(reverse("campaigns:close", args=[campaign.pk]), {"reason": "Floods: staff redeployed"})
        assert response.status_code == 302
        frozen = client.get(reverse("campaigns:report", args=[campaign.pk], query={"format": "csv"})).content
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED and campaign.closed_early and campaign.closed_at == DAY10
    assert campaign.close_reason == "Floods: staff redeployed"

    # Later: more snapshots and posts (even back-dated into the campaign) arrive; the report stays as it was.
    post(dausa.health_x, at(date(2026, 8, 9), 20), "repost")
    daily_snapshots(dausa.health_x, date(2026, 8, 21), date(2026, 8, 25), followers_from=5000)
    with time_machine.travel(AFTER_END, tick=False):
        services.campaigns_advance()
        again = client.get(reverse("campaigns:report", args=[campaign.pk], query={"format": "csv"})).content
        page = client.get(reverse("campaigns:report", args=[campaign.pk]))
        detail = client.get(campaign.get_absolute_url())
    assert again == frozen
    rows = {(r["unit"], r["metric"]): r for r in csv.DictReader(io.StringIO(again.decode("utf-8-sig")))}
    assert rows[("RJ-DAUSA-HEALTH", "followers_pct")]["after"] == "1160"  # 10 August's snapshot
    assert rows[("RJ-DAUSA-HEALTH", "reposts")]["achieved"] == "9"
    assert "Floods: staff redeployed" in page.content.decode() and b'data-testid="closed-early"' in page.content
    assert b"closed-early-badge" in detail.content


def test_report_csv_and_printable_page_after_the_end(dausa, login):
    _running(dausa)
    campaign = Campaign.objects.get()
    with time_machine.travel(AFTER_END, tick=False):
        services.campaigns_advance()
        client = login(dausa.world.pr_rajasthan)
        response = client.get(reverse("campaigns:report", args=[campaign.pk]), {"format": "csv"})
        page = client.get(reverse("campaigns:report", args=[campaign.pk]))

    assert response["Content-Disposition"] == f'attachment; filename="govsocial-campaign-{campaign.pk}.csv"'
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(content.lstrip("\ufeff"))))
    assert len(rows) == 9
    health = {r["metric"]: r for r in rows if r["unit"] == "RJ-DAUSA-HEALTH"}
    assert (health["followers_pct"]["before"], health["followers_pct"]["after"]) == ("1060", "1210")
    assert (health["followers_pct"]["achieved"], health["followers_pct"]["result"]) == ("14.15", "met")
    assert (health["reposts"]["achieved"], health["reposts"]["result"]) == ("10", "missed")
    assert rows[0]["unit_name_hi"]  # Hindi names come through
    assert {r["result"] for r in rows if r["unit"] == "RJ-DAUSA-PWD"} == {"no_data"}
    body = page.content.decode()
    assert page.status_code == 200 and "window.print()" in body and "report.css" in body
    assert body.count('data-testid="report-row"') == 9
    assert 'data-unit="RJ-DAUSA-DPRO" data-metric="followers_pct" data-status="missed"' in body


def test_no_report_before_the_start(dausa, login):
    with time_machine.travel(DRAFTED, tick=False):
        campaign = services.campaign_create(user=dausa.world.pr_rajasthan, **dausa.campaign_fields())
        assert login(dausa.world.pr_rajasthan).get(reverse("campaigns:report", args=[campaign.pk])).status_code == 404


def test_start_button_starts_a_campaign_whose_first_day_has_come(dausa, login):
    with time_machine.travel(DRAFTED, tick=False):
        campaign = services.campaign_create(
            user=dausa.world.pr_rajasthan, **dausa.campaign_fields(starts_on=date(2026, 7, 30))
        )
        response = login(dausa.world.pr_rajasthan).post(reverse("campaigns:start", args=[campaign.pk]), follow=True)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING
    assert "polled every hour" in response.content.decode()
    assert FIRST - timedelta(days=2) == campaign.starts_on


def test_a_units_page_lists_the_started_campaigns_it_takes_part_in(dausa, login, world):
    from users.models import User

    dpro_dausa = User.objects.create(
        username="dpro.dausa", role=User.Role.DISTRICT_OFFICIAL, state=world.rajasthan, district=world.dausa
    )
    running = _running(dausa)
    with time_machine.travel(DRAFTED, tick=False):
        draft = services.campaign_create(
            user=world.pr_rajasthan, **dausa.campaign_fields(name_en="Next drive", name_hi="अगला अभियान")
        )
    with time_machine.travel(DAY10, tick=False):
        page = login(dpro_dausa).get(dausa.health.get_absolute_url()).content.decode()
    card = page[page.index('data-testid="unit-campaigns"') :]
    card = card[: card.index("</ul>")]
    assert reverse("campaigns:unit", args=[running.pk, dausa.health.code]) in card
    assert running.name_en in card and 'data-status="running"' in card
    assert reverse("campaigns:unit", args=[draft.pk, dausa.health.code]) not in card  # a draft is nobody's yet
