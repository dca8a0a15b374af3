"""Scans that run at once (beat fired twice, a manual run during a scheduled one) on real
PostgreSQL, each in its own thread with its own connection: flags and e-mails are never
duplicated, and the runs' reports add up to what is in the database."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from initiatives.core.choices import EmailKind, FlagKind, Stage
from initiatives.models import EmailRecord, Flag, ScanRun
from initiatives.watch import scan
from tests.factories import InitiativeFactory, UserFactory
from tests.support.components import require_postgresql

SCANS = 4


def arrange_portfolio() -> None:
    now = timezone.now()
    sponsor = UserFactory(username="sponsor", email="sponsor@example.org")
    owner = UserFactory(username="owner", email="owner@example.org")
    InitiativeFactory(
        slug="summariser", stage=Stage.POC, stage_entered_at=now - timedelta(days=100)
    )
    InitiativeFactory(
        slug="chat-assistant", stage=Stage.PILOT, stage_entered_at=now - timedelta(days=130)
    )
    InitiativeFactory(
        slug="claims-triage",
        stage=Stage.PRODUCTION,
        stage_entered_at=now - timedelta(days=300),
        sponsor=sponsor,
        production_owner=owner,
        owner_accepted_at=now - timedelta(days=250),
        owner_confirmed_at=now - timedelta(days=200),
    )
    InitiativeFactory(slug="fraud-scoring", stage=Stage.PILOT, sponsor=sponsor)
    InitiativeFactory(slug="churn-model", stage=Stage.PRODUCTION, sponsor=sponsor)


def run_at_once(count: int) -> tuple[list[scan.ScanReport], list[BaseException]]:
    start = threading.Barrier(count)
    reports: list[scan.ScanReport] = []
    errors: list[BaseException] = []

    def one_scan() -> None:
        try:
            start.wait(timeout=10)
            reports.append(scan.scan_portfolio())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=one_scan, name=f"scan-{n}") for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a scan did not finish in 30 s"
    return reports, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_never_duplicate_flags_or_emails(settings):
    require_postgresql(
        "SQLite serialises writers anyway, so concurrent scans only race on PostgreSQL (CI)"
    )
    settings.GOVERNANCE_EMAIL = "governance@example.org"
    arrange_portfolio()

    reports, errors = run_at_once(SCANS)

    assert errors == []
    assert len(reports) == SCANS
    assert ScanRun.objects.count() == SCANS

    # Exactly one open flag per (initiative, kind); none was opened twice and resolved.
    per_key = Flag.objects.values("initiative", "kind").annotate(n=Count("pk"))
    assert {row["n"] for row in per_key} == {1}
    assert not Flag.objects.filter(resolved_at__isnull=False).exists()
    assert {
        (slug, kind)
        for slug, kind in Flag.objects.values_list("initiative__slug", "kind")
        # The rules under test here; business-case, health and EU AI Act flags have tests of
        # their own.
        if kind
        not in (FlagKind.BUSINESS_CASE_MISSING, FlagKind.HEALTH_SILENT, FlagKind.UNCLASSIFIED)
    } == {
        ("summariser", FlagKind.STALLED),
        ("chat-assistant", FlagKind.STALLED),
        ("chat-assistant", FlagKind.OWNERLESS),
        ("claims-triage", FlagKind.STALE_OWNERSHIP),
        ("fraud-scoring", FlagKind.OWNERLESS),
        ("churn-model", FlagKind.OWNERLESS),
    }
    assert sum(len(report.opened) for report in reports) == Flag.objects.count()
    assert sum(len(report.resolved) for report in reports) == 0

    # Exactly one e-mail per dedupe key, and per person and flag.
    per_key = EmailRecord.objects.values("dedupe_key").annotate(n=Count("pk"))
    assert {row["n"] for row in per_key} == {1}
    assert sorted(EmailRecord.objects.values_list("kind", "recipient", "initiative__slug")) == [
        (EmailKind.OWNERLESS, "governance@example.org", "chat-assistant"),
        (EmailKind.OWNERLESS, "governance@example.org", "churn-model"),
        (EmailKind.OWNERLESS, "governance@example.org", "fraud-scoring"),
        (EmailKind.OWNERLESS, "sponsor@example.org", "churn-model"),
        (EmailKind.OWNERLESS, "sponsor@example.org", "fraud-scoring"),
        (EmailKind.STALE_OWNERSHIP, "owner@example.org", "claims-triage"),
    ]
    assert sum(report.emails_queued for report in reports) == EmailRecord.objects.count()
    assert sum(run.emails_queued for run in ScanRun.objects.all()) == EmailRecord.objects.count()
