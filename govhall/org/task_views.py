"""后台任务 / 死信 (issue 9 §1), under /staff/org/tasks/: the deliveries of background
work that failed every attempt (dead letters), and retrying or discarding one. The
centre administrator only; both are audited (``core.delivery.retry`` /
``core.delivery.discard``) by ``core.tasks``. Phones and ID numbers in a task's
arguments are masked."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from govhall.core import tasks, web
from govhall.core.errors import Conflict, NotFound
from govhall.core.models import TaskDelivery

from . import permissions

REASON_MAX = 200
State = TaskDelivery.State


def _require_admin(request) -> None:
    permissions.require(
        permissions.is_centre_admin(request.user), "只有中心管理员可以查看和处理后台任务"
    )


def _row(delivery: TaskDelivery) -> dict:
    error = delivery.last_error or ""
    summary, _, detail = error.partition("\n\n")
    return {
        "delivery": delivery,
        "task": delivery.task_path.rsplit(".", 1)[-1],
        "module": delivery.task_path.rsplit(".", 1)[0],
        "kwargs": tasks.masked(delivery.kwargs),
        "error": tasks.masked(summary),
        "detail": tasks.masked(detail),
    }


@web.staff_page
def task_list(request):
    _require_admin(request)
    state = request.GET.get("state") or State.DEAD
    if state not in State.values:
        state = State.DEAD
    counts = tasks.counts()
    return render(
        request,
        "org/tasks.html",
        {
            "rows": [_row(d) for d in tasks.deliveries(state=state)],
            "state": state,
            "state_label": State(state).label,
            "states": [(v, label, counts[v]) for v, label in State.choices],
            "can_manage": True,
        },
    )


@web.staff_page
@require_POST
def task_retry(request, pk):
    return _act(request, pk, "retry")


@web.staff_page
@require_POST
def task_discard(request, pk):
    return _act(request, pk, "discard")


def _act(request, pk, action):
    _require_admin(request)
    reason = request.POST.get("reason", "").strip()[:REASON_MAX]
    if action == "discard" and not reason:
        messages.error(request, "丢弃须填写理由。")
        return redirect("org:tasks")
    service = tasks.retry_delivery if action == "retry" else tasks.discard_delivery
    try:
        delivery = service(actor=request.user, delivery_id=pk, reason=reason)
    except (NotFound, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        if action == "discard":
            messages.success(
                request, f"已丢弃后台任务 {delivery.delivery_id}（保留记录，不再执行）。"
            )
        elif delivery.state == State.DONE:
            messages.success(request, f"已重试后台任务 {delivery.delivery_id}：执行成功。")
        elif delivery.state == State.DEAD:
            messages.error(
                request, f"已重试后台任务 {delivery.delivery_id}：仍然失败，见最近错误。"
            )
        else:
            messages.success(request, f"已重新加入任务队列：{delivery.delivery_id}。")
    return redirect("org:tasks")
