from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = "Initiatives"

    def ready(self) -> None:
        # Register the foundation's stage gates (later features register their own).
        from . import gates  # noqa: F401
