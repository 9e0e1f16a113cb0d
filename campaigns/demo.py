"""Demo campaigns, made through the services on the demo's history (wired into ``core.demo`` after the accounts
and their 90 days of snapshots exist): Dausa's 15-day X drive for its department offices, running for some
days, and a Bihar campaign of last month, closed, with its report. Idempotent."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from campaigns.models import Campaign, CampaignScope, TargetMetric
from campaigns.services import campaign_close, campaign_create, campaign_start
from departments.choices import Platform, UnitKind
from departments.models import State, Unit
from users.models import User

DAUSA_NAME = "Dausa 15-day X drive"
BIHAR_NAME = "Bihar districts: follower drive"


def _moment(day, hour=0, minute=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def demo_campaigns_create(*, now: datetime | None = None) -> int:
    """Returns how many campaigns were made (0 when they exist already or their state or officer is missing)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    made = 0
    rajasthan, bihar = State.objects.filter(code="RJ").first(), State.objects.filter(code="BR").first()
    officer = User.objects.filter(username="pr.rajasthan").first()
    dausa = Unit.objects.filter(code="RJ-DAUSA", kind=UnitKind.DISTRICT).first()
    if rajasthan and officer and dausa and not Campaign.objects.filter(name_en=DAUSA_NAME).exists():
        offices = list(dausa.offices.filter(is_active=True))
        if offices:
            starts_on = today - timedelta(days=5)
            campaign = campaign_create(
                user=officer,
                state=rajasthan,
                name_en=DAUSA_NAME,
                name_hi="दौसा 15 दिवसीय X अभियान",
                description="Ordered by the CM-SDC directorate: raise the followers, tweets and retweets of Dausa's "
                "department offices on X.",
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=14),
                scope=CampaignScope.DISTRICT_OFFICES,
                district=dausa,
                units=offices,
                targets=[
                    {"metric": TargetMetric.FOLLOWERS_PCT, "platform": Platform.X, "value": 5},
                    {"metric": TargetMetric.POSTS, "platform": Platform.X, "value": 30},
                    {"metric": TargetMetric.REPOSTS, "platform": Platform.X, "value": 20},
                ],
                now=_moment(starts_on - timedelta(days=2), 11),
            )
            campaign_start(campaign=campaign, user=officer, now=_moment(starts_on, 9))
            made += 1
    officer = User.objects.filter(username="pr.bihar").first()
    if bihar and officer and not Campaign.objects.filter(name_en=BIHAR_NAME).exists():
        districts = list(Unit.objects.filter(state=bihar, kind=UnitKind.DISTRICT, is_active=True))
        if districts:
            starts_on = today - timedelta(days=40)
            ends_on = starts_on + timedelta(days=14)
            campaign = campaign_create(
                user=officer,
                state=bihar,
                name_en=BIHAR_NAME,
                name_hi="बिहार जिले: फॉलोअर अभियान",
                description="Every district administration grows its followers and goes live on Facebook.",
                starts_on=starts_on,
                ends_on=ends_on,
                scope=CampaignScope.DISTRICTS,
                units=districts,
                targets=[
                    {"metric": TargetMetric.FOLLOWERS_PCT, "platform": Platform.X, "value": 2},
                    {"metric": TargetMetric.POSTS, "platform": "all", "value": 20},
                    {
                        "metric": TargetMetric.LIVES,
                        "platform": Platform.FACEBOOK,
                        "value": 1,
                        "live_minimum_minutes": 30,
                    },
                ],
                now=_moment(starts_on - timedelta(days=3), 11),
            )
            campaign_start(campaign=campaign, user=officer, now=_moment(starts_on, 9))
            campaign_close(campaign=campaign, user=None, now=_moment(ends_on + timedelta(days=1), 0, 1))
            made += 1
    return made
