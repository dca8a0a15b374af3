"""The REST API: Django REST framework (authentication, permissions, throttles), knox
tokens, and the OpenAPI schema and its pages (drf-spectacular)."""

import re
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from portal.settings.environment import env
from portal.settings.portal import PORTAL_API_TOKEN_DAYS

_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def _rate(name: str, default: str) -> str | None:
    """A throttle rate such as "120/minute" from the environment; "off" (or empty) disables.
    Anything else stops start-up with a clear error, rather than failing every API call."""
    value = env.str(name, default=default).strip()
    if value.lower() in ("", "off", "none"):
        return None
    if not _RATE.match(value):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate: write N/second, N/minute, N/hour or N/day, or off."
        )
    return value


REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes DRF answer 401 (not 403) to a missing or
    # revoked token, so a client can tell "who are you?" from "not allowed".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "initiatives.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "initiatives.api.renderers.BrowsableAPIRenderer",  # DRF's, under the portal's CSP
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "initiatives.api.permissions.MachineClientsOnlyReport",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "initiatives.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "initiatives.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "initiatives.api.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "initiatives.api.schema.CrossingAutoSchema",
    "EXCEPTION_HANDLER": "initiatives.api.errors.exception_handler",
    # Per client: anonymous callers by address, signed-in ones (and tokens) by user. Health
    # pushes count in a scope of their own, so a machine client's batches never compete with
    # people's reads (initiatives/api/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _rate("API_THROTTLE_ANON", "60/minute"),
        "user": _rate("API_THROTTLE_USER", "1200/minute"),
        "health_push": _rate("API_THROTTLE_HEALTH_PUSH", "600/minute"),
    },
    # Client addresses come from REMOTE_ADDR unless a proxy in front is trusted to set
    # X-Forwarded-For (the number of proxies).
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
}
KNOX_TOKEN_MODEL = "knox.AuthToken"  # noqa: S105 (a model name; ApiTokenInfo adds label, last use)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=PORTAL_API_TOKEN_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Crossing API",
    "DESCRIPTION": "AI initiatives from proof of concept to production.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge fetched from validator.swagger.io: no page loads anything from another host.
    # No deep links: Swagger UI puts them as links inside each operation's expand button,
    # a control inside a control that screen readers cannot reach (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"StageEnum": "initiatives.core.choices.Stage"},
    # Operations grouped by resource, in the order of `initiatives.api.schema.TAGS`.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "initiatives.api.schema.add_tags",
    ],
}
