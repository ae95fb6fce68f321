from django.apps import AppConfig


class FinderConfig(AppConfig):
    name = "govhall.finder"
    label = "finder"
    verbose_name = "事项智能检索"

    def ready(self):
        from . import receivers  # noqa: F401 - encode guides when they are published
