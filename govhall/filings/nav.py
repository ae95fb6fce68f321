"""The staff nav's 行政备案 dropdown (``core.web.staff_nav_menu``), each link shown to
whom its page serves (imported by ``FilingsConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse

from govhall.core import web

LABEL = "行政备案"


@web.staff_nav_menu(label=LABEL, order=150)
def filing_links(user) -> list[web.NavLink]:
    from . import roles

    links = []
    if roles.may_file_at_window(user):
        links.append(web.NavLink("窗口备案", reverse("filings:window")))
    if roles.may_see_filings(user):
        url = reverse("filings:register")
        links.append(web.NavLink("备案登记簿", url, prefix=url + "B"))  # and the filing pages
    return links
