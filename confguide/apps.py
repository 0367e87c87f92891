from django.apps import AppConfig


class ConfguideConfig(AppConfig):
    name = "confguide"
    verbose_name = "Site"
