"""The portal's own rules: every `PORTAL_*` setting, each with its default and meaning.

Every limit can be changed without code: each setting is read from the environment variable
of the same name (README, "Environment variables"), except PORTAL_HEALTH_THRESHOLDS, which
per-initiative overrides in the admin refine. Other settings modules take what they need
from here (the session length, the sign-in lock, the scan interval...), never from the
environment themselves.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

from portal.settings.environment import DEBUG, env

# --- The portal and its people --------------------------------------------------------------
# Where people reach the portal: absolute links in e-mails are built from it.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The time zone pages are shown in and beat's schedule runs in (Django's TIME_ZONE).
PORTAL_TIME_ZONE = env.str("PORTAL_TIME_ZONE", default="UTC")
# The governance mailbox: told about ownerless systems, and sent the weekly digest.
GOVERNANCE_EMAIL = env.str("GOVERNANCE_EMAIL", default="governance@example.com")

# --- Ownership and stages -------------------------------------------------------------------
# Days after which an owner's confirmation that they still own a system is stale.
PORTAL_OWNERSHIP_CONFIRMATION_DAYS = env.int("PORTAL_OWNERSHIP_CONFIRMATION_DAYS", default=90)
# My work lists an owner's confirmation this many days before it falls due.
PORTAL_CONFIRMATION_REMINDER_DAYS = env.int("PORTAL_CONFIRMATION_REMINDER_DAYS", default=14)
# Days a handover may stay pending before the system counts as ownerless.
PORTAL_HANDOVER_PENDING_DAYS = env.int("PORTAL_HANDOVER_PENDING_DAYS", default=14)
# Days in proof of concept after which an initiative counts as stalled.
PORTAL_STALLED_POC_DAYS = env.int("PORTAL_STALLED_POC_DAYS", default=90)
# Days in pilot after which an initiative counts as stalled.
PORTAL_STALLED_PILOT_DAYS = env.int("PORTAL_STALLED_PILOT_DAYS", default=120)

# --- Health ---------------------------------------------------------------------------------
# Hours without a report after which a production system is silent.
PORTAL_HEALTH_SILENT_AFTER_HOURS = env.float("PORTAL_HEALTH_SILENT_AFTER_HOURS", default=24.0)
# When a system is silent, and where each metric turns degraded or failing (per-initiative
# overrides in the admin).
PORTAL_HEALTH_THRESHOLDS = {
    "silent_after_hours": PORTAL_HEALTH_SILENT_AFTER_HOURS,
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
# Days of earlier scores that make the baseline the latest eval score is compared with.
PORTAL_EVAL_BASELINE_DAYS = env.int("PORTAL_EVAL_BASELINE_DAYS", default=30)
# Fewest scores in the baseline for a drop to count as a regression.
PORTAL_EVAL_BASELINE_MIN_REPORTS = env.int("PORTAL_EVAL_BASELINE_MIN_REPORTS", default=5)
# Smallest drop below the baseline's mean that is a regression (or 2 standard deviations).
PORTAL_EVAL_REGRESSION_MIN_DROP = env.float("PORTAL_EVAL_REGRESSION_MIN_DROP", default=0.05)
# The baseline ends this many days before the latest score, so a drop that lasts does not
# become its own baseline and clear itself.
PORTAL_EVAL_BASELINE_GAP_DAYS = env.int("PORTAL_EVAL_BASELINE_GAP_DAYS", default=7)
# Seconds a report's observed_at may lie in the future (clocks drift); later ones are refused.
PORTAL_HEALTH_CLOCK_SKEW_SECONDS = env.int("PORTAL_HEALTH_CLOCK_SKEW_SECONDS", default=300)
# Reports older than this many days are refused (a zero timestamp from an unset clock, say).
PORTAL_HEALTH_OLDEST_DAYS = env.int("PORTAL_HEALTH_OLDEST_DAYS", default=3650)
# Days raw health reports are kept before the nightly task deletes them (the daily roll-up
# the charts and the status read is kept; README "Health at volume").
PORTAL_HEALTH_RAW_DAYS = env.int("PORTAL_HEALTH_RAW_DAYS", default=90)
# Most reports in one health push.
PORTAL_HEALTH_MAX_BATCH = env.int("PORTAL_HEALTH_MAX_BATCH", default=1000)
# Largest health push, in bytes.
PORTAL_HEALTH_MAX_BYTES = env.int("PORTAL_HEALTH_MAX_BYTES", default=1024 * 1024)

# --- Business cases and the import ----------------------------------------------------------
# The currency a first business case starts in.
PORTAL_DEFAULT_CURRENCY = env.str("PORTAL_DEFAULT_CURRENCY", default="EUR")


def portal_currencies_from(raw: str, default_currency: str) -> list[str]:
    """PORTAL_CURRENCIES as a list: comma-separated ISO 4217 codes, upper-cased, each once;
    empty means the default currency plus USD, EUR and GBP. The default currency must be one
    of them, or a first business case would start in a currency it may not use."""
    codes = [code.strip().upper() for code in raw.split(",") if code.strip()]
    codes = codes or [default_currency, "USD", "EUR", "GBP"]
    unique = list(dict.fromkeys(codes))
    if bad := [code for code in unique if len(code) != 3 or not code.isalpha()]:
        raise ImproperlyConfigured(f"PORTAL_CURRENCIES: not ISO 4217 codes: {', '.join(bad)}")
    if default_currency not in unique:
        raise ImproperlyConfigured(
            f"PORTAL_CURRENCIES ({', '.join(unique)}) must include PORTAL_DEFAULT_CURRENCY "
            f"({default_currency})."
        )
    return unique


# The currencies business cases are written in (form and API); a case already in another
# currency keeps it. Comma-separated ISO 4217 codes.
PORTAL_CURRENCIES = portal_currencies_from(
    env.str("PORTAL_CURRENCIES", default=""), PORTAL_DEFAULT_CURRENCY
)
# The one currency the portfolio totals amounts in, with the exchange rates an administrator
# enters; one of PORTAL_CURRENCIES (a system check says so). README "Reporting currency".
PORTAL_REPORTING_CURRENCY = (
    env.str("PORTAL_REPORTING_CURRENCY", default=PORTAL_CURRENCIES[0]).strip().upper()
)
# Largest CSV file the import accepts, in bytes.
PORTAL_IMPORT_MAX_BYTES = env.int("PORTAL_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# Most rows the upload page imports within one web request; larger files go through the command.
PORTAL_IMPORT_MAX_WEB_ROWS = env.int("PORTAL_IMPORT_MAX_WEB_ROWS", default=2000)

# --- Value realisation ----------------------------------------------------------------------
# Days after a quarter ends that its value report may wait before value_unreported is raised.
PORTAL_VALUE_REPORT_GRACE_DAYS = env.int("PORTAL_VALUE_REPORT_GRACE_DAYS", default=30)


def share_from(raw: str, name: str) -> Decimal:
    """A share between 0 and 1 as a Decimal (money is compared exactly, never as a float)."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 <= value <= 1:
        raise ImproperlyConfigured(f"{name}: a share from 0 to 1 such as 0.5, not {raw!r}.")
    return value


# value_shortfall: realised net benefit below this share of plan (a decimal, 0.5 = half)...
PORTAL_VALUE_SHORTFALL_SHARE = share_from(
    env.str("PORTAL_VALUE_SHORTFALL_SHARE", default="0.5"), "PORTAL_VALUE_SHORTFALL_SHARE"
)
# ...in this many consecutive reported quarters.
PORTAL_VALUE_SHORTFALL_QUARTERS = env.int("PORTAL_VALUE_SHORTFALL_QUARTERS", default=2)

# --- The watch: scans, flags and e-mails ----------------------------------------------------
# Seconds between two portfolio scans by beat; a scan that has not finished for two intervals
# means beat (or every worker) is down. Reminders come from scans, never from long countdowns.
PORTAL_SCAN_INTERVAL_SECONDS = env.int("PORTAL_SCAN_INTERVAL_SECONDS", default=3600)
# Seconds between two sweeps by beat that queue e-mails due and left unsent.
PORTAL_EMAIL_SWEEP_SECONDS = env.int("PORTAL_EMAIL_SWEEP_SECONDS", default=120)
# E-mails about an open flag: the first at once, then at most one per person every this many days.
PORTAL_REMINDER_INTERVAL_DAYS = env.int("PORTAL_REMINDER_INTERVAL_DAYS", default=7)
# Unanswered reminders after which the sponsor is told as well.
PORTAL_ESCALATE_AFTER_REMINDERS = env.int("PORTAL_ESCALATE_AFTER_REMINDERS", default=2)
# Days an "I still own this" link keeps working.
PORTAL_CONFIRM_LINK_MAX_AGE_DAYS = env.int("PORTAL_CONFIRM_LINK_MAX_AGE_DAYS", default=14)
# Seconds after which a claimed e-mail whose worker has not finished is sent again by the
# sweep; longer than the SMTP timeout and the task time limit.
PORTAL_EMAIL_CLAIM_TIMEOUT_SECONDS = env.int("PORTAL_EMAIL_CLAIM_TIMEOUT_SECONDS", default=600)
# A failed e-mail is tried again after BASE seconds, doubling after each failure up to MAX,
# each wait drawn between half and all of that (equal jitter); after MAX_ATTEMPTS attempts it
# is marked failed. The defaults keep trying for at least a day (README, "The watch").
# Seconds to wait after an e-mail's first failed attempt.
PORTAL_EMAIL_RETRY_BASE_SECONDS = env.int("PORTAL_EMAIL_RETRY_BASE_SECONDS", default=120)
# The longest wait between two attempts, in seconds.
PORTAL_EMAIL_RETRY_MAX_SECONDS = env.int("PORTAL_EMAIL_RETRY_MAX_SECONDS", default=6 * 3600)
# Attempts after which an e-mail is marked failed.
PORTAL_EMAIL_MAX_ATTEMPTS = env.int("PORTAL_EMAIL_MAX_ATTEMPTS", default=16)

# --- Sign-in, sessions and tokens -----------------------------------------------------------
# Minutes without a request after which a signed-in session ends; each request starts it again.
PORTAL_SESSION_IDLE_MINUTES = env.int("PORTAL_SESSION_IDLE_MINUTES", default=60)
# Failed sign-ins that lock a username (tried from anywhere) or an address (on any usernames).
PORTAL_LOGIN_FAILURE_LIMIT = env.int("PORTAL_LOGIN_FAILURE_LIMIT", default=5)
# Minutes a sign-in lock lasts; failures during a lock do not extend it.
PORTAL_LOGIN_COOLOFF_MINUTES = env.int("PORTAL_LOGIN_COOLOFF_MINUTES", default=15)
# Days the record of every sign-in is kept; beat deletes older records every night.
PORTAL_SIGN_IN_LOG_DAYS = env.int("PORTAL_SIGN_IN_LOG_DAYS", default=90)
# Proxies in front of the portal that append to X-Forwarded-For: the client is the N-th
# address from the right; 0 (no proxy) takes the connection's address.
PORTAL_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", default=0)
# Days after it is made that an API token expires (shown on the profile page).
PORTAL_API_TOKEN_DAYS = env.int("PORTAL_API_TOKEN_DAYS", default=365)
# Password sign-in; off, only superusers (break-glass administrators) may sign in with a
# password, everyone else through the identity provider (OIDC_ISSUER).
PORTAL_PASSWORD_SIGN_IN = env.bool("PORTAL_PASSWORD_SIGN_IN", default=True)

# --- Observability --------------------------------------------------------------------------
# The bearer token Prometheus sends to /metrics; unset, /metrics is a 404 (metrics off).
PORTAL_METRICS_TOKEN = env.str("PORTAL_METRICS_TOKEN", default="")
# Logs: json, one JSON object per line (production), or console, readable lines for people.
PORTAL_LOG_FORMAT = env.str("PORTAL_LOG_FORMAT", default="console" if DEBUG else "json")
if PORTAL_LOG_FORMAT not in ("json", "console"):
    raise ImproperlyConfigured(
        f"PORTAL_LOG_FORMAT must be json or console, not {PORTAL_LOG_FORMAT!r}."
    )
