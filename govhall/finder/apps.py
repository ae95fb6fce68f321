from django.apps import AppConfig


class FinderConfig(AppConfig):
    name = "govhall.finder"
    label = "finder"
    verbose_name = "事项智能检索"

    def ready(self):
        from . import nav, receivers  # noqa: F401 - the staff nav; encode guides when published
