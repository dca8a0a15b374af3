"""The watch: flag rules at their boundaries, the scan's idempotence, and its e-mails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import BusinessCaseStatus, EmailKind, EmailStatus, FlagKind, Stage
from initiatives.models import EmailRecord, Flag, ScanRun
from initiatives.outbox import sending, tasks
from initiatives.watch import scan
from tests.factories import (
    BusinessCaseFactory,
    ClassificationFactory,
    HealthReportFactory,
    InitiativeFactory,
    OwnershipHandoverFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The scans below judge moments up to a few weeks after NOW; a moment in the future would
# only be reported (dry run), so NOW lies far enough in the past.
NOW = timezone.now() - timedelta(days=60)


def open_flags(kind=None) -> set[tuple[str, str]]:
    flags = Flag.objects.filter(resolved_at__isnull=True)
    if kind:
        flags = flags.filter(kind=kind)
    return set(flags.values_list("initiative__slug", "kind"))


def with_case(initiative):
    """An approved business case, a confirmed EU AI Act classification and a recent health
    report, so only the rule under test speaks."""
    HealthReportFactory(
        initiative=initiative, observed_at=NOW - timedelta(hours=1), availability=99.9
    )
    BusinessCaseFactory(
        initiative=initiative,
        status=BusinessCaseStatus.APPROVED,
        reviewed_at=NOW - timedelta(days=365),
    )
    ClassificationFactory(initiative=initiative, reviewed_at=NOW - timedelta(days=365))
    return initiative


def unowned(stage=Stage.PILOT, **kwargs):
    return with_case(InitiativeFactory(stage=stage, **kwargs))


def owned(stage=Stage.PRODUCTION, confirmed_days_ago=10, **kwargs):
    owner = kwargs.pop("owner", None) or UserFactory()
    return with_case(
        InitiativeFactory(
            stage=stage,
            production_owner=owner,
            owner_accepted_at=NOW - timedelta(days=400),
            **{"owner_confirmed_at": NOW - timedelta(days=confirmed_days_ago), **kwargs},
        )
    )


# --- Each rule at its boundary ---------------------------------------------------------------


@pytest.mark.parametrize(("days", "stalled"), [(89, False), (90, False), (91, True)])
def test_stalled_in_poc_after_90_days(days, stalled):
    InitiativeFactory(slug="poc", stage=Stage.POC, stage_entered_at=NOW - timedelta(days=days))
    scan.scan_portfolio(as_of=NOW)
    assert (("poc", FlagKind.STALLED) in open_flags()) is stalled


@pytest.mark.parametrize(("days", "stalled"), [(119, False), (120, False), (121, True)])
def test_stalled_in_pilot_after_120_days(days, stalled):
    owned(slug="pilot", stage=Stage.PILOT, stage_entered_at=NOW - timedelta(days=days))
    scan.scan_portfolio(as_of=NOW)
    assert (("pilot", FlagKind.STALLED) in open_flags()) is stalled


def test_stage_limits_come_from_settings(settings):
    settings.PORTAL_STALLED_POC_DAYS = 30
    InitiativeFactory(slug="poc", stage=Stage.POC, stage_entered_at=NOW - timedelta(days=31))
    report = scan.scan_portfolio(as_of=NOW)
    assert [(c.slug, c.facts["limit_days"]) for c in report.opened] == [("poc", 30)]


def test_ideas_and_production_systems_never_stall():
    InitiativeFactory(stage=Stage.IDEA, stage_entered_at=NOW - timedelta(days=900))
    owned(stage=Stage.PRODUCTION, stage_entered_at=NOW - timedelta(days=900))
    scan.scan_portfolio(as_of=NOW)
    assert open_flags(FlagKind.STALLED) == set()


@pytest.mark.parametrize(("days", "stale"), [(89, False), (90, False), (91, True)])
def test_stale_ownership_after_90_days_without_confirmation(days, stale):
    owned(slug="prod", confirmed_days_ago=days)
    scan.scan_portfolio(as_of=NOW)
    assert (("prod", FlagKind.STALE_OWNERSHIP) in open_flags()) is stale


def test_as_of_answers_what_will_be_stale_by_the_end_of_the_quarter():
    now = timezone.now()
    owned(slug="soon", owner_confirmed_at=now - timedelta(days=80))
    owned(slug="fine", owner_confirmed_at=now - timedelta(days=1))
    report = scan.scan_portfolio(as_of=now + timedelta(days=20))
    assert report.dry_run  # a future moment only reports
    stale = [(c.slug, c.kind) for c in report.opened if c.kind == FlagKind.STALE_OWNERSHIP]
    assert stale == [("soon", FlagKind.STALE_OWNERSHIP)]
    assert not Flag.objects.exists()
    assert not ScanRun.objects.exists()


@pytest.mark.parametrize("stage", [Stage.PILOT, Stage.PRODUCTION])
def test_ownerless_without_an_owner(stage):
    unowned(slug="nobody", stage=stage)
    report = scan.scan_portfolio(as_of=NOW)
    assert [(c.slug, c.kind, c.facts["reason"]) for c in report.opened] == [
        ("nobody", FlagKind.OWNERLESS, "no production owner is named")
    ]


def test_ideas_and_pocs_need_no_owner():
    InitiativeFactory(stage=Stage.IDEA)
    InitiativeFactory(stage=Stage.POC)
    scan.scan_portfolio(as_of=NOW)
    assert not Flag.objects.exists()


def test_a_deactivated_owner_makes_the_system_ownerless_not_stale():
    gone = UserFactory(is_active=False)
    owned(slug="gone", owner=gone, confirmed_days_ago=300)
    scan.scan_portfolio(as_of=NOW)
    assert open_flags() == {("gone", FlagKind.OWNERLESS)}
    assert "deactivated" in Flag.objects.get().facts["reason"]


@pytest.mark.parametrize(("days", "ownerless"), [(13, False), (14, False), (15, True)])
def test_a_handover_pending_longer_than_14_days_is_ownerless(days, ownerless):
    nominee = UserFactory()
    initiative = unowned(slug="pending", production_owner=nominee)
    OwnershipHandoverFactory(
        initiative=initiative, to_owner=nominee, requested_at=NOW - timedelta(days=days)
    )
    scan.scan_portfolio(as_of=NOW)
    assert (("pending", FlagKind.OWNERLESS) in open_flags()) is ownerless


# --- Idempotence -----------------------------------------------------------------------------


def test_two_scans_in_a_row_open_nothing_new():
    InitiativeFactory(stage=Stage.POC, stage_entered_at=NOW - timedelta(days=200))
    unowned()
    first = scan.scan_portfolio(as_of=NOW)
    second = scan.scan_portfolio(as_of=NOW + timedelta(minutes=1))
    assert {c.kind for c in first.opened} == {FlagKind.STALLED, FlagKind.OWNERLESS}
    assert second.opened == []
    assert second.resolved == []
    assert second.still_open == Flag.objects.count()


def test_a_resolved_condition_resolves_its_flag_and_a_recurrence_opens_a_new_one():
    initiative = unowned(slug="p")  # ownerless
    scan.scan_portfolio(as_of=NOW)
    first = Flag.objects.get()
    initiative.production_owner = UserFactory()
    initiative.owner_accepted_at = initiative.owner_confirmed_at = NOW
    initiative.save()
    report = scan.scan_portfolio(as_of=NOW + timedelta(hours=1))
    assert [(c.slug, c.kind) for c in report.resolved] == [("p", FlagKind.OWNERLESS)]
    first.refresh_from_db()
    assert first.resolved_at == NOW + timedelta(hours=1)  # resolved, not deleted

    initiative.production_owner.is_active = False
    initiative.production_owner.save()
    scan.scan_portfolio(as_of=NOW + timedelta(hours=2))
    assert Flag.objects.filter(kind=FlagKind.OWNERLESS).count() == 2
    assert open_flags() == {("p", FlagKind.OWNERLESS)}


def test_the_database_refuses_two_open_flags_of_one_kind():
    initiative = InitiativeFactory()
    Flag.objects.create(initiative=initiative, kind=FlagKind.STALLED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(initiative=initiative, kind=FlagKind.STALLED)
    Flag.objects.create(initiative=initiative, kind=FlagKind.STALLED, resolved_at=NOW)


def test_flag_changes_are_kept_in_history():
    unowned()
    scan.scan_portfolio(as_of=NOW)
    flag = Flag.objects.get()
    assert flag.history.get().history_change_reason == "Opened by the scan"


def test_dry_run_changes_nothing_and_says_what_would(capsys):
    entered = timezone.now() - timedelta(days=95)
    InitiativeFactory(slug="late", stage=Stage.POC, stage_entered_at=entered)
    call_command("scan_portfolio", "--dry-run")
    out = capsys.readouterr().out
    assert "1 flag(s) would be opened." in out
    assert "opened stalled on late: stage=poc, days_in_stage=95, limit_days=90" in out
    assert not Flag.objects.exists()
    assert not EmailRecord.objects.exists()


def test_command_as_of_a_date_means_the_end_of_that_day(capsys):
    now = timezone.now()
    InitiativeFactory(slug="late", stage=Stage.POC, stage_entered_at=now - timedelta(days=60))
    day = (now + timedelta(days=31)).date().isoformat()
    call_command("scan_portfolio", "--as-of", day)
    out = capsys.readouterr().out
    assert f"Scan as of {day} 23:59" in out
    assert "opened stalled on late" in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a date"):
        call_command("scan_portfolio", "--as-of", "31/12/2026")


def test_each_run_is_recorded(capsys):
    unowned(sponsor=UserFactory())
    call_command("scan_portfolio")
    run = ScanRun.objects.get()
    assert (run.flags_opened, run.flags_resolved, run.emails_queued) == (1, 0, 2)
    assert run.finished_at >= run.started_at


# --- Set-based: queries do not grow with the portfolio ---------------------------------------


def make_portfolio(n: int) -> None:
    sponsor = UserFactory()
    for i in range(n):
        kind = i % 4
        if kind == 0:
            InitiativeFactory(stage=Stage.POC, stage_entered_at=NOW - timedelta(days=200))
        elif kind == 1:
            unowned(sponsor=sponsor)
        elif kind == 2:
            owned(confirmed_days_ago=200, sponsor=sponsor)
        else:
            owned(confirmed_days_ago=1)


def scan_queries() -> int:
    with CaptureQueriesContext(connection) as captured:
        scan.scan_portfolio(as_of=NOW)
    return len(captured)


def test_scan_queries_are_the_same_for_10_and_500_initiatives():
    make_portfolio(10)
    first_small, steady_small = scan_queries(), scan_queries()
    Flag.objects.all().delete()
    EmailRecord.objects.all().delete()
    make_portfolio(490)
    first_large, steady_large = scan_queries(), scan_queries()
    assert Flag.objects.filter(resolved_at__isnull=True).count() > 300
    assert steady_small == steady_large, f"{steady_small} queries for 10, {steady_large} for 500"
    if connection.vendor != "sqlite":
        # SQLite caps a statement at 999 parameters, so Django splits a bulk insert of
        # hundreds of flags into batches there; PostgreSQL (CI, production) takes one.
        assert first_small == first_large, f"{first_small} for 10, {first_large} for 500"


# --- E-mails ---------------------------------------------------------------------------------


def sent_to(address):
    return [m for m in mail.outbox if address in m.to]


@pytest.fixture
def send_now(monkeypatch):
    """Send queued e-mails at once, as a worker would after commit."""

    monkeypatch.setattr(tasks.send_email, "apply_async", lambda args, **kw: sending.send(*args))


def test_stale_owner_gets_one_email_per_interval(
    send_now, django_capture_on_commit_callbacks, settings
):
    owner = UserFactory(email="ines@example.com")
    initiative = owned(owner=owner, confirmed_days_ago=100, slug="policy-qa")
    for days in (0, 1, 6):  # three scans within the first week: one e-mail
        with django_capture_on_commit_callbacks(execute=True):
            scan.scan_portfolio(as_of=NOW + timedelta(days=days))
    assert len(sent_to("ines@example.com")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        scan.scan_portfolio(as_of=NOW + timedelta(days=7, minutes=1))
    reminders = sent_to("ines@example.com")
    assert len(reminders) == 2
    message = reminders[0]
    assert message.subject == f"[Crossing] Do you still own {initiative.name}?"
    assert f"{settings.PORTAL_BASE_URL}/ownership/confirm/" in message.body
    assert f"{settings.PORTAL_BASE_URL}/initiatives/policy-qa/owner/" in message.body
    assert "I still own this" in message.alternatives[0][0]
    record = EmailRecord.objects.filter(kind=EmailKind.STALE_OWNERSHIP).order_by("reminder")
    assert [(r.reminder, r.status, r.attempts) for r in record] == [
        (0, EmailStatus.SENT, 1),
        (1, EmailStatus.SENT, 1),
    ]


def test_unanswered_reminders_escalate_to_the_sponsor_once(
    send_now, django_capture_on_commit_callbacks
):
    sponsor = UserFactory(email="hannah@example.com")
    owned(confirmed_days_ago=100, sponsor=sponsor)
    for week in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            scan.scan_portfolio(as_of=NOW + timedelta(days=7 * week, minutes=1))
    escalations = sent_to("hannah@example.com")
    assert len(escalations) == 1
    assert "has not confirmed ownership" in escalations[0].body


def test_ownerless_goes_to_the_sponsor_and_governance(
    send_now, django_capture_on_commit_callbacks, settings
):
    sponsor = UserFactory(email="tom@example.com")
    unowned(sponsor=sponsor, name="Claims triage")
    with django_capture_on_commit_callbacks(execute=True):
        scan.scan_portfolio(as_of=NOW)
    assert {tuple(m.to) for m in mail.outbox} == {
        ("tom@example.com",),
        (settings.GOVERNANCE_EMAIL,),
    }
    assert {m.subject for m in mail.outbox} == {"[Crossing] Claims triage has no production owner"}
    assert "no production owner is named" in mail.outbox[0].body


def test_a_retried_send_never_sends_twice(send_now, django_capture_on_commit_callbacks):
    unowned(sponsor=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        scan.scan_portfolio(as_of=NOW)
    sent = len(mail.outbox)
    for record in EmailRecord.objects.all():
        assert sending.send(record.pk) == "skipped"
    assert len(mail.outbox) == sent


def test_a_queued_email_survives_an_unreachable_broker(
    django_capture_on_commit_callbacks, monkeypatch
):

    monkeypatch.setattr(sending, "_broker_down_until", 0.0)

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    unowned(sponsor=UserFactory())
    original = tasks.send_email.apply_async
    tasks.send_email.apply_async = broker_down
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = scan.scan_portfolio(as_of=NOW)  # no exception escapes
    finally:
        tasks.send_email.apply_async = original
    assert report.emails_queued == 2
    pending = EmailRecord.objects.filter(status=EmailStatus.PENDING)
    assert pending.count() == 2
    pending.update(created_at=NOW - timedelta(minutes=5))
    assert sorted(sending.sweep()) == sorted(pending.values_list("pk", flat=True))


def test_the_weekly_digest_goes_once_a_week(send_now, django_capture_on_commit_callbacks, settings):
    InitiativeFactory(stage=Stage.POC, stage_entered_at=NOW - timedelta(days=200), name="Late")
    scan.scan_portfolio(as_of=NOW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert scan.send_weekly_digest(as_of=NOW) == 1
        assert scan.send_weekly_digest(as_of=NOW) == 0
    (digest,) = mail.outbox
    assert digest.to == [settings.GOVERNANCE_EMAIL]
    assert "Stalled: 1" in digest.body
    assert "Late" in digest.body


# --- Business case missing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "flagged"),
    [
        (None, True),
        (BusinessCaseStatus.DRAFT, True),
        (BusinessCaseStatus.SUBMITTED, True),
        (BusinessCaseStatus.REJECTED, True),
        (BusinessCaseStatus.APPROVED, False),
    ],
)
def test_pilot_without_an_approved_business_case_is_flagged(status, flagged):
    initiative = InitiativeFactory(slug="p", stage=Stage.PILOT, production_owner=UserFactory())
    if status:
        BusinessCaseFactory(initiative=initiative, status=status)
    scan.scan_portfolio(as_of=timezone.now())
    assert (("p", FlagKind.BUSINESS_CASE_MISSING) in open_flags()) is flagged


def test_an_approval_resolves_business_case_missing():
    initiative = InitiativeFactory(slug="p", stage=Stage.PRODUCTION, production_owner=UserFactory())
    scan.scan_portfolio(as_of=timezone.now() - timedelta(minutes=5))
    assert open_flags(FlagKind.BUSINESS_CASE_MISSING) == {("p", FlagKind.BUSINESS_CASE_MISSING)}
    BusinessCaseFactory(initiative=initiative, status=BusinessCaseStatus.APPROVED)
    report = scan.scan_portfolio()
    assert [c.kind for c in report.resolved] == [FlagKind.BUSINESS_CASE_MISSING]


def test_an_unreachable_broker_is_tried_once_then_left_to_the_sweep(
    django_capture_on_commit_callbacks, monkeypatch
):
    pass

    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(args)
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(sending, "_broker_down_until", 0.0)
    monkeypatch.setattr(tasks.send_email, "apply_async", broker_down)
    unowned(sponsor=UserFactory())
    unowned(sponsor=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        report = scan.scan_portfolio(as_of=NOW)
    assert report.emails_queued == 4
    assert len(attempts) == 1  # the other three waited for the sweep, not for the broker
    assert EmailRecord.objects.filter(status=EmailStatus.PENDING).count() == 4


# --- Where flags are seen ----------------------------------------------------------------------


def test_flags_api_filters_by_initiative_kind_and_open(viewer):
    from rest_framework.test import APIClient

    late = InitiativeFactory(
        slug="late", stage=Stage.POC, stage_entered_at=NOW - timedelta(days=200)
    )
    unowned(slug="nobody")
    scan.scan_portfolio(as_of=NOW)
    Flag.objects.filter(initiative=late).update(resolved_at=NOW + timedelta(days=1))
    client = APIClient()
    client.force_authenticate(viewer)

    def listed(**query):
        body = client.get("/api/v1/flags/", query).json()
        return sorted((f["initiative"], f["kind"], f["is_open"]) for f in body["results"])

    assert listed(initiative="late") == [("late", "stalled", False)]
    assert listed(open="true") == [("nobody", "ownerless", True)]
    assert listed(kind="stalled") == [("late", "stalled", False)]
    assert client.get("/api/v1/flags/", {"kind": "nonsense"}).status_code == 400


def test_open_flags_show_on_the_initiative_page_and_count_on_the_portfolio(viewer, as_user):
    initiative = unowned(slug="nobody", name="Claims triage")
    scan.scan_portfolio(as_of=NOW)
    client = as_user(viewer)
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "Open flags" in page
    assert "no production owner is named" in page
    portfolio = client.get("/")
    counts = {tally.key: tally.count for tally in portfolio.context["summary"].flags}
    assert counts[FlagKind.OWNERLESS] == 1
    assert counts[FlagKind.STALLED] == 0
    assert "?flag=ownerless" in portfolio.content.decode()
    listing = client.get("/initiatives/", {"flag": "ownerless"})
    assert [i.slug for i in listing.context["object_list"]] == ["nobody"]


def test_a_stalled_flag_says_why_on_the_initiative_page_and_in_the_governance_queue(
    viewer, reviewer, as_user
):
    initiative = InitiativeFactory(
        slug="poc", stage=Stage.POC, stage_entered_at=timezone.now() - timedelta(days=95)
    )
    scan.scan_portfolio()
    why = "95 days in proof of concept (limit 90 days)"

    page = as_user(viewer).get(initiative.get_absolute_url()).content.decode()
    queue = as_user(reviewer).get(reverse("governance-queue")).content.decode()

    assert f"since {timezone.now():%-d %b %Y}: {why}" in page
    assert why in queue


def test_a_stale_ownership_flag_says_why_on_the_initiative_page(viewer, as_user):
    initiative = owned(slug="stale", confirmed_days_ago=100)
    scan.scan_portfolio(as_of=NOW)

    page = as_user(viewer).get(initiative.get_absolute_url()).content.decode()

    assert "last confirmed 100 days ago (limit 90 days)" in page


def test_a_retired_initiative_offers_no_stage_change(viewer, as_user):
    initiative = InitiativeFactory(stage=Stage.RETIRED)

    page = as_user(viewer).get(initiative.get_absolute_url()).content.decode()

    assert "Change stage" not in page


def test_a_flag_that_comes_back_within_the_interval_does_not_mail_the_owner_again(
    send_now, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="ines@example.com")
    initiative = owned(owner=owner, confirmed_days_ago=100)
    with django_capture_on_commit_callbacks(execute=True):
        scan.scan_portfolio(as_of=NOW)
    initiative.owner_confirmed_at = NOW + timedelta(hours=1)
    initiative.save()
    scan.scan_portfolio(as_of=NOW + timedelta(hours=2))  # resolved
    initiative.owner_confirmed_at = NOW - timedelta(days=100)
    initiative.save()
    with django_capture_on_commit_callbacks(execute=True):
        scan.scan_portfolio(as_of=NOW + timedelta(hours=3))  # a new flag, same condition
    assert Flag.objects.filter(kind=FlagKind.STALE_OWNERSHIP).count() == 2
    assert len(sent_to("ines@example.com")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        scan.scan_portfolio(as_of=NOW + timedelta(days=7, hours=4))
    assert len(sent_to("ines@example.com")) == 2  # the next interval's reminder


@pytest.mark.parametrize("day", ["2026-01-05", "2099-12-31"])
def test_the_command_as_of_any_date_only_reports(capsys, day):
    InitiativeFactory(stage=Stage.POC, stage_entered_at=timezone.now() - timedelta(days=400))
    call_command("scan_portfolio", "--as-of", day)
    assert "(dry run)" in capsys.readouterr().out
    assert not Flag.objects.exists()
    assert not ScanRun.objects.exists()


def test_the_command_refuses_impossible_dates():
    from django.core.management.base import CommandError

    for value in ("0001-01-01", "2026-13-01", "yesterday"):
        with pytest.raises(CommandError, match="is not a date"):
            call_command("scan_portfolio", "--as-of", value)
