"""Core Django and security: hosts, apps, database, cache, static files, e-mail, sessions,
the Content-Security-Policy, sign-in locks (django-axes) and the proxies in front."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal.settings.environment import BASE_DIR, DEBUG, VAR_DIR, env
from portal.settings.identity import OIDC_ENABLED, OIDC_ISSUER
from portal.settings.portal import (
    PORTAL_LOGIN_COOLOFF_MINUTES,
    PORTAL_LOGIN_FAILURE_LIMIT,
    PORTAL_SESSION_IDLE_MINUTES,
    PORTAL_TIME_ZONE,
)

# Production fails fast on a missing secret; development gets a fixed, obviously-unsafe one.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_prometheus",
    "initiatives",
    "ops",
]

MIDDLEWARE = [
    # First and last: request counts and latency per view (metrics at /metrics).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # A request id on every log line, task and response (X-Request-ID).
    "ops.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.PortalLoginRequiredMiddleware",
    # django-axes asks to be last; it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
    # Last of all, to time and count every response (metrics at /metrics).
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "initiatives.core.context_processors.roles",
                "initiatives.core.context_processors.section",
            ],
        },
    },
]

# An empty variable counts as unset, so `DATABASE_URL= make run` still gets the default.
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'crossing.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web process, the worker and beat share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # PostgreSQL's JIT compiles a query whose *estimated* cost is high: at 100,000
    # initiatives the planner's estimates for the dashboards' subqueries cross the threshold,
    # and compiling took 3 s of a query that runs in 0.2 ms (README "Dashboards at scale").
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# The same backends wrapped by django-prometheus, which counts queries, errors and connections.
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out username or address before any password is checked.
# It needs the request, which Django's sign-in form (portal and admin) passes to authenticate().
# Passwords: Django's backend, refusing all but superusers when PORTAL_PASSWORD_SIGN_IN is
# off. The provider's backend signs in people coming back from the provider (OIDC_ISSUER).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "initiatives.identity.backends.PasswordBackend",
]
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("initiatives.identity.backends.ProviderBackend")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portfolio"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = PORTAL_TIME_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "portal.static_storage.GzipManifestStaticFilesStorage"
        )
    },
}

# The admin shows field history but never reverts from it: a revert would save an old row
# past the services and their gates (initiatives.admin.HistoryAdmin also refuses the POST).
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Security ------------------------------------------------------------------------------
# Production (DJANGO_DEBUG off) sits behind a TLS-terminating proxy and is secure by default:
# `manage.py check --deploy --fail-level WARNING` passes with the settings in the README.
# Each value can be changed from the environment (the test suite's plain-HTTP server does).
_production = not DEBUG
# "HTTP_X_FORWARDED_PROTO,https": the header the proxy sets, and its value on HTTPS requests.
# Only set it when the proxy always sets (or strips) that header; clients must not reach
# the portal around the proxy.
_proxy_ssl_header = env.list("DJANGO_SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured(
            "DJANGO_SECURE_PROXY_SSL_HEADER is a header and a value, e.g. "
            "'HTTP_X_FORWARDED_PROTO,https'."
        )
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=_production)
# Probes and scrapers on the internal network may speak plain HTTP to the process.
SECURE_REDIRECT_EXEMPT = env.list(
    "DJANGO_SECURE_REDIRECT_EXEMPT", default=[r"^healthz$", r"^readyz$", r"^metrics$"]
)
SECURE_HSTS_SECONDS = env.int(
    "DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if _production else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=_production)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=_production)
# No script of ours reads the CSRF cookie (forms carry the token, the API docs get it
# from the page), so scripts may not read it either.
CSRF_COOKIE_HTTPONLY = True
# A session ends after PORTAL_SESSION_IDLE_MINUTES without a request; each request starts
# the period again.
SESSION_COOKIE_AGE = PORTAL_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True

# Content-Security-Policy (django-csp 4): only the portal's own files; no inline script or
# style, no plugins, no framing. Charts are inline SVG drawn with presentation attributes;
# Swagger UI's stylesheet uses data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if OIDC_ENABLED:
    # Signing out (a form) ends with a redirect to the provider's end-session page, which
    # form-action governs too.
    _issuer = urlparse(OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_issuer.scheme}://{_issuer.netloc}"
    )

# Brute-force protection on sign-in (django-axes). A username is locked after
# PORTAL_LOGIN_FAILURE_LIMIT failures from anywhere (a distributed guess at one account),
# and an address after as many failures on any usernames (one host spraying many accounts),
# each for PORTAL_LOGIN_COOLOFF_MINUTES. Failures during a lock do not extend it, so nobody
# can keep a colleague locked out for longer than that; staff unlock at once in the admin
# (Axes › Access attempts) or with `manage.py axes_reset_username USERNAME`. Beat prunes
# axes' record of every sign-in after PORTAL_SIGN_IN_LOG_DAYS; the client's address comes
# from portal.security.client_ip, behind PORTAL_TRUSTED_PROXY_COUNT proxies.
AXES_FAILURE_LIMIT = PORTAL_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=PORTAL_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Failures age out after the cool-off instead of being wiped by a successful sign-in: axes
# would wipe every failure from the address, so one could reset the count of guesses at a
# colleague's password by signing in to one's own account.
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"

# --- E-mail --------------------------------------------------------------------------------
# With EMAIL_HOST set, mail goes over SMTP; otherwise each message is written to a file in
# EMAIL_FILE_PATH so a person running the demo can read it.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Crossing <crossing@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = Path(env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail")))

# --- Cache ---------------------------------------------------------------------------------
# API throttling counts requests in the cache, so in production every web process must share
# one: CACHE_URL=redis://host:6379/1. The default, per-process memory, suits one process.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://crossing")}
# django-environ leaves some URL options (`?key_prefix=crossing`) lower-case at the top level,
# where Django's Redis cache never looks: give Django the names it reads.
for _option in ("key_prefix", "timeout", "version"):
    if _option in CACHES["default"]:
        _value = CACHES["default"].pop(_option)
        CACHES["default"][_option.upper()] = int(_value) if _option != "key_prefix" else _value

# --- Observability -------------------------------------------------------------------------
PROMETHEUS_EXPORT_MIGRATIONS = False  # /readyz says whether migrations are applied
