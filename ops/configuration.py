"""What `manage.py check_portal` looks for: the mistakes that make a production portal
quietly useless (mail nobody gets, links to localhost, a scan nobody runs), in plain words.

Each check is a small function returning findings; a problem fails the command, a warning
does not.
"""

from dataclasses import dataclass
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection

from ops import checks

PROBLEM = "problem"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    level: str  # PROBLEM or WARNING
    message: str


def _debug() -> list[Finding]:
    if settings.DEBUG:
        return [
            Finding(
                PROBLEM,
                "DEBUG is on (DJANGO_DEBUG): error pages show code and settings to anyone. "
                "Unset DJANGO_DEBUG in production.",
            )
        ]
    return []


def _allowed_hosts() -> list[Finding]:
    if not settings.ALLOWED_HOSTS:
        return [
            Finding(
                PROBLEM,
                "DJANGO_ALLOWED_HOSTS is empty: the portal refuses every request. Set it to "
                "the host name people use (crossing.example.com).",
            )
        ]
    return []


def _smtp() -> list[Finding]:
    if not settings.EMAIL_HOST:
        return [
            Finding(
                PROBLEM,
                "No SMTP host (EMAIL_HOST is unset): e-mails are written to files in "
                f"{getattr(settings, 'EMAIL_FILE_PATH', 'a folder')} and nobody receives them.",
            )
        ]
    return []


def _base_url() -> list[Finding]:
    url = urlparse(settings.PORTAL_BASE_URL)
    if url.hostname in (None, "", "localhost", "127.0.0.1", "::1"):
        return [
            Finding(
                PROBLEM,
                f"PORTAL_BASE_URL is {settings.PORTAL_BASE_URL!r} (unset?): links in e-mails "
                "would point at this machine, not at the portal. Set it to the portal's "
                "public https address.",
            )
        ]
    if url.scheme != "https":
        return [
            Finding(
                PROBLEM,
                f"PORTAL_BASE_URL is {settings.PORTAL_BASE_URL!r}: not https, so the one-click "
                "confirmation links in e-mails would travel unencrypted.",
            )
        ]
    return []


def _database() -> list[Finding]:
    found = []
    if connection.vendor == "sqlite":
        found.append(
            Finding(
                PROBLEM,
                "The database is SQLite (DATABASE_URL unset?): fine for the demo, but production "
                "runs PostgreSQL, which web, workers and beat share safely.",
            )
        )
    database = checks.check_database()
    if not database.ok:
        return [*found, Finding(PROBLEM, f"Database: {database.detail}.")]
    migrations = checks.check_migrations()
    if not migrations.ok:
        detail = migrations.detail[0].upper() + migrations.detail[1:]
        found.append(Finding(PROBLEM, f"{detail}. Run `python manage.py migrate`."))
    return found


def _broker() -> list[Finding]:
    from portal.celery import app

    if str(app.conf.broker_url).startswith("filesystem"):
        return [
            Finding(
                PROBLEM,
                "CELERY_BROKER_URL is unset: tasks go through the embedded file-system broker, "
                "which only workers on this machine see. Point it at Redis.",
            )
        ]
    broker = checks.check_broker()
    if not broker.ok:
        return [
            Finding(
                PROBLEM,
                f"Broker unreachable: {broker.detail}; e-mails and scans wait until it is back.",
            )
        ]
    return []


def _beat() -> list[Finding]:
    from initiatives.watch import selectors

    # Without a database, or with its tables not yet made, the findings above say why.
    if not (checks.check_database().ok and checks.check_migrations().ok):
        return []
    last = selectors.last_scan_finished_at()
    if not selectors.scan_is_overdue(last):
        return []
    interval = settings.PORTAL_SCAN_INTERVAL_SECONDS
    when = (
        f"The last portfolio scan finished at {last:%Y-%m-%d %H:%M %Z}, more than two scan "
        f"intervals ago (PORTAL_SCAN_INTERVAL_SECONDS={interval})"
        if last
        else "No portfolio scan has ever finished"
    )
    return [Finding(PROBLEM, f"{when}: is celery beat running, and at least one worker?")]


def _health_rollup() -> list[Finding]:
    """The daily health roll-up the charts and the status read equals a recount of the raw
    reports it still has (README "Health at volume")."""
    from initiatives.health import selectors

    if not (checks.check_database().ok and checks.check_migrations().ok):
        return []
    drift = selectors.health_days_drift()
    if not drift:
        return []
    return [
        Finding(
            PROBLEM,
            "The daily health roll-up differs from a recount of the raw reports ("
            + "; ".join(drift)
            + "): charts and statuses read it. Run `python manage.py rebuild_health_days`.",
        )
    ]


def _dashboard_counts() -> list[Finding]:
    """The dashboards' counters are installed as this code writes them, and equal a recount
    (README "Dashboards at volume"). PostgreSQL only: SQLite recounts on every read."""
    from initiatives.dashboards import standings

    if connection.vendor != "postgresql":
        return []
    if not (checks.check_database().ok and checks.check_migrations().ok):
        return []
    fix = "Run `python manage.py rebuild_dashboard_counts`."
    if standings.installed_fingerprint() != standings.fingerprint():
        return [
            Finding(
                PROBLEM,
                "The dashboards' counter triggers are missing or out of date, so the portfolio "
                "and the governance queue count wrong. " + fix,
            )
        ]
    drift = standings.drift()
    if not drift:
        return []
    differences = "; ".join(f"{key} {n} counted, {m} recounted" for key, (n, m) in drift.items())
    return [
        Finding(
            PROBLEM,
            f"The dashboards' counters differ from a recount ({differences}): the portfolio "
            "and the governance queue read them. " + fix,
        )
    ]


def _mailboxes() -> list[Finding]:
    found = []
    for name in ("GOVERNANCE_EMAIL", "DEFAULT_FROM_EMAIL"):
        value = getattr(settings, name)
        if "example.com" in value:
            found.append(
                Finding(WARNING, f"{name} is {value!r}, the shipped placeholder: set a real one.")
            )
    return found


def _metrics() -> list[Finding]:
    if not settings.PORTAL_METRICS_TOKEN:
        return [
            Finding(
                WARNING,
                "PORTAL_METRICS_TOKEN is unset: /metrics is off (404), so nothing watches the "
                "portal itself.",
            )
        ]
    return []


def _identity() -> list[Finding]:
    """An OpenID Connect configuration that cannot work, and a portal nobody can sign in to."""
    if not settings.OIDC_ENABLED:
        if not settings.PORTAL_PASSWORD_SIGN_IN:
            return [
                Finding(
                    PROBLEM,
                    "PORTAL_PASSWORD_SIGN_IN is off and no identity provider is configured "
                    "(OIDC_ISSUER): only superusers can sign in. Set OIDC_ISSUER, or turn "
                    "password sign-in back on.",
                )
            ]
        return []
    from initiatives.identity.oidc import ProviderUnavailable, provider_metadata

    found = []
    if not settings.OIDC_CLIENT_ID:
        found.append(Finding(PROBLEM, "OIDC_ISSUER is set but OIDC_CLIENT_ID is not."))
    if not settings.OIDC_CLIENT_SECRET:
        found.append(
            Finding(
                PROBLEM,
                "OIDC_CLIENT_SECRET is unset: the provider refuses to exchange sign-in codes "
                "from a confidential client without it.",
            )
        )
    try:
        metadata = provider_metadata(fresh=True)
    except ProviderUnavailable as error:
        found.append(
            Finding(PROBLEM, f"The identity provider (OIDC_ISSUER) cannot be used: {error}")
        )
    else:
        signing = metadata.get("id_token_signing_alg_values_supported") or []
        if signing and settings.OIDC_SIGN_ALGO not in signing:
            found.append(
                Finding(
                    PROBLEM,
                    f"The provider signs ID tokens with {', '.join(signing)}, not "
                    f"OIDC_SIGN_ALGO={settings.OIDC_SIGN_ALGO}.",
                )
            )
        if not metadata.get("end_session_endpoint"):
            found.append(
                Finding(
                    WARNING,
                    "The provider publishes no end-session endpoint: signing out of the "
                    "portal leaves the provider's session open.",
                )
            )
    return found


CHECKS = [
    _debug,
    _allowed_hosts,
    _database,
    _broker,
    _beat,
    _health_rollup,
    _dashboard_counts,
    _smtp,
    _base_url,
    _mailboxes,
    _metrics,
    _identity,
]


def findings() -> list[Finding]:
    return [finding for check in CHECKS for finding in check()]
