"""The staff nav's 事项检索 dropdown (``core.web.staff_nav_menu``): 检索记录, for
whom the page serves (imported by ``FinderConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse

from govhall.core import web


@web.staff_nav_menu(label="事项检索", order=155)
def finder_links(user) -> list[web.NavLink]:
    from . import pages

    if not pages.may_view(user):
        return []
    return [web.NavLink("检索记录", reverse("finder:list"))]
