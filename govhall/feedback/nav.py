"""The staff nav's 好差评与诉求 dropdown (``core.web.staff_nav_menu``): each link shown
to whom its page serves, asked of the apps' own rules (imported by
``ComplaintsConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse

from govhall.core import web
from govhall.org import permissions

LABEL = "好差评与诉求"


@web.staff_nav_menu(label=LABEL, order=200)
def complaint_links(user) -> list[web.NavLink]:
    from govhall.feedback.complaints import exchange, roles, services

    links = []
    if services.may_receive(user):
        links.append(web.NavLink("有诉即办窗口", reverse("complaints:window")))
    if roles.may_see_complaints(user):
        url = reverse("complaints:list")
        links.append(web.NavLink("诉求工单", url, prefix=url + "SQ"))  # and the 工单 pages
        links.append(web.NavLink("知识库", reverse("complaints:knowledge")))
    if exchange.may_exchange(user):
        links.append(web.NavLink("12345 工单交换", reverse("complaints:exchange")))
    return links


@web.staff_nav_menu(label=LABEL, order=210)
def rating_links(user) -> list[web.NavLink]:
    from govhall.feedback.ratings import selectors

    if permissions.active_staff(user) is None and not user.is_superuser:
        return []
    links = [web.NavLink("评价列表", reverse("ratings:list"))]
    if selectors.may_see_statistics(user):
        links.append(web.NavLink("满意度统计", reverse("ratings:statistics")))
    return links + [
        web.NavLink("窗口评价器", reverse("ratings:evaluator_start")),
        web.NavLink("电话评价录入", reverse("ratings:phone")),
        web.NavLink("差评整改", reverse("ratings:bad_reviews")),
    ]
