"""A worker stopped with SIGTERM (a deploy, a scale-down, Ctrl-C under honcho) loses nothing.

Celery's warm shutdown: the worker stops taking messages, finishes the task it is running,
acknowledges it, and exits; a message it had not started stays on the broker for the next
worker (late acknowledgement, prefetch of one). Real processes throughout: the production
pool (prefork), a private Redis server, the test's PostgreSQL database, and an SMTP server
that holds the first message until the test lets it through.
"""

import time

import pytest

from initiatives.core.choices import EmailStatus
from initiatives.models import EmailRecord
from initiatives.ownership import services
from tests.factories import InitiativeFactory, UserFactory
from tests.support.components import (
    HOLD,
    celery_broker,
    require_postgresql,
    smtp_server,
    wait_for,
    worker_environment,
    worker_process,
)

pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev dependency) runs the test SMTP server")


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_sigterm_finishes_the_running_task_and_leaves_the_queued_one(private_redis, tmp_path):
    require_postgresql(
        "a worker process must share the test database, and SQLite's test database is in memory"
    )
    contributor = UserFactory(username="contributor")
    first_owner = UserFactory(username="first", email="first@example.org")
    second_owner = UserFactory(username="second", email="second@example.org")
    claims = InitiativeFactory(name="Claims triage", members=[contributor])
    fraud = InitiativeFactory(name="Fraud scoring", members=[contributor])

    with smtp_server(HOLD) as smtp, celery_broker(private_redis.url):
        environment = worker_environment(broker_url=private_redis.url, smtp=smtp)
        services.handover_start(initiative=claims, actor=contributor, to_owner=first_owner)
        services.handover_start(initiative=fraud, actor=contributor, to_owner=second_owner)
        assert private_redis.queue_length() == 2

        log = tmp_path / "stopped.log"
        with worker_process("stopped", environment, log, pool="prefork") as stopped:
            assert wait_for(smtp.handler.stalled.is_set), stopped.log()
            # One task running (held by the SMTP server), the other still on the broker.
            assert private_redis.queue_length() == 1

            stopped.terminate()
            assert wait_for(lambda: "warm shutdown" in stopped.log().lower()), stopped.log()
            time.sleep(1)
            assert stopped.process.poll() is None, "exited with its task unfinished"

            smtp.handler.release.set()  # the running task may finish now
            stopped.process.wait(timeout=30)
        assert stopped.process.returncode == 0, stopped.log()

        in_progress = EmailRecord.objects.get(recipient="first@example.org")
        queued = EmailRecord.objects.get(recipient="second@example.org")
        assert (in_progress.status, in_progress.attempts) == (EmailStatus.SENT, 1)
        assert (queued.status, queued.attempts) == (EmailStatus.PENDING, 0)
        assert private_redis.queue_length() == 1  # still there for the next worker
        assert [m["To"] for m in smtp.accepted] == ["first@example.org"]

        with worker_process("next", environment, tmp_path / "next.log") as following:

            def sent() -> bool:
                queued.refresh_from_db()
                return queued.status == EmailStatus.SENT

            assert wait_for(sent), following.log()

    assert sorted(m["To"] for m in smtp.accepted) == ["first@example.org", "second@example.org"]
    assert private_redis.queue_length() == 0
