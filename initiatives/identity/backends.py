"""Who may sign in, and how: passwords (Django's backend), and the organisation's OpenID
Connect provider (mozilla-django-oidc's backend, configured from discovery)."""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from initiatives.identity import services
from initiatives.identity.oidc import ProviderUnavailable, provider_metadata

logger = logging.getLogger(__name__)

# Seconds of clock difference with the provider tolerated on exp, iat and nbf.
CLOCK_SKEW_SECONDS = 60


class PasswordBackend(ModelBackend):
    """Django's username and password sign-in. With PORTAL_PASSWORD_SIGN_IN off, only a
    superuser (the break-glass administrator) may sign in with a password: everyone else
    signs in through the provider, which knows when they leave."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not settings.PORTAL_PASSWORD_SIGN_IN and not user.is_superuser:
            logger.info("Password sign-in refused for %s: it is switched off.", user.pk)
            return None
        return user


class ProviderBackend(OIDCAuthenticationBackend):
    """Sign-in through the provider: mozilla-django-oidc exchanges the code (with the PKCE
    verifier), fetches the provider's keys and checks the ID token's signature and nonce;
    this adds what the library leaves out (the token's audience, issuer and lifetime are
    required and checked), takes the endpoints from discovery, matches people by their
    username claim, and keeps their name, e-mail and roles in line with the provider on
    every sign-in. A deactivated person is refused, here and on every later request."""

    def __init__(self, *args, **kwargs):
        # The library's __init__ reads every endpoint at once; here they are read from
        # discovery only when a sign-in needs them, so password sign-in never waits for
        # (nor fails with) the provider.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return provider_metadata()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str | None:
        return provider_metadata().get("userinfo_endpoint")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return provider_metadata()["jwks_uri"]

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password sign-in whose address happens
        # to carry ?code=&state= is not a provider sign-in.
        if request is None or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (
            ProviderUnavailable,
            requests.RequestException,
            SuspiciousOperation,
            jwt.InvalidTokenError,
            jwt.PyJWKError,
            KeyError,
            ValueError,  # a provider answering something other than JSON
        ) as error:
            # A used or forged code, a token signed by another key, expired, for another
            # client...: no sign-in, and the reason in the log (never on the page).
            logger.warning("Sign-in through the identity provider refused: %s", error)
            return None

    def retrieve_matching_jwk(self, token):
        """The provider's published key that signed `token`: the one with the token's key id
        ("kid"), or, for a token without one, the provider's only signing key. A key the
        provider does not publish (another key's signature) matches nothing."""
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("use", "sig") == "sig"
            and key.get("alg", self.OIDC_RP_SIGN_ALGO) == self.OIDC_RP_SIGN_ALGO
        ]
        kid = jwt.get_unverified_header(token).get("kid")
        matching = [key for key in keys if key.get("kid") == kid] if kid else keys
        if len(matching) != 1:
            raise SuspiciousOperation(
                f"The provider publishes no single key for this token (kid {kid!r})."
            )
        return jwt.PyJWK(matching[0], algorithm=self.OIDC_RP_SIGN_ALGO)

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"The token is signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}."
            )
        return jwt.decode(
            payload,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=settings.OIDC_ISSUER,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint's (some providers put
        the groups in one, some in the other), which must be about the same subject."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            extra = super().get_userinfo(access_token, id_token, payload)
            if extra.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The userinfo is about another subject.")
            claims.update(extra)
        return claims

    def verify_claims(self, claims) -> bool:
        return bool(services.username_from_claims(claims))

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(username__iexact=services.username_from_claims(claims))

    def create_user(self, claims):
        return services.person_from_provider(person=None, claims=claims)

    def update_user(self, user, claims):
        if not user.is_active:
            raise SuspiciousOperation(f"{user.get_username()} is deactivated.")
        return services.person_from_provider(person=user, claims=claims)

    def get_user(self, user_id):
        # The library's returns deactivated people too; Django's refuses them.
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
