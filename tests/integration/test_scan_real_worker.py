"""The watch through a real worker: the scan is published to the broker (Redis in CI),
a worker thread runs it, opens the flags, and sends the e-mails the flags call for.

`task_always_eager` would run the tasks inline and prove nothing about serialisation, the
broker, on-commit publishing or the worker's own database connection; this does.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import EmailKind, EmailStatus, FlagKind, Stage
from initiatives.models import EmailRecord, Flag
from initiatives.ownership import links
from initiatives.watch import tasks
from tests.factories import InitiativeFactory, UserFactory
from tests.support.components import require_postgresql, short_name, task_outcomes, wait_for

WATCHED = (FlagKind.STALLED, FlagKind.OWNERLESS, FlagKind.STALE_OWNERSHIP)


def html_part(message) -> str:
    return next(content for content, mimetype in message.alternatives if mimetype == "text/html")


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_the_scan_through_a_real_worker_opens_flags_and_sends_their_emails(celery_worker, settings):
    require_postgresql(
        "the worker thread's scan writes many tables while this test polls them, and SQLite's "
        "shared in-memory database answers that with 'table is locked'"
    )
    settings.PORTAL_BASE_URL = "https://crossing.example.org"
    settings.GOVERNANCE_EMAIL = "governance@example.org"
    now = timezone.now()
    sponsor = UserFactory(username="sponsor", email="sponsor@example.org")
    owner = UserFactory(username="owner", email="owner@example.org")
    summariser = InitiativeFactory(
        name="Document summariser", stage=Stage.POC, stage_entered_at=now - timedelta(days=100)
    )
    claims = InitiativeFactory(
        name="Claims triage",
        stage=Stage.PRODUCTION,
        stage_entered_at=now - timedelta(days=300),
        sponsor=sponsor,
        production_owner=owner,
        owner_accepted_at=now - timedelta(days=250),
        owner_confirmed_at=now - timedelta(days=200),
    )
    fraud = InitiativeFactory(
        name="Fraud scoring",
        stage=Stage.PILOT,
        stage_entered_at=now - timedelta(days=10),
        sponsor=sponsor,
    )

    with task_outcomes() as outcomes:
        tasks.scan_portfolio.delay()

        def flags_open():
            return set(
                Flag.objects.filter(resolved_at__isnull=True, kind__in=WATCHED).values_list(
                    "initiative__name", "kind"
                )
            )

        expected_flags = {
            ("Document summariser", FlagKind.STALLED),
            ("Claims triage", FlagKind.STALE_OWNERSHIP),
            ("Fraud scoring", FlagKind.OWNERLESS),
        }
        assert wait_for(lambda: flags_open() == expected_flags), (flags_open(), outcomes)

        def all_sent():
            records = EmailRecord.objects.all()
            return (
                records.count() == 3
                and not records.exclude(status=EmailStatus.SENT).exists()
                and len(mail.outbox) == 3
            )

        assert wait_for(all_sent), (list(EmailRecord.objects.values()), outcomes)
        assert wait_for(lambda: len(outcomes) == 4), outcomes

    # The scan ran once on the worker, then one send task per e-mail; nothing was retried.
    assert sorted(short_name(o.name) for o in outcomes) == ["scan_portfolio"] + ["send_email"] * 3
    assert {o.state for o in outcomes} == {"SUCCESS"}
    (scan_result,) = [o.retval for o in outcomes if short_name(o.name) == "scan_portfolio"]
    assert scan_result == {"opened": Flag.objects.count(), "resolved": 0, "emails_queued": 3}
    assert [o.retval for o in outcomes if short_name(o.name) == "send_email"] == ["sent"] * 3
    # The worker's scan wrote its flags in bulk, and still one history record each.
    assert Flag.history.count() == Flag.objects.count()
    assert set(
        Flag.history.values_list("history_type", "history_change_reason", "history_user")
    ) == {("+", "Opened by the scan", None)}

    # Every e-mail is recorded: to whom, what kind, about which initiative, when.
    assert set(
        EmailRecord.objects.values_list("kind", "recipient", "initiative__name", "attempts")
    ) == {
        (EmailKind.STALE_OWNERSHIP, "owner@example.org", "Claims triage", 1),
        (EmailKind.OWNERLESS, "sponsor@example.org", "Fraud scoring", 1),
        (EmailKind.OWNERLESS, "governance@example.org", "Fraud scoring", 1),
    }
    assert not EmailRecord.objects.filter(sent_at__isnull=True).exists()
    assert not EmailRecord.objects.filter(initiative=summariser).exists()

    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipient) == {
        ("owner@example.org",),
        ("sponsor@example.org",),
        ("governance@example.org",),
    }
    stale = by_recipient[("owner@example.org",)]
    assert stale.subject == "[Crossing] Do you still own Claims triage?"
    assert by_recipient[("sponsor@example.org",)].subject == (
        "[Crossing] Fraud scoring has no production owner"
    )
    assert by_recipient[("governance@example.org",)].subject == (
        "[Crossing] Fraud scoring has no production owner"
    )

    # Absolute links from PORTAL_BASE_URL: the one-click confirmation and the handover page.
    confirm_prefix = "https://crossing.example.org/ownership/confirm/"
    assert confirm_prefix in stale.body
    assert confirm_prefix in html_part(stale)
    token = stale.body.split(confirm_prefix, 1)[1].split("/", 1)[0]
    assert links.read_confirmation_token(token)["i"] == claims.pk
    handover_url = "https://crossing.example.org" + reverse(
        "initiative-handover", args=[claims.slug]
    )
    assert handover_url in stale.body
    ownerless_url = "https://crossing.example.org" + fraud.get_absolute_url()
    assert ownerless_url in by_recipient[("sponsor@example.org",)].body

    # Plain text with an HTML alternative, every one, each naming its outbox row.
    dedupe_keys = set(EmailRecord.objects.values_list("dedupe_key", flat=True))
    for message in mail.outbox:
        assert message.body.strip()
        assert "<html" in html_part(message)
        assert message.extra_headers["X-Crossing-Email"] in dedupe_keys
