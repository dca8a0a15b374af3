"""The sign-in page with and without an identity provider, password sign-in switched off
(only the break-glass superuser keeps a password), and check_portal's identity findings."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from initiatives.identity.oidc import forget_metadata
from ops.configuration import PROBLEM, WARNING, _identity
from tests.factories import UserFactory
from tests.support.identity_provider import use_provider

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def password_sign_in(username: str) -> Client:
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/accounts/profile/").status_code == 200


def test_without_a_provider_the_page_offers_the_password_form_only(viewer):
    page = Client().get("/accounts/login/").content.decode()
    assert 'name="password"' in page
    assert "Sign in with" not in page
    assert Client().get("/oidc/authenticate/").status_code == 404
    assert Client().get("/oidc/callback/?code=x&state=y").status_code == 404
    assert is_signed_in(password_sign_in("viewer"))


def test_with_a_provider_the_page_offers_it_and_the_password_form(settings, provider):
    use_provider(settings, provider)
    page = Client().get("/accounts/login/?next=/initiatives/").content.decode()
    assert "Sign in with Example SSO" in page
    assert 'href="/oidc/authenticate/?next=/initiatives/"' in page
    assert 'name="password"' in page


def test_password_sign_in_off_hides_the_form_and_refuses_all_but_superusers(
    settings, provider, viewer, staff
):
    use_provider(settings, provider)
    settings.PORTAL_PASSWORD_SIGN_IN = False
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with Example SSO" in page
    assert 'name="password"' not in page
    assert 'href="?password"' in page
    assert 'name="password"' in Client().get("/accounts/login/?password").content.decode()

    assert not is_signed_in(password_sign_in("viewer"))
    admin_login = Client()
    admin_login.post("/admin/login/", {"username": "viewer", "password": PASSWORD})
    assert not is_signed_in(admin_login)
    assert is_signed_in(password_sign_in("staff"))  # the break-glass superuser


def test_a_staff_member_who_is_no_superuser_is_refused_a_password_too(settings):
    settings.PORTAL_PASSWORD_SIGN_IN = False
    UserFactory(username="clerk", is_staff=True)
    assert not is_signed_in(password_sign_in("clerk"))


def test_check_portal_reports_password_sign_in_off_with_no_provider(settings):
    settings.PORTAL_PASSWORD_SIGN_IN = False
    (finding,) = _identity()
    assert finding.level == PROBLEM
    assert "only superusers can sign in" in finding.message


def test_check_portal_reports_an_unreachable_issuer_and_a_missing_secret(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    settings.OIDC_CLIENT_ID = "crossing"
    settings.OIDC_CLIENT_SECRET = ""
    settings.OIDC_TIMEOUT_SECONDS = 2
    forget_metadata()
    messages = {f.message for f in _identity() if f.level == PROBLEM}
    assert any("OIDC_CLIENT_SECRET is unset" in m for m in messages)
    assert any("cannot be used" in m and "openid-configuration" in m for m in messages)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_portal", stdout=out)
    assert "PROBLEM: The identity provider (OIDC_ISSUER) cannot be used" in out.getvalue()


def test_check_portal_accepts_a_working_provider(settings, provider):
    use_provider(settings, provider)
    assert [f for f in _identity() if f.level in (PROBLEM, WARNING)] == []


def test_check_portal_reports_a_provider_signing_with_another_algorithm(settings, provider):
    use_provider(settings, provider, OIDC_SIGN_ALGO="ES256")
    (finding,) = _identity()
    assert "not OIDC_SIGN_ALGO=ES256" in finding.message


def test_an_unreachable_provider_sends_people_back_to_the_sign_in_page(settings):
    settings.OIDC_ENABLED = True
    settings.OIDC_ISSUER = "http://127.0.0.1:9"
    settings.OIDC_TIMEOUT_SECONDS = 2
    forget_metadata()
    response = Client().get("/oidc/authenticate/", follow=True)
    assert "cannot be reached just now" in response.content.decode()
