"""The dashboards' counters (issue 19; README "Dashboards at volume"): kept by PostgreSQL's
triggers on every write path (services, bulk statements, fixtures, deletes), equal to a
recount after each, serialised per initiative between transactions, and read by the
portfolio and the governance queue in a number of queries that does not grow."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import (
    ClassificationStatus,
    FlagKind,
    HealthStatus,
    RegulatoryCategory,
    Stage,
)
from initiatives.dashboards import standings
from initiatives.dashboards.models import Standing, StandingCount
from initiatives.dashboards.selectors import ranked_unhealthy, unhealthy_systems
from initiatives.dashboards.summary import (
    needing_attention,
    portfolio_summary,
    ranked_for_attention,
)
from initiatives.models import Flag, Initiative, StageTransition
from initiatives.portfolio.services import initiative_transition
from initiatives.watch import scan
from ops.configuration import findings
from tests.factories import (
    BusinessUnitFactory,
    ClassificationFactory,
    FlagFactory,
    InitiativeFactory,
    StageTransitionFactory,
    UserFactory,
)
from tests.support.components import require_postgresql

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgresql():
    require_postgresql("only PostgreSQL keeps counters; SQLite recounts on every read")


def assert_counted(*units) -> None:
    """The counters equal a recount, for the whole portfolio and for each unit given."""
    assert standings.drift() == {}
    for unit in units:
        assert standings.drift(unit.pk) == {}


def test_every_write_path_keeps_the_counts_equal_to_a_recount():
    north, south = BusinessUnitFactory(name="North"), BusinessUnitFactory(name="South")
    owner = UserFactory()
    pilot = InitiativeFactory(business_unit=north, stage=Stage.PILOT, production_owner=owner)
    live = InitiativeFactory(
        business_unit=south, stage=Stage.PRODUCTION, health_status=HealthStatus.HEALTHY
    )
    idea = InitiativeFactory(business_unit=north)
    assert standings.counts()["total"] == 3
    assert standings.counts(north.pk)["stage:pilot"] == 1
    assert_counted(north, south)

    # A flag by the ORM, then resolved; a bulk insert; a bulk update of health.
    stalled = FlagFactory(initiative=pilot, kind=FlagKind.STALLED)
    assert standings.counts()["stalled:pilot"] == 1
    assert standings.counts()["attention"] == 1
    Flag.objects.bulk_create(
        [
            Flag(initiative=idea, kind=FlagKind.BUSINESS_CASE_MISSING),
            Flag(initiative=live, kind=FlagKind.HEALTH_DEGRADED),
        ]
    )
    Initiative.objects.filter(pk=live.pk).update(health_status=HealthStatus.FAILING)
    assert standings.counts()["health:failing"] == 1
    assert standings.counts()["attention"] == 3
    assert_counted(north, south)
    Flag.objects.filter(pk=stalled.pk).update(resolved_at=timezone.now())
    assert standings.counts()["stalled:pilot"] == 0
    assert_counted(north, south)

    # A stage change through the service, and a transition recorded and removed by hand.
    initiative_transition(initiative=pilot, actor=None, to_stage=Stage.CANCELLED, imported=True)
    assert standings.counts()["stage:cancelled"] == 1
    assert standings.counts()["reached:pilot"] == 2  # it left pilot, and the one live
    moved = StageTransitionFactory(initiative=idea, from_stage=Stage.POC, to_stage=Stage.IDEA)
    assert standings.counts()["reached:poc"] == 2
    StageTransition.objects.filter(pk=moved.pk).delete()
    assert standings.counts()["reached:poc"] == 1
    assert_counted(north, south)

    # A classification confirmed, then a newer version: only the latest confirmed counts.
    ClassificationFactory(initiative=live, version=1, category=RegulatoryCategory.MINIMAL)
    assert standings.counts()["eu_ai_act:minimal"] == 1
    ClassificationFactory(initiative=live, version=2, category=RegulatoryCategory.HIGH_RISK)
    ClassificationFactory(
        initiative=idea, version=1, status=ClassificationStatus.SUBMITTED, reviewed_at=None
    )
    assert standings.counts()["eu_ai_act:minimal"] == 0
    assert standings.counts()["eu_ai_act:high_risk"] == 1
    assert_counted(north, south)

    # An initiative moves to another unit, is renamed, and one is deleted with its flags.
    Initiative.objects.filter(pk=idea.pk).update(business_unit=south, name="Renamed")
    assert standings.counts(north.pk)["total"] == 1
    assert standings.counts(south.pk)["total"] == 2
    assert Standing.objects.get(initiative=idea).name == "Renamed"
    live.delete()
    assert standings.counts()["total"] == 2
    assert standings.counts()["flag:health_degraded"] == 0
    assert not Standing.objects.filter(initiative_id=live.pk).exists()
    assert_counted(north, south)


def test_the_scan_keeps_the_counts_and_they_stay_after_compaction():
    now = timezone.now()
    units = [BusinessUnitFactory(name=f"Unit {n}") for n in range(3)]
    for n in range(30):
        InitiativeFactory(
            business_unit=units[n % 3],
            stage=[Stage.POC, Stage.PILOT, Stage.PRODUCTION][n % 3],
            stage_entered_at=now - timedelta(days=10 * n),
        )
    scan.scan_portfolio()
    counted = standings.counts()
    assert counted["flag:stalled"] > 0
    assert counted["flag:ownerless"] > 0
    assert_counted(*units)

    rows = StandingCount.objects.count()
    folded = standings.compact()
    assert folded < rows
    assert folded == StandingCount.objects.values("business_unit_id", "key").distinct().count()
    assert standings.counts() == counted
    assert_counted(*units)


def test_needs_attention_reads_the_same_order_as_a_ranking_of_the_flags():
    """The index order (urgency, oldest flag, longest in stage, name) is exactly the ORM's
    ranking from the flags, over a seeded portfolio where every rule fires."""
    call_command("seed_portfolio", initiatives=300, health_days=2, verbosity=0)
    # The bulk load's change rows were folded: one row per business unit and count.
    rows = StandingCount.objects.count()
    assert rows == StandingCount.objects.values("business_unit_id", "key").distinct().count()
    expected = list(ranked_for_attention(Initiative.objects.all()).values_list("pk", flat=True))
    read = [a.initiative.pk for a in needing_attention(limit=len(expected) + 10)]
    assert len(expected) > 100
    assert read == expected
    unit = Initiative.objects.first().business_unit
    expected = list(
        ranked_for_attention(Initiative.objects.filter(business_unit=unit)).values_list(
            "pk", flat=True
        )
    )
    assert [a.initiative.pk for a in needing_attention(unit, limit=1000)] == expected
    assert_counted(unit)
    # The governance queue's failing, silent and degraded systems, the same way.
    expected = [(i.pk, i.flagged_since) for i in ranked_unhealthy()]
    assert len(expected) > 20
    assert [(i.pk, i.flagged_since) for i in unhealthy_systems()] == expected


def test_the_portfolio_reads_the_counters_in_as_many_queries_at_any_size():
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            portfolio_summary()
        return len(captured)

    call_command("seed_portfolio", initiatives=40, health_days=1, verbosity=0)
    small = queries()
    now = timezone.now()
    for n in range(200):
        stuck = InitiativeFactory(stage=Stage.POC, stage_entered_at=now - timedelta(days=n))
        FlagFactory(initiative=stuck, kind=FlagKind.STALLED)
    assert queries() == small <= 11


@pytest.mark.django_db(transaction=True)
def test_two_transactions_flagging_one_initiative_are_counted_one_after_the_other():
    """Each transaction adds a flag the other cannot see yet; without the refresh's lock
    both would count the initiative as newly needing attention (attention 2, not 1)."""
    pilot = InitiativeFactory(stage=Stage.PILOT)
    first_flagged, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                Flag.objects.create(initiative_id=pilot.pk, kind=FlagKind.STALLED)
                first_flagged.set()
                second_started.wait(timeout=10)
                # Let the second reach its refresh (and wait on this one's lock) first.
                threading.Event().wait(0.5)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_flagged.wait(timeout=10)
            with transaction.atomic():
                second_started.set()
                Flag.objects.create(initiative_id=pilot.pk, kind=FlagKind.OWNERLESS)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert standings.counts()["attention"] == 1
    assert standings.counts()["flag:stalled"] == standings.counts()["flag:ownerless"] == 1
    assert_counted()


def test_check_portal_finds_counters_that_drifted_and_the_rebuild_mends_them(settings):
    unit = BusinessUnitFactory()
    InitiativeFactory(business_unit=unit, stage=Stage.POC)
    assert not [f for f in findings() if "counters" in f.message]
    StandingCount.objects.create(business_unit_id=unit.pk, key="stage:poc", n=5)
    found = [f.message for f in findings() if "counters" in f.message]
    assert len(found) == 1
    assert "stage:poc 6 counted, 1 recounted" in found[0]
    assert "rebuild_dashboard_counts" in found[0]

    call_command("rebuild_dashboard_counts", verbosity=0)
    assert standings.counts()["stage:poc"] == 1
    assert not [f for f in findings() if "counters" in f.message]


def test_a_changed_rule_reinstalls_the_triggers_and_recounts(monkeypatch):
    InitiativeFactory(stage=Stage.POC)
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON FUNCTION {standings.FUNCTION}(bigint[]) IS 'older'")
    StandingCount.objects.all().delete()  # what an older rule counted is discarded
    assert any("out of date" in f.message for f in findings())
    assert standings.install() is True
    assert standings.installed_fingerprint() == standings.fingerprint()
    assert standings.counts()["stage:poc"] == 1
    assert standings.install() is False  # nothing to do twice


def test_the_governance_queue_totals_come_from_the_counters(reviewer, as_user):
    for _ in range(3):
        FlagFactory(initiative=InitiativeFactory(stage=Stage.POC), kind=FlagKind.STALLED)
    StandingCount.objects.create(business_unit_id=0, key="flag:stalled", n=100)
    response = as_user(reviewer).get(reverse("governance-queue"))
    # The (here deliberately wrong) counter is what the queue shows: it does not recount.
    assert response.context["queue"].stalled.total == 103
    assert len(response.context["queue"].stalled.items) == 3


def test_large_counts_are_written_with_separators(viewer, as_user):
    unit = BusinessUnitFactory(name="Unit")
    Initiative.objects.bulk_create(
        Initiative(name=f"Initiative {i:04d}", slug=f"i-{i:04d}", business_unit=unit)
        for i in range(1200)
    )
    client = as_user(viewer)
    portfolio = client.get(reverse("portfolio")).content.decode()
    assert "1,200 in all" in portfolio
    listed = client.get(reverse("initiative-list")).content.decode()
    assert "1,200 initiatives, page 1 of 48" in listed
    assert "Export these 1,200 as CSV" in listed


def test_the_generated_sql_takes_only_plain_words_from_the_code():
    assert standings._literal("production") == "'production'"
    for unsafe in ("prod'uction", "a b", "x;--", "Production"):
        with pytest.raises(ValueError, match="not a plain word"):
            standings._literal(unsafe)
    # Every constant the SQL is built from passes, so installing it cannot fail on them.
    assert standings.fingerprint() == standings.installed_fingerprint()
