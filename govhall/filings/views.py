"""行政备案 staff pages, mounted at /staff/filings/: the register (备案登记簿, searchable,
department-scoped), 窗口备案, one filing with the actions the user may take now (built
from the transition table) and its 备案回执. Pages never re-check a rule: they call
``services`` and show the DomainError's message."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from govhall.catalog.models import FilingKind
from govhall.core import selectors as core_selectors
from govhall.core import web
from govhall.core.errors import DomainError, PermissionDenied
from govhall.org.models import Department

from . import receipt, roles, selectors, services, workflow
from .forms import ActionForm, WindowFilingForm
from .models import DONE, State

PAGE_SIZE = 30


@web.dashboard_panel(order=60)
def _filing_panel(request):
    """工作台: the 确认类 filings waiting for the department (and those past the
    limit), for whoever may confirm them; nothing when there are none."""
    user = request.user
    if not roles.may_see_filings(user):
        return None
    waiting = selectors.filing_register(user=user, state=State.SUBMITTED).count()
    waiting += selectors.filing_register(user=user, state=State.RESUBMITTED).count()
    late = selectors.overdue_count(user=user)
    if not waiting and not late:
        return None
    url = reverse("filings:register")
    return {
        "title": "行政备案",
        "counts": [
            ("待确认", waiting, f"{url}?state=submitted"),
            ("超期未确认", late, f"{url}?overdue=1"),
        ],
        "links": [("备案登记簿", url)],
    }


def _choice(value: str, choices) -> str:
    return value if value in {c[0] for c in choices} else ""


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if len(value or "") == 10 else None
    except ValueError:
        return None


@web.staff_page
def register(request):
    if not roles.may_see_filings(request.user):
        raise PermissionDenied("只有中心、备案机关和电子监察人员可以查看备案登记簿")
    q = request.GET
    departments = list(Department.objects.filter(is_active=True).order_by("name"))
    dept = q.get("department", "")
    dept_id = int(dept) if dept.isdigit() and int(dept) in {d.pk for d in departments} else None
    overdue = {"1": True, "0": False}.get(q.get("overdue", ""))
    chosen = {
        "number": q.get("number", "").strip()[:20],
        "name": q.get("name", "").strip()[:100],
        "item": q.get("item", "").strip()[:100],
        "department": dept_id,
        "state": _choice(q.get("state", ""), State.choices),
        "kind": _choice(q.get("kind", ""), FilingKind.choices),
        "date_from": q.get("date_from", "") if _date(q.get("date_from", "")) else "",
        "date_to": q.get("date_to", "") if _date(q.get("date_to", "")) else "",
        "overdue": q.get("overdue", "") if overdue is not None else "",
    }
    qs = selectors.filing_register(
        user=request.user,
        number=chosen["number"],
        name=chosen["name"],
        item=chosen["item"],
        department=dept_id,
        state=chosen["state"],
        kind=chosen["kind"],
        date_from=_date(chosen["date_from"]),
        date_to=_date(chosen["date_to"]),
        overdue=overdue,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(q.get("page"))
    keep = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    return render(
        request,
        "filings/register.html",
        {
            "page": page,
            "chosen": chosen,
            "keep": keep,
            "states": State.choices,
            "kinds": FilingKind.choices,
            "departments": departments if len(departments) > 1 else [],
            "may_file": roles.may_file_at_window(request.user),
        },
    )


@web.staff_page
def window(request):
    if not roles.may_file_at_window(request.user):
        raise PermissionDenied("只有中心综合受理人员和中心管理员可以登记备案")
    versions = list(selectors.filing_list())
    form = WindowFilingForm(request.POST or None, request.FILES or None, versions=versions)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            item = next((v.item for v in versions if v.item_id == form.cleaned_data["item"]), None)
            try:
                filing = services.file_at_window(
                    actor=request.user,
                    item=item,
                    files=form.cleaned_data["files"],
                    paper_checked=form.cleaned_data["paper_checked"],
                    **form.filer(),
                )
            except DomainError as exc:
                error = "；".join(web.apply_errors(exc, form=form)) or exc.message
            else:
                if filing.number:
                    messages.success(request, f"已备案（即来即备）：备案编号 {filing.number}")
                else:
                    messages.success(
                        request,
                        f"已登记，待{filing.department.name}确认：申报编号 {filing.tracking}，"
                        f"确认期限 {filing.due_date:%Y-%m-%d}",
                    )
                return redirect("filings:detail", ref=filing.ref)
        else:
            error = "请检查填写的内容"
    return render(
        request,
        "filings/window.html",
        {"form": form, "versions": versions, "error": error},
        status=400 if error else 200,
    )


@web.staff_page
def detail(request, ref: str):
    filing = selectors.filing_by_ref(user=request.user, ref=ref)
    rows = workflow.available_actions(request.user, filing)
    forms_by_action = {row.action: ActionForm(row=row, filing=filing) for row in rows}
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        row = next((r for r in rows if r.action == action), None)
        if row is None:
            error = "该操作当前不可执行（备案状态已变化或您无权执行），请刷新后重试"
        else:
            form = ActionForm(request.POST, request.FILES, row=row, filing=filing)
            forms_by_action[action] = form
            if form.is_valid():
                try:
                    filing = services.transition(
                        actor=request.user,
                        filing=filing,
                        action=action,
                        expected_version=form.cleaned_data["expected_version"],
                        files=form.files_sent(),
                        **form.inputs(),
                    )
                except DomainError as exc:
                    if exc.http_status in (403, 404):
                        raise
                    error = "；".join(web.apply_errors(exc, form=form)) or exc.message
                else:
                    done = f"，备案编号 {filing.number}" if filing.number else ""
                    messages.success(request, f"已{row.label}：{filing.tracking}{done}")
                    return redirect("filings:detail", ref=filing.ref)
            else:
                error = "请检查填写的内容"
    full = roles.sees_filer_in_full(request.user, filing)
    labels = dict(State.choices)
    events = list(selectors.history(filing=filing))
    for e in events:
        e.action_label = workflow.event_label(e.action)
        e.to_state_label = labels.get(e.to_state, e.to_state)
        if not full and e.actor_id is None and e.actor_name.startswith("申请人"):
            e.actor_name = f"备案人 {filing.masked_name}"
    return render(
        request,
        "filings/detail.html",
        {
            "f": filing,
            "events": events,
            "attachments": list(filing.attachments.all()),
            "forms": [(r, forms_by_action[r.action]) for r in rows],
            "filer_id": filing.filer_id if full else filing.masked_id,
            "phone": filing.phone if full else filing.masked_phone,
            "has_receipt": filing.state in DONE,
            "history": web.history_rows(core_selectors.history_for(obj=filing)) if full else None,
            "error": error,
        },
        status=400 if error else 200,
    )


@web.staff_page
def receipt_pdf(request, ref: str):
    filing = selectors.filing_by_ref(user=request.user, ref=ref)
    try:
        pdf = receipt.render_receipt(filing, request=request)
    except DomainError as exc:
        return web.error_page(request, exc)
    return pdf_response(pdf, filing)


def pdf_response(pdf: bytes, filing) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="filing-{filing.number}.pdf"'
    return response
