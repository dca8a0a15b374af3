"""Crossing settings: every value comes from the environment, with an embedded default.

The embedded defaults make `make run` work on a machine with nothing but Python:
SQLite, a file-system Celery broker, e-mails written to files. Production sets
DATABASE_URL, CELERY_BROKER_URL and EMAIL_HOST (see README.md).
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from ops import logging as ops_logging

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

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

PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
GOVERNANCE_EMAIL = env.str("GOVERNANCE_EMAIL", default="governance@example.com")

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
                "initiatives.context_processors.roles",
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
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portfolio"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("PORTAL_TIME_ZONE", default="UTC")
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
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
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
# A session ends after this long without a request; each request starts the period again.
PORTAL_SESSION_IDLE_MINUTES = env.int("PORTAL_SESSION_IDLE_MINUTES", default=60)
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

# Brute-force protection on sign-in (django-axes). A username is locked after
# PORTAL_LOGIN_FAILURE_LIMIT failures from anywhere (a distributed guess at one account),
# and an address after as many failures on any usernames (one host spraying many accounts),
# each for PORTAL_LOGIN_COOLOFF_MINUTES. Failures during a lock do not extend it, so nobody
# can keep a colleague locked out for longer than that; staff unlock at once in the admin
# (Axes › Access attempts) or with `manage.py axes_reset_username USERNAME`.
AXES_FAILURE_LIMIT = env.int("PORTAL_LOGIN_FAILURE_LIMIT", default=5)
# axes records every sign-in (its access log); beat prunes records older than this nightly.
PORTAL_SIGN_IN_LOG_DAYS = env.int("PORTAL_SIGN_IN_LOG_DAYS", default=90)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("PORTAL_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Failures age out after the cool-off instead of being wiped by a successful sign-in: axes
# would wipe every failure from the address, so one could reset the count of guesses at a
# colleague's password by signing in to one's own account.
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
# Behind N proxies that each append to X-Forwarded-For, the client is the N-th address from
# the right; 0 (no proxy) takes the connection's address.
PORTAL_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", default=0)

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

# --- Celery --------------------------------------------------------------------------------
# Default broker: kombu's file-system transport, which needs no server. Production: Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(env.str("CELERY_FILESYSTEM_BROKER_DIR", default=str(VAR_DIR / "broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # The transport needs its folders before the first message.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Longer than the longest task and any countdown, so Redis does not redeliver live work.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TIMEZONE = TIME_ZONE
# Reminders come from beat and database state, never from long countdowns or ETAs.
# A scan that has not finished for two intervals means beat (or every worker) is down.
PORTAL_SCAN_INTERVAL_SECONDS = env.int("PORTAL_SCAN_INTERVAL_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE = {
    "scan-portfolio": {
        "task": "initiatives.tasks.scan_portfolio",
        "schedule": PORTAL_SCAN_INTERVAL_SECONDS,
    },
    "send-pending-emails": {
        "task": "initiatives.tasks.sweep_emails",
        "schedule": env.int("PORTAL_EMAIL_SWEEP_SECONDS", default=120),
    },
    "weekly-digest": {
        "task": "initiatives.tasks.send_weekly_digest",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    "prune-sign-in-logs": {
        "task": "ops.tasks.prune_sign_in_logs",
        "schedule": crontab(minute=30, hour=3),
    },
}

# --- REST API ------------------------------------------------------------------------------
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
# Every API token expires this many days after it is made (shown on the profile page).
PORTAL_API_TOKEN_DAYS = env.int("PORTAL_API_TOKEN_DAYS", default=365)
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
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"StageEnum": "initiatives.choices.Stage"},
}

# --- Portal rules (every limit can be changed without code) --------------------------------
PORTAL_OWNERSHIP_CONFIRMATION_DAYS = env.int("PORTAL_OWNERSHIP_CONFIRMATION_DAYS", default=90)
# My work lists an owner's confirmation this many days before it falls due.
PORTAL_CONFIRMATION_REMINDER_DAYS = env.int("PORTAL_CONFIRMATION_REMINDER_DAYS", default=14)
PORTAL_HANDOVER_PENDING_DAYS = env.int("PORTAL_HANDOVER_PENDING_DAYS", default=14)
PORTAL_STALLED_POC_DAYS = env.int("PORTAL_STALLED_POC_DAYS", default=90)
PORTAL_STALLED_PILOT_DAYS = env.int("PORTAL_STALLED_PILOT_DAYS", default=120)
# Health: a production system is silent after this many hours without a report, and each
# metric is degraded or failing past these defaults (per-initiative overrides in the admin).
PORTAL_HEALTH_THRESHOLDS = {
    "silent_after_hours": env.float("PORTAL_HEALTH_SILENT_AFTER_HOURS", default=24.0),
    "availability": {"degraded_below": 99.5, "failing_below": 98.0},
    "latency_p95_ms": {"degraded_above": 800.0, "failing_above": 2000.0},
    "error_rate": {"degraded_above": 0.01, "failing_above": 0.05},
    "data_freshness_hours": {"degraded_above": 24.0, "failing_above": 72.0},
    "data_quality_pass_rate": {"degraded_below": 0.98, "failing_below": 0.9},
    "eval_score": {"degraded_below": 0.8, "failing_below": 0.7},
}
# Evaluation regression: the latest eval_score is below the mean of the previous
# PORTAL_EVAL_BASELINE_DAYS by more than max(PORTAL_EVAL_REGRESSION_MIN_DROP, 2 x their
# standard deviation), with at least PORTAL_EVAL_BASELINE_MIN_REPORTS of them.
PORTAL_EVAL_BASELINE_DAYS = env.int("PORTAL_EVAL_BASELINE_DAYS", default=30)
PORTAL_EVAL_BASELINE_MIN_REPORTS = env.int("PORTAL_EVAL_BASELINE_MIN_REPORTS", default=5)
PORTAL_EVAL_REGRESSION_MIN_DROP = env.float("PORTAL_EVAL_REGRESSION_MIN_DROP", default=0.05)
PORTAL_HEALTH_CLOCK_SKEW_SECONDS = env.int("PORTAL_HEALTH_CLOCK_SKEW_SECONDS", default=300)
# Reports older than this are refused (a zero timestamp from an unset clock, say).
PORTAL_HEALTH_OLDEST_DAYS = env.int("PORTAL_HEALTH_OLDEST_DAYS", default=3650)
# The baseline ends this long before the latest score, so a drop that lasts does not
# become its own baseline and clear itself.
PORTAL_EVAL_BASELINE_GAP_DAYS = env.int("PORTAL_EVAL_BASELINE_GAP_DAYS", default=7)
PORTAL_HEALTH_MAX_BATCH = env.int("PORTAL_HEALTH_MAX_BATCH", default=1000)
PORTAL_HEALTH_MAX_BYTES = env.int("PORTAL_HEALTH_MAX_BYTES", default=1024 * 1024)
PORTAL_DEFAULT_CURRENCY = env.str("PORTAL_DEFAULT_CURRENCY", default="EUR")
PORTAL_IMPORT_MAX_BYTES = env.int("PORTAL_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# The upload page imports within one web request; larger files go through the command.
PORTAL_IMPORT_MAX_WEB_ROWS = env.int("PORTAL_IMPORT_MAX_WEB_ROWS", default=2000)
# E-mails about an open flag: the first at once, then a reminder every interval; after this
# many unanswered reminders the sponsor is told as well.
PORTAL_REMINDER_INTERVAL_DAYS = env.int("PORTAL_REMINDER_INTERVAL_DAYS", default=7)
PORTAL_ESCALATE_AFTER_REMINDERS = env.int("PORTAL_ESCALATE_AFTER_REMINDERS", default=2)
PORTAL_CONFIRM_LINK_MAX_AGE_DAYS = env.int("PORTAL_CONFIRM_LINK_MAX_AGE_DAYS", default=14)
# A claimed e-mail whose worker has not finished within this time is sent again by the sweep;
# longer than the SMTP timeout and the task time limit.
PORTAL_EMAIL_CLAIM_TIMEOUT_SECONDS = env.int("PORTAL_EMAIL_CLAIM_TIMEOUT_SECONDS", default=600)
# A failed e-mail is tried again after BASE seconds, doubling after each failure up to MAX,
# each wait drawn between half and all of that (equal jitter); after MAX_ATTEMPTS attempts it
# is marked failed. The defaults keep trying for at least a day (README, "The watch").
PORTAL_EMAIL_RETRY_BASE_SECONDS = env.int("PORTAL_EMAIL_RETRY_BASE_SECONDS", default=120)
PORTAL_EMAIL_RETRY_MAX_SECONDS = env.int("PORTAL_EMAIL_RETRY_MAX_SECONDS", default=6 * 3600)
PORTAL_EMAIL_MAX_ATTEMPTS = env.int("PORTAL_EMAIL_MAX_ATTEMPTS", default=16)

# --- Observability -------------------------------------------------------------------------
# /metrics answers only to `Authorization: Bearer <PORTAL_METRICS_TOKEN>`; unset, it is a 404.
PORTAL_METRICS_TOKEN = env.str("PORTAL_METRICS_TOKEN", default="")
PROMETHEUS_EXPORT_MIGRATIONS = False  # /readyz says whether migrations are applied

# Logs: one JSON object per line (production), or readable lines for people (`make run`).
PORTAL_LOG_FORMAT = env.str("PORTAL_LOG_FORMAT", default="console" if DEBUG else "json")
if PORTAL_LOG_FORMAT not in ("json", "console"):
    raise ImproperlyConfigured(
        f"PORTAL_LOG_FORMAT must be json or console, not {PORTAL_LOG_FORMAT!r}."
    )
ops_logging.configure_structlog()
LOGGING = ops_logging.logging_config(
    log_format=PORTAL_LOG_FORMAT, level=env.str("DJANGO_LOG_LEVEL", default="INFO")
)
