"""电子监察 staff pages, mounted at /staff/supervision/: 预警 and 督办单."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from govhall.cases.models import Case
from govhall.core import web
from govhall.core.errors import DomainError, NotFound, PermissionDenied
from govhall.org import permissions
from govhall.org.models import Role

from . import pdf, selectors, services
from .models import Kind, Level, OrderState, SupervisionOrder, Warning

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
    chosen["raised_on"] = web.query_date(q.get("raised_on"))
    me = permissions.active_staff(request.user) if q.get("mine") == "1" else None
    chosen["mine"] = me is not None
    status = "" if chosen["status"] == "all" else chosen["status"]
    qs = selectors.filtered(
        selectors.visible_warnings(user=request.user),
        kind=chosen["kind"],
        level=chosen["level"],
        status=status,
        department=dept_id,
        raised_on=chosen["raised_on"],
        staff_id=me.pk if me else None,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(q.get("page"))
    keep = "&".join(
        f"{k}={v}" for k, v in (("kind", chosen["kind"]), ("level", chosen["level"]),
                               ("status", chosen["status"]), ("department", dept_id or ""),
                               ("raised_on", chosen["raised_on"] or ""),
                               ("mine", "1" if me else "")) if v
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
            "may_issue": services.may_issue(request.user),
        },
    )


# --------------------------------------------------------------------------- 督办 (§2)


def _order_or_404(user, number: str) -> SupervisionOrder:
    order = selectors.visible_orders(user=user).filter(number=number).first()
    if order is None:
        raise NotFound("没有该督办单，或您无权查看")
    return order


@web.staff_page
def orders(request):
    if not selectors.may_see_warnings(request.user):
        raise PermissionDenied("只有电子监察人员、中心管理员和部门工作人员可以查看督办单")
    q = request.GET
    departments = list(selectors.departments_for(user=request.user))
    dept = q.get("department", "")
    dept_id = int(dept) if dept.isdigit() and int(dept) in {d.pk for d in departments} else None
    state = _choice(q.get("state", ""), selectors.ORDER_STATE_FILTERS)
    qs = selectors.filtered_orders(
        selectors.visible_orders(user=request.user), state=state, department=dept_id
    )
    page = Paginator(qs, PAGE_SIZE).get_page(q.get("page"))
    keep = "&".join(f"{k}={v}" for k, v in (("state", state), ("department", dept_id or "")) if v)
    return render(
        request,
        "supervision/orders.html",
        {
            "page": page,
            "states": selectors.ORDER_STATE_FILTERS,
            "departments": departments,
            "chosen": {"state": state, "department": dept_id},
            "keep": keep,
            "sees_all": selectors.sees_all(request.user),
            "may_issue": services.may_issue(request.user),
        },
    )


@web.staff_page
def issue(request):
    """下达督办单: from a warning row (``warning`` id) or a case number (``case``)."""
    if not services.may_issue(request.user):
        raise PermissionDenied("只有电子监察人员和中心管理员可以下达督办单")
    data = request.POST if request.method == "POST" else request.GET
    warning = None
    wid = data.get("warning", "")
    if wid.isdigit():
        warning = Warning.objects.select_related("case").filter(pk=int(wid)).first()
    number = (data.get("case", "") or (warning.case.number if warning else "")).strip()
    subject = data.get("subject", "")
    if not subject and warning is not None:
        subject = f"{warning.get_kind_display()}：{warning.detail}"
    error = ""
    if request.method == "POST" and data.get("confirm"):
        case = Case.objects.filter(number=number[:40]).first()
        if case is None:
            error = "没有该受理编号的办件"
        else:
            try:
                order = services.issue_order(
                    actor=request.user, case=case, warning=warning, subject=subject
                )
            except DomainError as exc:
                if exc.http_status in (403, 404):
                    raise
                error = exc.message
            else:
                messages.success(request, f"已下达督办单 {order.number}")
                return redirect("supervision:order", number=order.number)
    return render(
        request,
        "supervision/order_issue.html",
        {"number": number, "warning": warning, "subject": subject, "error": error},
        status=400 if error else 200,
    )


@web.staff_page
def order(request, number: str):
    order = _order_or_404(request.user, number)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "reply":
                services.reply_order(
                    actor=request.user,
                    order=order,
                    explanation=request.POST.get("explanation", ""),
                    measures=request.POST.get("measures", ""),
                    files=request.FILES.getlist("files"),
                )
                done = "已回复督办单"
            elif action == "accept":
                services.accept_reply(
                    actor=request.user, order=order, opinion=request.POST.get("opinion", "")
                )
                done = "督办单已办结"
            elif action == "return":
                services.return_reply(
                    actor=request.user, order=order, opinion=request.POST.get("opinion", "")
                )
                done = "已退回督办回复"
            else:
                return redirect("supervision:order", number=order.number)
        except DomainError as exc:
            if exc.http_status in (403, 404):
                raise
            error = exc.message
        else:
            messages.success(request, done)
            return redirect("supervision:order", number=order.number)
        order.refresh_from_db()
    return render(
        request,
        "supervision/order.html",
        {
            "order": order,
            "attachments": list(order.attachments.all()),
            "may_reply": order.is_open and services.may_reply(request.user, order),
            "may_review": order.state == OrderState.REPLIED
            and permissions.active_staff(request.user, Role.SUPERVISOR) is not None,
            "error": error,
        },
        status=400 if error else 200,
    )


@web.staff_page
def order_pdf(request, number: str):
    order = _order_or_404(request.user, number)
    response = HttpResponse(pdf.order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response
