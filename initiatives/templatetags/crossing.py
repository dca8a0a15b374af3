from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from initiatives.core import formats
from initiatives.core.choices import Stage
from initiatives.core.people import display_name
from initiatives.value.figures import Amounts, realised_lines

register = template.Library()


@register.filter
def person(user, empty: str = "—") -> str:
    """A person's full name, else their username; `empty` when there is nobody."""
    return display_name(user or None, empty=empty)


@register.filter
def money(value, currency: str = "") -> str:
    """Money in whole units, the currency first: 1234567.5 → "EUR 1,234,568"."""
    return formats.money(value, currency)


@register.filter
def percent(value) -> str:
    """A fraction as a percentage: 0.4567 → "45.7 %" (every rate: error, pass, ROI)."""
    return formats.percent(value)


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
def form_problems(form) -> list[dict]:
    """Every problem of a bound form once, for the error summary at its top: the whole form's
    first, then each field's in the form's order, with the id of the input to jump to (an
    empty anchor for a problem of the whole form)."""
    if not getattr(form, "is_bound", False) or not form.errors:
        return []
    problems = [{"anchor": "", "label": "", "message": e} for e in form.non_field_errors()]
    for field in form:
        if not field.errors:
            continue
        # A group of radio buttons or checkboxes: jump to the first of them.
        grouped = field.use_fieldset and getattr(field.field.widget, "input_type", "")
        anchor = f"{field.auto_id}_0" if grouped else field.id_for_label or field.auto_id
        problems.append(
            {
                "anchor": "" if field.is_hidden else anchor,
                "label": field.label,
                "message": " ".join(field.errors),
            }
        )
    return problems


@register.filter
def day(value, empty: str = formats.EMPTY) -> str:
    """A date (or the day of a timestamp, in the portal's time zone): "28 Feb 2027"."""
    return formats.day(value, empty)


@register.filter
def when(value, empty: str = formats.EMPTY) -> str:
    """A timestamp with its time zone: "28 Feb 2027 14:05 UTC"."""
    return formats.when(value, empty)


@register.filter
def iso(value) -> str:
    """A timestamp for a `<time datetime>` attribute, without microseconds."""
    return formats.iso(value)


@register.filter
def hours(value) -> str:
    """Hours with thousands separators: 1200 → "1,200 h"."""
    return formats.hours(value)


@register.filter
def number(value, places: int = 0) -> str:
    """A count or measure with thousands separators: 3600000 → "3,600,000"."""
    return formats.number(value, places)


@register.simple_tag
def health_chart(chart, width: int = 320, height: int = 176):
    """One metric's daily means (a `health.status.MetricChart`) as inline SVG, drawn by the
    portal itself: a fixed scale where the metric has one, dashed lines at the degraded and
    failing thresholds, axis labels, the chart marked when its latest value fails; and, for
    people who cannot see it, the same numbers as a caption and a table."""
    left, right, top, bottom = 68, 8, 10, 38  # room for the axes' labels
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    span = (chart.high - chart.low) or 1.0

    def y(value: float) -> float:
        clamped = min(max(value, chart.low), chart.high)
        return top + plot_h - plot_h * ((clamped - chart.low) / span)

    direction = "below" if chart.worse == "below" else "above"
    thresholds = [
        (level, limit)
        for level, limit in (("degraded", chart.degraded), ("failing", chart.failing))
        if limit is not None
    ]
    limits_text = ", ".join(
        f"{level} {direction} {chart.show(limit)}" for level, limit in thresholds
    )
    if not chart.points:
        return format_html(
            '<figure class="chart health-chart"><figcaption><strong>{}</strong>: no data. '
            "Thresholds: {}.</figcaption></figure>",
            chart.label,
            limits_text or "none",
        )
    first, last = chart.points[0][0], chart.points[-1][0]
    days = max((last - first).days, 1)

    def x(day) -> float:
        return left + plot_w * ((day - first).days / days)

    values = [value for _, value in chart.points]
    line = " ".join(f"{x(day):.1f},{y(value):.1f}" for day, value in chart.points)
    dots = format_html_join(
        "",
        '<circle class="dot" cx="{}" cy="{}" r="2"/>',
        ((f"{x(day):.1f}", f"{y(value):.1f}") for day, value in chart.points[-1:]),
    )
    lines = format_html_join(
        "",
        '<line class="threshold threshold-{}" x1="{}" y1="{}" x2="{}" y2="{}"/>',
        (
            (level, left, f"{y(limit):.1f}", width - right, f"{y(limit):.1f}")
            for level, limit in thresholds
        ),
    )
    middle = (chart.low + chart.high) / 2
    ticks = format_html_join(
        "",
        '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (left - 4, f"{y(value) + 3:.1f}", chart.show(value))
            for value in (chart.high, middle, chart.low)
        ),
    )
    latest = chart.latest if chart.latest is not None else values[-1]
    summary = (
        f"{chart.label}: latest {chart.show(latest)}"
        f"{f' ({chart.level})' if chart.level else ''}; "
        f"lowest {chart.show(min(values))}, highest {chart.show(max(values))} over "
        f"{len(values)} days with reports, {formats.day(first)} to {formats.day(last)}."
        + (f" Thresholds: {limits_text}." if limits_text else "")
    )
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td></tr>",
        ((formats.day(day), chart.show(value)) for day, value in reversed(chart.points)),
    )
    # format_html escapes every value; the look is in classes and presentation attributes,
    # not style attributes, which the Content-Security-Policy would refuse.
    return format_html(
        '<figure class="chart health-chart{level_class}" data-metric="{metric}">'
        '<figcaption class="chart-title"><strong>{label}</strong>{badge}</figcaption>'
        '<svg role="img" aria-label="{summary}" width="{width}" height="{height}" '
        'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">'
        '<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}"/>'
        '<line class="axis" x1="{left}" y1="{base}" x2="{end}" y2="{base}"/>'
        "{ticks}{lines}"
        '<polyline class="series" fill="none" stroke-width="1.5" points="{line}"/>{dots}'
        '<text class="tick" x="{left}" y="{ty_day}">{first}</text>'
        '<text class="tick" x="{end}" y="{ty_day}" text-anchor="end">{last}</text>'
        '<text class="axis-label" x="{mid_x}" y="{ty_axis}" text-anchor="middle">'
        "Day (daily mean)</text>"
        '<text class="axis-label" x="10" y="{mid_y}" text-anchor="middle" '
        'transform="rotate(-90 10 {mid_y})">{label}{unit}</text>'
        "</svg>"
        '<p class="chart-note">{summary}</p>'
        "<details><summary>Daily values</summary>"
        '<table class="table"><thead><tr><th scope="col">Day</th><th scope="col">{label}</th>'
        "</tr></thead><tbody>{rows}</tbody></table></details></figure>",
        level_class=f" level-{chart.level}" if chart.level else "",
        metric=chart.metric,
        label=chart.label,
        unit=f" ({chart.unit})" if chart.unit else "",
        badge=format_html(' <span class="badge health-{0}">{0}</span>', chart.level)
        if chart.level
        else "",
        summary=summary,
        width=width,
        height=height,
        left=left,
        top=top,
        base=base,
        end=width - right,
        ticks=ticks,
        lines=lines,
        line=line,
        dots=dots,
        first=formats.day(first),
        last=formats.day(last),
        ty_day=base + 14,
        ty_axis=height - 4,
        mid_x=left + plot_w / 2,
        mid_y=top + plot_h / 2,
        rows=rows,
    )


@register.filter
def days_since(moment, now=None) -> int | str:
    """Whole days from `moment` until `now` (the page's now, so every row counts alike): a
    stage entered yesterday afternoon → 1. "—" without a moment."""
    if moment is None:
        return "—"
    return max(((now or timezone.now()) - moment).days, 0)


@register.simple_tag
def value_chart(comparison, width: int = 560, height: int = 220):
    """Planned against realised net benefit by quarter (a `value.figures.Comparison`) as
    inline SVG drawn by the portal: a pair of bars per quarter (planned outlined, realised
    filled; none where the quarter is unreported), the cumulative realised net benefit as a
    line, and the build cost dashed across, where the line crosses it the system has paid
    back. For people who cannot see it, a summary and the same numbers as a table."""
    rows = list(comparison.rows)[-12:]  # three years at most, the latest
    if not rows:
        return format_html('<p class="muted">{}</p>', "No quarter in production has ended yet.")
    currency = comparison.currency
    cumulative, running = [], None
    for row in rows:
        if row.cumulative is not None:
            running = row.cumulative.realised.net
        cumulative.append(running)
    values = [row.this_quarter.planned.net for row in rows]
    values += [row.this_quarter.realised.net for row in rows if row.reported]
    values += [v for v in cumulative if v is not None] + [comparison.build_cost, 0]
    high, low = max(values), min(values)
    span = (high - low) or 1
    left, right, top, bottom = 78, 8, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / len(rows)
    bar_w = max(min(slot * 0.34, 28), 3)

    def y(value) -> float:
        return top + plot_h - plot_h * float((value - low) / span)

    zero = y(0)
    shapes = []
    for i, row in enumerate(rows):
        x0 = left + slot * i + slot / 2 - bar_w
        for offset, value, cls in (
            (0, row.this_quarter.planned.net, "planned"),
            (bar_w, row.this_quarter.realised.net if row.reported else None, "realised"),
        ):
            if value is None:
                continue
            top_y, bottom_y = sorted((y(value), zero))
            shapes.append(
                format_html(
                    '<rect class="value-bar value-{}" x="{}" y="{}" width="{}" height="{}"/>',
                    cls,
                    f"{x0 + offset:.1f}",
                    f"{top_y:.1f}",
                    f"{bar_w:.1f}",
                    f"{max(bottom_y - top_y, 0.5):.1f}",
                )
            )
        shapes.append(
            format_html(
                '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                f"{left + slot * i + slot / 2:.1f}",
                top + plot_h + 14,
                f"Q{row.quarter.quarter} {str(row.quarter.year)[2:]}",
            )
        )
    points = [
        f"{left + slot * i + slot / 2:.1f},{y(v):.1f}"
        for i, v in enumerate(cumulative)
        if v is not None
    ]
    line = (
        format_html(
            '<polyline class="value-cumulative" fill="none" points="{}"/>', " ".join(points)
        )
        if points
        else ""
    )
    build = y(comparison.build_cost)
    reported = comparison.reported
    last = reported[-1].cumulative if reported else None
    payback = comparison.realised_payback
    summary = (
        f"Net benefit by quarter, {currency}: "
        + "; ".join(
            f"{row.quarter.label} planned {formats.money(row.this_quarter.planned.net)}, "
            + (
                f"realised {formats.money(row.this_quarter.realised.net)}"
                if row.reported
                else "not reported"
            )
            for row in rows
        )
        + (
            f". Cumulative realised {formats.money(last.realised.net)} against a build cost of "
            f"{formats.money(comparison.build_cost)}"
            if last
            else ""
        )
        + (f"; paid back in {payback.label}." if payback else "; not paid back yet.")
    )
    table = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                row.quarter.label,
                formats.money(row.this_quarter.planned.net),
                formats.money(row.this_quarter.realised.net) if row.reported else "not reported",
                formats.money(cumulative[i]) if cumulative[i] is not None else "—",
            )
            for i, row in enumerate(rows)
        ),
    )
    return format_html(
        '<figure class="chart value-chart">'
        '<figcaption class="chart-title"><strong>Net benefit by quarter ({currency})</strong>'
        '<span class="value-legend"><span class="key key-planned"></span> planned '
        '<span class="key key-realised"></span> realised '
        '<span class="key key-cumulative"></span> cumulative realised '
        '<span class="key key-build"></span> build cost</span></figcaption>'
        '<svg role="img" aria-label="{summary}" width="{width}" height="{height}" '
        'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">'
        '<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}"/>'
        '<line class="axis" x1="{left}" y1="{zero}" x2="{end}" y2="{zero}"/>'
        '<text class="tick" x="{lx}" y="{hy}" text-anchor="end">{high}</text>'
        '<text class="tick" x="{lx}" y="{zy}" text-anchor="end">0</text>'
        "{low_tick}"
        '<line class="value-build" x1="{left}" y1="{build}" x2="{end}" y2="{build}"/>'
        "{shapes}{line}</svg>"
        '<p class="chart-note">{summary}</p>'
        "<details><summary>The numbers</summary>"
        '<table class="table"><thead><tr><th scope="col">Quarter</th><th scope="col">Planned '
        'net</th><th scope="col">Realised net</th><th scope="col">Cumulative realised</th>'
        "</tr></thead><tbody>{table}</tbody></table></details></figure>",
        currency=currency,
        summary=summary,
        width=width,
        height=height,
        left=left,
        top=top,
        base=top + plot_h,
        end=width - right,
        zero=f"{zero:.1f}",
        lx=left - 4,
        hy=f"{y(high) + 3:.1f}",
        zy=f"{zero + 3:.1f}",
        high=formats.money(high),
        low_tick=format_html(
            '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
            left - 4,
            f"{y(low) + 3:.1f}",
            formats.money(low),
        )
        if low < 0
        else "",
        build=f"{build:.1f}",
        shapes=format_html_join("", "{}", ((s,) for s in shapes)),
        line=line,
        table=table,
    )


@register.filter
def value_benefit(report) -> object:
    """A value report's (or a historical version's) benefit, as the comparison counts it."""
    return Amounts(realised_lines(report)).benefit


@register.filter
def value_run_cost(report) -> object:
    """A value report's (or a historical version's) actual run cost."""
    return Amounts(realised_lines(report)).run_cost
