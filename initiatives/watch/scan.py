"""The portfolio scan: keeps the flags true and queues the e-mails they call for.

Every rule in `initiatives.watch.rules` is evaluated over the whole portfolio as of one moment.
A flag is opened when its condition starts, resolved when it ends, never duplicated while
open (a database constraint, and scans take a lock so two never interleave). The number of
queries is the same for ten initiatives or ten thousand.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from initiatives.core.choices import FlagKind
from initiatives.health import services as health_services
from initiatives.outbox import planning
from initiatives.portfolio.models import Initiative
from initiatives.watch.models import Flag, ScanRun
from initiatives.watch.rules import ownerless_among, production_health, rules, shared_health

# Any constant: the key of the PostgreSQL advisory lock that serialises scans.
SCAN_LOCK_KEY = 0x0C0551


@dataclass
class FlagChange:
    kind: str
    initiative_id: int
    slug: str
    facts: dict


@dataclass
class ScanReport:
    as_of: datetime
    dry_run: bool
    opened: list[FlagChange] = field(default_factory=list)
    resolved: list[FlagChange] = field(default_factory=list)
    still_open: int = 0
    emails_queued: int = 0
    run: ScanRun | None = None

    def lines(self) -> list[str]:
        verb = "would be" if self.dry_run else "were"
        out = [
            f"Scan as of {self.as_of:%Y-%m-%d %H:%M %Z}" + (" (dry run)" if self.dry_run else "")
        ]
        for label, changes in (("opened", self.opened), ("resolved", self.resolved)):
            out.append(f"{len(changes)} flag(s) {verb} {label}.")
            out.extend(f"  {label} {c.kind} on {c.slug}: {_describe(c.facts)}" for c in changes)
        out.append(f"{self.still_open} flag(s) stay open.")
        if not self.dry_run:
            out.append(f"{self.emails_queued} e-mail(s) queued.")
        return out


def _describe(facts: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in facts.items())


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK_KEY])
    # SQLite: transactions start IMMEDIATE (settings), so writers are already serialised.


def scan_portfolio(*, as_of: datetime | None = None, dry_run: bool = False) -> ScanReport:
    """Evaluate every rule as of `as_of` (default now) and bring the flags in line.

    A moment in the future only reports (what will be stale by the end of the quarter?);
    so does `dry_run`. Otherwise flags are opened and resolved at `as_of` and the e-mails
    the open flags call for are queued.
    """
    now = timezone.now()
    as_of = as_of or now
    dry_run = dry_run or as_of > now
    report = ScanReport(as_of=as_of, dry_run=dry_run)
    with transaction.atomic():
        if not dry_run:
            _lock()
            report.run = ScanRun.objects.create(as_of=as_of, started_at=now)
        _reconcile(report)
        if not dry_run:
            report.emails_queued = planning.queue(
                planning.plan_flag_emails(_emailed_flags(), as_of)
            )
            ScanRun.objects.filter(pk=report.run.pk).update(
                finished_at=timezone.now(),
                flags_opened=len(report.opened),
                flags_resolved=len(report.resolved),
                emails_queued=report.emails_queued,
            )
    return report


def _reconcile(report: ScanReport) -> None:
    as_of = report.as_of
    with shared_health():
        wanted = {kind: check(as_of) for kind, check in rules().items()}
        if not report.dry_run:
            statuses = ((i.pk, state.status) for i, state in production_health(as_of))
            health_services.health_statuses_store(statuses=statuses)
    # Whole rows: resolving writes a history record of each.
    open_flags = list(Flag.objects.filter(resolved_at__isnull=True))
    open_keys = {(f.kind, f.initiative_id) for f in open_flags}
    to_resolve = [f for f in open_flags if f.initiative_id not in wanted.get(f.kind, {})]
    to_open = [
        (kind, pk, facts)
        for kind, found in wanted.items()
        for pk, facts in found.items()
        if (kind, pk) not in open_keys
    ]
    slugs = dict(
        Initiative.objects.filter(
            pk__in={pk for _, pk, _ in to_open} | {f.initiative_id for f in to_resolve}
        ).values_list("pk", "slug")
    )
    report.opened = [FlagChange(kind, pk, slugs[pk], facts) for kind, pk, facts in to_open]
    report.resolved = [
        FlagChange(f.kind, f.initiative_id, slugs[f.initiative_id], {}) for f in to_resolve
    ]
    report.still_open = len(open_flags) - len(to_resolve)
    if report.dry_run:
        return
    if to_open:
        bulk_create_with_history(
            [
                Flag(initiative_id=pk, kind=kind, opened_at=as_of, facts=facts)
                for kind, pk, facts in to_open
            ],
            Flag,
            default_change_reason="Opened by the scan",
        )
    if to_resolve:
        for flag in to_resolve:
            flag.resolved_at = as_of
        bulk_update_with_history(
            to_resolve, Flag, ["resolved_at"], default_change_reason="Resolved by the scan"
        )


def ownerless_flag_now(*, initiative_ids: list[int]) -> list[FlagChange]:
    """Judge only `initiative_ids` by the ownerless rule now, open the flag on each it holds
    for, and queue the e-mails the new flags call for (the sponsor and governance), as the
    scan would: the leaver path's way of not waiting up to an hour for the next scan.

    Takes the scan's lock, so it never interleaves with a scan; a flag already open stays as
    it is (no second flag, no second e-mail). Returns the flags it opened.
    """
    as_of = timezone.now()
    with transaction.atomic():
        _lock()
        found = ownerless_among(as_of, initiative_ids)
        already = set(
            Flag.objects.filter(
                kind=FlagKind.OWNERLESS, resolved_at__isnull=True, initiative_id__in=list(found)
            ).values_list("initiative_id", flat=True)
        )
        new = {pk: facts for pk, facts in found.items() if pk not in already}
        if not new:
            return []
        bulk_create_with_history(
            [
                Flag(initiative_id=pk, kind=FlagKind.OWNERLESS, opened_at=as_of, facts=facts)
                for pk, facts in new.items()
            ],
            Flag,
            default_change_reason="Opened when the owner's account was deactivated",
        )
        opened = list(
            Flag.objects.filter(
                kind=FlagKind.OWNERLESS, resolved_at__isnull=True, initiative_id__in=list(new)
            ).select_related("initiative__production_owner", "initiative__sponsor")
        )
        planning.queue(planning.plan_flag_emails(opened, as_of))
    return [FlagChange(f.kind, f.initiative_id, f.initiative.slug, f.facts) for f in opened]


def _emailed_flags() -> list[Flag]:
    return list(
        Flag.objects.filter(
            resolved_at__isnull=True,
            kind__in=[
                FlagKind.STALE_OWNERSHIP,
                FlagKind.OWNERLESS,
                FlagKind.VALUE_UNREPORTED,
                FlagKind.VALUE_SHORTFALL,
                FlagKind.REGULATORY_GAP,
            ],
        ).select_related("initiative__production_owner", "initiative__sponsor")
    )


def send_weekly_digest(*, as_of: datetime | None = None) -> int:
    """Queue this week's digest of open flags to governance (once per ISO week)."""
    with transaction.atomic():
        return planning.queue([planning.plan_digest(as_of or timezone.now())])
