"""Celery tasks: thin wrappers that take ids and call a service.

Every task is idempotent (late acknowledgement is on): a re-delivered scan finds nothing
new to open, and a re-delivered send finds its e-mail already claimed or sent.
"""

from celery import shared_task

from . import emails, scan


@shared_task
def scan_portfolio() -> dict:
    report = scan.scan_portfolio()
    return {
        "opened": len(report.opened),
        "resolved": len(report.resolved),
        "emails_queued": report.emails_queued,
    }


@shared_task
def send_email(record_id: int) -> str:
    # No retry of its own: a failed attempt sets the e-mail's next attempt time, hours away
    # late in the schedule (longer than the broker's visibility timeout allows a countdown),
    # and the sweep queues it again when that time comes.
    return emails.send(record_id)


@shared_task
def sweep_emails() -> int:
    return len(emails.sweep())


@shared_task
def send_weekly_digest() -> int:
    return scan.send_weekly_digest()
