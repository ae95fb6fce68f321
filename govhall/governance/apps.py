from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "govhall.governance"
    label = "governance"
    verbose_name = "事项动态调整"

    def ready(self):
        from . import nav  # noqa: F401 - the staff nav's 事项调整
