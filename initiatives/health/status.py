"""Health status and evaluation regressions (README "Operational health"): reads and pure rules.

Status, from each metric's latest value:
- `silent`: no report within `silent_after_hours` (default 24) of the moment judged;
- `failing`: any metric past its failing threshold;
- `degraded`: any metric past its degraded threshold;
- `healthy`: otherwise.
Thresholds come from PORTAL_HEALTH_THRESHOLDS, overridden per initiative.

Evaluation regression: the latest `eval_score` is below the baseline's mean by more than
max(PORTAL_EVAL_REGRESSION_MIN_DROP (0.05), 2 × the baseline's standard deviation), with at
least PORTAL_EVAL_BASELINE_MIN_REPORTS (5) scores in the baseline. The baseline is the
PORTAL_EVAL_BASELINE_DAYS (30) days that end PORTAL_EVAL_BASELINE_GAP_DAYS (7) before the
latest score: a drop that lasts stays a regression for at least that long instead of
becoming its own baseline within hours. A noisy baseline needs a bigger drop; a short
history raises nothing.

Everything is read with one query for any number of initiatives: per-metric latest values
and the baseline's count, mean and mean square are correlated subqueries.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    JSONField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, JSONObject, TruncDate
from django.utils import timezone

from initiatives.core.choices import HealthStatus, Stage
from initiatives.health import days
from initiatives.health.models import (
    METRIC_LABELS,
    METRIC_NAMES,
    METRICS,
    HealthDay,
    HealthReport,
)
from initiatives.portfolio.models import Initiative

# Each metric's label, from the registry (`initiatives.health.models.METRICS`).
LABELS = METRIC_LABELS


def thresholds_for(initiative: Initiative) -> dict:
    """The defaults with this initiative's overrides applied (`health_thresholds` loaded)."""
    defaults = settings.PORTAL_HEALTH_THRESHOLDS
    override = getattr(initiative, "health_thresholds", None)
    merged = {"silent_after_hours": defaults["silent_after_hours"]}
    for metric in METRIC_NAMES:
        merged[metric] = dict(defaults[metric])
    if override is not None:
        if override.silent_after_hours is not None:
            merged["silent_after_hours"] = override.silent_after_hours
        for metric in METRIC_NAMES:
            for bound in merged[metric]:
                value = getattr(override, f"{metric}_{bound}", None)
                if value is not None:
                    merged[metric][bound] = value
    return merged


def classify(
    latest: dict[str, float | None], latest_at: datetime | None, thresholds: dict, as_of: datetime
) -> tuple[str, list[str]]:
    """The status and the reasons for it. Pure: the tests call it with plain values."""
    if latest_at is None:
        return HealthStatus.SILENT, ["no health report has ever been received"]
    silent_after = timedelta(hours=thresholds["silent_after_hours"])
    if latest_at < as_of - silent_after:
        hours = (as_of - latest_at).total_seconds() / 3600
        return HealthStatus.SILENT, [f"no report for {hours:.0f} hours"]
    failing, degraded = [], []
    for metric in METRIC_NAMES:
        value = latest.get(metric)
        if value is None:
            continue
        for bound, limit in thresholds[metric].items():
            level, direction = bound.split("_")
            if _past(value, direction, limit):
                reason = f"{LABELS[metric].lower()} {value:g} is {direction} {limit:g}"
                (failing if level == "failing" else degraded).append(reason)
    if failing:
        return HealthStatus.FAILING, failing
    if degraded:
        return HealthStatus.DEGRADED, [r for r in degraded if r not in failing]
    return HealthStatus.HEALTHY, []


def _past(value: float, direction: str, limit: float) -> bool:
    """Whether `value` is on the worse side of a threshold ("below" or "above" it)."""
    return value < limit if direction == "below" else value > limit


def metric_level(value: float | None, limits: dict[str, float]) -> str:
    """ "failing", "degraded" or "" for one metric's value against its thresholds
    (`{"degraded_below": 99.5, "failing_below": 99.0}`). Pure; the rule `classify` applies."""
    if value is None:
        return ""
    for level in ("failing", "degraded"):
        for bound, limit in limits.items():
            if bound.startswith(f"{level}_") and _past(value, bound.split("_")[1], limit):
                return level
    return ""


def is_regression(latest: float | None, count: int, mean: float | None, mean_sq: float | None):
    """(regressed, baseline mean, allowed drop). Pure."""
    if latest is None or mean is None or count < settings.PORTAL_EVAL_BASELINE_MIN_REPORTS:
        return False, mean, None
    std = math.sqrt(max(0.0, (mean_sq or 0.0) - mean * mean))
    allowed = max(settings.PORTAL_EVAL_REGRESSION_MIN_DROP, 2 * std)
    return latest < mean - allowed, mean, allowed


@dataclass
class HealthState:
    status: str
    reasons: list[str]
    latest_at: datetime | None
    latest: dict[str, float | None] = field(default_factory=dict)
    eval_regression: bool = False
    eval_baseline: float | None = None
    eval_allowed_drop: float | None = None
    thresholds: dict = field(default_factory=dict)


def _today(as_of: datetime) -> tuple[datetime, date]:
    """The start of `as_of`'s day and the day: the part of the day up to `as_of` is read from
    the raw reports (the day's roll-up may hold later reports), the days before from the
    roll-up."""
    day = days.day_of(as_of)
    return days.start_of(day), day


def _raw_today(as_of: datetime, **filters) -> QuerySet[HealthReport]:
    start, _ = _today(as_of)
    return HealthReport.objects.filter(
        initiative=OuterRef("pk"), observed_at__gte=start, observed_at__lte=as_of, **filters
    ).order_by("-observed_at")


def _days_before(as_of: datetime, **filters) -> QuerySet[HealthDay]:
    _, today = _today(as_of)
    return HealthDay.objects.filter(initiative=OuterRef("pk"), day__lt=today, **filters).order_by(
        "-day"
    )


def _latest(column: str, as_of: datetime, day_column: str, output_field) -> Coalesce:
    """The latest value of report column `column` (non-empty) at `as_of`: from today's raw
    reports if any carried it, else from the roll-up's last day that did (its `day_column`)."""
    carried = f"{column}__isnull" if column != "observed_at" else "observed_at__isnull"
    return Coalesce(
        Subquery(_raw_today(as_of, **{carried: False}).values(column)[:1]),
        Subquery(_days_before(as_of, **{f"{day_column}__isnull": False}).values(day_column)[:1]),
        output_field=output_field,
    )


def _moment(expression) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=DateTimeField())


def _baseline_parts() -> dict:
    """The eval_score baseline's count, sum and sum of squares, for the window
    [eval_at - gap - days, eval_at - gap), in two parts: the whole days inside it from the
    roll-up, and the two partial days at its ends from the raw reports (at most a day of
    them each, read through the index: a day starts and ends at most 25 hours from any
    moment in it). Each part is one subquery returning the three as a JSON object, so the
    statement names `eval_at` (itself two subqueries) a few times rather than dozens."""
    gap = timedelta(days=settings.PORTAL_EVAL_BASELINE_GAP_DAYS)
    window = timedelta(days=settings.PORTAL_EVAL_BASELINE_DAYS)
    low = _moment(OuterRef("eval_at") - gap - window)
    high = _moment(OuterRef("eval_at") - gap)
    zone = days.zone()
    low_day, high_day = TruncDate(low, tzinfo=zone), TruncDate(high, tzinfo=zone)
    ends = (
        HealthReport.objects.filter(initiative=OuterRef("pk"), eval_score__isnull=False)
        .alias(observed_day=TruncDate("observed_at", tzinfo=zone))
        .filter(
            Q(
                observed_at__gte=low,
                observed_at__lt=_moment(low + days.LONGEST_DAY),
                observed_day=low_day,
            )
            | (
                Q(
                    observed_at__gte=_moment(high - days.LONGEST_DAY),
                    observed_at__lt=high,
                    observed_day=high_day,
                )
                & ~Q(observed_day=low_day)
            )
        )
        .values("initiative")
        .annotate(
            parts=JSONObject(
                count=Count("pk"),
                sum=Sum("eval_score"),
                sum_sq=Sum(F("eval_score") * F("eval_score"), output_field=FloatField()),
            )
        )
        .values("parts")
    )
    inside = (
        HealthDay.objects.filter(initiative=OuterRef("pk"), day__gt=low_day, day__lt=high_day)
        .values("initiative")
        .annotate(
            parts=JSONObject(
                count=Sum("eval_score_count"),
                sum=Sum("eval_score_sum"),
                sum_sq=Sum("eval_score_sum_sq"),
            )
        )
        .values("parts")
    )
    return {
        "baseline_mean_ends": Subquery(ends, output_field=JSONField()),
        "baseline_mean_inside": Subquery(inside, output_field=JSONField()),
    }


def _baseline(initiative: Initiative) -> tuple[int, float | None, float | None]:
    """The baseline's (count, mean, mean square) from the parts `with_health` read."""
    parts = [initiative.baseline_mean_ends or {}, initiative.baseline_mean_inside or {}]
    count = sum(int(p.get("count") or 0) for p in parts)
    if not count:
        return 0, None, None
    total = sum(float(p.get("sum") or 0.0) for p in parts)
    squares = sum(float(p.get("sum_sq") or 0.0) for p in parts)
    return count, total / count, squares / count


def with_health(queryset: QuerySet[Initiative], as_of: datetime) -> QuerySet[Initiative]:
    """Annotate each initiative with what its health is judged from. One query, reading the
    daily roll-up (`HealthDay`) for the days before `as_of`'s and raw reports only for the
    part of that day up to `as_of` and the baseline's two end days: as fast at ten million
    reports as at a million."""
    latest = {f"latest_{m}": _latest(m, as_of, f"{m}_last", FloatField()) for m in METRIC_NAMES}
    return (
        queryset.select_related("health_thresholds")
        .annotate(
            health_latest_at=_latest("observed_at", as_of, "latest_at", DateTimeField()),
            eval_at=Coalesce(
                Subquery(_raw_today(as_of, eval_score__isnull=False).values("observed_at")[:1]),
                Subquery(
                    _days_before(as_of, eval_score_last_at__isnull=False).values(
                        "eval_score_last_at"
                    )[:1]
                ),
                output_field=DateTimeField(),
            ),
        )
        .annotate(**latest)
        .annotate(**_baseline_parts())
    )


def state_of(initiative: Initiative, as_of: datetime) -> HealthState:
    """The health of an initiative annotated by `with_health`."""
    latest = {m: getattr(initiative, f"latest_{m}") for m in METRIC_NAMES}
    thresholds = thresholds_for(initiative)
    status, reasons = classify(latest, initiative.health_latest_at, thresholds, as_of)
    regressed, baseline, allowed = is_regression(latest["eval_score"], *_baseline(initiative))
    return HealthState(
        status=status,
        reasons=reasons,
        latest_at=initiative.health_latest_at,
        latest=latest,
        eval_regression=regressed,
        eval_baseline=baseline,
        eval_allowed_drop=allowed,
        thresholds=thresholds,
    )


NOT_JUDGED = "Health is judged on production systems only; reports are shown as they arrive."


def health_of(initiative: Initiative, as_of: datetime | None = None) -> HealthState:
    """One initiative's health. Outside production the status is empty (not judged), as the
    dashboards and the list show it, whatever reports a pilot already sends."""
    as_of = as_of or timezone.now()
    annotated = with_health(Initiative.objects.filter(pk=initiative.pk), as_of).get()
    state = state_of(annotated, as_of)
    if initiative.stage != Stage.PRODUCTION:
        state.status, state.reasons, state.eval_regression = "", [NOT_JUDGED], False
    return state


def daily(initiative: Initiative, lower: datetime, as_of: datetime) -> list[dict]:
    """One row per day with reports observed in (`lower`, `as_of`], oldest first: the day,
    its reports, its latest moment and, per metric, how many reports carried it and their
    sum. One query: the whole days from the roll-up, the partial first and last days from
    the raw reports (a first day older than PORTAL_HEALTH_RAW_DAYS has none left)."""
    zone = days.zone()
    first, last = days.day_of(lower), days.day_of(as_of)
    after_first, last_start = days.start_of(first + timedelta(days=1)), days.start_of(last)
    raw_span = Q(observed_at__gt=lower, observed_at__lte=as_of) & (
        Q(observed_at__lt=after_first) | Q(observed_at__gte=last_start)
    )
    sums = {}
    for m in METRIC_NAMES:
        sums[f"{m}_count"] = Count(m)
        sums[f"{m}_sum"] = Sum(m)
    raw = (
        HealthReport.objects.filter(raw_span, initiative=initiative)
        .annotate(day=TruncDate("observed_at", tzinfo=zone))
        .values("day")
        .annotate(reports=Count("pk"), latest_at=Max("observed_at"), **sums)
        .order_by()
    )
    rolled = (
        HealthDay.objects.filter(initiative=initiative, day__gt=first, day__lt=last)
        .values("day", "reports", "latest_at", *sums)
        .order_by()
    )
    return sorted(raw.union(rolled, all=True), key=lambda row: row["day"])


def series(initiative: Initiative, days: int = 90, as_of: datetime | None = None) -> list[dict]:
    """Daily means of every metric over the last `days` days, oldest first: at most
    `days` + 1 rows (the first and last days are partial), however many reports there are."""
    as_of = as_of or timezone.now()
    return [
        {
            "day": row["day"],
            "reports": row["reports"],
            **{
                m: row[f"{m}_sum"] / row[f"{m}_count"] if row[f"{m}_count"] else None
                for m in METRIC_NAMES
            },
        }
        for row in daily(initiative, as_of - timedelta(days=days), as_of)
    ]


# How each metric is drawn: rates (stored as a share, 0-1) are shown as percentages;
# availability is already a percentage. A metric with natural bounds keeps them as its fixed
# scale, so a chart never magnifies a 0.1-point wobble into a cliff.
PERCENT_OF_ONE = frozenset({"error_rate", "data_quality_pass_rate"})
PERCENT_OF_HUNDRED = frozenset({"availability"})
FIXED_SCALE = frozenset({"availability", "error_rate", "data_quality_pass_rate", "eval_score"})
UNITS = {"latency_p95_ms": "ms", "data_freshness_hours": "h"}
JUDGED = frozenset({HealthStatus.HEALTHY, HealthStatus.DEGRADED, HealthStatus.FAILING})


@dataclass
class MetricChart:
    """One metric's chart on the initiative page: its daily means, its scale, its threshold
    lines and the level of its latest value. `unit` is "%", "ms", "h" or ""."""

    metric: str
    label: str
    unit: str
    points: list[tuple]  # (day, value) oldest first, in stored units
    low: float
    high: float
    degraded: float | None
    failing: float | None
    worse: str  # "below" or "above": which side of a threshold is worse
    level: str  # "failing", "degraded" or "" (the latest value against the thresholds)
    latest: float | None
    shown_as_percent: float = 1.0  # multiply stored values by this to show them

    def show(self, value: float | None) -> str:
        """A value as the chart labels it: 99.5 → "99.5 %", 0.012 → "1.2 %", 850 → "850 ms"."""
        if value is None:
            return "—"
        if self.unit == "%":
            return f"{value * self.shown_as_percent:,.1f} %"
        if self.metric == "eval_score":
            return f"{value:.3f}"
        return f"{value:,.0f} {self.unit}".strip() if value >= 10 else f"{value:.2g} {self.unit}"


def charts(rows: list[dict], state: HealthState) -> list[MetricChart]:
    """A chart of every metric from `series` rows and the initiative's health `state`
    (its effective thresholds and latest values). Pure: no query."""
    result = []
    for metric in METRICS:
        limits = state.thresholds.get(metric.name, {})
        points = [
            (row["day"], row[metric.name]) for row in rows if row.get(metric.name) is not None
        ]
        degraded = next((v for k, v in limits.items() if k.startswith("degraded_")), None)
        failing = next((v for k, v in limits.items() if k.startswith("failing_")), None)
        if metric.name in FIXED_SCALE:
            low, high = float(metric.low), float(metric.high)
        else:  # from zero to a little above the highest value or threshold
            marks = [v for _, v in points] + [x for x in (degraded, failing) if x is not None]
            low, high = 0.0, (max(marks) * 1.1 if marks and max(marks) > 0 else 1.0)
        latest = state.latest.get(metric.name)
        unit = (
            "%"
            if metric.name in PERCENT_OF_ONE | PERCENT_OF_HUNDRED
            else UNITS.get(metric.name, "")
        )
        result.append(
            MetricChart(
                metric=metric.name,
                label=metric.label.split(" (")[0],
                unit=unit,
                points=points,
                low=low,
                high=high,
                degraded=degraded,
                failing=failing,
                worse=metric.worse,
                # Outside production (or when silent) the values are not judged.
                level=metric_level(latest, limits) if state.status in JUDGED else "",
                latest=latest,
                shown_as_percent=100.0 if metric.name in PERCENT_OF_ONE else 1.0,
            )
        )
    return result
