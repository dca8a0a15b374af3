from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = "Initiatives"

    def ready(self) -> None:
        # Register the foundation's stage gates (later features register their own).
        # API tokens are revoked when a password changes or an account is deactivated.
        from . import gates, signals  # noqa: F401
