from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "govhall.staff"
    label = "staff"
    verbose_name = "人员管理"

    def ready(self):
        from . import nav, receivers  # noqa: F401 - the nav, the morning run
