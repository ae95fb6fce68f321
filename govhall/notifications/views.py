"""Staff inbox pages (我的消息), mounted at /staff/notifications/."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from govhall.core import web

from . import selectors, services

PAGE_SIZE = 20


@web.staff_page
def inbox(request):
    page = Paginator(selectors.inbox(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": selectors.unread_count(user=request.user)},
    )


@web.staff_page
def read(request):
    """POST ``id`` (one message) or ``all``; then back to the inbox, or to ``next``
    (the message's own link, on this site only)."""
    if request.method == "POST":
        if request.POST.get("all"):
            services.mark_read(user=request.user)
        else:
            ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
            services.mark_read(user=request.user, ids=ids)
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
    return redirect("notifications:inbox")
