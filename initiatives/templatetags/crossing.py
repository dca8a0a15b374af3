from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from initiatives.core.choices import Stage
from initiatives.core.people import display_name

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
def sparkline(rows, metric: str, label: str = "", width: int = 300, height: int = 96):
    """A line chart of one metric's daily values, drawn as inline SVG (no other host), with
    its scale: the highest and lowest value on the left, the first and last day below."""
    points = [(row["day"], row[metric]) for row in rows if row.get(metric) is not None]
    title = label or metric
    if not points:
        return format_html('<p class="muted">{}: no data.</p>', title)
    values = [value for _, value in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    first, last = points[0][0], points[-1][0]
    days = max((last - first).days, 1)
    left, right, top, bottom = 60, 6, 8, 20  # room for the scale's labels
    plot_w, plot_h = width - left - right, height - top - bottom

    def xy(day, value) -> str:
        x = left + plot_w * ((day - first).days / days)
        y = top + plot_h - plot_h * ((value - low) / span)
        return f"{x:.1f},{y:.1f}"

    line = " ".join(xy(day, value) for day, value in points)
    summary = (
        f"{title}: latest {values[-1]:.4g}, range {low:.4g} to {high:.4g}, "
        f"{len(points)} days with reports"
    )
    # format_html escapes every value; the chart's look is in presentation attributes and
    # classes, not style, which the Content-Security-Policy would refuse.
    return format_html(
        '<figure class="chart"><svg role="img" aria-label="{summary}" width="{width}" '
        'height="{height}" viewBox="0 0 {width} {height}"><title>{summary}</title>'
        '<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}"/>'
        '<line class="axis" x1="{left}" y1="{base}" x2="{end}" y2="{base}"/>'
        '<text class="tick" x="{lx}" y="{ty_high}" text-anchor="end">{high}</text>'
        '<text class="tick" x="{lx}" y="{ty_low}" text-anchor="end">{low}</text>'
        '<text class="tick" x="{left}" y="{ty_day}">{first}</text>'
        '<text class="tick" x="{end}" y="{ty_day}" text-anchor="end">{last}</text>'
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{line}"/>'
        "</svg><figcaption>{summary}</figcaption></figure>",
        summary=summary,
        width=width,
        height=height,
        left=left,
        top=top,
        base=top + plot_h,
        end=width - right,
        lx=left - 4,
        ty_high=top + 8,
        ty_low=top + plot_h,
        ty_day=height - 4,
        high=f"{high:.3g}",
        low=f"{low:.3g}",
        first=first.strftime("%-d %b"),
        last=last.strftime("%-d %b"),
        line=line,
    )


@register.simple_tag
def bars(tallies, label: str, width: int = 420, bar_height: int = 22):
    """A horizontal bar chart of `tallies` (label, count, url), as inline SVG: each bar and
    its number link to the list that it counts. Sized by attributes, so CSP allows it.

    A picture of numbers the page also gives as text links: hidden from assistive
    technology and out of the tab order, so those users meet each number once, as text."""
    tallies = list(tallies)
    if not tallies:
        return ""
    most = max(t.count for t in tallies) or 1
    label_w, number_w, gap = 175, 50, 6
    bar_w = width - label_w - number_w
    height = len(tallies) * (bar_height + gap)
    rows = []
    for i, tally in enumerate(tallies):
        y = i * (bar_height + gap)
        length = max(bar_w * tally.count / most, 1 if tally.count else 0)
        rows.append(
            format_html(
                '<a href="{url}" tabindex="-1"><title>{name}: {count}</title>'
                '<text x="0" y="{ty}" class="bar-label">{name}</text>'
                '<rect x="{bx}" y="{y}" width="{length}" height="{h}" class="bar bar-{key}"/>'
                '<text x="{nx}" y="{ty}" class="bar-count">{count}</text></a>',
                url=tally.url,
                name=tally.label,
                count=tally.count,
                key=tally.key,
                ty=f"{y + bar_height * 0.72:.1f}",
                bx=label_w,
                y=y,
                length=f"{length:.1f}",
                h=bar_height,
                nx=f"{label_w + length + 6:.1f}",
            )
        )
    return format_html(
        '<svg class="bars" aria-hidden="true" focusable="false" data-label="{label}" '
        'width="{w}" height="{h}" viewBox="0 0 {w} {h}">{rows}</svg>',
        label=label,
        w=width,
        h=height,
        rows=format_html_join("", "{}", ((row,) for row in rows)),
    )


@register.simple_tag(takes_context=True)
def sort_header(context, field: str, label: str):
    """A column header that sorts the list by `field`, then the other way; the other filters
    stay in the URL and the page goes back to the first."""
    query = context["request"].GET.copy()
    current = query.get("ordering", "")
    direction = "ascending" if current == field else "descending" if current == f"-{field}" else ""
    query["ordering"] = f"-{field}" if current == field else field
    query.pop("page", None)
    arrow = {"ascending": " ▲", "descending": " ▼"}.get(direction, "")
    # aria-sort tells a screen reader how the list is sorted; the arrow is for the eye only.
    return format_html(
        '<th scope="col"{aria}><a href="?{query}">{label}<span aria-hidden="true">{arrow}'
        "</span></a></th>",
        aria=format_html(' aria-sort="{}"', direction) if direction else "",
        query=query.urlencode(),
        label=label,
        arrow=arrow,
    )


@register.filter
def duration_words(seconds) -> str:
    """3600 → "1 hour", 90 → "90 seconds": an interval from settings, in words."""
    seconds = int(seconds)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


@register.filter
def minutes(duration) -> str:
    """A timedelta in whole minutes: timedelta(minutes=15) → "15 minutes"."""
    if duration is None:
        return "a while"
    count = max(round(duration.total_seconds() / 60), 1)
    return f"{count} minute{'s' if count != 1 else ''}"


@register.filter
def stage_label(value: str) -> str:
    """A stored stage ("poc") as people read it ("Proof of concept")."""
    return str(Stage(value).label) if value in Stage.values else value


@register.filter
def days_since(moment, now=None) -> int | str:
    """Whole days from `moment` until `now` (the page's now, so every row counts alike): a
    stage entered yesterday afternoon → 1. "—" without a moment."""
    if moment is None:
        return "—"
    return max(((now or timezone.now()) - moment).days, 0)
