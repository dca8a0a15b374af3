"""The portfolio summary endpoint, the stored health status that feeds it, the reached
filter, and the large-portfolio seed command."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from initiatives.core.choices import FlagKind, HealthStatus, Stage
from initiatives.dashboards import selectors
from initiatives.health import services as health_services
from initiatives.models import Flag, Initiative, StageTransition
from initiatives.portfolio import services as portfolio_services
from initiatives.watch import scan
from tests.factories import (
    BusinessUnitFactory,
    InitiativeFactory,
    StageTransitionFactory,
    UserFactory,
)
from tests.support.clients import api_client_for
from tests.support.gates import accepted_owner, approve_promotion, case

NOW = timezone.now()


@pytest.fixture
def portfolio(db):
    """Two units. Risk: 2 in POC (one 100 days, stalled), 1 in pilot, 1 in production,
    1 cancelled from pilot. Finance: 1 in POC."""
    risk, finance = BusinessUnitFactory(name="Risk"), BusinessUnitFactory(name="Finance")
    days = lambda n: NOW - timedelta(days=n)  # noqa: E731
    made = {
        "old-poc": InitiativeFactory(
            business_unit=risk, stage=Stage.POC, stage_entered_at=days(100)
        ),
        "new-poc": InitiativeFactory(
            business_unit=risk, stage=Stage.POC, stage_entered_at=days(10)
        ),
        "pilot": InitiativeFactory(
            business_unit=risk, stage=Stage.PILOT, stage_entered_at=days(30)
        ),
        "live": InitiativeFactory(business_unit=risk, stage=Stage.PRODUCTION),
        "dropped": InitiativeFactory(business_unit=risk, stage=Stage.CANCELLED),
        "finance-poc": InitiativeFactory(
            business_unit=finance, stage=Stage.POC, stage_entered_at=days(40)
        ),
    }
    StageTransitionFactory(
        initiative=made["dropped"], from_stage=Stage.POC, to_stage=Stage.PILOT, at=days(50)
    )
    StageTransitionFactory(
        initiative=made["dropped"], from_stage=Stage.PILOT, to_stage=Stage.CANCELLED, at=days(5)
    )
    return made


def test_summary_endpoint_gives_the_dashboards_numbers(portfolio, viewer):
    scan.scan_portfolio()
    body = api_client_for(viewer).get("/api/v1/portfolio/").json()
    stages = {t["key"]: t["count"] for t in body["stages"]}
    assert stages == {
        "idea": 0, "poc": 3, "pilot": 1, "production": 1, "retired": 0, "cancelled": 1
    }  # fmt: skip
    assert body["total"] == 6
    poc_to_pilot, pilot_to_production = body["conversions"]
    # Every initiative here entered POC; pilot was reached by the pilot, the production
    # system and the one cancelled in pilot.
    assert (poc_to_pilot["entered"], poc_to_pilot["reached"]) == (6, 3)
    assert poc_to_pilot["rate"] == pytest.approx(0.5)
    assert (pilot_to_production["entered"], pilot_to_production["reached"]) == (3, 1)
    poc, pilot = body["valley"]
    assert (poc["count"], poc["stalled"], poc["worst_days"]) == (3, 1, 100)
    assert poc["median_days"] == pytest.approx(40, abs=0.1)
    assert (pilot["count"], pilot["median_days"], pilot["worst_days"]) == (1, 30.0, 30)
    flags = {t["key"]: t["count"] for t in body["flags"]}
    assert flags[FlagKind.STALLED] == 1
    # The production system has never reported: silent.
    assert {t["key"]: t["count"] for t in body["health"]}[HealthStatus.SILENT] == 1
    assert body["scan"]["overdue"] is False


def test_every_summary_number_is_the_count_of_its_api_list(portfolio, viewer):
    scan.scan_portfolio()
    client = api_client_for(viewer)
    body = client.get("/api/v1/portfolio/?business_unit=Risk").json()
    assert body["business_unit"] == "Risk"
    assert body["total"] == 5
    numbers = [(t["count"], t["api_url"]) for t in body["stages"] + body["flags"] + body["health"]]
    numbers += [(c["reached"], c["api_url"]) for c in body["conversions"]]
    for count, url in numbers:
        assert client.get(url).json()["count"] == count, url


def test_an_unknown_business_unit_is_a_field_error(portfolio, viewer):
    response = api_client_for(viewer).get("/api/v1/portfolio/?business_unit=Nowhere")
    assert response.status_code == 400
    body = response.content.decode()
    assert '"business_unit"' in body
    assert "No business unit is named “Nowhere”" in body


def test_summary_needs_a_signed_in_person_not_a_machine_client(portfolio, db):
    assert APIClient().get("/api/v1/portfolio/").status_code == 401
    machine = UserFactory(username="prober")
    call_command("grant_health_reporting", "prober", portfolio["live"].slug, verbosity=0)
    from django.contrib.auth.models import Group

    from initiatives.core.permissions import MACHINE_CLIENTS_GROUP

    machine.groups.add(Group.objects.get_or_create(name=MACHINE_CLIENTS_GROUP)[0])
    assert api_client_for(machine).get("/api/v1/portfolio/").status_code == 403


def test_summary_query_count_does_not_grow_with_the_portfolio(
    portfolio, viewer, django_assert_max_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client_for(viewer)
    scan.scan_portfolio()  # something needs attention at both sizes
    client.get("/api/v1/portfolio/")  # the token's first use is recorded (once a minute)
    cache.clear()  # both sizes read the value figures from the database (value.cache)
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/portfolio/")
    for n in range(30):
        InitiativeFactory(stage=[Stage.POC, Stage.PILOT, Stage.PRODUCTION][n % 3])
    scan.scan_portfolio()
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        client.get("/api/v1/portfolio/")
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_health_status_is_stored_by_a_push_and_cleared_when_leaving_production(db, viewer):
    live = InitiativeFactory(stage=Stage.PRODUCTION)
    reporter = UserFactory(username="reporter")
    call_command("grant_health_reporting", "reporter", live.slug, verbosity=0)
    health_services.health_reports_ingest(
        initiative=live,
        actor=reporter,
        reports=[{"observed_at": NOW - timedelta(minutes=5), "availability": 99.99}],
    )
    live.refresh_from_db()
    assert live.health_status == HealthStatus.HEALTHY
    health_services.health_reports_ingest(
        initiative=live,
        actor=reporter,
        reports=[{"observed_at": NOW - timedelta(minutes=1), "availability": 50.0}],
    )
    live.refresh_from_db()
    assert live.health_status == HealthStatus.FAILING
    Initiative.objects.filter(pk=live.pk).update(stage=Stage.RETIRED)
    scan.scan_portfolio()
    live.refresh_from_db()
    assert live.health_status == ""


def test_the_scan_stores_silence(db):
    live = InitiativeFactory(stage=Stage.PRODUCTION)
    scan.scan_portfolio()
    live.refresh_from_db()
    assert live.health_status == HealthStatus.SILENT
    assert Flag.objects.filter(initiative=live, kind=FlagKind.HEALTH_SILENT).exists()


def test_the_scan_computes_production_health_once(db, django_assert_num_queries):
    """Three health rules share one health query (it used to run once per rule)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    InitiativeFactory(stage=Stage.PRODUCTION)
    with CaptureQueriesContext(connection) as queries:
        scan.scan_portfolio(dry_run=True)
    # The health query is the one that computes the eval baseline.
    health_reads = [q for q in queries.captured_queries if "baseline_mean" in q["sql"]]
    assert len(health_reads) == 1


def test_seed_portfolio_builds_a_realistic_portfolio_once(db):
    call_command("seed_portfolio", initiatives=60, health_days=3, verbosity=0)
    assert Initiative.objects.filter(slug__startswith="load-").count() == 60
    stages = set(Initiative.objects.values_list("stage", flat=True))
    assert {Stage.POC, Stage.PRODUCTION, Stage.CANCELLED} <= stages
    # Every initiative beyond idea walked there one recorded step at a time.
    beyond = Initiative.objects.exclude(stage=Stage.IDEA).count()
    assert StageTransition.objects.values("initiative").distinct().count() == beyond
    assert Initiative.history.filter(slug__startswith="load-").count() >= 60
    with pytest.raises(CommandError, match="already has a seeded portfolio"):
        call_command("seed_portfolio", initiatives=5, verbosity=0)


def test_health_status_follows_the_stage_moves_of_the_service(
    db, staff, contributor, owner, reviewer
):
    """Entering production judges the system at once (silent: no reports yet); leaving
    clears it, so the dashboards never count a retired system's old badge."""
    live = InitiativeFactory(stage=Stage.PILOT)
    Initiative.objects.filter(pk=live.pk).update(stage=Stage.PRODUCTION)
    live.refresh_from_db()
    portfolio_services.initiative_transition(
        initiative=live, actor=staff, to_stage=Stage.RETIRED, note="switched off"
    )
    live.refresh_from_db()
    assert live.health_status == ""
    other = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    accepted_owner(other, owner)
    approve_promotion(other, reviewer)
    case(other)  # an approved case and complete readiness: every production gate passes
    portfolio_services.initiative_transition(
        initiative=other, actor=contributor, to_stage=Stage.PRODUCTION
    )
    other.refresh_from_db()
    assert other.health_status == HealthStatus.SILENT


def test_the_api_list_shows_and_filters_health(db, viewer):
    failing = InitiativeFactory(slug="failing-one", stage=Stage.PRODUCTION, health_status="failing")
    InitiativeFactory(slug="healthy-one", stage=Stage.PRODUCTION, health_status="healthy")
    InitiativeFactory(slug="in-poc", stage=Stage.POC)
    body = api_client_for(viewer).get("/api/v1/initiatives/?health=failing").json()
    assert [row["slug"] for row in body["results"]] == [failing.slug]
    assert body["results"][0]["health_status"] == "failing"
    everyone = api_client_for(viewer).get("/api/v1/initiatives/?ordering=health").json()["results"]
    assert [row["health_status"] for row in everyone] == ["healthy", "failing", ""]


def test_my_works_full_list_counts_what_my_work_counts(db, owner, as_user):
    """Found by review: My work counted backed-up systems but linked to owned ones only."""

    InitiativeFactory(slug="mine-1", production_owner=owner)
    InitiativeFactory(slug="mine-2", production_owner=owner)
    InitiativeFactory(slug="backed-up", backup_owner=owner, production_owner=UserFactory())
    InitiativeFactory(slug="not-mine")
    work = selectors.my_work(owner)
    listed = as_user(owner).get(work.owned_url)
    assert work.owned_total == listed.context["paginator"].count == 3
