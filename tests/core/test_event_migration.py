"""The migration that turns stored timeline sentences into a kind plus parameters (issue 14):
migrate back, write events the way the old code did, migrate forward, and read them with
today's names. What cannot be parsed reliably keeps its old text, shown as it was."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from initiatives.core.events import render_events
from initiatives.models import (
    InitiativeEvent,
    MilestoneRecord,
    ReadinessMilestone,
    ReadinessTemplate,
)
from initiatives.ownership import services as ownership_services
from initiatives.readiness import services as readiness_services
from tests.factories import InitiativeFactory, UserFactory

# Migrations run outside a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)

DATA_MIGRATION = "initiativeevent_params_from_messages"


def _nodes():
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    [ours] = [n for n in graph.nodes if n[0] == "initiatives" and n[1].endswith(DATA_MIGRATION)]
    [before] = graph.node_map[ours].parents
    [leaf] = graph.leaf_nodes("initiatives")
    return before.key, leaf


def migrate(target):
    """Migrate the test database to `target`; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture
def people_and_places():
    ivan = UserFactory(username="ivan", first_name="Ivan", last_name="Sokolov")
    olga = UserFactory(username="olga", first_name="Olga", last_name="Petrova")
    template = ReadinessTemplate.objects.create(key="event-migration", name="Event migration")
    milestone = ReadinessMilestone.objects.create(
        template=template,
        key="runbook",
        domain="Operations",
        title="A runbook exists.",
        done_when="The on-call team has it.",
        required_for="production",
    )
    initiative = InitiativeFactory(
        slug="fraud-scoring", members=[ivan], readiness_template=template
    )
    MilestoneRecord.objects.create(initiative=initiative, milestone=milestone)
    return ivan, olga, initiative, milestone


# (kind, the sentence today's code wrote, the params expected from it)
OLD_ROWS = [
    ("created", "Ivan Sokolov created the initiative.", {}),
    ("edited", "Ivan Sokolov changed name, risk_tier.", {"fields": ["name", "risk_tier"]}),
    (
        "stage_changed",
        "Ivan Sokolov moved the initiative from Proof of concept to Pilot. Note: Go: approved.",
        {"from_stage": "poc", "to_stage": "pilot", "note": "Go: approved."},
    ),
    (
        "stage_changed",
        "Moved from Idea to Proof of concept.",  # the load-test seed's sentence
        {"from_stage": "idea", "to_stage": "poc", "note": ""},
    ),
    (
        "owner_named",
        "Ivan Sokolov named Olga Petrova production owner; awaiting their acceptance.",
        "to_owner",
    ),
    ("handover_accepted", "Olga Petrova accepted ownership.", {}),
    (
        "handover_declined",
        "Olga Petrova declined ownership: Not my system.",
        {"note": "Not my system."},
    ),
    ("ownership_confirmed", "Olga Petrova confirmed they still own the system.", {}),
    (
        "promotion_requested",
        "Ivan Sokolov asked governance to approve promotion to production.",
        {},
    ),
    (
        "promotion_reviewed",
        "Ivan Sokolov rejected the promotion to production. No runbook yet.",
        {"status": "rejected", "comment": "No runbook yet."},
    ),
    (
        "imported",
        "Updated from q3 inventory.csv.",
        {"outcome": "updated", "source": "q3 inventory.csv"},
    ),
    ("case_saved", "Ivan Sokolov started business case v2.", {"version": 2}),
    ("case_submitted", "Ivan Sokolov submitted business case v2 for review.", {"version": 2}),
    (
        "case_reviewed",
        "Ivan Sokolov marked business case v2 changes requested. Add the run costs.",
        {"version": 2, "status": "changes_requested", "comment": "Add the run costs."},
    ),
    (
        "milestone_updated",
        "Ivan Sokolov marked “A runbook exists.” in progress.",
        {"milestone": "milestone", "action": "marked", "status": "in_progress"},
    ),
    (
        "milestone_updated",
        "Ivan Sokolov asked for “A runbook exists.” to be waived: The platform team runs it.",
        {
            "milestone": "milestone",
            "action": "waiver_requested",
            "reason": "The platform team runs it.",
        },
    ),
    (
        "health_report_removed",
        "Ivan Sokolov removed the health report of 2026-11-02 09:30 UTC "
        "(availability 50, latency_p95_ms 1e+06). Reason: A broken probe.",
        {
            "observed_at": "2026-11-02T09:30:00+00:00",
            "metrics": {"availability": 50.0, "latency_p95_ms": 1e06},
            "reason": "A broken probe.",
        },
    ),
]
# The seed's sentence named nobody; rendered, it names the actor like every other.
NOW_READS = {
    "Moved from Idea to Proof of concept.": (
        "Ivan Sokolov moved the initiative from Idea to Proof of concept."
    )
}
# Sentences no pattern reads reliably: kept as they were.
UNPARSED = [
    ("edited", "Olga was here."),
    # A person no handover of this initiative names (and no handover at that moment).
    ("owner_named", "Ivan Sokolov named Nobody Known production owner; awaiting their acceptance."),
    # A milestone this initiative has no record of.
    ("milestone_updated", "Ivan Sokolov marked “Some other milestone” done."),
    ("stage_changed", "Ivan Sokolov moved the initiative from Idea to Somewhere."),
]


def test_old_sentences_become_params_and_read_the_same_until_someone_is_renamed(
    people_and_places,
):
    ivan, olga, initiative, milestone = people_and_places
    handover = ownership_services.handover_start(initiative=initiative, actor=ivan, to_owner=olga)
    before, leaf = _nodes()
    try:
        old = migrate(before)
        OldEvent = old.get_model("initiatives", "InitiativeEvent")
        # Migrating back wrote the new-style event out as the old sentence.
        assert list(OldEvent.objects.values_list("message", flat=True)) == [OLD_ROWS[4][1]]
        OldEvent.objects.all().delete()
        rows = [(kind, text) for kind, text, _ in OLD_ROWS] + UNPARSED
        last_week = handover.requested_at - timedelta(days=7)
        for kind, text in rows:
            actor = olga if text.startswith("Olga") else ivan
            OldEvent.objects.create(
                initiative_id=initiative.pk,
                actor_id=actor.pk,
                kind=kind,
                message=text,
                at=last_week,
            )
        # Olga was called Olga Smirnova when she was named; the handover written with the
        # event says it was her.
        stale = OldEvent.objects.create(
            initiative_id=initiative.pk,
            actor_id=ivan.pk,
            kind="owner_named",
            message="Ivan Sokolov named Olga Smirnova production owner; awaiting their acceptance.",
            at=handover.requested_at,
        )

        migrate(leaf)

        assert InitiativeEvent.objects.get(pk=stale.pk).params == {"to_owner": olga.pk}
        InitiativeEvent.objects.filter(pk=stale.pk).delete()

        events = render_events(InitiativeEvent.objects.order_by("pk").select_related("actor"))
        assert [e.message for e in events] == [NOW_READS.get(text, text) for _, text in rows]
        wanted = {"to_owner": olga.pk, "milestone": milestone.pk}
        for event, (kind, _, params) in zip(events, OLD_ROWS, strict=False):
            if isinstance(params, str):
                params = {params: wanted[params]}
            params = {k: wanted.get(v, v) if k == "milestone" else v for k, v in params.items()}
            assert (event.kind, event.params) == (kind, params)
        for event, (_, text) in zip(events[len(OLD_ROWS) :], UNPARSED, strict=True):
            assert event.params == {"text": text}

        olga.last_name = "Ivanova"
        olga.save()
        milestone.title = "A rehearsed runbook exists."
        milestone.save()
        renamed = {e.pk: e.message for e in render_events(InitiativeEvent.objects.all())}
        assert renamed[events[4].pk] == (
            "Ivan Sokolov named Olga Ivanova production owner; awaiting their acceptance."
        )
        assert renamed[events[5].pk] == "Olga Ivanova accepted ownership."
        assert renamed[events[14].pk] == (
            "Ivan Sokolov marked “A rehearsed runbook exists.” in progress."
        )
        # The unparsed text stays as it was written.
        assert renamed[events[len(OLD_ROWS) + 1].pk] == UNPARSED[1][1]
    finally:
        migrate(leaf)


def test_migrating_back_writes_the_sentences_with_the_names_of_the_day(people_and_places):
    ivan, olga, initiative, milestone = people_and_places
    ownership_services.handover_start(initiative=initiative, actor=ivan, to_owner=olga)
    readiness_services.milestone_update(
        initiative=initiative, actor=ivan, key="runbook", status="in_progress"
    )
    olga.first_name = "Olya"
    olga.save()
    milestone.title = "A rehearsed runbook exists."
    milestone.save()
    before, leaf = _nodes()
    try:
        old = migrate(before)
        events = old.get_model("initiatives", "InitiativeEvent").objects.order_by("pk")
        assert list(events.values_list("message", flat=True)) == [
            "Ivan Sokolov named Olya Petrova production owner; awaiting their acceptance.",
            "Ivan Sokolov marked “A rehearsed runbook exists.” in progress.",
        ]
    finally:
        migrate(leaf)
