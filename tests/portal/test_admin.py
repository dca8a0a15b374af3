"""The Django admin cannot bypass a service: no revert from history, no edit of what services
own, no deletion of people (README "Audit": the audit trail is kept for ever)."""

from datetime import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from initiatives.core import writes
from initiatives.core.choices import EventKind, FlagKind, HandoverStatus, PromotionStatus, Stage
from initiatives.models import (
    Initiative,
    InitiativeEvent,
    TeamMembership,
)
from initiatives.ownership import services as ownership_services
from initiatives.portfolio import services as portfolio_services
from tests.factories import (
    FlagFactory,
    InitiativeFactory,
    OwnershipHandoverFactory,
    PromotionRequestFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def history_form_url(obj, record) -> str:
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, record.pk]
    )


def initiative_form_data(initiative, **changes) -> dict:
    data = {
        "name": initiative.name,
        "slug": initiative.slug,
        "summary": initiative.summary,
        "business_unit": initiative.business_unit_id,
        "risk_tier": initiative.risk_tier,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
        "health_thresholds-TOTAL_FORMS": "0",
        "health_thresholds-INITIAL_FORMS": "0",
        "health_grants-TOTAL_FORMS": "0",
        "health_grants-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


@pytest.fixture
def retired(owner, staff):
    """A system that was in production with an accepted owner, then retired properly."""
    initiative = InitiativeFactory(
        slug="fraud-scoring",
        stage=Stage.PRODUCTION,
        production_owner=owner,
        owner_accepted_at=timezone.now(),
    )
    portfolio_services.initiative_transition(
        initiative=initiative, actor=staff, to_stage=Stage.RETIRED
    )
    initiative.refresh_from_db()
    return initiative


# --- Item 3: revert from history --------------------------------------------------------------


def test_staff_cannot_revert_a_retired_initiative_to_production_from_the_admin_history(
    retired, staff, as_user
):
    in_production = retired.history.filter(stage=Stage.PRODUCTION).earliest("history_date")
    client = as_user(staff)
    url = history_form_url(retired, in_production)

    response = client.post(url, initiative_form_data(retired))

    retired.refresh_from_db()
    assert retired.stage == Stage.RETIRED
    assert response.status_code == 403
    page = client.get(url)
    assert page.status_code == 200  # still there to read
    assert 'value="Revert"' not in page.content.decode()


def test_staff_cannot_restore_an_owner_or_an_acceptance_from_the_admin_history(
    owner, staff, as_user
):
    initiative = InitiativeFactory(
        slug="fraud-scoring",
        stage=Stage.PRODUCTION,
        production_owner=owner,
        owner_accepted_at=timezone.now(),
    )
    accepted = initiative.history.earliest("history_date")
    successor = UserFactory(username="successor")
    ownership_services.handover_start(initiative=initiative, actor=staff, to_owner=successor)

    response = as_user(staff).post(
        history_form_url(initiative, accepted), initiative_form_data(initiative)
    )

    initiative.refresh_from_db()
    assert (initiative.production_owner, initiative.owner_accepted_at) == (successor, None)
    assert response.status_code == 403


def history_of_each_service_owned_record(owner, staff):
    initiative = InitiativeFactory(stage=Stage.PILOT, production_owner=owner)
    handover = OwnershipHandoverFactory(initiative=initiative, to_owner=owner, requested_by=staff)
    promotion = PromotionRequestFactory(initiative=initiative, requested_by=staff)
    flag = FlagFactory(initiative=initiative, kind=FlagKind.STALLED)
    return {
        "handover": (handover, {"status": HandoverStatus.ACCEPTED}),
        "promotion": (promotion, {"status": PromotionStatus.APPROVED}),
        "flag": (flag, {"resolved_at_0": "2026-01-01", "resolved_at_1": "10:00:00"}),
        "team": (TeamFactory(name="Risk platform"), {"name": "Renamed"}),
    }


@pytest.mark.parametrize("record", ["handover", "promotion", "flag", "team"])
def test_no_history_form_in_the_admin_saves_anything(record, owner, staff, as_user):
    obj, changes = history_of_each_service_owned_record(owner, staff)[record]
    before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    data = {}  # the form as the admin draws it: foreign keys by id, date-times split
    for name, value in before.items():
        if isinstance(value, datetime):
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
        else:
            data[name.removesuffix("_id")] = "" if value is None else value
    data.update(changes)

    response = as_user(staff).post(history_form_url(obj, obj.history.first()), data)

    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} == before
    assert response.status_code == 403


# --- Item 3: the change form shows what services own, never edits it -------------------------


def test_the_initiative_change_form_leaves_stage_and_ownership_to_the_services(
    owner, staff, as_user
):
    initiative = InitiativeFactory(slug="fraud-scoring", stage=Stage.PILOT)
    team = TeamFactory(name="Risk platform")
    backup = UserFactory(username="backup")

    response = as_user(staff).post(
        reverse("admin:initiatives_initiative_change", args=[initiative.pk]),
        initiative_form_data(
            initiative,
            name="Fraud scoring v2",
            stage=Stage.PRODUCTION,
            stage_entered_at_0="2020-01-01",
            stage_entered_at_1="10:00:00",
            production_owner=owner.pk,
            owner_accepted_at_0="2026-01-01",
            owner_accepted_at_1="10:00:00",
            owner_confirmed_at_0="2026-01-01",
            owner_confirmed_at_1="10:00:00",
            owning_team=team.pk,
            backup_owner=backup.pk,
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    changed = Initiative.objects.get(pk=initiative.pk)
    assert changed.name == "Fraud scoring v2"  # what the admin may edit, it edits
    assert (changed.stage, changed.stage_entered_at) == (Stage.PILOT, initiative.stage_entered_at)
    assert (changed.production_owner, changed.owner_accepted_at) == (None, None)
    assert changed.owner_confirmed_at is None
    assert (changed.owning_team, changed.backup_owner) == (None, None)


def test_initiatives_are_not_added_in_the_admin(staff, as_user):
    client = as_user(staff)
    assert client.get(reverse("admin:initiatives_initiative_add")).status_code == 403
    data = {"name": "Shadow", "slug": "shadow", "business_unit": "", "risk_tier": "low"}
    assert client.post(reverse("admin:initiatives_initiative_add"), data).status_code == 403
    assert not Initiative.objects.filter(slug="shadow").exists()


# --- Item 6: people are deactivated, never deleted -------------------------------------------


@pytest.fixture
def olga(initiative, contributor):
    """A colleague with a trail: a team membership, a timeline entry, history rows."""
    person = UserFactory(username="olga")
    portfolio_services.initiative_update(
        initiative=initiative,
        actor=contributor,
        data={},
        team_members=[contributor, person],
    )
    portfolio_services.initiative_update(
        initiative=initiative, actor=person, data={"summary": "Real time."}
    )
    return person


def assert_trail_kept(initiative, person):
    assert get_user_model().objects.filter(pk=person.pk).exists()
    assert InitiativeEvent.objects.filter(initiative=initiative, actor=person).exists()
    assert initiative.history.filter(history_user=person).exists()
    assert TeamMembership.objects.filter(initiative=initiative, user=person).exists()


def test_staff_cannot_delete_a_person_in_the_admin(initiative, olga, staff, as_user):
    client = as_user(staff)
    url = reverse("admin:auth_user_delete", args=[olga.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403

    assert_trail_kept(initiative, olga)


def test_staff_cannot_delete_people_with_the_bulk_action(initiative, olga, staff, as_user):
    client = as_user(staff)
    changelist = reverse("admin:auth_user_changelist")
    assert "delete_selected" not in client.get(changelist).content.decode()

    client.post(
        changelist, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [olga.pk], "post": "yes"}
    )

    assert_trail_kept(initiative, olga)


def test_a_person_with_a_trail_cannot_be_deleted_even_outside_the_admin(initiative, olga):
    with pytest.raises(ProtectedError):
        olga.delete()
    assert_trail_kept(initiative, olga)


def test_deactivating_a_person_keeps_their_trail_and_ends_their_access(
    initiative, olga, staff, as_user
):
    writes.initiative_event_create(
        initiative=initiative, actor=olga, kind=EventKind.EDITED, fields=["summary"]
    )
    get_user_model().objects.filter(pk=olga.pk).update(is_active=False)
    assert as_user(olga).get(initiative.get_absolute_url()).status_code == 302
    assert_trail_kept(initiative, olga)


def test_a_history_address_that_names_no_id_is_a_404_not_a_server_error(initiative, staff, as_user):
    client = as_user(staff)
    good = reverse("admin:initiatives_initiative_history", args=[initiative.pk])
    assert client.get(good).status_code == 200
    for path in (
        f"/admin/initiatives/initiative/{initiative.pk}/change/history/",
        "/admin/initiatives/initiative/not-an-id/history/",
    ):
        assert client.get(path).status_code == 404, path
