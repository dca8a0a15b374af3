"""Value figures across the portfolio, computed once per change of what they are made of
(README "Dashboards at volume").

Promised against delivered (`value.selectors.portfolio_value`) compares every production
system's reported quarters with its plan, quarter by quarter (`value.figures`), and the value
waiting in the valley (`dashboards.summary.value_in_valley`) totals every POC and pilot's plan: both
read every reporting system or case, which at 100,000 initiatives takes seconds. They change
only when a value report, a business case, an initiative (its unit, its stage), a stage
transition or an exchange rate is written, or the day changes. So the figures are kept in
the cache (`CACHE_URL`) under a version made of the newest history row of each of those
tables (every save, create and delete through the ORM writes one) and the day: one indexed
query per page, and the figures are recomputed on the first read after any change.
"""

import hashlib
from collections.abc import Callable
from datetime import date

from django.core.cache import cache
from django.db import connection

from initiatives.business_cases.models import BusinessCase, ExchangeRate
from initiatives.portfolio.models import Initiative, StageTransition
from initiatives.value.models import ValueReport

# A safety net only: a version changes with the data.
TIMEOUT_SECONDS = 3600


def _newest(model) -> str:
    """The newest row of `model`'s history (or of the model, when it keeps none) as SQL."""
    history = getattr(model, "history", None)
    table = history.model._meta.db_table if history is not None else model._meta.db_table
    column = "history_id" if history is not None else "id"
    return f"(SELECT MAX({column}) FROM {table})"  # noqa: S608 # nosec B608 - model names


def version() -> str:
    """What the value figures are made of, as one string: one query, each part read from
    the end of a primary key index."""
    parts = [
        _newest(model)
        for model in (ValueReport, BusinessCase, Initiative, StageTransition, ExchangeRate)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return ":".join(str(part) for part in cursor.fetchone())


def cached(name: str, on: date, figures_version: str, compute: Callable):
    """`compute()`, kept under `name`, the day and the version of the figures."""
    digest = hashlib.sha256(f"{name}|{on:%Y-%m-%d}|{figures_version}".encode()).hexdigest()
    key = f"value:figures:{digest[:32]}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, TIMEOUT_SECONDS)
    return found
