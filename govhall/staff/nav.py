"""The staff nav's 人员管理 dropdown (``core.web.staff_nav_menu``), each link shown to
whom its page serves (imported by ``StaffConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse

from govhall.core import web

LABEL = "人员管理"


@web.staff_nav_menu(label=LABEL, order=170)
def staff_links(user) -> list[web.NavLink]:
    from . import roles

    if not roles.may_use(user):
        return []
    links = [
        web.NavLink("今日在岗", reverse("staff:roster")),
        web.NavLink("签到签退", reverse("staff:sign")),
        web.NavLink("考勤记录", reverse("staff:attendance")),
        web.NavLink("请假", reverse("staff:leave")),
        web.NavLink("学习培训", reverse("staff:trainings"), prefix=reverse("staff:trainings")),
    ]
    if roles.sees_all(user) or roles.chief_of(user) is not None:
        links += [
            web.NavLink("窗口派驻", reverse("staff:assignments")),
            web.NavLink("调整申请", reverse("staff:moves")),
            web.NavLink("退回补派", reverse("staff:returns")),
        ]
    links.append(
        web.NavLink("年终鉴定", reverse("staff:appraisals"), prefix=reverse("staff:appraisals"))
    )
    return links
