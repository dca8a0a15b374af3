"""Storing health reports pushed by production systems, and removing a broken one."""

from dataclasses import dataclass
from datetime import UTC

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from initiatives.core import permissions
from initiatives.core.choices import EventKind
from initiatives.core.writes import initiative_event_create, lock_initiative, require
from initiatives.health import status as health_status
from initiatives.health.models import METRIC_NAMES, HealthReport
from initiatives.portfolio.models import Initiative


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int

    @property
    def duplicates(self) -> int:
        return self.received - self.stored


@transaction.atomic
def health_reports_ingest(
    *, initiative: Initiative, actor: AbstractBaseUser, reports: list[dict]
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
        health_status.refresh_status(initiative)
    return IngestResult(received=len(reports), stored=len(fresh))


@transaction.atomic
def health_report_remove(
    *, report: HealthReport, actor: AbstractBaseUser, reason: str
) -> Initiative:
    """Delete one report (a probe's broken value, a test push) and say so on the
    initiative's timeline: who removed it, why, and what it carried, so the record keeps
    what the reports table no longer does. The stored health status is recomputed from the
    reports that remain. Returns the initiative."""
    require(
        permissions.can_remove_health_report(actor),
        "Only staff allowed to delete health reports may remove one.",
    )
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say why the report is removed; the timeline keeps it."})
    initiative = lock_initiative(report.initiative)
    carried = {
        name: getattr(report, name) for name in METRIC_NAMES if getattr(report, name) is not None
    }
    moment = report.observed_at.astimezone(UTC)
    report.delete()
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.HEALTH_REPORT_REMOVED,
        observed_at=moment.isoformat(),
        metrics=carried,
        reason=reason,
    )
    health_status.refresh_status(initiative)
    return initiative
