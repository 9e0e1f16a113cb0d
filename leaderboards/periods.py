"""Reporting periods in the state's time (IST): a week, a month, a quarter or a custom range.

A period is a range of whole IST days, ``start`` to ``end`` inclusive. Its
instants are ``start_at`` (IST midnight of ``start``) and ``end_at`` (IST
midnight after ``end``, exclusive); a period that is still running is measured
up to now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

MAX_CUSTOM_DAYS = 400

PERIOD_CHOICES = [
    ("week", _("This week")),
    ("month", _("This month")),
    ("last_month", _("Last month")),
    ("quarter", _("This quarter")),
    ("last_quarter", _("Last quarter")),
    ("custom", _("Custom range")),
    ("campaign", _("A campaign's dates")),
]


class PeriodError(ValueError):
    """A period that cannot be measured, with a message for the user."""


def today() -> date:
    return timezone.localdate()


@dataclass(frozen=True)
class Period:
    kind: str  # week, month, quarter, custom or campaign
    start: date
    end: date
    campaign: str = ""  # for kind "campaign": the campaign's id, so links keep choosing it

    def __post_init__(self):
        if self.end < self.start:
            raise PeriodError(_("The period ends before it starts."))

    # ---- instants -------------------------------------------------------
    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def measured_until(self, now: datetime | None = None) -> datetime:
        """The end of the period, or now if it is still running."""
        now = now or timezone.now()
        return min(self.end_at, max(now, self.start_at))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def is_future(self, now: datetime | None = None) -> bool:
        return self.start_at > (now or timezone.now())

    def has_ended(self, now: datetime | None = None) -> bool:
        return self.end_at <= (now or timezone.now())

    def days_elapsed(self, now: datetime | None = None) -> int:
        """Whole or started IST days of the period up to now (0 for a future period)."""
        until = self.measured_until(now)
        elapsed = until - self.start_at
        return min(self.days, -(-elapsed // timedelta(days=1)))

    # ---- neighbours and labels -------------------------------------------
    def previous(self) -> Period:
        if self.kind == "month":
            return month_of(self.start - timedelta(days=1))
        if self.kind == "quarter":
            return quarter_of(self.start - timedelta(days=1))
        if self.kind == "week":
            return week_of(self.start - timedelta(days=7))
        return Period("custom", self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    @property
    def label(self) -> str:
        if self.kind == "month":
            return date_format(self.start, "F Y")
        if self.kind == "quarter":
            return f"{date_format(self.start, 'M')}–{date_format(self.end, 'M Y')}"
        return f"{date_format(self.start, 'j M Y')} – {date_format(self.end, 'j M Y')}"

    def as_params(self) -> dict[str, str]:
        """Query parameters that select exactly this period."""
        if self.kind == "campaign" and self.campaign:
            return {"period": "campaign", "campaign": self.campaign}
        return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat()}


def week_of(day: date) -> Period:
    start = day - timedelta(days=day.weekday())
    return Period("week", start, start + timedelta(days=6))


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period("month", start, following - timedelta(days=1))


def quarter_of(day: date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = month_of(date(day.year, first_month + 2, 1)).end
    return Period("quarter", start, end)


def period_for(kind: str, day: date) -> Period:
    """The period of ``kind`` (weekly, monthly, quarterly) that contains ``day``."""
    return {"weekly": week_of, "monthly": month_of, "quarterly": quarter_of}[kind](day)


def parse_period(params, *, default: str = "month", campaigns: dict[str, tuple[date, date]] | None = None) -> Period:
    """The period a page's query string asks for; raises PeriodError with a message for a bad one.

    ``campaigns`` maps the ids of the campaigns the user may choose to their first and last day.
    """
    kind = params.get("period") or default
    day = today()
    if kind == "week":
        return week_of(day)
    if kind == "month":
        if params.get("month"):
            return month_of(_parse_date(params["month"] + "-01", _("month")))
        return month_of(day)
    if kind == "last_month":
        return month_of(day.replace(day=1) - timedelta(days=1))
    if kind == "quarter":
        return quarter_of(day)
    if kind == "last_quarter":
        return quarter_of(quarter_of(day).start - timedelta(days=1))
    if kind == "custom":
        start = _parse_date(params.get("start", ""), _("start"))
        end = _parse_date(params.get("end", ""), _("end"))
        if end < start:
            raise PeriodError(
                _("The end date %(end)s is before the start date %(start)s.") % {"end": end, "start": start}
            )
        if (end - start).days + 1 > MAX_CUSTOM_DAYS:
            raise PeriodError(_("A custom period can be at most %(days)d days long.") % {"days": MAX_CUSTOM_DAYS})
        return Period("custom", start, end)
    if kind == "campaign":
        chosen = params.get("campaign", "")
        if not chosen:
            raise PeriodError(_("Choose a campaign."))
        if chosen not in (campaigns or {}):
            raise PeriodError(_("There is no started campaign %(id)s in this state that you can see.") % {"id": chosen})
        start, end = campaigns[chosen]
        return Period("campaign", start, end, campaign=chosen)
    raise PeriodError(_("Unknown period “%(kind)s”.") % {"kind": kind})


def _parse_date(value: str, field) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PeriodError(
            _("The %(field)s date “%(value)s” is not a date in the form YYYY-MM-DD.") % {"field": field, "value": value}
        ) from None
