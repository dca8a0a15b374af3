import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect(weak=False)
def _use_django_logging(**kwargs) -> None:
    """Workers and beat log like the web: structured, with request ids, secrets redacted."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
