"""E-mail retries: an SMTP outage of a day loses nothing, and governance sends a failed
e-mail again, on the E-mails page or through the API.

The clock is the sweep's: beat runs `sweep_emails` every PORTAL_EMAIL_SWEEP_SECONDS, and a
worker runs each `send_email` it queues (here, at once). SMTP is down until a test says so.
"""

import contextlib
import itertools
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from initiatives.core.choices import EmailKind, EmailStatus
from initiatives.core.people import display_name
from initiatives.models import EmailRecord
from initiatives.outbox import sending, tasks
from initiatives.ownership import services
from tests.factories import InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db

SWEEP = timedelta(seconds=120)  # beat's default
DAY = timedelta(days=1)


class SMTPOutage(EmailBackend):
    """The test outbox, behind an SMTP server that refuses everything while `down`."""

    down = True

    def send_messages(self, messages):
        if SMTPOutage.down:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now


@pytest.fixture
def outbox(settings, monkeypatch):
    """SMTP down, a clock that moves only when told, and a worker that runs each task as it
    is queued (logging a failure, as a worker does, rather than raising it)."""
    settings.EMAIL_BACKEND = f"{__name__}.SMTPOutage"
    monkeypatch.setattr(SMTPOutage, "down", True)
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    attempts = []

    def worker(args, **kwargs):
        attempts.append(clock.now)
        with contextlib.suppress(smtplib.SMTPException):
            sending.send(*args)

    monkeypatch.setattr(tasks.send_email, "apply_async", worker)
    return clock, attempts


def name_an_owner(django_capture_on_commit_callbacks) -> EmailRecord:
    contributor = UserFactory(username="contributor")
    owner = UserFactory(username="owner", email="owner@example.org")
    initiative = InitiativeFactory(name="Claims triage", members=[contributor])
    with django_capture_on_commit_callbacks(execute=True):
        services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    return EmailRecord.objects.get(kind=EmailKind.HANDOVER_REQUEST)


def sweep_for(clock, duration: timedelta, until=lambda: False) -> None:
    """Beat's sweeps for `duration` (or until `until()`), one every SWEEP."""
    end = clock.now + duration
    while clock.now < end and not until():
        clock.now += SWEEP
        tasks.sweep_emails()


def test_a_handover_request_survives_a_day_long_smtp_outage_and_is_sent_once(
    outbox, django_capture_on_commit_callbacks
):
    clock, attempts = outbox
    record = name_an_owner(django_capture_on_commit_callbacks)
    record.refresh_from_db()
    assert (record.status, record.attempts) == (EmailStatus.PENDING, 1)
    assert record.next_attempt_at > clock.now
    # A task delivered before the next attempt is due sends nothing.
    assert sending.send(record.pk) == "skipped"

    sweep_for(clock, timedelta(minutes=16))
    record.refresh_from_db()
    assert record.status == EmailStatus.PENDING, "16 minutes of outage used up every attempt"
    assert record.attempts < 8

    sweep_for(clock, DAY - timedelta(minutes=16))
    record.refresh_from_db()
    assert record.status == EmailStatus.PENDING
    assert record.attempts == len(attempts) < 16
    waits = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert waits[0] >= timedelta(minutes=1)
    assert waits[-1] > timedelta(hours=2)  # backing off, not hammering a server that is down
    assert record.last_error.startswith("SMTPServerDisconnected")

    SMTPOutage.down = False
    sweep_for(clock, timedelta(hours=7), until=lambda: len(mail.outbox) > 0)
    record.refresh_from_db()
    assert record.status == EmailStatus.SENT
    assert record.next_attempt_at is None
    (message,) = mail.outbox
    assert message.to == ["owner@example.org"]
    # Late sweeps and duplicate tasks change nothing.
    sweep_for(clock, timedelta(hours=1))
    assert sending.send(record.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_an_email_that_never_gets_through_is_marked_failed_no_sooner_than_a_day(
    outbox, django_capture_on_commit_callbacks, settings
):
    clock, attempts = outbox
    record = name_an_owner(django_capture_on_commit_callbacks)

    sweep_for(
        clock,
        timedelta(days=3),
        until=lambda: EmailRecord.objects.filter(status=EmailStatus.FAILED).exists(),
    )

    record.refresh_from_db()
    assert record.status == EmailStatus.FAILED
    assert record.attempts == len(attempts) == settings.PORTAL_EMAIL_MAX_ATTEMPTS
    assert attempts[-1] - attempts[0] >= DAY
    assert mail.outbox == []


def test_the_default_schedule_spans_at_least_a_day_whatever_the_jitter():
    assert sending.retry_span(jitter=0) >= DAY
    assert [sending.retry_delay(n, jitter=1).total_seconds() for n in (1, 2, 3)] == [
        120,
        240,
        480,
    ]
    assert sending.retry_delay(1, jitter=0) == timedelta(seconds=60)
    assert sending.retry_delay(20, jitter=1) == timedelta(hours=6)


# --- Sending a failed e-mail again -----------------------------------------------------------


@pytest.fixture
def failed(outbox, django_capture_on_commit_callbacks) -> EmailRecord:
    clock, _ = outbox
    record = name_an_owner(django_capture_on_commit_callbacks)
    sweep_for(
        clock,
        timedelta(days=3),
        until=lambda: EmailRecord.objects.filter(status=EmailStatus.FAILED).exists(),
    )
    record.refresh_from_db()
    assert record.status == EmailStatus.FAILED
    SMTPOutage.down = False  # the server is back; nothing sends a failed e-mail by itself
    sweep_for(clock, timedelta(hours=1))
    assert mail.outbox == []
    return record


def test_governance_sends_a_failed_email_again_from_the_email_log(
    failed, reviewer, as_user, django_capture_on_commit_callbacks
):
    client = as_user(reviewer)
    page = client.get(reverse("email-list"), {"status": "failed"})
    send_again = reverse("email-send-again", args=[failed.pk])
    assert f'action="{send_again}"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(send_again, {"status": "failed"})

    assert response.status_code == 302
    assert response["Location"] == reverse("email-list") + "?status=failed"
    failed.refresh_from_db()
    assert failed.status == EmailStatus.SENT
    assert failed.attempts == 1  # a fresh schedule
    assert (failed.resent_by, failed.resent_at) == (reviewer, timezone.now())
    (message,) = mail.outbox
    assert message.to == ["owner@example.org"]
    shown = client.get(reverse("email-list")).content.decode()
    assert f"Sent again by {display_name(reviewer)}" in shown
    assert f'action="{send_again}"' not in shown  # sent: no button

    # Pressed again (a second tab, a double click): nothing is sent twice.
    again = client.post(send_again, follow=True)
    assert "Only a failed e-mail can be sent again; this one is sent." in again.content.decode()
    assert len(mail.outbox) == 1


def test_only_governance_may_send_an_email_again_from_the_page(failed, contributor, as_user):
    response = as_user(contributor).post(reverse("email-send-again", args=[failed.pk]))
    assert response.status_code == 403
    failed.refresh_from_db()
    assert (failed.status, failed.resent_by) == (EmailStatus.FAILED, None)


def test_governance_sends_a_failed_email_again_through_the_api(
    failed, reviewer, viewer, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(reviewer)
    listed = api.get(reverse("api:email-list"), {"status": "failed"}).json()
    assert [e["id"] for e in listed["results"]] == [failed.pk]
    assert listed["results"][0]["attempts"] == 16

    path = reverse("api:email-send-again", kwargs={"pk": failed.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(path, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "pending"  # queued; the worker sends it after commit
    assert response.json()["resent_by"] == "reviewer"
    failed.refresh_from_db()
    assert failed.status == EmailStatus.SENT
    assert len(mail.outbox) == 1

    again = api.post(path, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "Only a failed e-mail can be sent again; this one is sent."}

    viewer_api = APIClient()
    viewer_api.force_authenticate(viewer)
    assert viewer_api.get(reverse("api:email-list")).status_code == 403
    assert viewer_api.post(path, format="json").status_code == 403
    assert len(mail.outbox) == 1


def test_someone_outside_governance_cannot_tell_which_emails_exist(contributor, as_user):
    client = as_user(contributor)
    assert client.post(reverse("email-send-again", args=[999999])).status_code == 403


def test_a_failed_email_to_someone_who_has_left_is_not_sent_again(
    failed, reviewer, as_user, django_capture_on_commit_callbacks
):
    """The new owner left while their handover request was failing: sending it again would
    reach nobody who acts on it. The log says so instead of offering the button."""
    failed.recipient_user.is_active = False
    failed.recipient_user.save()
    client = as_user(reviewer)
    send_again = reverse("email-send-again", args=[failed.pk])

    shown = client.get(reverse("email-list"), {"status": "failed"}).content.decode()
    assert "Recipient has left" in shown
    assert f'action="{send_again}"' not in shown
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(send_again, follow=True)
    api = APIClient()
    api.force_authenticate(reviewer)
    refused = api.post(reverse("api:email-send-again", kwargs={"pk": failed.pk}), format="json")

    assert "belongs to a deactivated account" in page.content.decode()
    assert refused.status_code == 409
    assert "belongs to a deactivated account" in refused.json()["detail"]
    failed.refresh_from_db()
    assert (failed.status, failed.resent_by) == (EmailStatus.FAILED, None)
    assert mail.outbox == []
