"""Staff home page (工作台), the health endpoint and the favicon. Apps above core add
their panels through ``web.dashboard_panel``; core itself imports none of them."""

from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import health, web

# What each role may do here (issue 2 §1 roles); keyed by ``org.models.Role`` values
# so that core needs no import from org.
ROLE_ABILITIES = {
    "centre_admin": [
        "维护服务中心、部门、进驻、窗口和工作人员",
        "维护所有部门的事项目录、办事指南和授权书",
        "导入、导出事项目录Excel",
    ],
    "chief_rep": [
        "维护本部门事项的办事指南：编辑草稿、发布新版本",
        "调整本部门事项的状态（暂停/取消/在用）、进驻和负面清单",
        "签署、维护本部门授权书并指定各事项的审批人员",
        "查看其他部门事项和组织机构（只读）",
    ],
    "approver": [
        "维护本部门事项的办事指南：编辑草稿、发布新版本",
        "查看其他部门事项和组织机构（只读）",
    ],
    "window_clerk": ["查看全部事项目录和办事指南（只读）", "查看组织机构（只读）"],
    "supervisor": ["查看全部事项、授权书和组织机构（只读，电子监察）"],
}


@web.staff_page
def home(request):
    staff = getattr(request.user, "staff", None)
    if request.user.is_superuser and staff is None:
        abilities = ROLE_ABILITIES["centre_admin"]
    else:
        abilities = ROLE_ABILITIES.get(getattr(staff, "role", ""), [])
    return render(
        request,
        "core/home.html",
        {"abilities": abilities, "panels": web.dashboard_panels(request)},
    )


@require_safe
@never_cache
def healthz(request):
    """For a load balancer: 200 when the database answers and every migration is
    applied, else 503 with the reasons (``core/health.py``). No login, no session."""
    result = health.check()
    return JsonResponse(
        result.as_dict(),
        status=200 if result.ok else 503,
        json_dumps_params={"ensure_ascii": False},
    )


@cache
def _favicon() -> bytes:
    with open(finders.find("govhall/favicon.ico"), "rb") as fh:
        return fh.read()


@require_safe
def favicon(request):
    """/favicon.ico, which browsers ask for without reading the page's <link>."""
    response = HttpResponse(_favicon(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
