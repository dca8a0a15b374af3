from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from initiatives.core.choices import FlagKind
from initiatives.watch.models import Flag, ScanRun


def open_flags() -> QuerySet[Flag]:
    """The flags still open: the one definition the counts, lists and digests share."""
    return Flag.objects.filter(resolved_at__isnull=True)


def open_flag_counts_by_kind(flags: QuerySet[Flag] | None = None) -> dict[str, int]:
    """{kind: count} of the open flags among `flags` (all flags by default); kinds without
    an open flag are left out. One query."""
    flags = open_flags() if flags is None else flags.filter(resolved_at__isnull=True)
    return dict(flags.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))


def open_flag_count() -> Count:
    """An initiative annotation: how many open flags it carries."""
    return Count("flags", filter=Q(flags__resolved_at__isnull=True))


def open_flag_counts() -> list[tuple[str, str, int]]:
    """(label, kind, count) of open flags for every kind, zeros included, in one query."""
    counts = open_flag_counts_by_kind()
    return [(kind.label, kind.value, counts.get(kind.value, 0)) for kind in FlagKind]


# --- The scan's own freshness (issue 9) -----------------------------------------------------


def last_finished_scan() -> ScanRun | None:
    """The scan that finished most recently (by when it finished, not when it started: two
    scans can overlap); None if none ever has. One query. The dashboards, the API, the
    metrics and `check_portal` all read this one."""
    return ScanRun.objects.filter(finished_at__isnull=False).order_by("-finished_at", "-id").first()


def last_scan_finished_at() -> datetime | None:
    """When the most recent scan finished; None if none ever has. One query."""
    last = last_finished_scan()
    return last.finished_at if last else None


def scan_is_overdue(finished_at: datetime | None, now: datetime | None = None) -> bool:
    """The rule: no scan finished within two scan intervals (PORTAL_SCAN_INTERVAL_SECONDS)
    before `now` means beat is not running, or no worker takes its tasks. A portal where no
    scan ever finished is overdue too."""
    now = now or timezone.now()
    allowed = timedelta(seconds=2 * settings.PORTAL_SCAN_INTERVAL_SECONDS)
    return finished_at is None or now - finished_at > allowed


def scan_overdue(now: datetime | None = None) -> bool:
    """Whether the last scan is overdue (see `scan_is_overdue`). One query."""
    return scan_is_overdue(last_scan_finished_at(), now)
