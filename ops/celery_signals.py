"""Celery signals: the request id travels with the task, and every outcome is counted.

Publishing (in the web process, or in a worker retrying a task) puts the current request id
in the message headers; the worker binds it, with the task's name and id, to every line the
task logs. Outcomes are counted in the database by the worker that saw them (see
`ops.metrics`), so every worker process on every host adds to one set of counters.
"""

import logging

import structlog
from celery.signals import (
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_success,
)

from ops.logging import bind_request_id, current_request_id

REQUEST_ID_HEADER = "crossing_request_id"

logger = logging.getLogger(__name__)


@before_task_publish.connect(weak=False)
def _send_request_id(sender=None, headers=None, **kwargs) -> None:
    request_id = current_request_id()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect(weak=False)
def _bind_task_context(sender=None, task_id=None, task=None, **kwargs) -> None:
    context = {"task_name": getattr(task, "name", None), "task_id": task_id}
    request_id = getattr(task.request, REQUEST_ID_HEADER, None) if task else None
    if request_id:
        bind_request_id(request_id, **context)
    else:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(**context)


@task_postrun.connect(weak=False)
def _unbind_task_context(**kwargs) -> None:
    structlog.contextvars.clear_contextvars()


def _count(task, outcome: str) -> None:
    from ops.metrics import record_task_outcome

    name = getattr(task, "name", None) or str(task)
    try:
        record_task_outcome(name, outcome)
    except Exception:
        # A counter must never turn a task's outcome into another failure.
        logger.exception("Could not count the %s outcome of %s", outcome, name)


@task_success.connect(weak=False)
def _count_success(sender=None, **kwargs) -> None:
    _count(sender, "succeeded")


@task_failure.connect(weak=False)
def _count_failure(sender=None, **kwargs) -> None:
    _count(sender, "failed")


@task_retry.connect(weak=False)
def _count_retry(sender=None, **kwargs) -> None:
    _count(sender, "retried")
