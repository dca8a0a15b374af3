"""Finding a Celery task to enqueue without importing its module for its logic.

A task module imports the code it runs (the scan, the sender); the code that queues a task
must not import the task module back, or the imports go round in a cycle (sending ->
tasks -> sending). `task(name)` returns the task registered as `initiatives.tasks.<name>`
(the name the beat schedule and queued messages use), importing its module only when a
task is queued. This is the one place that imports task modules (see docs/architecture.md).
"""

from importlib import import_module

from celery import Task

TASK_MODULES = {
    "scan_portfolio": "initiatives.watch.tasks",
    "send_weekly_digest": "initiatives.watch.tasks",
    "flag_ownerless_now": "initiatives.watch.tasks",
    "send_email": "initiatives.outbox.tasks",
    "sweep_emails": "initiatives.outbox.tasks",
}


def task(name: str) -> Task:
    """The task `initiatives.tasks.<name>`, e.g. task("send_email").apply_async(...)."""
    return getattr(import_module(TASK_MODULES[name]), name)
