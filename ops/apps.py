from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The portal's own operations: health and readiness, metrics, structured logs."""

    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Request ids into task headers (web) and out of them (worker); task outcomes counted.
        from ops import celery_signals  # noqa: F401
