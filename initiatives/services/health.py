"""Storing health reports pushed by production systems."""

from dataclasses import dataclass

from django.db import transaction

from .. import health, permissions
from ..models import HealthReport, Initiative
from ..models.health import METRIC_NAMES
from .common import User, require


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int

    @property
    def duplicates(self) -> int:
        return self.received - self.stored


@transaction.atomic
def health_reports_ingest(
    *, initiative: Initiative, actor: User, reports: list[dict]
) -> IngestResult:
    """Store validated reports; one per (initiative, observed_at), so a retried push stores
    nothing twice. All or nothing: the caller validated every report first."""
    require(
        permissions.can_report_health(actor, initiative),
        "This client may not report health for this initiative.",
    )
    moments = [r["observed_at"] for r in reports]
    known = set(
        HealthReport.objects.filter(initiative=initiative, observed_at__in=moments).values_list(
            "observed_at", flat=True
        )
    )
    fresh = [
        HealthReport(
            initiative=initiative,
            reported_by=actor,
            observed_at=r["observed_at"],
            notes=r.get("notes", ""),
            **{m: r.get(m) for m in METRIC_NAMES},
        )
        for r in reports
        if r["observed_at"] not in known
    ]
    # ignore_conflicts: a concurrent retry of the same push stored it first; theirs stands.
    HealthReport.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
    if fresh:
        health.refresh_status(initiative)
    return IngestResult(received=len(reports), stored=len(fresh))
