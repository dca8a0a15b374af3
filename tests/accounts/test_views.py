"""Signing in and out: anonymous people see only the sign-in page."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_sees_only_the_sign_in_page(initiative, client):
    for url in ("/", "/initiatives/", initiative.get_absolute_url(), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(("/accounts/login/", "/admin/login/"))
    assert client.get("/accounts/login/").status_code == 200


def test_sign_in_and_out(client):
    UserFactory(username="olga", password="a long passphrase")
    response = client.post(
        "/accounts/login/", {"username": "olga", "password": "a long passphrase"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
