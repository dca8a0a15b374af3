"""E-mail over real SMTP: a server that refuses the first attempt with 451 (try again later).

The outbox row goes back to pending with the error kept and its next attempt scheduled; the
next attempt, once due, sends it, and the server takes the message exactly once — called
directly, through the task applied locally, and through a real worker that the sweep
queues when the next attempt is due.
"""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from initiatives.core.choices import EmailKind, EmailStatus
from initiatives.models import EmailRecord
from initiatives.outbox import sending, tasks
from initiatives.ownership import services
from tests.factories import InitiativeFactory, UserFactory
from tests.support.components import (
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


def wait_is_over(record: EmailRecord) -> None:
    """The clock reaches the e-mail's next attempt (set by the retry schedule)."""
    EmailRecord.objects.filter(pk=record.pk).update(next_attempt_at=timezone.now())


@pytest.mark.django_db
def test_an_email_refused_by_smtp_waits_for_its_next_attempt_which_sends_it(settings):
    with smtp_server(REFUSE) as server:
        use_smtp(settings, server)
        record = name_an_owner()

        before = timezone.now()
        with pytest.raises(smtplib.SMTPDataError):
            sending.send(record.pk)

        record.refresh_from_db()
        assert record.status == EmailStatus.PENDING
        assert record.attempts == 1
        assert record.claimed_at is None
        assert record.last_error.startswith("SMTPDataError: (451")
        # The first wait: between half and all of PORTAL_EMAIL_RETRY_BASE_SECONDS.
        base = timedelta(seconds=settings.PORTAL_EMAIL_RETRY_BASE_SECONDS)
        assert before + base / 2 <= record.next_attempt_at <= timezone.now() + base
        assert server.accepted == []
        # A task delivered before then (a duplicate, a sweep) leaves it alone.
        assert sending.send(record.pk) == "skipped"
        assert sending.sweep() == []
        assert server.handler.attempts == 1

        wait_is_over(record)
        assert sending.send(record.pk) == "sent"

        record.refresh_from_db()
        assert record.status == EmailStatus.SENT
        assert record.attempts == 2
        assert record.sent_at is not None
        assert record.next_attempt_at is None
        assert record.last_error == ""
        assert sending.send(record.pk) == "skipped"  # a late duplicate of the task
        assert server.handler.attempts == 2
        assert_delivered_once(server, record)
    assert mail.outbox == []  # it went over SMTP, not to the test outbox


@pytest.mark.django_db
def test_the_send_task_leaves_the_next_attempt_to_the_schedule(settings):
    with smtp_server(REFUSE) as server:
        use_smtp(settings, server)
        record = name_an_owner()

        # The task does not retry by itself (a retry hours away cannot wait in the broker).
        result = tasks.send_email.apply(args=[record.pk])

        assert result.state == "FAILURE"
        assert server.handler.attempts == 1
        record.refresh_from_db()
        assert (record.status, record.attempts) == (EmailStatus.PENDING, 1)
        assert record.next_attempt_at is not None

        wait_is_over(record)
        assert tasks.send_email.apply(args=[record.pk]).get(timeout=10) == "sent"
        record.refresh_from_db()
        assert (record.status, record.attempts) == (EmailStatus.SENT, 2)
        assert server.handler.attempts == 2
        assert_delivered_once(server, record)


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_email_when_the_sweep_finds_its_next_attempt_due(
    settings, celery_worker
):
    with smtp_server(REFUSE) as server, task_outcomes() as outcomes:
        use_smtp(settings, server)
        record = name_an_owner()  # queued to the broker once the change commits

        assert wait_for(lambda: len(outcomes) == 1), outcomes
        assert [(short_name(o.name), o.state) for o in outcomes] == [("send_email", "FAILURE")]
        assert sending.sweep() == []  # not due yet
        wait_is_over(record)
        assert sending.sweep() == [record.pk]  # what beat does every two minutes

        assert wait_for(lambda: len(outcomes) == 2), outcomes
        assert [(short_name(o.name), o.state) for o in outcomes][1] == ("send_email", "SUCCESS")
        assert outcomes[1].retval == "sent"
        record.refresh_from_db()
        assert (record.status, record.attempts, record.last_error) == (EmailStatus.SENT, 2, "")
        assert server.handler.attempts == 2
        assert_delivered_once(server, record)
