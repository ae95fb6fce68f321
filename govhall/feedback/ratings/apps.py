from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "govhall.feedback.ratings"
    label = "ratings"
    verbose_name = "好差评"

    def ready(self):
        from . import receivers, sections  # noqa: F401
