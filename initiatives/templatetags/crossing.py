from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html

from initiatives.people import display_name

register = template.Library()


@register.filter
def person(user, empty: str = "—") -> str:
    """A person's full name, else their username; `empty` when there is nobody."""
    return display_name(user or None, empty=empty)


@register.filter
def money(value, currency: str = "") -> str:
    """1234567.5 → "1,234,567.50 EUR"; exact, from the Decimal."""
    if value is None or value == "":
        return "—"
    text = f"{Decimal(value).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
    return f"{text} {currency}".strip()


@register.filter
def percent(value) -> str:
    """A fraction as a percentage: 0.4567 → "45.7 %"."""
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


@register.filter
def next_item(sequence, index: int):
    """The element after `index` (for "compare with the previous version")."""
    return sequence[index + 1]


@register.simple_tag
def sparkline(rows, metric: str, label: str = "", width: int = 300, height: int = 64):
    """A line chart of one metric's daily values, drawn as inline SVG (no other host)."""
    points = [(row["day"], row[metric]) for row in rows if row.get(metric) is not None]
    title = label or metric
    if not points:
        return format_html('<p class="muted">{}: no data.</p>', title)
    values = [value for _, value in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    first, last = points[0][0], points[-1][0]
    days = max((last - first).days, 1)
    pad = 4

    def xy(day, value) -> str:
        x = pad + (width - 2 * pad) * ((day - first).days / days)
        y = height - pad - (height - 2 * pad) * ((value - low) / span)
        return f"{x:.1f},{y:.1f}"

    line = " ".join(xy(day, value) for day, value in points)
    summary = f"{title}: latest {values[-1]:.4g}, range {low:.4g} to {high:.4g}, {len(points)} days"
    # format_html escapes every value; the chart's look is in presentation attributes, not
    # style, which the Content-Security-Policy would refuse.
    return format_html(
        '<figure class="chart"><svg role="img" aria-label="{summary}" width="{width}" '
        'height="{height}" viewBox="0 0 {width} {height}"><title>{summary}</title>'
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{line}"/>'
        "</svg><figcaption>{summary}</figcaption></figure>",
        summary=summary,
        width=width,
        height=height,
        line=line,
    )


@register.filter
def minutes(duration) -> str:
    """A timedelta in whole minutes: timedelta(minutes=15) → "15 minutes"."""
    if duration is None:
        return "a while"
    count = max(round(duration.total_seconds() / 60), 1)
    return f"{count} minute{'s' if count != 1 else ''}"
