"""The staff nav's 审管联动 dropdown (``core.web.staff_nav_menu``), each link shown to
whom its page serves (imported by ``LicencesConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse

from govhall.core import web

LABEL = "审管联动"


@web.staff_nav_menu(label=LABEL, order=160)
def licence_links(user) -> list[web.NavLink]:
    from . import roles

    if not roles.may_use(user):
        return []
    registry = reverse("licences:registry")
    reports = reverse("licences:reports")
    links = [
        web.NavLink("审批结果推送", reverse("licences:inbox")),
        web.NavLink("证照库", registry, prefix=registry),
        web.NavLink("监管反馈", reports, prefix=reports),
        web.NavLink("注销义务", reverse("licences:obligations")),
        web.NavLink("警示信息库", reverse("licences:warnings")),
        web.NavLink("书面函告", reverse("licences:letters")),
    ]
    if roles.may_manage_settings(user):
        links.append(web.NavLink("联动设置", reverse("licences:settings")))
    return links
