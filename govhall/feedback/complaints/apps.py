from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "govhall.feedback.complaints"
    label = "complaints"
    verbose_name = "投诉与12345"

    def ready(self):
        from . import receivers  # noqa: F401
