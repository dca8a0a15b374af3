"""Health reads other domains may use: the state of a system and a summary of its reports."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Max
from django.utils import timezone

from initiatives.core.choices import HealthStatus
from initiatives.health.models import METRICS, HealthReport
from initiatives.health.status import HealthState, health_of
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
    totals = HealthReport.objects.filter(
        initiative=initiative,
        observed_at__gt=as_of - timedelta(days=days),
        observed_at__lte=as_of,
    ).aggregate(
        reports=Count("pk"),
        latest_at=Max("observed_at"),
        **{m.name: Avg(m.name) for m in METRICS},
    )
    return HealthSummary(
        state=health_of(initiative, as_of),
        days=days,
        reports=totals["reports"],
        latest_at=totals["latest_at"],
        means=[(m.label, round(totals[m.name], 3)) for m in METRICS if totals[m.name] is not None],
    )
