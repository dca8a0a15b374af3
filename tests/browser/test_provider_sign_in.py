"""Signing in through the organisation's identity provider in a real browser: the portal's
button, the provider's own page (oidc-provider-mock, a process of its own), back signed in
with the roles the provider's groups give; signing out ends the provider's session too; a
second sign-in after the group is removed loses the role."""

import pytest
from django.contrib.auth import get_user_model

from initiatives.core.permissions import GOVERNANCE_GROUP
from tests.support.identity_provider import use_provider

pytestmark = pytest.mark.django_db(transaction=True)

GINA = {
    "preferred_username": "gina",
    "email": "gina@example.org",
    "given_name": "Gina",
    "family_name": "Rossi",
    "groups": ["ai-governance"],
}


def sign_in_at_provider(page, base_url: str, provider) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Example SSO").click()
    page.wait_for_url(f"{provider.issuer}/oauth2/authorize?**")
    page.fill("input[name=sub]", "gina-sub")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{base_url}/")


def test_signing_in_and_out_through_the_provider_in_a_browser(
    browser_page, live_server, settings, provider
):
    use_provider(settings, provider)
    settings.PORTAL_BASE_URL = live_server.url
    provider.set_person("gina-sub", **GINA)
    page = browser_page
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)

    sign_in_at_provider(page, live_server.url, provider)
    who = page.locator(".who")
    assert who.get_by_text("Gina Rossi").is_visible()
    assert who.get_by_text("governance").is_visible()
    assert page.get_by_role("link", name="Governance queue").is_visible()
    gina = get_user_model().objects.get(username="gina")
    assert gina.groups.filter(name=GOVERNANCE_GROUP).exists()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider.issuer}/oauth2/end_session?**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url

    provider.set_person("gina-sub", **{**GINA, "groups": []})
    sign_in_at_provider(page, live_server.url, provider)
    assert page.locator(".who").get_by_text("Gina Rossi").is_visible()
    assert page.get_by_role("link", name="Governance queue").count() == 0
    assert not gina.groups.filter(name=GOVERNANCE_GROUP).exists()
    assert violations == []
