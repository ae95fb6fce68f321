"""审管联动 staff pages, mounted at /staff/licences/: the inbox of 审批结果推送 (签收),
the 证照库 and one licence with the status changes the user may make (built from
``workflow.TRANSITIONS``), 监管反馈 (登记, 查收), 注销义务, the 警示信息库, the
monthly 书面函告 and the settings (联络员, 部门系统接口, 事项联动). Pages never
re-check a rule: they call ``services`` and show the DomainError's message."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from govhall.cases import roles as case_roles
from govhall.core import clock, web
from govhall.core import selectors as core_selectors
from govhall.core.errors import DomainError, PermissionDenied

from . import roles, selectors, services, workflow
from .forms import (
    EndpointForm,
    LiaisonForm,
    LicenceActionForm,
    LiftForm,
    LinkageForm,
    ReportForm,
    WarningForm,
)
from .models import ReportChannel, ReportKind, Status

PAGE_SIZE = 30
Q_MAX = 60
ACK_MAX = 500

NOT_USER = "只有部门工作人员、中心管理员和电子监察人员可以使用审管联动"


def _require_use(user) -> None:
    if not roles.may_use(user):
        raise PermissionDenied(NOT_USER)


def _q(request) -> str:
    """The search box: stripped, bounded, no NUL (PostgreSQL cannot compare it)."""
    return request.GET.get("q", "").replace("\x00", "").strip()[:Q_MAX]


def _render(request, template: str, context: dict, status: int = 200):
    """Render a page of the app with what its tabs need."""
    context.setdefault("may_settings", roles.may_manage_settings(request.user))
    return render(request, template, context, status=status)


def _keep(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def _error(exc: DomainError, form=None) -> str:
    return "；".join(web.apply_errors(exc, form=form)) if form is not None else exc.message


def _ends_in_page(exc: DomainError) -> bool:
    return exc.http_status in (403, 404)


@web.dashboard_panel(order=70)
def _licences_panel(request):
    """工作台: pushes the department has to 签收 and licences it has to 注销."""
    user = request.user
    department = roles.department_of(user)
    if department is None or not roles.may_use(user):
        return None
    waiting = selectors.pushes(user=user, state="pending", department=department).count()
    late = selectors.pushes(user=user, state="overdue", department=department).count()
    obligations = (
        selectors.obligations(user=user, open_only=True).filter(department=department).count()
    )
    if not (waiting or obligations):
        return None
    inbox = reverse("licences:inbox")
    return {
        "title": "审管联动",
        "counts": [
            ("待签收推送", waiting, f"{inbox}?state=pending"),
            ("逾期未签收", late, f"{inbox}?state=overdue"),
            ("待注销证照", obligations, reverse("licences:obligations")),
        ],
        "links": [("证照库", reverse("licences:registry"))],
    }


# --------------------------------------------------------------------------- inbox

TABS = [
    ("pending", "待签收"),
    ("overdue", "逾期未签收"),
    ("acknowledged", "已签收"),
    ("all", "全部"),
]


@web.staff_page
def inbox(request):
    user = request.user
    _require_use(user)
    state = request.GET.get("state", "pending")
    state = state if state in dict(TABS) else "pending"
    q = _q(request)
    qs = selectors.pushes(user=user, state="" if state == "all" else state, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.today()
    rows = []
    for push in page:
        rows.append(
            {
                "push": push,
                "p": push.payload,
                "overdue": push.acknowledged_at is None and push.ack_due < today,
                "may_ack": push.acknowledged_at is None and roles.may_acknowledge(user, push),
            }
        )
    counts = selectors.push_counts(user=user)
    counts["all"] = counts["pending"] + counts["acknowledged"]
    return _render(
        request,
        "licences/inbox.html",
        {
            "tab": "inbox",
            "state": state,
            "tabs": [(v, label, counts[v]) for v, label in TABS],
            "q": q,
            "page": page,
            "rows": rows,
            "keep": _keep(state=state, q=q),
            "any_ack": any(r["may_ack"] for r in rows),
            "department": roles.department_of(user),
        },
    )


@web.staff_page
@require_POST
def acknowledge(request):
    _require_use(request.user)
    state = request.POST.get("state", "")
    back = (
        reverse("licences:inbox")
        + "?"
        + _keep(state=state if state in dict(TABS) else "", q=request.POST.get("q", "")[:Q_MAX])
    )
    values = request.POST.getlist("push")[: ACK_MAX + 1]  # more: the service says how many
    ids = [web.query_int(v, maximum=selectors.PK_MAX) for v in values]
    if None in ids:
        messages.error(request, "所选推送无效，请刷新后重试")
        return redirect(back)
    try:
        done = services.acknowledge(actor=request.user, pushes=ids)
    except DomainError as exc:
        if exc.http_status == 403:
            raise
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, f"已签收 {done} 条审批结果推送")
        else:
            messages.info(request, "所选推送此前已签收")
    return redirect(back)


# --------------------------------------------------------------------------- registry

STATUS_FILTERS = [("in_force", "在用（有效/变更/延续）"), *Status.choices]


def _code_shown(user, licence) -> str:
    return (
        licence.holder_code
        if roles.sees_codes_in_full(user, licence)
        else (licence.holder_code_masked)
    )


@web.staff_page
def registry(request):
    user = request.user
    _require_use(user)
    status = request.GET.get("status", "")
    status = status if status in dict(STATUS_FILTERS) else ""
    q = _q(request)
    qs = selectors.licences(user=user, status=status, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"l": licence, "code": _code_shown(user, licence)} for licence in page]
    return _render(
        request,
        "licences/registry.html",
        {
            "tab": "registry",
            "statuses": STATUS_FILTERS,
            "status": status,
            "q": q,
            "page": page,
            "rows": rows,
            "keep": _keep(status=status, q=q),
        },
    )


@web.staff_page
def licence(request, pk: int):
    user = request.user
    _require_use(user)
    lic = selectors.licence_for(user=user, pk=pk)
    rows = workflow.available_actions(user, lic)
    forms_by_action = {row.action: LicenceActionForm(row=row, licence=lic) for row in rows}
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        row = next((r for r in rows if r.action == action), None)
        if row is None:
            error = "该操作当前不可执行（证照状态已变化或您无权执行），请刷新后重试"
        else:
            form = LicenceActionForm(request.POST, row=row, licence=lic)
            forms_by_action[action] = form
            if form.is_valid():
                try:
                    lic = services.change_status(
                        actor=user,
                        licence=lic,
                        action=action,
                        reason=form.cleaned_data["reason"],
                        expected_version=form.cleaned_data["expected_version"],
                        **form.inputs(),
                    )
                except DomainError as exc:
                    if _ends_in_page(exc):
                        raise
                    error = _error(exc, form) or exc.message
                else:
                    messages.success(
                        request, f"证照 {lic.number} 已{row.label}：{lic.get_status_display()}"
                    )
                    return redirect("licences:licence", pk=lic.pk)
            else:
                error = "请检查填写的内容"
    today = clock.today()
    obligations = list(selectors.obligations_of(user=user, licence=lic))
    for o in obligations:
        o.late = o.fulfilled_at is None and o.due_on < today
    supervising = roles.R.SUPERVISING in roles.roles_for(user, lic)
    return _render(
        request,
        "licences/licence.html",
        {
            "tab": "registry",
            "l": lic,
            "code": _code_shown(user, lic),
            "case_link": case_roles.can_view(user, lic.case),
            "forms": [(r, forms_by_action[r.action]) for r in rows],
            "obligations": obligations,
            "open_obligations": [o for o in obligations if o.fulfilled_at is None],
            "reports": list(selectors.reports_about(user=user, licence=lic)),
            "history": web.history_rows(core_selectors.history_for(obj=lic)),
            "may_report": supervising
            and roles.may_report(user, roles.department_of(user))
            and lic.in_force,
            "error": error,
        },
        status=400 if error else 200,
    )


# --------------------------------------------------------------------------- reports


@web.staff_page
def reports(request):
    user = request.user
    _require_use(user)
    kind = request.GET.get("kind", "")
    kind = kind if kind in ReportKind.values else ""
    q = _q(request)
    page = Paginator(selectors.reports(user=user, kind=kind, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _render(
        request,
        "licences/reports.html",
        {
            "tab": "reports",
            "kinds": ReportKind.choices,
            "kind": kind,
            "q": q,
            "page": page,
            "keep": _keep(kind=kind, q=q),
            "may_report": _reporting_for(user) is not None,
        },
    )


def _reporting_for(user):
    """(department, departments to choose from) of the report form: a department's
    own staff report for it; the administrator picks one. ``None``: no form."""
    department = roles.department_of(user)
    if department is not None:
        return (department, None) if roles.may_report(user, department) else None
    if roles.may_report(user, None):
        return (None, selectors.reporting_departments())
    return None


@web.staff_page
def report_new(request):
    user = request.user
    _require_use(user)
    reporting = _reporting_for(user)
    if reporting is None:
        raise PermissionDenied("只有部门的首席代表、审批人员和中心管理员可以登记监管反馈")
    department, departments = reporting
    initial = {"licence_number": request.GET.get("licence", "")[:60].replace("\x00", "")}
    if initial["licence_number"]:
        initial["kind"] = ReportKind.PENALTY
    form = ReportForm(request.POST or None, departments=departments, initial=initial)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                report, _ = services.record_report(
                    actor=user,
                    department=department or form.cleaned_data["department"],
                    channel=ReportChannel.FORM,
                    **form.report_inputs(),
                )
            except DomainError as exc:
                if _ends_in_page(exc):
                    raise
                error = _error(exc, form) or exc.message
            else:
                messages.success(request, f"已登记监管反馈 {report.number}")
                return redirect("licences:report", number=report.number)
        else:
            error = "请检查填写的内容"
    return _render(
        request,
        "licences/report_new.html",
        {"tab": "reports", "form": form, "department": department, "error": error},
        status=400 if error else 200,
    )


@web.staff_page
def report(request, number: str):
    user = request.user
    _require_use(user)
    rep = selectors.report_for(user=user, number=number)
    department = roles.department_of(user)
    may_read = (
        rep.read_at is None
        and department is not None
        and department.pk in selectors.report_recipients(rep)
    )
    if request.method == "POST" and request.POST.get("action") == "read":
        try:
            services.mark_report_read(actor=user, report=rep)
        except DomainError as exc:
            if _ends_in_page(exc):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已查收监管反馈 {rep.number}")
        return redirect("licences:report", number=rep.number)
    obligation = getattr(rep, "obligation", None)
    if obligation is not None:
        obligation.late = obligation.fulfilled_at is None and obligation.due_on < clock.today()
    return _render(
        request,
        "licences/report.html",
        {
            "tab": "reports",
            "r": rep,
            "obligation": obligation,
            "warnings": list(rep.warnings.select_related("source")),
            "licence_link": bool(rep.licence_id) and selectors.can_view_licence(user, rep.licence),
            "may_read": may_read,
        },
    )


# --------------------------------------------------------------------------- obligations


@web.staff_page
def obligations(request):
    user = request.user
    _require_use(user)
    open_only = request.GET.get("open") == "1"
    page = Paginator(
        selectors.obligations(user=user, open_only=open_only).select_related(
            "licence__issuer", "report__department"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    today = clock.today()
    rows = [
        {
            "o": o,
            "late": o.fulfilled_at is None and o.due_on < today,
            "open": o.fulfilled_at is None,
        }
        for o in page
    ]
    return _render(
        request,
        "licences/obligations.html",
        {
            "tab": "obligations",
            "page": page,
            "rows": rows,
            "open_only": open_only,
            "keep": _keep(open="1" if open_only else ""),
        },
    )


# --------------------------------------------------------------------------- warnings

ACTIVE_FILTERS = [("1", "在库（生效中）"), ("0", "已到期或移出"), ("all", "全部")]


@web.staff_page
def warnings(request):
    user = request.user
    _require_use(user)
    manage = roles.may_manage_warnings(user)
    departments = selectors.active_departments()
    add_form = WarningForm(departments=departments) if manage else None
    lift_error = {}
    error = ""
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("只有中心管理员可以维护警示信息库")
        if request.POST.get("action") == "lift":
            entry = selectors.warning_entry(web.query_int(request.POST.get("entry")) or 0)
            form = LiftForm(request.POST)
            if form.is_valid():
                try:
                    services.lift_warning(
                        actor=user, entry=entry, reason=form.cleaned_data["reason"]
                    )
                except DomainError as exc:
                    if _ends_in_page(exc):
                        raise
                    lift_error[entry.pk] = exc.message
                else:
                    messages.success(request, f"已将 {entry.subject_name} 移出警示信息库")
                    return redirect(request.get_full_path())
            else:
                lift_error[entry.pk] = "请填写移出理由（不超过 500 字）"
        else:
            add_form = WarningForm(request.POST, departments=departments)
            if add_form.is_valid():
                try:
                    entry = services.add_warning(actor=user, **add_form.cleaned_data)
                except DomainError as exc:
                    if _ends_in_page(exc):
                        raise
                    error = _error(exc, add_form) or exc.message
                else:
                    messages.success(request, f"已将 {entry.subject_name} 列入警示信息库")
                    return redirect(request.get_full_path())
            else:
                error = "请检查填写的内容"
    active = request.GET.get("active", "1")
    active = active if active in dict(ACTIVE_FILTERS) else "1"
    q = _q(request)
    qs = selectors.warning_entries(q=q, active={"1": True, "0": False}.get(active))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.today()
    rows = [
        {
            "w": w,
            "in_force": w.lifted_at is None
            and w.starts_on <= today
            and (w.ends_on is None or w.ends_on >= today),
            "error": lift_error.get(w.pk, ""),
        }
        for w in page
    ]
    return _render(
        request,
        "licences/warnings.html",
        {
            "tab": "warnings",
            "filters": ACTIVE_FILTERS,
            "active": active,
            "q": q,
            "page": page,
            "rows": rows,
            "keep": _keep(active=active, q=q),
            "manage": manage,
            "form": add_form,
            "error": error or (next(iter(lift_error.values()), "") if lift_error else ""),
        },
        status=400 if (error or lift_error) else 200,
    )


# --------------------------------------------------------------------------- letters


@web.staff_page
def letters(request):
    user = request.user
    _require_use(user)
    page = Paginator(selectors.letters(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(request, "licences/letters.html", {"tab": "letters", "page": page, "keep": ""})


@web.staff_page
def letter_pdf(request, pk: int):
    _require_use(request.user)
    row = selectors.letter_for(user=request.user, pk=pk)
    response = HttpResponse(bytes(row.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{row.number}.pdf"'
    return response


# --------------------------------------------------------------------------- settings


@web.staff_page
def settings_page(request):
    user = request.user
    if not roles.may_manage_settings(user):
        raise PermissionDenied("只有中心管理员可以设置审管联动")
    departments = selectors.active_departments()
    dept_id = web.query_int(request.GET.get("department"))
    department = departments.filter(pk=dept_id).first() if dept_id else None
    items = list(selectors.linkage_items())
    item_id = web.query_int(request.GET.get("item"))
    item = next((i for i in items if i.pk == item_id), None)
    liaison_form = endpoint_form = linkage_form = None
    endpoint = selectors.endpoint_of(department) if department else None
    if department is not None:
        candidates = selectors.liaison_candidates(department)
        liaison_form = LiaisonForm(
            candidates=candidates, initial={"staff": selectors.liaison_of(department)}
        )
        endpoint_form = EndpointForm(
            initial={"url": endpoint.url, "is_active": endpoint.is_active} if endpoint else None
        )
    if item is not None:
        linkage = _linkage(item)
        linkage_form = LinkageForm(
            departments=departments,
            initial={
                "licence_name": linkage.licence_name,
                "type_code": linkage.type_code,
                "validity_months": linkage.validity_months,
                "supervisors": list(linkage.supervisors.all()),
                "publish_results": linkage.publish_results,
            }
            if linkage
            else None,
        )
    error = ""
    if request.method == "POST":
        which = request.POST.get("form", "")
        forms = {"liaison": liaison_form, "endpoint": endpoint_form, "linkage": linkage_form}
        if forms.get(which) is None:
            error = "请先选择要设置的部门或事项"
        else:
            if which == "liaison":
                form = liaison_form = LiaisonForm(request.POST, candidates=candidates)
            elif which == "endpoint":
                form = endpoint_form = EndpointForm(request.POST)
            else:
                form = linkage_form = LinkageForm(request.POST, departments=departments)
            if not form.is_valid():
                error = "请检查填写的内容"
            else:
                try:
                    done = _save_setting(which, user, form.cleaned_data, department, endpoint, item)
                except DomainError as exc:
                    if _ends_in_page(exc):
                        raise
                    error = _error(exc, form) or exc.message
                else:
                    messages.success(request, done)
                    return redirect(request.get_full_path())
    item_rows = [
        {
            "item": i,
            "name": i.current_list[0].name if i.current_list else i.implementation_code,
            "linkage": _linkage(i),
        }
        for i in items
    ]
    names = {r["item"].pk: r["name"] for r in item_rows}
    return _render(
        request,
        "licences/settings.html",
        {
            "tab": "settings",
            "rows": selectors.department_settings(),
            "department": department,
            "has_secret": bool(endpoint and endpoint.secret),
            "liaison_form": liaison_form,
            "endpoint_form": endpoint_form,
            "item": item,
            "item_name": next((r["name"] for r in item_rows if r["item"] == item), ""),
            "linkage_form": linkage_form,
            "items": [r for r in item_rows if r["linkage"] is not None],
            "all_items": item_rows,
            "gaps": [
                {"item": i, "name": names.get(i.pk, i.implementation_code)}
                for i in selectors.items_without_supervisor()
            ],
            "error": error,
        },
        status=400 if error else 200,
    )


def _save_setting(which, user, data, department, endpoint, item) -> str:
    if which == "liaison":
        services.set_liaison(actor=user, department=department, **data)
        return f"已指定{department.name}的联络员"
    if which == "endpoint":
        # An empty key keeps the one set (never shown back).
        secret = data["secret"] or (endpoint.secret if endpoint else "")
        services.set_endpoint(
            actor=user,
            department=department,
            url=data["url"],
            secret=secret,
            is_active=data["is_active"],
        )
        return f"已保存{department.name}的系统接口"
    services.set_linkage(actor=user, item=item, **data)
    return f"已保存事项 {item.implementation_code} 的联动设置"


def _linkage(item):
    try:
        return item.linkage
    except item._meta.get_field("linkage").related_model.DoesNotExist:
        return None
