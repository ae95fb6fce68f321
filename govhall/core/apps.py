from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "govhall.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        # the login audit (issue 8 §2): every login, failed login and lockout
        from . import security

        security.connect()
        # the audit actions of the dead-letter list (core.delivery.retry / discard)
        from . import tasks  # noqa: F401
