"""The staff nav's 大厅 dropdown (``core.web.staff_nav_menu``)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from govhall.core import web

LABEL = "大厅"


@web.staff_nav_menu(label=LABEL, order=170)
def hall_links(user) -> list[web.NavLink]:
    from . import roles

    if not roles.may_use(user):
        return []
    links = []
    for label, name, allowed in (
        (
            "窗口叫号",
            "hall:window",
            roles.window_of(user) is not None or roles.is_floor_manager(user),
        ),
        ("大厅管理", "hall:floor", roles.is_floor_manager(user)),
        ("预约", "hall:appointments", True),
        ("排队统计", "hall:statistics", roles.may_view_statistics(user)),
    ):
        if not allowed:
            continue
        try:
            links.append(web.NavLink(label, reverse(name)))
        except NoReverseMatch:  # pages not mounted yet
            continue
    return links
