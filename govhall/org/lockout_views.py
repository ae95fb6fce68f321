"""登录锁定 (issue 8 §2), under /staff/org/lockouts/: the username+address pairs that
django-axes locks out now, and lifting one. The centre administrator only; the lift is
audited (``core.login.unlock``) by ``core.security.lift_lockout``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from govhall.core import security, web
from govhall.core.errors import NotFound

from . import permissions

REASON_MAX = 200


def _require_admin(request) -> None:
    permissions.require(
        permissions.is_centre_admin(request.user), "只有中心管理员可以查看和解除登录锁定"
    )


@web.staff_page
def lockout_list(request):
    _require_admin(request)
    lockouts = security.current_lockouts(request)
    User = get_user_model()
    users = {
        u.get_username(): u
        for u in User.objects.filter(
            **{f"{User.USERNAME_FIELD}__in": [a.username for a in lockouts if a.username]}
        ).select_related("staff")
    }
    cool_off = security.get_cool_off()
    rows = [
        {
            "attempt": a,
            "staff": getattr(users.get(a.username), "staff", None),
            "known": a.username in users,
            "lifts_at": a.attempt_time + cool_off if cool_off else None,
        }
        for a in lockouts
    ]
    return render(
        request,
        "org/lockouts.html",
        {
            "rows": rows,
            "can_manage": True,
            "failure_limit": security.failure_limit(),
            "cool_off_minutes": security.cool_off_minutes(),
        },
    )


@web.staff_page
@require_POST
def lockout_lift(request, pk):
    _require_admin(request)
    reason = request.POST.get("reason", "").strip()[:REASON_MAX]
    try:
        attempt = security.lift_lockout(actor=request.user, attempt_id=pk, reason=reason)
    except NotFound as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"已解除 {attempt.username or '（未填用户名）'}（{attempt.ip_address}）的登录锁定。",
        )
    return redirect("org:lockouts")
