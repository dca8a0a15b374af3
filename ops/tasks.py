"""Housekeeping tasks for the portal itself."""

from axes.handlers.proxy import AxesProxyHandler
from celery import shared_task
from django.conf import settings


@shared_task
def prune_sign_in_logs() -> int:
    """Delete django-axes' records of sign-ins older than PORTAL_SIGN_IN_LOG_DAYS: they
    record every successful sign-in and would otherwise grow for ever. Failures that
    count towards a lockout are separate (access attempts) and are not touched."""
    return AxesProxyHandler.reset_logs(age_days=settings.PORTAL_SIGN_IN_LOG_DAYS)
