"""Ownership through the API: handover, acceptance, confirmation, promotion review, and the
filters a script uses to find what waits for one person."""

import pytest
from rest_framework.test import APIClient

from initiatives.core.choices import HandoverStatus, Stage
from initiatives.models import OwnershipHandover
from tests.factories import InitiativeFactory, OwnershipHandoverFactory
from tests.support.clients import api_client_for

pytestmark = pytest.mark.django_db


def test_handover_accept_and_confirm_through_the_api(initiative, contributor, owner):
    response = api_client_for(contributor).post(
        f"/api/v1/initiatives/{initiative.slug}/handover/", {"to_owner": "owner"}, format="json"
    )
    assert response.status_code == 201, response.json()
    handover_id = response.json()["id"]
    owner_client = api_client_for(owner)
    response = owner_client.post(
        f"/api/v1/handovers/{handover_id}/accept/",
        {"confirms_skills": True, "confirms_mandate": True, "confirms_budget": False},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"confirms_budget": ["Confirm the team has the budget."]}
    response = owner_client.post(
        f"/api/v1/handovers/{handover_id}/accept/",
        {"confirms_skills": True, "confirms_mandate": True, "confirms_budget": True},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == HandoverStatus.ACCEPTED
    response = owner_client.post(f"/api/v1/initiatives/{initiative.slug}/confirm-ownership/")
    assert response.status_code == 201
    detail = owner_client.get(f"/api/v1/initiatives/{initiative.slug}/").json()
    assert detail["production_owner"] == {"username": "owner", "name": owner.get_full_name()}
    assert detail["ownership_pending"] is False


def test_naming_a_deactivated_person_is_a_field_error(initiative, contributor, owner):
    owner.is_active = False
    owner.save()
    response = api_client_for(contributor).post(
        f"/api/v1/initiatives/{initiative.slug}/handover/", {"to_owner": "owner"}, format="json"
    )
    assert response.status_code == 400
    assert "to_owner" in response.json()
    assert not OwnershipHandover.objects.exists()


def test_promotion_request_and_review(contributor, owner, reviewer):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    response = api_client_for(contributor).post(
        f"/api/v1/initiatives/{initiative.slug}/promotion-request/", {}, format="json"
    )
    assert response.status_code == 201
    promotion_id = response.json()["id"]
    response = api_client_for(reviewer).post(
        f"/api/v1/promotion-requests/{promotion_id}/review/",
        {"decision": "reject"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"comment": ["Say why the promotion is rejected."]}
    response = api_client_for(reviewer).post(
        f"/api/v1/promotion-requests/{promotion_id}/review/",
        {"decision": "approve", "comment": "Good pilot."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"


def test_a_script_can_ask_for_the_handovers_waiting_for_one_person(viewer, owner, contributor):
    """Found by review: handovers and promotion requests had no initiative or person filter,
    so 'my pending handovers' meant paging through all of them."""
    from initiatives.core.choices import HandoverStatus
    from tests.factories import InitiativeFactory

    mine = InitiativeFactory(slug="to-me")
    OwnershipHandoverFactory(initiative=mine, to_owner=owner)
    OwnershipHandoverFactory(
        initiative=InitiativeFactory(slug="to-someone-else"), to_owner=contributor
    )
    OwnershipHandoverFactory(
        initiative=InitiativeFactory(slug="done"), to_owner=owner, status=HandoverStatus.ACCEPTED
    )
    client = APIClient()
    client.force_authenticate(viewer)
    body = client.get("/api/v1/handovers/?to_owner=owner&status=pending").json()
    assert [h["initiative"] for h in body["results"]] == ["to-me"]
    assert client.get("/api/v1/handovers/?initiative=done").json()["count"] == 1
    assert client.get("/api/v1/promotion-requests/?initiative=to-me").json()["count"] == 0
