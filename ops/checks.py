"""Is this process ready to serve? Each check says yes, or why not, in plain words.

Shared by /readyz and `manage.py check_portal`. Nothing here prints a URL, a password or an
exception message (which may hold either): a failure is named by its check and its kind.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BROKER_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict:
        return {"ok": self.ok, **({"detail": self.detail} if self.detail else {})}


def check_database() -> CheckResult:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return CheckResult("database", False, f"cannot query the database ({type(error).__name__})")
    return CheckResult("database", True)


def check_migrations() -> CheckResult:
    """Every migration this code ships is applied to the database."""
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        return CheckResult(
            "migrations", False, f"cannot read the applied migrations ({type(error).__name__})"
        )
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, backwards in plan if not backwards)
        return CheckResult("migrations", False, f"unapplied migrations: {names}")
    return CheckResult("migrations", True)


def check_broker() -> CheckResult:
    """The Celery broker accepts a connection (within a couple of seconds)."""
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:
        return CheckResult(
            "broker", False, f"cannot connect to the Celery broker ({type(error).__name__})"
        )
    return CheckResult("broker", True)


def readiness() -> list[CheckResult]:
    database = check_database()
    migrations = (
        check_migrations()
        if database.ok
        else CheckResult("migrations", False, "not checked: the database is unreachable")
    )
    return [database, check_broker(), migrations]
