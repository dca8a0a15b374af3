"""How the portal writes money, numbers, rates, dates and timestamps: one format each, for
every page, e-mail and export. The template filters in `initiatives.templatetags.crossing`
call these; Python code that writes a sentence (a service's message) calls them too.

- money: whole units with thousands separators, the currency first: "EUR 1,250,000";
- rates (error rate, pass rates, conversion, ROI): a percentage with one decimal: "45.7 %";
- hours: thousands separators and "h": "1,200 h";
- dates: "28 Feb 2027";
- timestamps: in the portal's time zone (PORTAL_TIME_ZONE), saying which: "28 Feb 2027 14:05 UTC".
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.dateformat import format as django_date_format

DAY_FORMAT = "j M Y"
WHEN_FORMAT = "j M Y H:i T"
EMPTY = "—"


def _blank(value) -> bool:
    return value is None or value == ""


def money(value, currency: str = "", empty: str = EMPTY) -> str:
    """1234567.5, "EUR" → "EUR 1,234,568" (rounded half up, from the exact Decimal)."""
    if _blank(value):
        return empty
    text = f"{Decimal(str(value)).quantize(Decimal('1'), ROUND_HALF_UP):,}"
    return f"{currency} {text}".strip()


def percent(value, empty: str = EMPTY) -> str:
    """A fraction as a percentage: 0.4567 → "45.7 %"."""
    if _blank(value):
        return empty
    return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


def number(value, places: int = 0, empty: str = EMPTY) -> str:
    """A count or measure with thousands separators: 3600000 → "3,600,000"."""
    if _blank(value):
        return empty
    quantum = Decimal(1).scaleb(-int(places))
    return f"{Decimal(str(value)).quantize(quantum, ROUND_HALF_UP):,}"


def hours(value, empty: str = EMPTY) -> str:
    """Hours with thousands separators, at most one decimal: 1200 → "1,200 h", 12.5 → "12.5 h"."""
    if _blank(value):
        return empty
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    places = 0 if rounded == rounded.to_integral_value() else 1
    return f"{number(rounded, places)} h"


def day(value: date | datetime | None, empty: str = EMPTY) -> str:
    """A date, or the day of a timestamp in the portal's time zone: "28 Feb 2027"."""
    if _blank(value):
        return empty
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return django_date_format(value, DAY_FORMAT)


def when(value: datetime | None, empty: str = EMPTY) -> str:
    """A timestamp with its time zone: "28 Feb 2027 14:05 UTC"."""
    if _blank(value):
        return empty
    if not isinstance(value, datetime):  # a plain date has no time to show
        return day(value, empty)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return django_date_format(value, WHEN_FORMAT)


def iso(value: date | datetime | None) -> str:
    """ISO 8601 without microseconds, for machines (a `<time datetime>`, a CSV cell)."""
    if _blank(value):
        return ""
    if isinstance(value, datetime):
        value = value.replace(microsecond=0)
    return value.isoformat()
