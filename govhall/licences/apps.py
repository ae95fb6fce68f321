from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "govhall.licences"
    label = "licences"
    verbose_name = "审管联动与证照库"

    def ready(self):
        from . import barrier, nav, receivers  # noqa: F401 - the window's warning, the nav, the pushes
