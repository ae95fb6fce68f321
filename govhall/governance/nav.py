"""The staff nav's 事项调整 dropdown (``core.web.staff_nav_menu``), each link shown to
whom its page serves (imported by ``GovernanceConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse

from govhall.core import web


@web.staff_nav_menu(label="事项调整", order=150)
def governance_links(user) -> list[web.NavLink]:
    from . import roles

    links = []
    if roles.may_see_requests(user):
        url = reverse("governance:list")
        links.append(web.NavLink("调整申请", url, prefix=url + "TZ"))
        links.append(web.NavLink("停止受理事项的在办件", reverse("governance:stopped")))
    if roles.may_file(user):
        links.append(web.NavLink("新建调整申请", reverse("governance:new")))
    return links
