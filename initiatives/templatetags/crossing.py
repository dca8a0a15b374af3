from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

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
    title = escape(label or metric)
    if not points:
        return mark_safe(f'<p class="muted">{title}: no data.</p>')  # noqa: S308 - escaped
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
    svg = (
        f'<figure class="chart"><svg role="img" aria-label="{summary}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{summary}</title>'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{line}"/>'
        f"</svg><figcaption>{summary}</figcaption></figure>"
    )
    return mark_safe(svg)  # noqa: S308 - built from numbers and escaped text only
