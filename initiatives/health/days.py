"""The days health reports are rolled up by (README "Health at volume"): calendar days in
PORTAL_TIME_ZONE (Django's TIME_ZONE), the days the charts draw. Pure: no query."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

# The longest calendar day (a day that ends daylight saving time): a moment's day starts at
# most this long before it and ends at most this long after it.
LONGEST_DAY = timedelta(hours=25)


def zone() -> ZoneInfo:
    """The time zone whose calendar days the roll-up keeps."""
    return ZoneInfo(settings.TIME_ZONE)


def day_of(moment: datetime) -> date:
    """The calendar day `moment` falls on."""
    return moment.astimezone(zone()).date()


def start_of(day: date) -> datetime:
    """The first moment of `day`."""
    return datetime.combine(day, time.min, tzinfo=zone())


def raw_cutoff(now: datetime) -> datetime:
    """Raw reports observed before this moment are deleted (and counted only in the
    roll-up): the start of the day PORTAL_HEALTH_RAW_DAYS days before `now`'s. Whole days
    go, so every day a 90-day chart draws is either all raw or all rolled up."""
    return start_of(day_of(now - timedelta(days=settings.PORTAL_HEALTH_RAW_DAYS)))
