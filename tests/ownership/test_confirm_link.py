"""The e-mailed "I still own this" link: valid, expired, reused, tampered (README "Ownership")."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import dateformat, timezone

from initiatives.core.choices import ConfirmationChannel, Stage
from initiatives.models import OwnershipConfirmation
from initiatives.ownership import links, services
from tests.factories import InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def initiative(db):
    owner = UserFactory(username="ines")
    return InitiativeFactory(
        name="Policy Q&A",
        stage=Stage.PRODUCTION,
        production_owner=owner,
        owner_accepted_at=timezone.now() - timedelta(days=300),
        owner_confirmed_at=timezone.now() - timedelta(days=120),
    )


def link_for(initiative) -> str:
    return reverse("ownership-confirm", args=[links.confirmation_token(initiative)])


def test_the_link_confirms_without_signing_in(client, initiative):
    url = link_for(initiative)
    page = client.get(url)
    assert page.status_code == 200
    assert "Do you still own Policy Q&amp;A?" in page.content.decode()
    initiative.refresh_from_db()
    assert initiative.owner_confirmed_at < timezone.now() - timedelta(days=100)  # GET alone

    response = client.post(url)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.owner_confirmed_at > timezone.now() - timedelta(minutes=1)
    due = dateformat.format(timezone.localtime(initiative.next_confirmation_due), "j M Y")
    assert f"next confirmation due {due}." in response.content.decode()
    confirmation = OwnershipConfirmation.objects.get()
    assert (confirmation.owner.username, confirmation.channel) == (
        "ines",
        ConfirmationChannel.EMAIL,
    )


def test_a_used_link_says_so(client, initiative):
    url = link_for(initiative)
    client.post(url)
    again = client.post(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert client.get(url).status_code == 410
    assert OwnershipConfirmation.objects.count() == 1


def test_confirming_on_the_page_uses_up_the_link(client, initiative):

    url = link_for(initiative)
    services.ownership_confirm(initiative=initiative, actor=initiative.production_owner)
    response = client.post(url)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_an_expired_link_says_so(client, initiative, settings, monkeypatch):
    url = link_for(initiative)
    later = timezone.now().timestamp() + (settings.PORTAL_CONFIRM_LINK_MAX_AGE_DAYS + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(url)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    initiative.refresh_from_db()
    assert not OwnershipConfirmation.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace(token.split(":")[0], token.split(":")[0][::-1]),
        lambda token: "not-a-token",
    ],
    ids=["signature", "payload", "garbage"],
)
def test_a_tampered_link_is_refused_clearly(client, initiative, tamper):
    url = reverse("ownership-confirm", args=[tamper(links.confirmation_token(initiative))])
    response = client.post(url)
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert not OwnershipConfirmation.objects.exists()


def test_a_link_for_a_previous_owner_no_longer_applies(client, initiative):
    url = link_for(initiative)
    initiative.production_owner = UserFactory(username="successor")
    initiative.save()
    response = client.post(url)
    assert response.status_code == 410
    assert "no longer the owner" in response.content.decode()
    assert not OwnershipConfirmation.objects.exists()


def test_someone_else_signed_in_cannot_confirm_for_the_owner(client, initiative):
    olga = UserFactory(username="olga")
    client.force_login(olga)
    response = client.post(link_for(initiative))
    assert response.status_code == 403
    assert "This link is for" in response.content.decode()
    assert not OwnershipConfirmation.objects.exists()
