"""Health reads other domains may use: the state of a system and a summary of its reports."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from initiatives.core.choices import HealthStatus
from initiatives.health.models import METRICS
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
