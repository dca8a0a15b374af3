"""Celery tasks: thin wrappers that take ids and call a service.

Every task is idempotent (late acknowledgement is on): a re-delivered scan finds nothing
new to open, and a re-delivered send finds its e-mail already claimed or sent.
"""

from celery import shared_task

from initiatives.watch import scan


@shared_task(name="initiatives.tasks.scan_portfolio")
def scan_portfolio() -> dict:
    report = scan.scan_portfolio()
    return {
        "opened": len(report.opened),
        "resolved": len(report.resolved),
        "emails_queued": report.emails_queued,
    }


@shared_task(name="initiatives.tasks.send_weekly_digest")
def send_weekly_digest() -> int:
    return scan.send_weekly_digest()


@shared_task(name="initiatives.tasks.flag_ownerless_now")
def flag_ownerless_now(initiative_ids: list[int]) -> int:
    """The systems of a person who was just deactivated, judged at once (the leaver path)."""
    return len(scan.ownerless_flag_now(initiative_ids=initiative_ids))
