"""Celery tasks of the health domain: thin wrappers, registered under their old-style names
`initiatives.tasks.<name>` like the others (the beat schedule names them)."""

from celery import shared_task

from initiatives.health import services


@shared_task(name="initiatives.tasks.purge_health_reports")
def purge_health_reports() -> int:
    """Nightly: delete raw health reports older than PORTAL_HEALTH_RAW_DAYS, in batches.
    Idempotent: a re-delivered run finds nothing left to delete."""
    return services.health_reports_purge()
