"""The timeline (issue 14): events are stored as a kind plus parameters and rendered when
read, so a renamed person or a retitled milestone reads correctly in every old entry, on the
initiative page, in the API and in the admin, with a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from initiatives.core import writes
from initiatives.core.choices import EventKind, MilestoneStatus, Stage
from initiatives.models import InitiativeEvent, ReadinessMilestone
from initiatives.ownership import services as ownership_services
from initiatives.portfolio import services as portfolio_services
from initiatives.readiness import services as readiness_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def timeline(client, initiative) -> str:
    response = client.get(initiative.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def api_messages(user, initiative) -> list[str]:
    response = api(user).get(f"/api/v1/initiatives/{initiative.slug}/events/")
    assert response.status_code == 200
    return [e["message"] for e in response.json()["results"]]


def test_renaming_a_person_renames_them_in_existing_timeline_entries(
    initiative, contributor, as_user
):
    olga = UserFactory(username="olga", first_name="Olga", last_name="Petrova")
    contributor.first_name, contributor.last_name = "Ivan", "Sokolov"
    contributor.save()
    ownership_services.handover_start(initiative=initiative, actor=contributor, to_owner=olga)
    portfolio_services.initiative_update(
        initiative=initiative, actor=contributor, data={"summary": "New"}
    )
    before = "Ivan Sokolov named Olga Petrova production owner; awaiting their acceptance."
    assert before in api_messages(contributor, initiative)

    olga.first_name, olga.last_name = "Olga", "Ivanova"  # she married
    olga.save()
    contributor.last_name = "Smirnov"
    contributor.save()

    page = timeline(as_user(contributor), initiative)
    renamed = "Ivan Smirnov named Olga Ivanova production owner; awaiting their acceptance."
    assert renamed in page
    assert "Ivan Smirnov changed summary." in page
    assert "Petrova" not in page
    assert "Sokolov" not in page
    assert api_messages(contributor, initiative)[:2] == ["Ivan Smirnov changed summary.", renamed]


def test_a_retitled_milestone_reads_with_its_new_title_on_the_timeline(
    initiative, contributor, as_user
):
    readiness_services.milestone_update(
        initiative=initiative,
        actor=contributor,
        key="runbook",
        status=MilestoneStatus.IN_PROGRESS,
    )
    milestone = ReadinessMilestone.objects.get(pk=initiative.events.get().params["milestone"])
    milestone.title = "An on-call runbook exists and was rehearsed."
    milestone.save()

    name = contributor.get_full_name()
    assert f"{name} marked “An on-call runbook exists and was rehearsed.” in progress." in timeline(
        as_user(contributor), initiative
    )


def test_the_api_gives_each_event_its_params_and_the_sentence_rendered_when_read(
    initiative, contributor, owner
):
    ownership_services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)

    response = api(contributor).get(f"/api/v1/initiatives/{initiative.slug}/events/")

    [event] = response.json()["results"]
    assert event["kind"] == EventKind.OWNER_NAMED
    assert event["params"] == {"to_owner": owner.pk}
    assert event["actor"] == contributor.username
    assert event["message"] == (
        f"{contributor.get_full_name()} named {owner.get_full_name()} production owner; "
        "awaiting their acceptance."
    )


def test_the_schema_documents_the_events_message_and_params(viewer):
    client = api(viewer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    event = schema["components"]["schemas"]["Event"]["properties"]
    assert event["message"]["type"] == "string"
    assert event["message"]["readOnly"]
    assert event["params"]["type"] == "object"
    assert event["params"]["readOnly"]


def _busy_history(initiative, contributor, n: int):
    """`n` rounds of events naming a different person and milestone each time; returns the
    last person named."""
    keys = list(ReadinessMilestone.objects.filter(active=True).values_list("key", flat=True))
    for i in range(n):
        owner = UserFactory()
        ownership_services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
        readiness_services.milestone_update(
            initiative=initiative,
            actor=contributor,
            key=keys[i % len(keys)],
            status=MilestoneStatus.IN_PROGRESS,
        )
        portfolio_services.initiative_update(
            initiative=initiative, actor=contributor, data={"summary": i}
        )
    return owner


def _queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured]


def test_the_initiative_page_queries_do_not_grow_with_the_people_its_timeline_names(
    initiative, contributor, as_user
):
    client = as_user(contributor)
    url = initiative.get_absolute_url()
    _busy_history(initiative, contributor, 1)
    few = _queries(client, url)
    latest = _busy_history(initiative, contributor, 8)
    many = _queries(client, url)
    assert len(many) == len(few), "\n".join(many)
    named = f"named {latest.get_full_name()} production owner"
    assert named in client.get(url).content.decode()


def test_the_events_endpoint_queries_do_not_grow_with_the_people_it_names(initiative, contributor):
    client = api(contributor)
    url = f"/api/v1/initiatives/{initiative.slug}/events/"
    _busy_history(initiative, contributor, 1)
    _queries(client, url)  # the first request also looks up the person's groups, once
    few = _queries(client, url)
    _busy_history(initiative, contributor, 8)
    many = _queries(client, url)
    assert len(many) == len(few), "\n".join(many)


def test_the_admin_event_list_names_people_as_they_are_called_today(initiative, staff, as_user):
    owners = [
        UserFactory(username=f"o{i}", first_name="Owner", last_name=f"N{i}") for i in range(6)
    ]
    for owner in owners:
        ownership_services.handover_start(initiative=initiative, actor=staff, to_owner=owner)
    owners[0].last_name = "Renamed"
    owners[0].save()
    client = as_user(staff)
    url = reverse("admin:initiatives_initiativeevent_changelist")

    page = client.get(url).content.decode()
    assert "named Owner Renamed production owner" in page
    assert "named Owner N5 production owner" in page
    few = _queries(client, url)
    ownership_services.handover_start(initiative=initiative, actor=staff, to_owner=UserFactory())
    assert len(_queries(client, url)) == len(few)
    event = initiative.events.get(params__to_owner=owners[0].pk)
    one = client.get(reverse("admin:initiatives_initiativeevent_change", args=[event.pk]))
    assert "named Owner Renamed production owner" in one.content.decode()


def test_services_store_ids_and_codes_never_sentences(initiative, contributor, owner):
    portfolio_services.initiative_update(
        initiative=initiative, actor=contributor, data={"name": "Fraud scoring v2"}
    )
    ownership_services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    portfolio_services.initiative_transition(
        initiative=initiative, actor=contributor, to_stage=Stage.POC, note="Kick-off."
    )

    stored = {e.kind: e.params for e in initiative.events.all()}
    assert stored == {
        EventKind.EDITED: {"fields": ["name"]},
        EventKind.OWNER_NAMED: {"to_owner": owner.pk},
        EventKind.STAGE_CHANGED: {"from_stage": "idea", "to_stage": "poc", "note": "Kick-off."},
    }
    [moved] = initiative.events.filter(kind=EventKind.STAGE_CHANGED)
    assert moved.message == (
        f"{contributor.get_full_name()} moved the initiative from Idea to Proof of concept. "
        "Note: Kick-off."
    )


def test_an_event_cannot_be_recorded_as_a_finished_sentence(initiative, contributor):
    with pytest.raises(TypeError):
        writes.initiative_event_create(
            initiative=initiative,
            actor=contributor,
            kind=EventKind.CREATED,
            message=f"{contributor.get_full_name()} created the initiative.",
        )
    with pytest.raises(TypeError):  # a person is kept by id, not as an object or a name
        writes.initiative_event_create(
            initiative=initiative, actor=contributor, kind=EventKind.OWNER_NAMED, to_owner="Olga"
        )
    with pytest.raises(KeyError):  # the sentence could not be made: no stages
        writes.initiative_event_create(
            initiative=initiative, actor=contributor, kind=EventKind.STAGE_CHANGED
        )
    assert not InitiativeEvent.objects.exists()
