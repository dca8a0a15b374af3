"""E-mail over real SMTP: a server that refuses the first attempt with 451 (try again later).

The outbox row goes back to pending with the error kept, the next attempt sends it, and the
server takes the message exactly once — called directly, through the task applied locally,
and through a real worker that retries the task after its backoff.
"""

import smtplib

import pytest
from django.core import mail

from initiatives import emails, services, tasks
from initiatives.choices import EmailKind, EmailStatus
from initiatives.models import EmailRecord
from tests.factories import InitiativeFactory, UserFactory
from tests.integration.support import (
    REFUSE,
    short_name,
    smtp_server,
    task_outcomes,
    use_smtp,
    wait_for,
)

pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev dependency) runs the test SMTP server")


def name_an_owner() -> EmailRecord:
    """The handover request e-mail, recorded in the outbox like any change that causes one."""
    contributor = UserFactory(username="contributor")
    owner = UserFactory(username="owner", email="owner@example.org")
    initiative = InitiativeFactory(name="Claims triage", members=[contributor])
    services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    return EmailRecord.objects.get(kind=EmailKind.HANDOVER_REQUEST)


def assert_delivered_once(server, record: EmailRecord) -> None:
    (message,) = server.accepted
    assert message["To"] == "owner@example.org"
    assert message["Subject"] == "[Crossing] You are named production owner of Claims triage"
    assert message["X-Crossing-Email"] == record.dedupe_key
    assert message.is_multipart()
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}


@pytest.mark.django_db
def test_an_email_refused_by_smtp_stays_pending_and_the_next_attempt_sends_it(settings):
    with smtp_server(REFUSE) as server:
        use_smtp(settings, server)
        record = name_an_owner()

        with pytest.raises(smtplib.SMTPDataError):
            emails.send(record.pk)

        record.refresh_from_db()
        assert record.status == EmailStatus.PENDING
        assert record.attempts == 1
        assert record.claimed_at is None
        assert record.last_error.startswith("SMTPDataError: (451")
        assert server.accepted == []

        assert emails.send(record.pk) == "sent"

        record.refresh_from_db()
        assert record.status == EmailStatus.SENT
        assert record.attempts == 2
        assert record.sent_at is not None
        assert record.last_error == ""
        assert emails.send(record.pk) == "skipped"  # a late duplicate of the task
        assert server.handler.attempts == 2
        assert_delivered_once(server, record)
    assert mail.outbox == []  # it went over SMTP, not to the test outbox


@pytest.mark.django_db
def test_the_send_task_retries_when_smtp_refuses_the_first_attempt(settings):
    with smtp_server(REFUSE) as server:
        use_smtp(settings, server)
        record = name_an_owner()

        # Applied locally, a retry runs at once instead of after its backoff.
        result = tasks.send_email.apply(args=[record.pk])

        assert result.get(timeout=10) == "sent"
        assert result.task_id
        record.refresh_from_db()
        assert (record.status, record.attempts) == (EmailStatus.SENT, 2)
        assert server.handler.attempts == 2
        assert_delivered_once(server, record)


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_the_email_after_an_smtp_failure(
    settings, monkeypatch, celery_worker
):
    # The task backs off 0-30 s (full jitter) before its first retry; keep the test short.
    # The backoff is computed when the task fails, so this reaches the worker thread too.
    monkeypatch.setattr("celery.app.autoretry.get_exponential_backoff_interval", lambda **_: 1)
    with smtp_server(REFUSE) as server, task_outcomes() as outcomes:
        use_smtp(settings, server)
        record = name_an_owner()  # queued to the broker once the change commits

        assert wait_for(lambda: len(outcomes) == 2), outcomes
        assert [(short_name(o.name), o.state) for o in outcomes] == [
            ("send_email", "RETRY"),
            ("send_email", "SUCCESS"),
        ]
        assert outcomes[1].retval == "sent"
        record.refresh_from_db()
        assert (record.status, record.attempts, record.last_error) == (EmailStatus.SENT, 2, "")
        assert server.handler.attempts == 2
        assert_delivered_once(server, record)
