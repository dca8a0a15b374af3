"""Identity: sign-in with the organisation's OpenID Connect provider (mozilla-django-oidc).
Password sign-in (PORTAL_PASSWORD_SIGN_IN) is one of the portal's rules, in `portal.py`.

Nothing here is needed for `make run`: with OIDC_ISSUER unset the portal signs people in
with passwords only. With it set, the provider's endpoints and keys are discovered from
OIDC_ISSUER + /.well-known/openid-configuration when first needed, and kept for an hour
(`initiatives/identity/oidc.py`); the settings the library reads are derived below.
"""

from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from portal.settings.environment import env

# The issuer URL; unset, the portal offers password sign-in only.
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").strip().rstrip("/")
# The client registered at the provider for the portal.
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
# The scopes asked for; openid is required.
OIDC_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
# The claim that holds a person's username in the portal.
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
# The claim that lists a person's groups at the provider.
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
# Provider groups whose members are governance reviewers; unset, the admin decides.
OIDC_GOVERNANCE_GROUPS = env.list("OIDC_GOVERNANCE_GROUPS", default=[])
# Provider groups whose members are administrators (staff); unset, the admin decides.
OIDC_ADMIN_GROUPS = env.list("OIDC_ADMIN_GROUPS", default=[])
# The name on the sign-in button: "Sign in with <name>".
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your organisation's account")
# The algorithm the provider signs ID tokens with (RS256 by every major provider).
OIDC_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
# Seconds to wait for the provider (discovery, keys, token, userinfo).
OIDC_TIMEOUT_SECONDS = env.int("OIDC_TIMEOUT_SECONDS", default=10)

OIDC_ENABLED = bool(OIDC_ISSUER)
if OIDC_ENABLED and urlparse(OIDC_ISSUER).scheme not in ("https", "http"):
    raise ImproperlyConfigured(f"OIDC_ISSUER={OIDC_ISSUER!r} is not a URL (https://...).")
if OIDC_ENABLED and "openid" not in OIDC_SCOPES.split():
    raise ImproperlyConfigured(f"OIDC_SCOPES={OIDC_SCOPES!r} must include openid.")

# --- What mozilla-django-oidc reads ---------------------------------------------------------
# Its endpoint settings (OIDC_OP_*) are not set: they come from discovery.
OIDC_RP_CLIENT_ID = OIDC_CLIENT_ID
OIDC_RP_CLIENT_SECRET = OIDC_CLIENT_SECRET
OIDC_RP_SCOPES = OIDC_SCOPES
OIDC_RP_SIGN_ALGO = OIDC_SIGN_ALGO
OIDC_TIMEOUT = OIDC_TIMEOUT_SECONDS
# Authorization code flow with PKCE (S256), a state and a nonce, each single-use.
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USE_NONCE = True
# The ID token is kept in the session for sign-out at the provider (id_token_hint).
OIDC_STORE_ID_TOKEN = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
OIDC_CREATE_USER = True
# The key id in the token header must match a published key.
OIDC_VERIFY_KID = True

# --- SCIM 2.0 provisioning (django-scim2) at /scim/v2/ --------------------------------------
# The identity provider authenticates with a bearer token from `create_scim_token`; see
# `initiatives/identity/scim.py`.
SCIM_SERVICE_PROVIDER = {
    "NETLOC": "unused",  # locations come from BASE_LOCATION_GETTER below
    "BASE_LOCATION_GETTER": "initiatives.identity.scim_filters.scim_base_location",
    "USER_ADAPTER": "initiatives.identity.scim.ScimPerson",
    "GROUP_MODEL": "initiatives.identity.models.ScimGroup",
    "GROUP_ADAPTER": "initiatives.identity.scim.ScimProviderGroup",
    "USER_FILTER_PARSER": "initiatives.identity.scim_filters.ScimPersonFilter",
    "GROUP_FILTER_PARSER": "initiatives.identity.scim_filters.ScimGroupFilter",
    "AUTH_CHECK_MIDDLEWARE": "initiatives.identity.scim.ScimAuthCheck",
    "GET_QUERYSET_POST_PROCESSOR_GETTER": (
        "initiatives.identity.scim_filters.scim_queryset_post_processor_getter"
    ),
    "SCHEMAS_GETTER": "initiatives.identity.scim_filters.scim_schemas",
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="scim"',
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "A token from `python manage.py create_scim_token NAME`.",
            "primary": True,
        }
    ],
}
