"""Celery task outcomes, counted by a real worker through Celery's own signals: a task that
succeeds, one that fails, and one whose e-mail the SMTP server refuses (a failed attempt:
the task does not retry, the e-mail's next attempt is scheduled for the sweep)."""

import pytest
from django.test import Client

from initiatives.outbox import tasks
from initiatives.ownership import services
from ops.models import TaskOutcomeCount
from tests.factories import InitiativeFactory, UserFactory
from tests.support.components import REFUSE, smtp_server, use_smtp, wait_for

pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev dependency) runs the test SMTP server")


def counted() -> dict[tuple[str, str], int]:
    return {
        (row.task.rsplit(".", 1)[-1], row.outcome): row.count
        for row in TaskOutcomeCount.objects.all()
    }


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_counts_successes_and_failures(celery_worker, settings):
    settings.PORTAL_METRICS_TOKEN = "metrics-token"
    contributor = UserFactory(username="contributor")
    owner = UserFactory(username="owner", email="owner@example.org")
    initiative = InitiativeFactory(name="Claims triage", members=[contributor])

    tasks.sweep_emails.delay()
    tasks.send_email.delay("not-an-e-mail-id")  # fails: no such e-mail can exist
    with smtp_server(REFUSE) as smtp:
        use_smtp(settings, smtp)
        services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
        expected = {
            ("sweep_emails", "succeeded"): 1,
            ("send_email", "failed"): 2,
        }
        assert wait_for(lambda: expected.items() <= counted().items()), counted()
        assert counted() == expected

    page = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-token").content.decode()
    for (task, outcome), count in expected.items():
        line = f'crossing_celery_tasks_total{{outcome="{outcome}",task="initiatives.tasks.{task}"}}'
        assert f"{line} {count}.0" in page
