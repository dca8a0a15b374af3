"""Operational health (README "Operational health"): reports pushed by production systems, the
thresholds they are judged by, and which machine clients may push for which initiative."""

from typing import NamedTuple

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Metric(NamedTuple):
    """One metric a report may carry: its column, its bounds (both inclusive), its label, its
    help text, and which side of a threshold is worse ("below" or "above")."""

    name: str
    low: float
    high: float
    label: str
    help_text: str
    worse: str


# Every metric a report may carry: the one registry. The model's columns, validators and
# database constraints, the API serializer's fields, the labels on pages and the timeline,
# and the system check on the thresholds (`initiatives.health.checks`) all read it. Past
# the bounds a value is not a measurement but a broken probe: an hour's p95 latency, a
# year-old dataset. Finite bounds also keep every daily mean finite (1.7e308 twice
# overflowed PostgreSQL's average and could not be written as JSON).
METRICS = (
    Metric(
        "availability", 0, 100, "Availability (%)", "Percent of requests served, 0–100.", "below"
    ),
    Metric(
        "latency_p95_ms",
        0,
        3_600_000,  # one hour
        "Latency p95 (ms)",
        "95th-percentile latency in milliseconds, up to 3,600,000 (an hour).",
        "above",
    ),
    Metric("error_rate", 0, 1, "Error rate", "Share of requests that failed, 0–1.", "above"),
    Metric(
        "data_freshness_hours",
        0,
        8_760,  # one year
        "Data freshness (h)",
        "Age of the newest input data in hours, up to 8,760 (a year).",
        "above",
    ),
    Metric(
        "data_quality_pass_rate",
        0,
        1,
        "Data quality pass rate",
        "Share of data-quality checks passed, 0–1.",
        "below",
    ),
    Metric(
        "eval_score",
        0,
        1,
        "Evaluation score",
        "Score on the curated evaluation benchmark, 0–1.",
        "below",
    ),
)
METRIC_NAMES = tuple(m.name for m in METRICS)
METRIC_BOUNDS = {m.name: (m.low, m.high) for m in METRICS}
METRIC_LABELS = {m.name: m.label for m in METRICS}
_BY_NAME = {m.name: m for m in METRICS}


def metric_field(name: str) -> models.FloatField:
    low, high = METRIC_BOUNDS[name]
    help_text = _BY_NAME[name].help_text
    return models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
        help_text=help_text,
    )


def metric_within_bounds(name: str) -> models.CheckConstraint:
    """Empty or within the bounds. PostgreSQL sorts NaN above every number, so NaN and
    infinities fail the test too."""
    low, high = METRIC_BOUNDS[name]
    return models.CheckConstraint(
        condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": low, f"{name}__lte": high}),
        name=f"health_report_{name}_in_bounds",
        violation_error_message=f"{name} must be between {low:,} and {high:,}.",
    )


class HealthReport(models.Model):
    """One observation of a production system. Immutable; one per (initiative, observed_at)."""

    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.CASCADE, related_name="health_reports"
    )
    observed_at = models.DateTimeField()
    availability = metric_field("availability")
    latency_p95_ms = metric_field("latency_p95_ms")
    error_rate = metric_field("error_rate")
    data_freshness_hours = metric_field("data_freshness_hours")
    data_quality_pass_rate = metric_field("data_quality_pass_rate")
    eval_score = metric_field("eval_score")
    notes = models.TextField(blank=True, max_length=2000)
    received_at = models.DateTimeField(default=timezone.now)
    # PROTECT: which client pushed a report stays known; machine clients are deactivated.
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["initiative", "-observed_at"]
        constraints = [
            # Also the index every read uses: latest report, 90-day series, baselines.
            models.UniqueConstraint(
                fields=["initiative", "observed_at"], name="health_report_once_per_moment"
            ),
            *(metric_within_bounds(name) for name in METRIC_NAMES),
        ]
        indexes = [
            # The nightly retention deletes the oldest reports first, in batches.
            models.Index(fields=["observed_at"], name="health_report_observed_at"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} at {self.observed_at:%Y-%m-%d %H:%M}"


class HealthThresholds(models.Model):
    """Per-initiative overrides of PORTAL_HEALTH_THRESHOLDS; an empty field keeps the default."""

    initiative = models.OneToOneField(
        "initiatives.Initiative", on_delete=models.CASCADE, related_name="health_thresholds"
    )
    availability_degraded_below = models.FloatField(null=True, blank=True)
    availability_failing_below = models.FloatField(null=True, blank=True)
    latency_p95_ms_degraded_above = models.FloatField(null=True, blank=True)
    latency_p95_ms_failing_above = models.FloatField(null=True, blank=True)
    error_rate_degraded_above = models.FloatField(null=True, blank=True)
    error_rate_failing_above = models.FloatField(null=True, blank=True)
    data_freshness_hours_degraded_above = models.FloatField(null=True, blank=True)
    data_freshness_hours_failing_above = models.FloatField(null=True, blank=True)
    data_quality_pass_rate_degraded_below = models.FloatField(null=True, blank=True)
    data_quality_pass_rate_failing_below = models.FloatField(null=True, blank=True)
    eval_score_degraded_below = models.FloatField(null=True, blank=True)
    eval_score_failing_below = models.FloatField(null=True, blank=True)
    silent_after_hours = models.FloatField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "health thresholds"

    def __str__(self) -> str:
        return f"Health thresholds for {self.initiative}"


class HealthReporterGrant(models.Model):
    """A machine client (a user with an API token) may push reports for this initiative."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="health_grants"
    )
    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.CASCADE, related_name="health_grants"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "initiative"], name="health_grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} may report on {self.initiative}"


# What the day's roll-up keeps of each metric, column suffix first: how many reports carried
# it, their sum and sum of squares (a mean and a standard deviation over any run of days),
# and the day's last value with its moment (the latest value, the baseline's anchor). The
# columns are made from METRICS below; `checks.health_metrics_agree` refuses a gap.
ROLLUP_PARTS = ("count", "sum", "sum_sq", "last", "last_at")


def rollup_columns(name: str) -> dict[str, models.Field]:
    """The roll-up's columns for metric `name`, by column name."""
    return {
        f"{name}_count": models.PositiveIntegerField(default=0),
        f"{name}_sum": models.FloatField(default=0.0),
        f"{name}_sum_sq": models.FloatField(default=0.0),
        f"{name}_last": models.FloatField(null=True, blank=True),
        f"{name}_last_at": models.DateTimeField(null=True, blank=True),
    }


class HealthDay(models.Model):
    """One initiative's health reports on one day (in PORTAL_TIME_ZONE), rolled up: what the
    charts and the status read instead of the raw reports, kept after the raw reports are
    deleted (README "Health at volume"). Written only by the health services; for the days
    whose raw reports are all kept, equal to a recount (`selectors.health_days_drift`)."""

    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.CASCADE, related_name="health_days"
    )
    day = models.DateField()
    reports = models.PositiveIntegerField(default=0)
    latest_at = models.DateTimeField()
    # Per metric, the columns of `rollup_columns`, added below from METRICS.

    class Meta:
        constraints = [
            # Also the index every read uses: a run of days, the latest day before a moment.
            models.UniqueConstraint(fields=["initiative", "day"], name="health_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} on {self.day:%Y-%m-%d}"


for _metric in METRIC_NAMES:
    for _column, _field in rollup_columns(_metric).items():
        HealthDay.add_to_class(_column, _field)
