"""The identity provider's metadata, discovered from OIDC_ISSUER, and the sign-out address.

OpenID Connect Discovery: the provider publishes its endpoints and its keys' address at
OIDC_ISSUER + /.well-known/openid-configuration. They are read when first needed (the first
sign-in, not start-up, so the portal starts while the provider is down) and kept for
DISCOVERY_SECONDS in the process; the keys themselves are fetched by mozilla-django-oidc on
each sign-in, so a provider rotating its keys is followed at once.
"""

import logging
import threading
import time
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

logger = logging.getLogger(__name__)

DISCOVERY_SECONDS = 3600
REQUIRED = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """The provider's metadata could not be read, or cannot be used."""


_lock = threading.Lock()
_cache: dict[str, tuple[float, dict]] = {}


def discovery_url(issuer: str) -> str:
    return f"{issuer.rstrip('/')}/.well-known/openid-configuration"


def provider_metadata(*, fresh: bool = False) -> dict:
    """The provider's metadata (RFC 8414 / OpenID Connect Discovery 1.0), checked: it names
    OIDC_ISSUER as its issuer (exactly, as the specification requires) and has the
    endpoints the sign-in needs. Raises ProviderUnavailable, saying why, otherwise."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        raise ProviderUnavailable("OIDC_ISSUER is not set.")
    with _lock:
        cached = _cache.get(issuer)
        if cached and not fresh and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
            return cached[1]
    url = discovery_url(issuer)
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT_SECONDS)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{url} could not be read: {error}") from error
    if not isinstance(metadata, dict):
        raise ProviderUnavailable(f"{url} is not a JSON object.")
    if metadata.get("issuer", "").rstrip("/") != issuer:
        raise ProviderUnavailable(
            f"{url} names the issuer {metadata.get('issuer')!r}, not OIDC_ISSUER={issuer!r}."
        )
    missing = [key for key in REQUIRED if not metadata.get(key)]
    if missing:
        raise ProviderUnavailable(f"{url} does not give {', '.join(missing)}.")
    with _lock:
        _cache[issuer] = (time.monotonic(), metadata)
    return metadata


def forget_metadata() -> None:
    """Read the metadata again when next needed (tests; a provider that moved)."""
    with _lock:
        _cache.clear()


def provider_sign_out_url(request: HttpRequest) -> str | None:
    """Where to send a person who signs out, to end their session at the provider too:
    its end-session endpoint (OpenID Connect RP-Initiated Logout) with their ID token, back
    to the sign-in page. None when they did not sign in through the provider, or it
    publishes no end-session endpoint."""
    id_token = request.session.get("oidc_id_token")
    if not id_token or not settings.OIDC_ENABLED:
        return None
    try:
        endpoint = provider_metadata().get("end_session_endpoint")
    except ProviderUnavailable as error:
        logger.warning("Signed out of the portal only: %s", error)
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_CLIENT_ID,
            "post_logout_redirect_uri": f"{settings.PORTAL_BASE_URL}{reverse('login')}",
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
