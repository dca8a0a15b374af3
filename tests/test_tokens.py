"""API tokens on the profile page: made and shown once, used, last use shown, revoked."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from initiatives.models import ApiTokenInfo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
KEY = re.compile(r'data-testid="new-token">([0-9a-f]+)<')


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def create_on_page(client: Client, name: str) -> str:
    response = client.post(PROFILE, {"action": "create", "name": name})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    return KEY.search(response.content.decode()).group(1)


def api_get(key: str, path: str = "/api/v1/initiatives/"):
    return APIClient().get(path, HTTP_AUTHORIZATION=f"Token {key}")


def token_row(client: Client, name: str) -> str:
    page = client.get(PROFILE).content.decode()
    row = re.search(rf"<tr data-token=\"\w+\">\s*<td>{re.escape(name)}</td>.*?</tr>", page, re.S)
    assert row, f"no row for {name!r} on the profile page"
    return row.group(0)


def test_top_bar_links_to_the_profile_page(viewer):
    page = signed_in(viewer).get(reverse("portfolio")).content.decode()
    assert f'href="{PROFILE}"' in page


def test_profile_page_is_for_signed_in_people_only():
    response = Client().get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_token_made_on_the_page_works_shows_its_last_use_and_stops_when_revoked(viewer):
    page = signed_in(viewer)
    key = create_on_page(page, "monitoring job")
    # Shown once: the page never shows it again, and only its hash is stored.
    assert key not in page.get(PROFILE).content.decode()
    assert not AuthToken.objects.filter(digest=key).exists()
    assert "never" in token_row(page, "monitoring job")

    assert api_get(key).status_code == 200
    first_use = ApiTokenInfo.objects.get(name="monitoring job").last_used_at
    assert first_use is not None
    assert first_use.strftime("%Y-%m-%d %H:%M") in token_row(page, "monitoring job")

    # A minute later (the resolution of "last used"), the next use moves it.
    ApiTokenInfo.objects.update(last_used_at=first_use - timedelta(minutes=5))
    cache.clear()
    assert api_get(key).status_code == 200
    assert ApiTokenInfo.objects.get().last_used_at > first_use - timedelta(minutes=5)

    token_key = AuthToken.objects.get(user=viewer).token_key
    revoked = page.post(PROFILE, {"action": "revoke", "token_key": token_key}, follow=True)
    assert "Token revoked" in revoked.content.decode()
    assert not AuthToken.objects.exists()
    assert not ApiTokenInfo.objects.exists()
    refused = api_get(key)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid token."}


def test_last_use_is_written_at_most_once_a_minute(viewer):
    key = create_on_page(signed_in(viewer), "laptop")
    assert api_get(key).status_code == 200  # records the use
    recorded = ApiTokenInfo.objects.get().last_used_at

    with CaptureQueriesContext(connection) as later:
        for _ in range(5):
            assert api_get(key).status_code == 200

    writes = [q["sql"] for q in later.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert writes == []
    assert ApiTokenInfo.objects.get().last_used_at == recorded


def test_token_needs_a_name_and_the_form_says_so(viewer):
    response = signed_in(viewer).post(PROFILE, {"action": "create", "name": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not AuthToken.objects.exists()


def test_nobody_revokes_another_persons_token(viewer):
    other = UserFactory(username="other")
    key = create_on_page(signed_in(other), "theirs")
    token_key = AuthToken.objects.get().token_key

    response = signed_in(viewer).post(
        PROFILE, {"action": "revoke", "token_key": token_key}, follow=True
    )

    assert "No such token" in response.content.decode()
    assert api_get(key).status_code == 200
    # Nor does the page list it to them.
    assert token_key not in signed_in(viewer).get(PROFILE).content.decode()


def test_command_labels_its_token_for_the_profile_page(viewer, capsys):
    call_command("create_api_token", "viewer", "--name", "nightly export")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert api_get(key).status_code == 200
    assert "nightly export" in signed_in(viewer).get(PROFILE).content.decode()


def test_token_made_elsewhere_gets_its_last_use_recorded_too(viewer):
    _, key = AuthToken.objects.create(user=viewer)  # e.g. in the admin
    before = timezone.now()
    assert api_get(key).status_code == 200
    assert ApiTokenInfo.objects.get().last_used_at >= before
