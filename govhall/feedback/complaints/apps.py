from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "govhall.feedback.complaints"
    label = "complaints"
    verbose_name = "投诉与12345"

    def ready(self):
        from govhall.feedback import nav  # noqa: F401 - the staff nav's 好差评与诉求

        from . import receivers  # noqa: F401
