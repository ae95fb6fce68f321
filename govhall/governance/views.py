"""Staff pages of the adjustment requests, mounted at /staff/governance/: the list
(the department sees its own, the centre all), the form (a department's 首席代表),
the request page (one panel per action the table allows the user now, the history,
the handed-over cases) and the open cases of items no longer accepted. Pages never
re-check a rule: they call ``services`` and show the DomainError's message."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from govhall.catalog.models import Item
from govhall.core import web
from govhall.core.errors import DomainError, PermissionDenied
from govhall.org import permissions
from govhall.org.models import Department, Role, Staff

from . import roles, selectors, services, workflow
from .forms import ActionForm, RequestForm
from .models import Kind, State

PAGE_SIZE = 30


def _raise_access(exc: DomainError) -> None:
    if exc.http_status in (403, 404):
        raise exc


def _choice(value: str, choices) -> str:
    return value if value in {c[0] for c in choices} else ""


@web.staff_page
def request_list(request):
    if not roles.may_see_requests(request.user):
        raise PermissionDenied(
            "只有中心管理员、电子监察人员和部门首席代表、审批人员可以查看调整申请"
        )
    q = request.GET
    departments = list(Department.objects.filter(is_active=True).order_by("name"))
    dept = q.get("department", "")
    dept_id = int(dept) if dept.isdigit() and int(dept) in {d.pk for d in departments} else None
    late = {"1": True, "0": False}.get(q.get("late", ""))
    chosen = {
        "state": _choice(q.get("state", ""), State.choices),
        "kind": _choice(q.get("kind", ""), Kind.choices),
        "department": dept_id,
        "late": q.get("late", "") if late is not None else "",
        "q": q.get("q", "")[:50].strip(),
    }
    qs = selectors.request_list(
        user=request.user,
        state=chosen["state"],
        kind=chosen["kind"],
        department=dept_id,
        late=late,
        q=chosen["q"],
    )
    page = Paginator(qs, PAGE_SIZE).get_page(q.get("page"))
    rows = list(page)
    names = selectors.item_names(items=[r.item_id for r in rows])
    for r in rows:
        r.item_name = names.get(r.item_id, r.item.implementation_code)
    keep = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    centre = roles.may_review(request.user) or bool(
        permissions.active_staff(request.user, Role.SUPERVISOR)
    )
    return render(
        request,
        "governance/list.html",
        {
            "page": page,
            "rows": rows,
            "chosen": chosen,
            "keep": keep,
            "states": State.choices,
            "kinds": Kind.choices,
            "departments": departments if centre else [],
            "may_file": roles.may_file(request.user),
        },
    )


def _service_data(form: RequestForm) -> dict:
    d = form.cleaned_data
    target = d.get("target_department")
    return {
        "trigger": d["trigger"],
        "trigger_date": d["trigger_date"],
        "basis": d["basis"],
        "touches_elements": d["touches_elements"],
        "two_priority": d["two_priority"],
        "reasons": d["reasons"],
        "target_department": Department.objects.filter(pk=int(target)).first() if target else None,
        "handover_note": d["handover_note"],
        "negative_category": d["negative_category"],
        "negative_statement": d["negative_statement"],
    }


def _approvers(form: RequestForm) -> list[Staff]:
    ids = [int(i) for i in form.cleaned_data.get("approvers") or []]
    return list(Staff.objects.filter(pk__in=ids))


def _form_page(request, form, save, *, done: str, department, editing):
    """The request form: ``save()`` (a service call) on a valid POST, then the request's
    page; a domain error beside its field."""
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            r = save()
        except DomainError as exc:
            _raise_access(exc)
            error = "；".join(web.apply_errors(exc, form=form)) or exc.message
        else:
            messages.success(request, done.format(number=r.number))
            return redirect("governance:detail", number=r.number)
    elif request.method == "POST":
        error = "请检查填写的内容"
    return render(
        request,
        "governance/form.html",
        {"form": form, "error": error, "department": department, "editing": editing},
        status=400 if error else 200,
    )


@web.staff_page
def request_new(request):
    """填报调整申请. ``?item=<实施编码>&kind=change`` prefill it (from a draft's page:
    提交调整申请)."""
    department = roles.filing_department(request.user)
    if department is None:
        raise PermissionDenied("只有部门首席代表可以填报事项调整申请")
    initial = {}
    code = request.GET.get("item", "")[:40]
    item = Item.objects.filter(implementation_code=code, department=department).first()
    if item is not None:
        published = item.versions.filter(status="published").exists()
        initial = {"item": item.implementation_code, "kind": "change" if published else "add"}
    if _choice(request.GET.get("kind", ""), Kind.choices):
        initial["kind"] = request.GET["kind"]
    form = RequestForm(
        request.POST or None, request.FILES or None, department=department, initial=initial
    )

    def save():
        d = form.cleaned_data
        item = Item.objects.filter(implementation_code=d["item"]).first() if d["item"] else None
        new_item = None
        if d["kind"] == Kind.ADD and item is None:
            new_item = {"basic_code": d["new_basic_code"], "type": d["new_type"],
                        "name": d["new_name"]}  # fmt: skip
        return services.create_request(
            actor=request.user,
            kind=d["kind"],
            item=item,
            new_item=new_item,
            files=d["files"],
            approvers=_approvers(form),
            **_service_data(form),
        )

    done = "已保存调整申请 {number}（草稿），核对后请提交中心审核。"
    return _form_page(request, form, save, done=done, department=department, editing=None)


@web.staff_page
def request_edit(request, number: str):
    r = selectors.request_by_number(user=request.user, number=number)
    if roles.R.DEPT not in roles.roles_for(request.user, r):
        raise PermissionDenied(f"您无权修改调整申请 {r.number}")
    initial = {
        "trigger": r.trigger,
        "trigger_date": r.trigger_date,
        "basis": r.basis,
        "touches_elements": r.touches_elements,
        "two_priority": r.two_priority,
        "reasons": r.reasons,
        "target_department": str(r.target_department_id or ""),
        "handover_note": r.handover_note,
        "negative_category": r.negative_category,
        "negative_statement": r.negative_statement,
        "approvers": [str(pk) for pk in r.approvers.values_list("pk", flat=True)],
        "expected_version": r.version,
    }
    form = RequestForm(
        request.POST or None,
        request.FILES or None,
        department=r.department,
        editing=True,
        initial=initial,
    )

    def save():
        return services.update_request(
            actor=request.user,
            request=r,
            expected_version=form.cleaned_data["expected_version"] or 0,
            files=form.cleaned_data["files"],
            approvers=_approvers(form),
            **_service_data(form),
        )

    done = "已修改调整申请 {number}"
    return _form_page(request, form, save, done=done, department=r.department, editing=r)


@web.staff_page
def detail(request, number: str):
    r = selectors.request_by_number(user=request.user, number=number)
    rows = workflow.available_actions(request.user, r)
    forms_by_action = {row.action: ActionForm(row=row, request=r) for row in rows}
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        row = next((x for x in rows if x.action == action), None)
        if row is None:
            error = "该操作当前不可执行（申请状态已变化或您无权执行），请刷新后重试"
        else:
            form = ActionForm(request.POST, request.FILES, row=row, request=r)
            forms_by_action[action] = form
            if form.is_valid():
                try:
                    r = services.transition(
                        actor=request.user,
                        request=r,
                        action=action,
                        expected_version=form.cleaned_data["expected_version"],
                        files=form.files_sent(),
                        **form.inputs(),
                    )
                except DomainError as exc:
                    _raise_access(exc)
                    error = "；".join(web.apply_errors(exc, form=form)) or exc.message
                else:
                    messages.success(request, f"已{row.label}：{r.number}")
                    return redirect("governance:detail", number=r.number)
            else:
                error = "请检查填写的内容"
    events = list(selectors.history(request=r))
    labels = dict(State.choices)
    for e in events:
        e.action_label = workflow.event_label(e.action)
        e.to_state_label = labels.get(e.to_state, e.to_state)
    return render(
        request,
        "governance/detail.html",
        {
            "r": r,
            "item_name": selectors.item_names(items=[r.item_id]).get(r.item_id, ""),
            "events": events,
            "attachments": list(r.attachments.all()),
            "approvers": list(r.approvers.all()),
            "forms": [(x, forms_by_action[x.action]) for x in rows],
            "may_edit": roles.R.DEPT in roles.roles_for(request.user, r)
            and r.state in (State.DRAFT, State.RETURNED),
            "error": error,
        },
        status=400 if error else 200,
    )


@web.staff_page
def stopped(request):
    """停止受理事项的在办件: 取消/暂停 items whose open cases go on (达拉特旗 §17)."""
    if not roles.may_see_requests(request.user):
        raise PermissionDenied("只有中心和部门工作人员可以查看")
    staff = permissions.active_staff(request.user, *roles.DEPARTMENT_ROLES)
    department_id = staff.department_id if staff is not None else None
    entries = selectors.stopped_items_with_open_cases(department_id=department_id)
    names = selectors.item_names(items=[e["item"].pk for e in entries])
    for e in entries:
        e["name"] = names.get(e["item"].pk, "")
    return render(request, "governance/stopped.html", {"entries": entries})
