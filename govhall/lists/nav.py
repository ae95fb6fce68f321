"""The staff nav's 清单 dropdown (``core.web.staff_nav_menu``), each link shown to
whom its page serves (``permissions``); imported by ``ListsConfig.ready``."""

from __future__ import annotations

from django.urls import reverse

from govhall.core import web

from . import permissions


@web.staff_nav_menu(label="清单", order=150)
def list_links(user) -> list[web.NavLink]:
    if not permissions.may_view(user):
        return []
    return [
        web.NavLink("清单公布", reverse("lists:index")),
        web.NavLink("清单比对", reverse("lists:compare")),
        web.NavLink("权责清单", reverse("lists:entries", args=["powers"])),
        web.NavLink("监管事项清单", reverse("lists:entries", args=["supervision"])),
    ]
