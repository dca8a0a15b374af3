from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate

GATE_MODULES = (
    "initiatives.portfolio.gates",
    "initiatives.business_cases.gates",
    "initiatives.readiness.gates",
    "initiatives.ownership.gates",
    "initiatives.regulation.gates",
)


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = "Initiatives"

    def ready(self) -> None:
        # Register the stage gates: the portfolio's registry, then each domain's own gates,
        # in the order their unmet conditions are listed.
        for module in GATE_MODULES:
            import_module(module)
        # API tokens are revoked when a password changes.
        from initiatives.accounts import signals  # noqa: F401

        # The reporting currency is one of the organisation's currencies.
        from initiatives.business_cases import checks as business_cases_checks  # noqa: F401

        # The health metric registry, the model columns and the thresholds agree.
        from initiatives.health import checks  # noqa: F401

        # Deactivating a person by any save runs the leaver path (identity/services.py).
        from initiatives.identity import signals as identity_signals  # noqa: F401

        # The dashboards' counters: their triggers are (re)installed after every migrate.
        post_migrate.connect(_install_standings, sender=self)


def _install_standings(using, **kwargs) -> None:
    """Install the dashboards' counter triggers (`dashboards.standings`) once the tables
    are as the code writes them, rebuilding the counts when the installed SQL differs."""
    from django.db import connections

    from initiatives.dashboards import standings
    from initiatives.dashboards.models import Standing

    connection = connections[using]
    if Standing._meta.db_table not in connection.introspection.table_names():
        return  # migrated to a point before the counters
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, Standing._meta.db_table
            )
        }
    if all(f.column in columns for f in Standing._meta.local_fields):
        standings.install(using=using)  # not at a point between the counters' migrations
