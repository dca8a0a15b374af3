"""Where the worker finds the tasks: Celery's autodiscovery imports `initiatives.tasks`.

The tasks live in their domains (`watch/tasks.py`, `outbox/tasks.py`, `health/tasks.py`,
`dashboards/tasks.py`)
under their old names, `initiatives.tasks.<name>`, which the beat schedule and queued
messages use. Nothing else imports a task module: code that queues one asks
`initiatives.core.enqueue.task(name)`.
"""

from initiatives.dashboards import tasks as dashboards_tasks  # noqa: F401
from initiatives.health import tasks as health_tasks  # noqa: F401
from initiatives.outbox import tasks as outbox_tasks  # noqa: F401
from initiatives.watch import tasks as watch_tasks  # noqa: F401
