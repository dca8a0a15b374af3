"""Celery: the broker, task serialisation and time limits, and beat's schedule."""

from pathlib import Path

from celery.schedules import crontab

from portal.settings.environment import VAR_DIR, env
from portal.settings.portal import (
    PORTAL_EMAIL_SWEEP_SECONDS,
    PORTAL_SCAN_INTERVAL_SECONDS,
    PORTAL_TIME_ZONE,
)

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
CELERY_TIMEZONE = PORTAL_TIME_ZONE
# Reminders come from beat and database state, never from long countdowns or ETAs.
CELERY_BEAT_SCHEDULE = {
    "scan-portfolio": {
        "task": "initiatives.tasks.scan_portfolio",
        "schedule": PORTAL_SCAN_INTERVAL_SECONDS,
    },
    "send-pending-emails": {
        "task": "initiatives.tasks.sweep_emails",
        "schedule": PORTAL_EMAIL_SWEEP_SECONDS,
    },
    # The dashboards' counters: their change rows folded into one per count.
    "compact-dashboard-counts": {
        "task": "initiatives.tasks.compact_dashboard_counts",
        "schedule": 600,
    },
    "weekly-digest": {
        "task": "initiatives.tasks.send_weekly_digest",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    # Raw health reports past PORTAL_HEALTH_RAW_DAYS; the daily roll-up is kept.
    "purge-health-reports": {
        "task": "initiatives.tasks.purge_health_reports",
        "schedule": crontab(minute=15, hour=3),
    },
    "prune-sign-in-logs": {
        "task": "ops.tasks.prune_sign_in_logs",
        "schedule": crontab(minute=30, hour=3),
    },
}
