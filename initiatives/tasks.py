"""Celery tasks: thin wrappers that take ids and call a service."""

from smtplib import SMTPException

from celery import shared_task

from . import notifications


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=8,
)
def send_handover_request(handover_id: int) -> bool:
    return notifications.send_handover_request(handover_id)
