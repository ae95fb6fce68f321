from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "govhall.lists"
    label = "lists"
    verbose_name = "清单公布"

    def ready(self):
        from . import nav, receivers  # noqa: F401 - the staff nav; the morning run
