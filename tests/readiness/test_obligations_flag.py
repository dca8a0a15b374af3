"""The `regulatory_gap` flag (README "Regulation"): a production system with an EU AI Act
obligation in force that is neither done nor waived; its owner and governance are e-mailed
as for the other flags. Boundaries through `scan_portfolio --as-of`, on the shipped dates."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from initiatives.core.choices import EmailKind, FlagKind, MilestoneStatus, Stage
from initiatives.models import ApplicationDate, EmailRecord, Flag
from initiatives.outbox import sending, tasks
from initiatives.readiness import services
from initiatives.readiness.obligations import obligations_apply
from initiatives.regulation.outcome import ANNEX_III, HIGH_RISK, MINIMAL, PROVIDER, Outcome
from initiatives.watch import scan
from initiatives.watch.rules import regulatory_gap
from tests.factories import InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db

CV_SCREENING = Outcome(HIGH_RISK, PROVIDER, ANNEX_III, "4(a)")
SEPTEMBER = datetime(2026, 9, 1, 12, tzinfo=UTC)  # Annex III applies; in the past (no dry run)


def live(slug, outcome, reviewer, contributor, *, stage=Stage.PRODUCTION, literacy_done=True):
    """A system at `stage` classified as `outcome`, its Art. 4 training done (or not)."""
    owner = UserFactory(email=f"{slug}-owner@example.com")
    initiative = InitiativeFactory(
        slug=slug,
        name=slug.replace("-", " ").capitalize(),
        stage=stage,
        members=[contributor],
        production_owner=owner,
        owner_accepted_at=timezone.now(),
        owner_confirmed_at=timezone.now(),
    )
    obligations_apply(initiative=initiative, outcome=outcome, actor=reviewer)
    if literacy_done:
        done(initiative, contributor, "ai-act-art-4")
    return initiative


def done(initiative, actor, key):
    services.milestone_update(
        initiative=initiative,
        actor=actor,
        key=key,
        status=MilestoneStatus.DONE,
        evidence_note="Recorded in the test.",
    )


def scanned(day: str, capsys) -> str:
    call_command("scan_portfolio", "--as-of", day)
    return capsys.readouterr().out


def test_the_gap_opens_on_the_day_the_obligations_apply(reviewer, contributor, capsys):
    live("cv-screening", CV_SCREENING, reviewer, contributor)

    assert "regulatory_gap" not in scanned("2026-08-01", capsys)
    out = scanned("2026-08-02", capsys)
    assert (
        "opened regulatory_gap on cv-screening: outstanding=14, earliest=Art. 9, "
        "since=2026-08-02, reason=14 EU AI Act obligations in force but neither done nor "
        "waived, the earliest Art. 9 (applies from 2 Aug 2026)"
    ) in out


def test_literacy_is_due_from_february_2025(reviewer, contributor, capsys):
    live("spam-filter", Outcome(MINIMAL, PROVIDER), reviewer, contributor, literacy_done=False)

    assert "regulatory_gap" not in scanned("2025-02-01", capsys)
    assert (
        "reason=1 EU AI Act obligation in force but neither done nor waived, the earliest "
        "Art. 4 (applies from 2 Feb 2025)"
    ) in scanned("2025-02-02", capsys)


def test_no_gap_before_production_nor_once_done_or_waived(reviewer, contributor):
    live("in-pilot", CV_SCREENING, reviewer, contributor, stage=Stage.PILOT)
    waived = live("waived", Outcome(MINIMAL, PROVIDER), reviewer, contributor, literacy_done=False)
    services.milestone_waive(
        initiative=waived, actor=reviewer, key="ai-act-art-4", justification="Group course."
    )
    gapped = live("gapped", CV_SCREENING, reviewer, contributor)

    found = regulatory_gap(SEPTEMBER)

    assert set(found) == {gapped.pk}
    assert found[gapped.pk]["outstanding"] == 14  # Art. 4 is done


def test_the_rule_reads_the_portfolio_in_one_query(
    reviewer, contributor, django_assert_num_queries
):
    as_of = SEPTEMBER
    live("first", CV_SCREENING, reviewer, contributor)
    with django_assert_num_queries(1):
        assert len(regulatory_gap(as_of)) == 1
    for n in range(5):
        live(f"more-{n}", CV_SCREENING, reviewer, contributor)
    with django_assert_num_queries(1):
        assert len(regulatory_gap(as_of)) == 6


@pytest.fixture
def send_now(monkeypatch):
    """Send queued e-mails at once, as a worker would after commit."""
    monkeypatch.setattr(tasks.send_email, "apply_async", lambda args, **kw: sending.send(*args))


def test_the_scan_flags_the_gap_and_tells_owner_and_governance_once(
    reviewer, contributor, settings, send_now, django_capture_on_commit_callbacks
):
    # The date is data: put Annex III's a day behind today, whatever today is.
    ApplicationDate.objects.filter(regime="annex_iii").update(
        applies_from=timezone.localdate() - timedelta(days=1)
    )
    initiative = live("cv-screening", CV_SCREENING, reviewer, contributor)

    for _ in range(2):  # a second scan opens nothing and sends nothing again
        with django_capture_on_commit_callbacks(execute=True):
            scan.scan_portfolio()

    flag = Flag.objects.get(kind=FlagKind.REGULATORY_GAP)
    assert flag.initiative == initiative
    records = EmailRecord.objects.filter(kind=EmailKind.REGULATORY_GAP)
    assert sorted(records.values_list("recipient", flat=True)) == [
        "cv-screening-owner@example.com",
        settings.GOVERNANCE_EMAIL,
    ]
    to_owner = next(m for m in mail.outbox if m.to == ["cv-screening-owner@example.com"])
    assert to_owner.subject == (
        "[Crossing] Cv screening is in production with EU AI Act obligations outstanding"
    )
    assert "14 EU AI Act obligations in force but neither done nor waived" in to_owner.body
    assert "/initiatives/cv-screening/readiness/" in to_owner.body
    html = to_owner.alternatives[0][0]
    assert "the earliest Art. 9" in html
    to_governance = next(m for m in mail.outbox if m.to == [settings.GOVERNANCE_EMAIL])
    assert "only be waived by a governance reviewer" in to_governance.body
    assert len(mail.outbox) == 2


def test_the_gap_closes_once_every_obligation_in_force_is_done(reviewer, contributor):
    initiative = live("cv-screening", CV_SCREENING, reviewer, contributor)
    as_of = SEPTEMBER
    scan.scan_portfolio(as_of=as_of)
    assert Flag.objects.filter(kind=FlagKind.REGULATORY_GAP, resolved_at__isnull=True).exists()
    for item in initiative.applicable_obligations.select_related("milestone"):
        if item.milestone.key != "ai-act-art-4":
            done(initiative, contributor, item.milestone.key)

    scan.scan_portfolio(as_of=as_of + timedelta(hours=1))

    flag = Flag.objects.get(kind=FlagKind.REGULATORY_GAP)
    assert (flag.opened_at, flag.resolved_at) == (as_of, as_of + timedelta(hours=1))
