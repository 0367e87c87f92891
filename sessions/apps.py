from django.apps import AppConfig


class ConferenceConfig(AppConfig):
    name = "sessions"
    # The package is called "sessions", whose default label would collide with
    # django.contrib.sessions (also installed); "conference" keeps both apps.
    label = "conference"
    verbose_name = "Conference programme"

    def ready(self) -> None:
        # Admin saves and deletes move the events' content versions.
        from . import content  # noqa: F401
