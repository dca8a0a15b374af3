"""The dashboards fed by the real machinery: a health push over the API stores the system's
status at once; the scan, published to the broker (Redis in CI) and run by a worker thread,
judges the silent ones and raises the flags; the portfolio and the governance queue then
show those numbers, each linking to a list of as many."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import Stage
from initiatives.models import Initiative, ScanRun
from initiatives.watch import tasks
from tests.factories import (
    AuthTokenFactory,
    HealthReporterGrantFactory,
    InitiativeFactory,
    UserFactory,
)
from tests.support.components import require_postgresql, task_outcomes, wait_for


def tallies(summary) -> dict[str, int]:
    return {
        **{f"flag:{t.key}": t.count for t in summary.flags if t.count},
        **{f"health:{t.key}": t.count for t in summary.health if t.count},
        "stalled in poc": summary.valley[0].stalled,
    }


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_a_push_and_a_scan_through_a_real_worker_reach_the_dashboards(celery_worker):
    require_postgresql(
        "the worker thread's scan writes while this test polls, which SQLite's shared "
        "in-memory database answers with 'table is locked'"
    )
    now = timezone.now()
    InitiativeFactory(
        slug="summariser", stage=Stage.POC, stage_entered_at=now - timedelta(days=100)
    )
    quiet = InitiativeFactory(slug="quiet", stage=Stage.PRODUCTION)
    pushing = InitiativeFactory(slug="pushing", stage=Stage.PRODUCTION)
    probe = UserFactory(username="probe", machine_client=True)
    HealthReporterGrantFactory(user=probe, initiative=pushing)
    token = AuthTokenFactory(user=probe).key
    reviewer = UserFactory(username="reviewer", governance=True)
    client = Client()
    client.force_login(reviewer)

    pushed = Client().post(
        f"/api/v1/initiatives/{pushing.slug}/health/reports/",
        {"observed_at": now.isoformat(), "availability": 90.0},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert pushed.status_code == 201, pushed.content
    # The push judged its own system at once; the quiet one waits for the scan.
    assert Initiative.objects.get(pk=pushing.pk).health_status == "failing"
    before = client.get(reverse("portfolio")).context["summary"]
    assert tallies(before) == {"health:failing": 1, "health:unchecked": 1, "stalled in poc": 0}
    assert (
        "The portfolio scan is not running."
        in client.get(reverse("governance-queue")).content.decode()
    )

    with task_outcomes() as outcomes:
        tasks.scan_portfolio.delay()
        assert wait_for(ScanRun.objects.filter(finished_at__isnull=False).exists), outcomes

    assert Initiative.objects.get(pk=quiet.pk).health_status == "silent"
    response = client.get(reverse("portfolio"))
    assert tallies(response.context["summary"]) == {
        "flag:stalled": 1,
        "flag:ownerless": 2,  # neither production system has an owner
        "flag:business_case_missing": 2,  # nor an approved business case
        "flag:unclassified": 2,  # nor a confirmed EU AI Act classification
        # Health is counted once, by status (the health flags are not tallied again).
        "health:failing": 1,
        "health:silent": 1,
        "stalled in poc": 1,
    }
    summary = response.context["summary"]
    for tally in [*summary.flags, *summary.health]:
        assert client.get(tally.url).context["paginator"].count == tally.count, tally.url
    queue = client.get(reverse("governance-queue"))
    assert not queue.context["scan"].overdue
    assert queue.context["queue"].stalled.total == 1
    assert queue.context["queue"].unhealthy.total == 2
