from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "govhall.supervision"
    label = "supervision"
    verbose_name = "电子监察"

    def ready(self):
        from . import receivers, sections  # noqa: F401
