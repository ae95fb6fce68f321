"""电子监察预警 staff page, mounted at /staff/supervision/."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from govhall.core import web
from govhall.core.errors import PermissionDenied

from . import selectors
from .models import Kind, Level

PAGE_SIZE = 50
STATUSES = [("open", "未解除"), ("cleared", "已解除")]


def _choice(value: str, choices) -> str:
    return value if value in {c[0] for c in choices} else ""


@web.staff_page
def warnings(request):
    if not selectors.may_see_warnings(request.user):
        raise PermissionDenied("只有电子监察人员、中心管理员和部门工作人员可以查看预警")
    q = request.GET
    departments = list(selectors.departments_for(user=request.user))
    dept = q.get("department", "")
    dept_id = int(dept) if dept.isdigit() and int(dept) in {d.pk for d in departments} else None
    chosen = {
        "kind": _choice(q.get("kind", ""), Kind.choices),
        "level": _choice(q.get("level", ""), Level.choices),
        "status": _choice(q.get("status", "open"), STATUSES + [("all", "")]),
        "department": dept_id,
    }
    status = "" if chosen["status"] == "all" else chosen["status"]
    qs = selectors.filtered(
        selectors.visible_warnings(user=request.user),
        kind=chosen["kind"],
        level=chosen["level"],
        status=status,
        department=dept_id,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(q.get("page"))
    keep = "&".join(
        f"{k}={v}" for k, v in (("kind", chosen["kind"]), ("level", chosen["level"]),
                               ("status", chosen["status"]), ("department", dept_id or "")) if v
    )  # fmt: skip
    return render(
        request,
        "supervision/warnings.html",
        {
            "page": page,
            "kinds": Kind.choices,
            "levels": Level.choices,
            "statuses": STATUSES + [("all", "全部")],
            "departments": departments,
            "chosen": chosen,
            "keep": keep,
            "sees_all": selectors.sees_all(request.user),
        },
    )
