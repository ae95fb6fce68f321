from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "govhall.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self):
        from govhall.core import context_processors, web

        from . import permissions, site

        context_processors.site_names_from(site.county_centre_name)

        web.page_access_rule("您不是在岗工作人员（账号已停用或未登记），不能使用工作平台")(
            permissions.may_use_staff_site
        )
