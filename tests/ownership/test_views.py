"""Ownership on the web pages: the named owner accepts on the handover page, and an accepted
owner confirms with one button."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone

from initiatives.ownership import services as ownership_services

pytestmark = pytest.mark.django_db


def test_the_named_owner_accepts_on_the_handover_page(initiative, contributor, owner, as_user):
    handover = ownership_services.handover_start(
        initiative=initiative, actor=contributor, to_owner=owner
    )
    client = as_user(owner)
    url = reverse("handover-answer", args=[handover.pk])
    response = client.post(url, {"action": "accept", "confirms_skills": "on"})
    assert response.status_code == 200
    assert "Confirm the team has the mandate." in response.content.decode()
    response = client.post(
        url,
        {
            "action": "accept",
            "confirms_skills": "on",
            "confirms_mandate": "on",
            "confirms_budget": "on",
        },
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert not initiative.ownership_pending
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "I still own this" in page
    assert f"{owner.get_full_name()} accepted ownership." in page


def test_confirm_ownership_button(initiative, contributor, owner, as_user):
    handover = ownership_services.handover_start(
        initiative=initiative, actor=contributor, to_owner=owner
    )
    ownership_services.handover_accept(
        handover=handover,
        actor=owner,
        confirms_skills=True,
        confirms_mandate=True,
        confirms_budget=True,
    )
    response = as_user(owner).post(
        reverse("initiative-confirm-ownership", args=[initiative.slug]), follow=True
    )
    initiative.refresh_from_db()
    due = initiative.owner_confirmed_at + timedelta(
        days=settings.PORTAL_OWNERSHIP_CONFIRMATION_DAYS
    )
    shown = dateformat.format(timezone.localtime(due), "j M Y")
    # The date the owner must come back, not "the next confirmation period".
    assert f"Ownership confirmed; next confirmation due {shown}." in response.content.decode()
    assert initiative.confirmations.count() == 2
