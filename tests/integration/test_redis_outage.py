"""Redis stops while a user saves a change.

The save must succeed (a 302, not a 500) with its e-mail recorded as pending; once Redis is
back, the next scan brings the flags in line with the change, the sweep queues the e-mail,
and a worker sends it, once. The test runs its own Redis
server on a port of its own, so stopping it leaves the suite's broker alone.
"""

import logging
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import EmailKind, EmailStatus, FlagKind, Stage
from initiatives.models import EmailRecord, Flag, OwnershipHandover
from initiatives.outbox import sending
from initiatives.watch import tasks
from portal.celery import app
from tests.factories import FlagFactory, InitiativeFactory, UserFactory
from tests.support.clients import client_for
from tests.support.components import celery_broker, short_name, task_outcomes, wait_for


def warm_broker_connection() -> None:
    """A web process that has published before holds an open broker connection when Redis
    dies; so does this one."""
    with app.producer_pool.acquire(block=True, timeout=5) as producer:
        producer.connection.ensure_connection(max_retries=1)


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_saving_a_change_while_redis_is_down_succeeds_and_the_email_catches_up(
    private_redis, caplog
):
    # A worker started by an earlier test may have set the root logger to ERROR.
    caplog.set_level(logging.WARNING, logger="initiatives.outbox.sending")
    contributor = UserFactory(username="contributor")
    owner = UserFactory(username="owner", email="owner@example.org")
    initiative = InitiativeFactory(
        slug="claims-triage",
        name="Claims triage",
        stage=Stage.PILOT,
        stage_entered_at=timezone.now() - timedelta(days=20),
        members=[contributor],
    )
    # An earlier scan found the pilot without an owner; naming one ends that.
    ownerless = FlagFactory(
        initiative=initiative,
        kind=FlagKind.OWNERLESS,
        opened_at=timezone.now() - timedelta(days=3),
        facts={"reason": "no production owner is named"},
    )
    browser = client_for(contributor)

    with celery_broker(private_redis.url):
        warm_broker_connection()
        private_redis.stop()

        started = time.monotonic()
        response = browser.post(
            reverse("initiative-handover", args=[initiative.slug]),
            {"to_owner": owner.pk, "note": "Moving to the claims platform team."},
        )
        elapsed = time.monotonic() - started

        assert response.status_code == 302
        assert response["Location"] == initiative.get_absolute_url()
        assert elapsed < 15, f"the save waited {elapsed:.1f} s for the broker"
        initiative.refresh_from_db()
        assert initiative.production_owner == owner
        assert OwnershipHandover.objects.filter(initiative=initiative, to_owner=owner).exists()
        record = EmailRecord.objects.get()
        assert (record.kind, record.recipient) == (EmailKind.HANDOVER_REQUEST, owner.email)
        assert (record.status, record.attempts) == (EmailStatus.PENDING, 0)
        assert "the sweep will retry" in caplog.text

        private_redis.start()  # the same port: the app's broker URL has not changed
        assert private_redis.queue_length() == 0  # nothing reached the broker while it was down
        # The sweep leaves rows younger than a minute to their own task.
        assert sending.sweep() == []
        EmailRecord.objects.filter(pk=record.pk).update(
            created_at=F("created_at") - timedelta(minutes=2)
        )
        # What beat publishes once the broker is back: the scan, and two sweeps before a
        # worker is free (the e-mail is queued twice, and must still be sent once).
        tasks.scan_portfolio.delay()
        assert sending.sweep() == [record.pk]
        assert sending.sweep() == [record.pk]
        assert private_redis.queue_length() == 3

        with (
            task_outcomes() as outcomes,
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
        ):
            assert wait_for(lambda: len(outcomes) == 3), outcomes

    assert {o.state for o in outcomes} == {"SUCCESS"}
    (scan_result,) = [o.retval for o in outcomes if short_name(o.name) == "scan_portfolio"]
    assert scan_result["resolved"] == 1
    assert scan_result["emails_queued"] == 0
    assert sorted(o.retval for o in outcomes if short_name(o.name) == "send_email") == [
        "sent",
        "skipped",
    ]
    ownerless.refresh_from_db()
    assert ownerless.resolved_at is not None
    assert not Flag.objects.filter(
        resolved_at__isnull=True, kind__in=[FlagKind.OWNERLESS, FlagKind.STALE_OWNERSHIP]
    ).exists()
    record.refresh_from_db()
    assert (record.status, record.attempts) == (EmailStatus.SENT, 1)
    (message,) = mail.outbox
    assert message.to == ["owner@example.org"]
    assert message.subject == "[Crossing] You are named production owner of Claims triage"
