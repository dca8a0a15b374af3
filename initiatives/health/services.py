"""Storing health reports pushed by production systems, and removing a broken one."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from initiatives.core import permissions
from initiatives.core.choices import EventKind, Stage
from initiatives.core.writes import initiative_event_create, lock_initiative, require
from initiatives.health import status as health_status
from initiatives.health.models import METRIC_NAMES, HealthReport, HealthReporterGrant
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
        health_status_refresh(initiative=initiative)
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
    health_status_refresh(initiative=initiative)
    return initiative


@transaction.atomic
def health_reporter_grant(
    *, initiative: Initiative, client: AbstractBaseUser, reason: str
) -> HealthReporterGrant:
    """Let machine client `client` push health reports for `initiative` (once: granting
    again changes nothing). The grant's history keeps `reason`."""
    grant = HealthReporterGrant.objects.filter(user=client, initiative=initiative).first()
    if grant is None:
        grant = HealthReporterGrant(user=client, initiative=initiative)
        grant._change_reason = reason
        grant.save()
    return grant


@transaction.atomic
def health_reporter_revoke(*, initiative: Initiative, client: AbstractBaseUser, reason: str) -> int:
    """Stop `client` pushing health reports for `initiative`; returns how many grants ended.
    Each grant's history keeps `reason`."""
    grants = list(HealthReporterGrant.objects.filter(user=client, initiative=initiative))
    for grant in grants:
        grant._change_reason = reason
        grant.delete()
    return len(grants)


# --- The stored status (what dashboards count and filter on) -------------------------------


def health_statuses_store(*, statuses: Iterable[tuple[int, str]]) -> int:
    """Write production systems' statuses to `Initiative.health_status` (what dashboards
    count and filter on) and clear it on everything no longer in production.

    Set-based: one UPDATE per status, touching only rows whose status changed. Returns how
    many rows changed.
    """
    by_status: dict[str, list[int]] = defaultdict(list)
    for pk, status in statuses:
        by_status[status].append(pk)
    changed = 0
    for status, pks in by_status.items():
        changed += (
            Initiative.objects.filter(pk__in=pks)
            .exclude(health_status=status)
            .update(health_status=status)
        )
    changed += (
        Initiative.objects.exclude(stage=Stage.PRODUCTION)
        .exclude(health_status="")
        .update(health_status="")
    )
    return changed


def health_status_refresh(*, initiative: Initiative, as_of: datetime | None = None) -> str:
    """Recompute one initiative's stored status (after a health push). Returns it."""
    if initiative.stage != Stage.PRODUCTION:
        return ""
    status = health_status.health_of(initiative, as_of).status
    Initiative.objects.filter(pk=initiative.pk).exclude(health_status=status).update(
        health_status=status
    )
    initiative.health_status = status
    return status
