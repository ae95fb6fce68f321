from django.apps import AppConfig


class FilingsConfig(AppConfig):
    name = "govhall.filings"
    label = "filings"
    verbose_name = "行政备案"

    def ready(self):
        from . import nav, progress  # noqa: F401 - the staff nav entry, the progress source
