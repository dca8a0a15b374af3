"""A request's id reaches the tasks it started, through a real broker and worker process,
and the worker counts the task's outcome where /metrics reads it.

Real processes: the API request runs here, its e-mail task is published to a private Redis
after commit, and `celery -A portal worker` (another process, JSON logs as in production)
sends the e-mail to a real SMTP server.
"""

import json

import pytest
from django.test import Client

from initiatives.core.choices import EmailStatus
from initiatives.models import EmailRecord
from ops.models import TaskOutcomeCount
from tests.factories import InitiativeFactory, UserFactory
from tests.support.components import (
    celery_broker,
    require_postgresql,
    smtp_server,
    wait_for,
    worker_environment,
    worker_process,
)

pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev dependency) runs the test SMTP server")

REQUEST_ID = "req-handover-0001"


def json_lines(log: str) -> list[dict]:
    return [json.loads(line) for line in log.splitlines() if line.startswith("{")]


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_the_task_a_request_started_logs_with_the_requests_id(private_redis, settings, tmp_path):
    require_postgresql(
        "a worker process must share the test database, and SQLite's test database is in memory"
    )
    settings.PORTAL_METRICS_TOKEN = "metrics-token"
    contributor = UserFactory(username="contributor")
    UserFactory(username="owner", email="owner@example.org")
    initiative = InitiativeFactory(name="Claims triage", members=[contributor])
    client = Client()
    client.force_login(contributor)

    with smtp_server() as smtp, celery_broker(private_redis.url):
        response = client.post(
            f"/api/v1/initiatives/{initiative.slug}/handover/",
            {"to_owner": "owner"},
            content_type="application/json",
            HTTP_X_REQUEST_ID=REQUEST_ID,
        )
        assert response.status_code == 201, response.content
        assert response["X-Request-ID"] == REQUEST_ID
        assert private_redis.queue_length() == 1  # the handover e-mail, queued after commit

        environment = worker_environment(
            broker_url=private_redis.url, smtp=smtp, PORTAL_LOG_FORMAT="json"
        )
        with worker_process("logs", environment, tmp_path / "worker.log") as worker:

            def sent_and_logged() -> bool:
                record = EmailRecord.objects.get()
                return record.status == EmailStatus.SENT and "succeeded" in worker.log()

            assert wait_for(sent_and_logged), worker.log()

    lines = json_lines(worker.log())
    task_lines = [line for line in lines if line.get("task_name") == "initiatives.tasks.send_email"]
    assert any("succeeded" in line["event"] for line in task_lines), worker.log()
    assert {line["request_id"] for line in task_lines} == {REQUEST_ID}
    assert all(line["task_id"] for line in task_lines)
    # The worker's own lines (start-up, say) carry no request id of anyone's.
    assert any("request_id" not in line for line in lines)
    (message,) = smtp.accepted
    assert message["To"] == "owner@example.org"

    # The worker counted the outcome; /metrics, in this process, shows it.
    counted = TaskOutcomeCount.objects.get(task="initiatives.tasks.send_email")
    assert (counted.outcome, counted.count) == ("succeeded", 1)
    page = client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-token").content.decode()
    assert (
        'crossing_celery_tasks_total{outcome="succeeded",task="initiatives.tasks.send_email"} 1.0'
        in page
    )
