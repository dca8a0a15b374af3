import os

from celery import Celery
from celery.signals import beat_init, setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect(weak=False)
def _use_django_logging(**kwargs) -> None:
    """Workers and beat log like the web: structured, with request ids, secrets redacted."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    import_string(settings.LOGGING_CONFIG)(settings.LOGGING)


@beat_init.connect(weak=False)
def _scan_when_beat_starts(sender=None, **kwargs) -> None:
    """Beat first runs the scan one interval after it starts, so a fresh deploy (or a restart
    that lost beat's schedule file) would show no flags and an overdue scan for up to an
    hour. Queue one scan now: it is idempotent, and scans take a lock."""
    sender.app.send_task("initiatives.tasks.scan_portfolio")
