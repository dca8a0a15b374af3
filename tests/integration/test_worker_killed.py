"""A worker process killed (kill -9) while it is talking to the SMTP server.

The e-mail was claimed (status `sending`) and never handed over: nothing acknowledges the
task and nothing puts the row back. The sweep sees the claim go stale, queues the e-mail
again, a fresh worker sends it, and the SMTP server takes it exactly once.

Real processes throughout: `celery -A portal worker` against a private Redis server, the
test's PostgreSQL database (an SQLite test database lives in this process's memory, so a
worker process cannot share it), and an SMTP server that stalls on the first message.
"""

import time

import pytest

from initiatives.core.choices import EmailStatus
from initiatives.models import EmailRecord
from initiatives.outbox import sending
from initiatives.ownership import services
from tests.factories import InitiativeFactory, UserFactory
from tests.support.components import (
    STALL,
    celery_broker,
    require_postgresql,
    smtp_server,
    wait_for,
    worker_environment,
    worker_process,
)

pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev dependency) runs the test SMTP server")

CLAIM_TIMEOUT_SECONDS = 1


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_still_sends_the_email_once(private_redis, settings, tmp_path):
    require_postgresql(
        "a worker process must share the test database, and SQLite's test database is in memory"
    )
    # A claim older than this belonged to a worker that died: for the sweep (this process)
    # and for the claim the fresh worker makes (its environment).
    settings.PORTAL_EMAIL_CLAIM_TIMEOUT_SECONDS = CLAIM_TIMEOUT_SECONDS
    contributor = UserFactory(username="contributor")
    owner = UserFactory(username="owner", email="owner@example.org")
    initiative = InitiativeFactory(name="Claims triage", members=[contributor])

    with smtp_server(STALL) as smtp, celery_broker(private_redis.url):
        environment = worker_environment(
            broker_url=private_redis.url,
            smtp=smtp,
            PORTAL_EMAIL_CLAIM_TIMEOUT_SECONDS=str(CLAIM_TIMEOUT_SECONDS),
        )
        services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
        record = EmailRecord.objects.get()
        assert private_redis.queue_length() == 1  # queued after commit

        with worker_process("doomed", environment, tmp_path / "doomed.log") as doomed:
            assert wait_for(smtp.handler.stalled.is_set), doomed.log()
            record.refresh_from_db()
            assert (record.status, record.attempts) == (EmailStatus.SENDING, 1)
            doomed.kill()
        assert doomed.process.returncode == -9

        # Mid-send, killed: claimed, never sent, never acknowledged, never put back.
        record.refresh_from_db()
        assert (record.status, record.attempts, record.sent_at) == (EmailStatus.SENDING, 1, None)
        assert smtp.accepted == []
        assert private_redis.queue_length() == 0

        time.sleep(CLAIM_TIMEOUT_SECONDS + 0.2)  # the dead worker's claim goes stale
        # Two sweeps (beat runs one every two minutes) before any worker is back: the e-mail
        # is queued twice, and must still be sent once.
        assert sending.sweep() == [record.pk]
        assert sending.sweep() == [record.pk]
        assert private_redis.queue_length() == 2

        with worker_process("fresh", environment, tmp_path / "fresh.log") as fresh:

            def both_deliveries_done() -> bool:
                log = fresh.log()
                return "succeeded" in log and "'sent'" in log and "'skipped'" in log

            assert wait_for(both_deliveries_done), fresh.log()

        record.refresh_from_db()
        assert (record.status, record.attempts) == (EmailStatus.SENT, 2)
        assert record.sent_at is not None
        (message,) = smtp.accepted
        assert message["To"] == "owner@example.org"
        assert message["X-Crossing-Email"] == record.dedupe_key
        assert smtp.handler.attempts == 2  # the abandoned attempt, then the one that counted
