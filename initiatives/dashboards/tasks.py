"""Celery tasks of the dashboards: thin wrappers that call a service."""

from celery import shared_task

from initiatives.dashboards import standings


@shared_task(name="initiatives.tasks.compact_dashboard_counts")
def compact_dashboard_counts() -> int:
    """Fold the counters' change rows (`standings.compact`); idempotent."""
    return standings.compact()
