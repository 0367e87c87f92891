from django.apps import AppConfig


class ConfguideConfig(AppConfig):
    name = "confguide"
    verbose_name = "Site"

    def ready(self) -> None:
        from confguide import checks  # noqa: F401  (registers the deployment checks)
