from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "govhall.hall"
    label = "hall"
    verbose_name = "大厅排队与预约"

    def ready(self):
        from . import desk_source, nav, receivers  # noqa: F401 - the desk, the nav, the morning run
