from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "govhall.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self):
        from . import fee_views, receivers  # noqa: F401  (fee_views: its case-page section)
