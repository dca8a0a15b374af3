"""The provider backend's checks of an ID token, with tokens signed here: by a key the
provider does not publish, for another client, from another issuer, expired, replayed
with another nonce. The provider (a real process) publishes the keys they are checked
against."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation

from initiatives.identity.backends import ProviderBackend
from tests.support.identity_provider import use_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def backend(settings, provider):
    use_provider(settings, provider)
    return ProviderBackend()


def claims(provider, **overrides) -> dict:
    now = int(time.time())
    return {
        "iss": provider.issuer,
        "aud": "crossing",
        "sub": "alice-sub",
        "iat": now,
        "exp": now + 300,
        "nonce": "the-nonce",
        "preferred_username": "alice",
        **overrides,
    }


def signed_elsewhere(payload: dict, *, kid: str | None) -> str:
    """A well-formed RS256 token signed with a key of our own (an attacker's)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers = {"kid": kid} if kid else {}
    return jwt.encode(payload, key, algorithm="RS256", headers=headers)


def provider_kid(backend) -> str | None:
    import requests

    (key,) = requests.get(backend.OIDC_OP_JWKS_ENDPOINT, timeout=5).json()["keys"]
    return key.get("kid")


def test_a_token_signed_by_another_key_is_refused(backend, provider):
    token = signed_elsewhere(claims(provider), kid=provider_kid(backend))
    with pytest.raises(jwt.InvalidSignatureError):
        backend.verify_token(token, nonce="the-nonce")


def test_a_token_naming_a_key_the_provider_does_not_publish_is_refused(backend, provider):
    token = signed_elsewhere(claims(provider), kid="attackers-key")
    with pytest.raises(SuspiciousOperation, match="no single key"):
        backend.verify_token(token, nonce="the-nonce")


def test_an_unsigned_token_is_refused(backend, provider):
    token = jwt.encode(claims(provider), key=None, algorithm="none")
    with pytest.raises((SuspiciousOperation, jwt.InvalidTokenError)):
        backend.verify_token(token, nonce="the-nonce")


def test_a_token_signed_with_the_client_secret_is_refused(backend, provider):
    # HS256 with the secret the portal knows: the algorithm confusion attack.
    token = jwt.encode(claims(provider), "crossing-secret" * 3, algorithm="HS256")
    with pytest.raises(SuspiciousOperation, match="not RS256"):
        backend.verify_token(token, nonce="the-nonce")


def test_a_well_signed_token_is_checked_for_audience_issuer_expiry_and_nonce(
    backend, provider, monkeypatch
):
    """Tokens with a good signature, each with one thing wrong, are refused; the right one
    passes. The provider signs only what its token endpoint issues, so here the key lookup
    answers with a key of ours, as if the provider published it; the checks after the
    signature are the backend's own."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setattr(
        ProviderBackend,
        "retrieve_matching_jwk",
        lambda self, token: key.public_key(),
    )

    def sign(**overrides) -> str:
        return jwt.encode(claims(provider, **overrides), key, algorithm="RS256")

    assert backend.verify_token(sign(), nonce="the-nonce")["sub"] == "alice-sub"
    with pytest.raises(jwt.InvalidAudienceError):
        backend.verify_token(sign(aud="another-client"), nonce="the-nonce")
    with pytest.raises(jwt.InvalidIssuerError):
        backend.verify_token(sign(iss="https://evil.example.org"), nonce="the-nonce")
    with pytest.raises(jwt.ExpiredSignatureError):
        backend.verify_token(sign(exp=int(time.time()) - 120), nonce="the-nonce")
    with pytest.raises(jwt.MissingRequiredClaimError):
        backend.verify_token(sign(exp=None), nonce="the-nonce")
    with pytest.raises(SuspiciousOperation, match="Nonce"):
        backend.verify_token(sign(), nonce="another-sign-in")
