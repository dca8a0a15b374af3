"""Storing health reports pushed by production systems, and removing a broken one; the
daily roll-up of the reports and the retention of the raw ones (README "Health at volume")."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Subquery
from django.utils import timezone

from initiatives.core import permissions
from initiatives.core.choices import EventKind, Stage
from initiatives.core.writes import initiative_event_create, lock_initiative, require
from initiatives.health import days
from initiatives.health import status as health_status
from initiatives.health.models import (
    METRIC_NAMES,
    HealthDay,
    HealthReport,
    HealthReporterGrant,
)
from initiatives.health.selectors import health_days_recount, last_values
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
    # Pushes for one initiative take turns: what this one finds already stored is then all
    # that is stored, so the roll-up adds exactly the reports this push stores.
    lock_initiative(initiative)
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
    HealthReport.objects.bulk_create(fresh, batch_size=1000)
    health_days_add(reports=fresh)
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
    _health_day_subtract(report)
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


# --- The daily roll-up and the retention of raw reports ----------------------------------------


def _rollup_columns() -> list[str]:
    return [f.attname for f in HealthDay._meta.concrete_fields if f.attname != "id"]


def _day_rows(reports: Iterable[HealthReport]) -> list[dict]:
    """What `reports` add to each (initiative, day) they fall on, as roll-up columns."""
    rows: dict[tuple[int, object], dict] = {}
    for report in reports:
        key = (report.initiative_id, days.day_of(report.observed_at))
        row = rows.get(key)
        if row is None:
            row = rows[key] = {"initiative_id": key[0], "day": key[1], "reports": 0}
            row["latest_at"] = report.observed_at
            for name in METRIC_NAMES:
                row |= {f"{name}_count": 0, f"{name}_sum": 0.0, f"{name}_sum_sq": 0.0}
                row |= {f"{name}_last": None, f"{name}_last_at": None}
        row["reports"] += 1
        row["latest_at"] = max(row["latest_at"], report.observed_at)
        for name in METRIC_NAMES:
            value = getattr(report, name)
            if value is None:
                continue
            row[f"{name}_count"] += 1
            row[f"{name}_sum"] += value
            row[f"{name}_sum_sq"] += value * value
            last_at = row[f"{name}_last_at"]
            if last_at is None or report.observed_at > last_at:
                row[f"{name}_last"], row[f"{name}_last_at"] = value, report.observed_at
    return list(rows.values())


def _later(table: str, column: str, moment: str) -> str:
    """SQL: the incoming value of `column` if its `moment` is later than the stored one."""
    return (
        f"CASE WHEN {table}.{moment} IS NULL OR excluded.{moment} > {table}.{moment} "
        f"THEN excluded.{column} ELSE {table}.{column} END"
    )


def health_days_add(*, reports: list[HealthReport]) -> int:
    """Add newly stored `reports` to the daily roll-up, in the caller's transaction: one
    upsert (INSERT ... ON CONFLICT DO UPDATE) per 500 days touched, adding counts, sums and
    sums of squares and keeping the later last value. The caller stores each report once
    (the ingestion locks the initiative). Returns how many days were touched."""
    rows = _day_rows(reports)
    if not rows:
        return 0
    table = HealthDay._meta.db_table
    columns = _rollup_columns()
    fields = [HealthDay._meta.get_field(c) for c in columns]
    updates = [
        f"reports = {table}.reports + excluded.reports",
        f"latest_at = CASE WHEN excluded.latest_at > {table}.latest_at "
        f"THEN excluded.latest_at ELSE {table}.latest_at END",
    ]
    for name in METRIC_NAMES:
        for part in ("count", "sum", "sum_sq"):
            column = f"{name}_{part}"
            updates.append(f"{column} = {table}.{column} + excluded.{column}")
        updates.append(f"{name}_last = {_later(table, f'{name}_last', f'{name}_last_at')}")
        # The moment last: the value above compares against the stored moment.
        updates.append(f"{name}_last_at = {_later(table, f'{name}_last_at', f'{name}_last_at')}")
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            params = [
                field.get_db_prep_save(row[column], connection)
                for row in chunk
                for column, field in zip(columns, fields, strict=True)
            ]
            # The table's and columns' names are the model's, quoted; the values parameters.
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) VALUES "  # noqa: S608  # nosec B608
                f"{', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT (initiative_id, day) DO UPDATE SET {', '.join(updates)}",
                params,
            )
    return len(rows)


def _health_day_subtract(report: HealthReport) -> None:
    """Take a removed report out of its day's roll-up (the caller locked the initiative).
    Counts and sums go down by what it carried; a last value it was is replaced by the
    latest raw report left that day. (Beyond PORTAL_HEALTH_RAW_DAYS, where the day's raw
    reports are gone, the day keeps its counts but loses that last value.)"""
    day = days.day_of(report.observed_at)
    rollup = HealthDay.objects.filter(initiative_id=report.initiative_id, day=day).first()
    if rollup is None:
        return
    rollup.reports -= 1
    if rollup.reports <= 0:
        rollup.delete()
        return
    same_day = HealthReport.objects.filter(
        initiative_id=report.initiative_id,
        observed_at__gte=days.start_of(day),
        observed_at__lt=days.start_of(day + timedelta(days=1)),
    ).order_by("-observed_at")
    if rollup.latest_at == report.observed_at:
        rollup.latest_at = same_day.values_list("observed_at", flat=True).first() or (
            rollup.latest_at
        )
    for name in METRIC_NAMES:
        value = getattr(report, name)
        if value is None:
            continue
        count = getattr(rollup, f"{name}_count") - 1
        setattr(rollup, f"{name}_count", max(count, 0))
        if count <= 0:  # exactly nothing, not what is left of subtracting floats
            setattr(rollup, f"{name}_sum", 0.0)
            setattr(rollup, f"{name}_sum_sq", 0.0)
            setattr(rollup, f"{name}_last", None)
            setattr(rollup, f"{name}_last_at", None)
            continue
        setattr(rollup, f"{name}_sum", getattr(rollup, f"{name}_sum") - value)
        setattr(rollup, f"{name}_sum_sq", getattr(rollup, f"{name}_sum_sq") - value * value)
        if getattr(rollup, f"{name}_last_at") == report.observed_at:
            last = (
                same_day.filter(**{f"{name}__isnull": False})
                .values_list("observed_at", name)
                .first()
            )
            at, value = last or (None, None)
            setattr(rollup, f"{name}_last_at", at)
            setattr(rollup, f"{name}_last", value)
    rollup.save()


@transaction.atomic
def health_days_rebuild(
    *, initiative_ids: Iterable[int] | None = None, since: date | None = None
) -> int:
    """Rebuild the roll-up of `initiative_ids` (default: every initiative) from their raw
    reports, for the days from `since` on (default: all): set-based, one INSERT ... SELECT
    and one UPDATE, however many reports. For reports written around the services (the
    seeders, the data migration) and for a roll-up that drifted (`rebuild_health_days`,
    which rebuilds only the days whose raw reports are all kept: an older day rebuilt would
    lose what its deleted reports said). Returns how many days were written."""
    reports = HealthReport.objects.all()
    rollups = HealthDay.objects.all()
    if initiative_ids is not None:
        ids = list(initiative_ids)
        reports = reports.filter(initiative_id__in=ids)
        rollups = rollups.filter(initiative_id__in=ids)
    if since is not None:
        reports = reports.filter(observed_at__gte=days.start_of(since))
        rollups = rollups.filter(day__gte=since)
    rollups.delete()
    recount = health_days_recount(reports)
    sql, params = recount.query.sql_with_params()
    columns = [*recount.query.values_select, *recount.query.annotation_select]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {HealthDay._meta.db_table} ({quoted}) {sql}",
            params,
        )
        written = cursor.rowcount
    rollups.update(**last_values())
    return written


# Raw reports deleted per transaction by the nightly retention: small enough that a batch
# holds its locks for well under a second and pushes are not kept waiting.
PURGE_BATCH = 5000


def health_reports_purge(*, now: datetime | None = None, batch_size: int = PURGE_BATCH) -> int:
    """Delete raw reports observed before `days.raw_cutoff(now)` (PORTAL_HEALTH_RAW_DAYS),
    oldest first, `batch_size` per transaction, until none are left; the roll-up keeps
    what they said. Idempotent: a second run finds nothing to delete. Returns how many
    reports were deleted."""
    cutoff = days.raw_cutoff(now or timezone.now())
    deleted = 0
    while True:
        with transaction.atomic():
            batch = HealthReport.objects.filter(observed_at__lt=cutoff).order_by("observed_at")
            count, _ = HealthReport.objects.filter(
                pk__in=Subquery(batch.values("pk")[:batch_size])
            ).delete()
        deleted += count
        if count < batch_size:
            return deleted
