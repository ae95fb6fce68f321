from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "govhall.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from govhall.core import context_processors, web

        from . import api_clients, models, permissions, site

        # The API clients kept by each worker are read again after any change to what
        # their authority rests on (api_clients module docstring).
        for model in (models.ApiClient, models.Staff, models.Department, get_user_model()):
            for signal in (post_save, post_delete):
                signal.connect(
                    api_clients.forget_clients, sender=model, dispatch_uid=f"api_clients:{model}"
                )

        context_processors.site_names_from(site.county_centre_name)

        web.page_access_rule("您不是在岗工作人员（账号已停用或未登记），不能使用工作平台")(
            permissions.may_use_staff_site
        )
