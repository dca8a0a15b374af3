"""Health reads other domains may use: the state of a system and a summary of its reports;
and the recount of the daily roll-up from raw reports (its rebuild and its drift check)."""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, FloatField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from initiatives.core.choices import HealthStatus
from initiatives.health import days
from initiatives.health.models import METRIC_NAMES, METRICS, HealthDay, HealthReport
from initiatives.health.status import HealthState, daily, health_of
from initiatives.portfolio.models import Initiative


@dataclass
class HealthSummary:
    """The health of one initiative over the last `days` days."""

    state: HealthState
    days: int
    reports: int
    latest_at: datetime | None
    # (metric label, mean over the period) for each metric the reports carried.
    means: list[tuple[str, float]] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        """The status as people read it ("Degraded"); empty when not judged."""
        return HealthStatus(self.state.status).label if self.state.status else ""


def health_summary(
    initiative: Initiative, days: int = 30, as_of: datetime | None = None
) -> HealthSummary:
    """The status now (as the health page judges it: empty outside production) and what
    the reports of the last `days` days say: how many, the latest, each metric's mean.
    Two queries, however many reports there are."""
    as_of = as_of or timezone.now()
    rows = daily(initiative, as_of - timedelta(days=days), as_of)
    means = []
    for m in METRICS:
        count = sum(row[f"{m.name}_count"] for row in rows)
        if count:
            means.append(
                (m.label, round(sum(row[f"{m.name}_sum"] or 0.0 for row in rows) / count, 3))
            )
    return HealthSummary(
        state=health_of(initiative, as_of),
        days=days,
        reports=sum(row["reports"] for row in rows),
        latest_at=max((row["latest_at"] for row in rows), default=None),
        means=means,
    )


def health_days_recount(reports: QuerySet[HealthReport] | None = None) -> QuerySet:
    """The roll-up recounted from raw `reports` (default all): one row per (initiative,
    day) with the roll-up's columns in its order, each metric's last value left out (its
    moment is in: `last_values` reads the value there). A values queryset."""
    reports = HealthReport.objects.all() if reports is None else reports
    per_metric = {}
    for name in METRIC_NAMES:
        per_metric[f"{name}_count"] = Count(name)
        per_metric[f"{name}_sum"] = Coalesce(Sum(name), Value(0.0))
        per_metric[f"{name}_sum_sq"] = Coalesce(
            Sum(F(name) * F(name), output_field=FloatField()), Value(0.0)
        )
        per_metric[f"{name}_last_at"] = Max("observed_at", filter=Q(**{f"{name}__isnull": False}))
    return (
        reports.annotate(day=TruncDate("observed_at", tzinfo=days.zone()))
        .values("initiative_id", "day")
        .annotate(reports=Count("pk"), latest_at=Max("observed_at"), **per_metric)
        .order_by()
    )


def last_values() -> dict[str, Subquery]:
    """For a roll-up queryset: each metric's value in the raw report at the day's stored
    moment of its last value."""
    return {
        f"{name}_last": Subquery(
            HealthReport.objects.filter(
                initiative=OuterRef("initiative"), observed_at=OuterRef(f"{name}_last_at")
            ).values(name)[:1]
        )
        for name in METRIC_NAMES
    }


def _same(column: str, kept, recounted) -> bool:
    if column.endswith(("_sum", "_sum_sq")):  # added in another order: equal to rounding
        return math.isclose(kept, recounted, rel_tol=1e-9, abs_tol=1e-9)
    return kept == recounted


def health_days_drift(*, now: datetime | None = None, limit: int = 10) -> list[str]:
    """Where the roll-up differs from a recount of the raw reports, for the days whose raw
    reports are all kept (from `days.raw_cutoff(now)`): up to `limit` sentences ("day
    2026-05-01 of initiative 7: reports 3, recounted 4"), empty when they agree. Two
    queries; reads every raw report of the window, so it is for `check_portal`, not pages."""
    since = days.raw_cutoff(now or timezone.now())
    recounted = {
        (row["initiative_id"], row["day"]): row
        for row in health_days_recount(HealthReport.objects.filter(observed_at__gte=since))
    }
    kept_rows = (
        HealthDay.objects.filter(day__gte=days.day_of(since))
        .annotate(**{f"recounted_{k}": v for k, v in last_values().items()})
        .values()
    )
    found: list[str] = []

    def differs(key: tuple[int, date], sentence: str) -> None:
        found.append(f"day {key[1]:%Y-%m-%d} of initiative {key[0]}: {sentence}")

    for kept in kept_rows.iterator(chunk_size=2000):
        key = (kept["initiative_id"], kept["day"])
        recount = recounted.pop(key, None)
        if recount is None:
            differs(key, f"{kept['reports']} reports rolled up, none recounted")
            continue
        for column, value in recount.items():
            if not _same(column, kept[column], value):
                differs(key, f"{column} {kept[column]!r}, recounted {value!r}")
        for name in METRIC_NAMES:
            if kept[f"{name}_last"] != kept[f"recounted_{name}_last"]:
                differs(key, f"{name}_last {kept[f'{name}_last']!r} is not its report's")
    for key, recount in recounted.items():
        differs(key, f"none rolled up, {recount['reports']} reports recounted")
    return found[:limit]
