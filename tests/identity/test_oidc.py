"""Sign-in through a real OpenID Connect provider (oidc-provider-mock, its own process): the
authorization code flow with PKCE, state and nonce; accounts and roles from the claims; and
every refusal. The browser journey is in tests/browser/test_provider_sign_in.py."""

import base64
import hashlib
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client

from initiatives.core.permissions import GOVERNANCE_GROUP
from initiatives.identity.services import person_deactivate
from tests.factories import UserFactory
from tests.support.identity_provider import identity_provider, use_provider

pytestmark = pytest.mark.django_db

User = get_user_model()
ALICE = {
    "preferred_username": "alice",
    "email": "alice@example.org",
    "given_name": "Alice",
    "family_name": "Martin",
    "groups": ["ai-governance", "crossing-admins", "finance"],
}


@pytest.fixture
def portal(settings, provider):
    use_provider(settings, provider)
    provider.set_person("alice-sub", **ALICE)
    return provider


def start(client: Client) -> tuple[str, dict]:
    """The portal's sign-in button: the provider's authorization address and its query."""
    response = client.get("/oidc/authenticate/?next=/initiatives/")
    assert response.status_code == 302
    location = response["Location"]
    return location, {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


def approve_at_provider(location: str, sub: str) -> str:
    """The person approves at the provider, which redirects back to the portal's callback."""
    response = requests.post(location, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    return response.headers["Location"]


def callback(client: Client, url: str):
    parts = urlparse(url)
    assert parts.path == "/oidc/callback/"
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: Client, sub: str = "alice-sub"):
    location, _ = start(client)
    return callback(client, approve_at_provider(location, sub))


def signed_in_as(client: Client) -> str | None:
    response = client.get("/accounts/profile/")
    if response.status_code != 200:
        return None
    return response.wsgi_request.user.get_username()


def refused(client: Client, response) -> bool:
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Signing in with Example SSO did not work" in t for t in texts), texts
    return signed_in_as(client) is None


def test_the_sign_in_request_carries_state_nonce_and_a_pkce_challenge(portal):
    client = Client()
    location, query = start(client)
    assert location.startswith(f"{portal.issuer}/oauth2/authorize?")
    assert query["response_type"] == "code"
    assert query["scope"] == "openid email profile"
    assert query["redirect_uri"] == "http://testserver/oidc/callback/"
    assert query["code_challenge_method"] == "S256"
    stored = client.session["oidc_states"][query["state"]]
    assert stored["nonce"] == query["nonce"]
    verifier = stored["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert query["code_challenge"] == challenge.decode().rstrip("=")


def test_first_sign_in_creates_the_account_from_the_claims_with_its_roles(portal):
    client = Client()
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/initiatives/"
    assert signed_in_as(client) == "alice"
    alice = User.objects.get(username="alice")
    assert (alice.email, alice.first_name, alice.last_name) == (
        "alice@example.org",
        "Alice",
        "Martin",
    )
    assert not alice.has_usable_password()
    assert alice.groups.filter(name=GOVERNANCE_GROUP).exists()
    assert alice.is_staff
    assert not alice.is_superuser


def test_every_sign_in_updates_the_account_and_roles_follow_the_groups(portal):
    alice = UserFactory(username="alice", email="old@example.org", governance=True)
    alice.is_staff = True
    alice.save()
    portal.set_person("alice-sub", **{**ALICE, "email": "new@example.org", "groups": ["finance"]})

    client = Client()
    sign_in(client)

    alice.refresh_from_db()
    assert signed_in_as(client) == "alice"
    assert alice.email == "new@example.org"
    assert not alice.groups.filter(name=GOVERNANCE_GROUP).exists()
    assert not alice.is_staff


def test_roles_are_left_to_the_admin_when_no_groups_are_mapped(portal, settings):
    settings.OIDC_GOVERNANCE_GROUPS = []
    settings.OIDC_ADMIN_GROUPS = []
    UserFactory(username="alice", governance=True)
    portal.set_person("alice-sub", **{**ALICE, "groups": []})
    sign_in(Client())
    alice = User.objects.get(username="alice")
    assert alice.groups.filter(name=GOVERNANCE_GROUP).exists()


def test_a_wrong_state_is_refused(portal, caplog):
    client = Client()
    location, query = start(client)
    url = approve_at_provider(location, "alice-sub").replace(query["state"], "forged-state")
    assert refused(client, callback(client, url))
    assert "state not found" in caplog.text
    assert not User.objects.filter(username="alice").exists()


def test_a_callback_without_a_sign_in_started_is_refused(portal):
    client = Client()
    location, _ = start(Client())  # someone else's sign-in
    assert refused(client, callback(client, approve_at_provider(location, "alice-sub")))


def test_a_replayed_callback_is_refused(portal):
    client = Client()
    location, _ = start(client)
    url = approve_at_provider(location, "alice-sub")
    callback(client, url)
    assert signed_in_as(client) == "alice"
    client.post("/accounts/logout/")

    assert refused(client, callback(client, url))


def test_a_replayed_code_is_refused_by_the_provider(portal, caplog):
    client = Client()
    first = approve_at_provider(start(client)[0], "alice-sub")
    callback(client, first)
    assert signed_in_as(client) == "alice"
    client.post("/accounts/logout/")

    # A new sign-in of this browser (its own state and nonce) carrying the code already used.
    code = parse_qs(urlparse(first).query)["code"][0]
    _, query = start(client)
    assert refused(client, client.get(f"/oidc/callback/?code={code}&state={query['state']}"))
    assert "invalid_grant" in caplog.text  # the provider refused the code


def test_a_deactivated_person_cannot_sign_in_through_the_provider(portal, caplog):
    alice = UserFactory(username="alice")
    person_deactivate(person=alice, by=None, reason="Left.")
    client = Client()
    assert refused(client, sign_in(client))
    assert "alice is deactivated" in caplog.text
    alice.refresh_from_db()
    assert not alice.is_active


def test_a_session_from_the_provider_ends_when_the_person_is_deactivated(portal):
    client = Client()
    sign_in(client)
    alice = User.objects.get(username="alice")
    person_deactivate(person=alice, by=None, reason="Left.")
    assert signed_in_as(client) is None


class Later(datetime):
    """The portal's clock two minutes on: past a one-second token's expiry and the
    tolerated clock skew (backends.CLOCK_SKEW_SECONDS)."""

    @classmethod
    def now(cls, tz=None):
        return datetime.now(tz) + timedelta(seconds=120)


def test_an_expired_id_token_is_refused(settings, tmp_path, monkeypatch, caplog):
    with identity_provider(tmp_path, "--token-max-age", "1") as short_lived:
        use_provider(settings, short_lived)
        short_lived.set_person("alice-sub", **ALICE)
        client = Client()
        location, _ = start(client)
        url = approve_at_provider(location, "alice-sub")
        monkeypatch.setattr(jwt.api_jwt, "datetime", Later)
        assert refused(client, callback(client, url))
    assert "Signature has expired" in caplog.text


def test_signing_out_ends_the_provider_session_too(portal):
    client = Client()
    sign_in(client)
    id_token = client.session["oidc_id_token"]
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        f"{portal.issuer}/oauth2/end_session"
    )
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"].endswith("/accounts/login/")
    assert signed_in_as(client) is None


def test_signing_out_after_a_password_sign_in_stays_in_the_portal(portal):
    client = Client()
    client.force_login(UserFactory(username="demo"))
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
