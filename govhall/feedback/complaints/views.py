"""有诉即办 staff pages, mounted at /staff/feedback/complaints/: the work-order list and
detail (one form per action the user may take now, built from the transition table),
the 有诉即办 window, the 知识库 and the 12345 exchange. Pages never re-check a rule:
they call ``services`` / ``exchange`` and show the DomainError's message."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from govhall.calendar import selectors as calendar
from govhall.cases.models import Case
from govhall.catalog.models import Item
from govhall.core import actors, clock, web
from govhall.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from govhall.org import permissions
from govhall.org.models import Department, Role, Staff

from . import exchange, roles, selectors, services, workflow
from .forms import ActionForm, EntryForm, ImportForm, WindowForm
from .models import ANSWER_PENDING, Category, Channel, KnowledgeEntry, State

PAGE_SIZE = 30


def _choice(value: str, choices) -> str:
    return value if value in {c[0] for c in choices} else ""


def _raise_access(exc: DomainError) -> None:
    if exc.http_status in (403, 404):
        raise exc


def centre_side(user) -> bool:
    """Who sees complainants' names and phones in full (they call back)."""
    return permissions.is_centre_admin(user) or (
        permissions.active_staff(user, Role.WINDOW_CLERK) is not None
    )


def light(complaint, *, today, tomorrow) -> tuple[str, str]:
    """期限灯 of a complaint still to be answered: red past the due date, yellow due by
    the next working day, green otherwise; ('', '') once answered or not accepted."""
    if complaint.state not in ANSWER_PENDING or complaint.due_date is None:
        return "", ""
    if complaint.due_date < today:
        return "red", "超期"
    if complaint.due_date <= tomorrow:
        return "yellow", "临期"
    return "green", "正常"


BADGES = {"red": "danger", "yellow": "warning text-dark", "green": "success"}


# --------------------------------------------------------------------------- list


@web.staff_page
def complaint_list(request):
    if not roles.may_see_complaints(request.user):
        raise PermissionDenied("只有中心、承办部门和电子监察人员可以查看诉求工单")
    q = request.GET
    departments = list(Department.objects.filter(is_active=True).order_by("name"))
    dept = q.get("department", "")
    dept_id = int(dept) if dept.isdigit() and int(dept) in {d.pk for d in departments} else None
    overdue = {"1": True, "0": False}.get(q.get("overdue", ""))
    chosen = {
        "state": _choice(q.get("state", ""), State.choices),
        "category": _choice(q.get("category", ""), Category.choices),
        "channel": _choice(q.get("channel", ""), Channel.choices),
        "department": dept_id,
        "overdue": q.get("overdue", "") if overdue is not None else "",
    }
    qs = selectors.complaint_list(
        user=request.user,
        state=chosen["state"],
        category=chosen["category"],
        channel=chosen["channel"],
        department=dept_id,
        overdue=overdue,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(q.get("page"))
    today = clock.today()
    tomorrow = calendar.add_workdays(start=today, days=1).date
    full = centre_side(request.user)
    rows = []
    for c in page:
        colour, label = light(c, today=today, tomorrow=tomorrow)
        rows.append(
            {
                "c": c,
                "light": colour,
                "light_label": label,
                "badge": BADGES.get(colour, ""),
                "name": c.complainant_name if full else c.masked_name,
            }
        )
    keep = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    return render(
        request,
        "complaints/list.html",
        {
            **_nav(request.user),
            "page": page,
            "rows": rows,
            "chosen": chosen,
            "keep": keep,
            "states": State.choices,
            "categories": Category.choices,
            "channels": Channel.choices,
            "departments": departments if len(departments) > 1 else [],
            "may_receive": services.may_receive(request.user),
            "may_exchange": exchange.may_exchange(request.user),
        },
    )


# --------------------------------------------------------------------------- detail


@web.staff_page
def detail(request, number: str):
    complaint = selectors.complaint_by_number(user=request.user, number=number)
    rows = workflow.available_actions(request.user, complaint)
    forms_by_action = {row.action: ActionForm(row=row, complaint=complaint) for row in rows}
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        row = next((r for r in rows if r.action == action), None)
        if row is None:
            error = "该操作当前不可执行（诉求状态已变化或您无权执行），请刷新后重试"
        else:
            form = ActionForm(request.POST, request.FILES, row=row, complaint=complaint)
            forms_by_action[action] = form
            if form.is_valid():
                try:
                    inputs = selectors.resolve_inputs(
                        complaint=complaint, action=action, data=form.inputs()
                    )
                    complaint = services.transition(
                        actor=request.user,
                        complaint=complaint,
                        action=action,
                        expected_version=form.cleaned_data["expected_version"],
                        files=form.files_sent(),
                        **inputs,
                    )
                except DomainError as exc:
                    _raise_access(exc)
                    error = "；".join(web.apply_errors(exc, form=form)) or exc.message
                else:
                    messages.success(request, f"已{row.label}：{complaint.number}")
                    if roles.can_view(request.user, complaint):
                        return redirect("complaints:detail", number=complaint.number)
                    return redirect("complaints:list")
            else:
                error = "请检查填写的内容"
    full = centre_side(request.user)
    today = clock.today()
    colour, label = light(
        complaint, today=today, tomorrow=calendar.add_workdays(start=today, days=1).date
    )
    return render(
        request,
        "complaints/detail.html",
        {
            **_nav(request.user),
            "c": complaint,
            "events": _events(complaint, full=full),
            "attachments": list(complaint.attachments.all()),
            "forms": [(r, forms_by_action[r.action]) for r in rows],
            "name": complaint.complainant_name if full else complaint.masked_name,
            "phone": complaint.complainant_phone if full else complaint.masked_phone,
            "id_number": complaint.masked_id_number,
            "light": colour,
            "light_label": label,
            "badge": BADGES.get(colour, ""),
            "error": error,
        },
        status=400 if error else 200,
    )


def _events(complaint, *, full: bool) -> list:
    """The history; outside the centre the complainant's own steps (提交, 评价 as the
    applicant) name them masked, as the rest of the page does."""
    labels = dict(State.choices)
    events = list(selectors.history(complaint=complaint))
    for e in events:
        e.action_label = workflow.event_label(e.action)
        e.to_state_label = labels.get(e.to_state, e.to_state)
        if not full and e.actor_id is None and e.actor_name != actors.SYSTEM.name:
            e.actor_name = f"诉求人 {complaint.masked_name}"
    return events


def _nav(user) -> dict:
    """Which of the complaint pages' own tabs the user may open."""
    return {
        "nav_window": services.may_receive(user),
        "nav_exchange": exchange.may_exchange(user),
    }


# --------------------------------------------------------------------------- window


def _lookup(model, value, *, message, field, **extra):
    if not value:
        return None
    obj = model.objects.filter(**extra).first()
    if obj is None:
        raise ValidationFailed(message, code=f"unknown_{field}", fields={field: [message]})
    return obj


@web.staff_page
def window(request):
    """有诉即办窗口: the intake form beside a 知识库 search, so a consultation answered
    on the spot is closed at once (直接办结)."""
    if not services.may_receive(request.user):
        raise PermissionDenied("只有中心综合受理人员和中心管理员可以在有诉即办窗口登记诉求")
    staff = permissions.active_staff(request.user)
    centre = staff.centre if staff else services.online_centre()
    centre_id = centre.pk if centre else None
    initial = {}
    chosen = request.GET.get("entry", "")
    if chosen.isdigit() and KnowledgeEntry.objects.filter(pk=int(chosen), published=True).exists():
        # "用此答复" beside a search hit: a consultation answered from that entry
        initial = {"category": "consultation", "entry": chosen}
    form = WindowForm(
        request.POST or None, request.FILES or None, centre_id=centre_id, initial=initial
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = _lookup(
                Case, d["case"], message="没有该受理编号的办件", field="case", number=d["case"]
            )
            about = _lookup(
                Staff, d["about_staff"], message="没有该工作人员", field="about_staff",
                pk=d["about_staff"] or 0,
            )  # fmt: skip
            entry = _lookup(
                KnowledgeEntry, d["entry"], message="没有该已发布的知识库条目", field="entry",
                pk=d["entry"] or 0, published=True,
            )  # fmt: skip
            complaint = services.receive_at_window(
                actor=request.user,
                category=d["category"],
                subject=d["subject"],
                content=d["content"],
                name=d["name"],
                phone=d["phone"],
                id_number=d["id_number"],
                case=case,
                about_staff=about,
                files=d["files"],
                answer=d["answer"],
                entry=entry,
            )
        except DomainError as exc:
            _raise_access(exc)
            error = "；".join(web.apply_errors(exc, form=form)) or exc.message
        else:
            done = "已直接办结" if complaint.state == State.CLOSED else "已受理"
            messages.success(request, f"{done}：诉求编号 {complaint.number}")
            return redirect("complaints:detail", number=complaint.number)
    elif request.method == "POST":
        error = "请检查填写的内容"
    q = request.GET.get("q", "")[:100]
    return render(
        request,
        "complaints/window.html",
        {
            **_nav(request.user),
            "form": form,
            "error": error,
            "q": q,
            "entries": list(selectors.search_knowledge(q=q)[:10]) if q.strip() else [],
            "items": selectors.related_items(q=q),
        },
        status=400 if error else 200,
    )


# --------------------------------------------------------------------------- 知识库


@web.staff_page
def knowledge(request):
    keeper = services.may_edit_entry(request.user)
    q = request.GET.get("q", "")[:100]
    qs = selectors.search_knowledge(q=q, published_only=not keeper)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/knowledge.html",
        {
            **_nav(request.user),
            "page": page,
            "q": q,
            "keep": f"q={q}" if q else "",
            "keeper": keeper,
            "publisher": permissions.is_centre_admin(request.user),
        },
    )


def _entry_refs(d: dict) -> dict:
    code = (d.get("item") or "").strip().upper()
    item = Item.objects.filter(implementation_code=code).first() if code else None
    if code and item is None:
        raise ValidationFailed(
            "没有该实施编码的事项", code="unknown_item", fields={"item": ["没有该实施编码的事项"]}
        )
    dept = d.get("department")
    department = Department.objects.filter(pk=int(dept)).first() if dept else None
    return {"item": item, "department": department}


@web.staff_page
def knowledge_edit(request, pk: int | None = None):
    entry = None
    if pk is not None:
        entry = KnowledgeEntry.objects.select_related("item", "department").filter(pk=pk).first()
        if entry is None:
            raise NotFound("没有该知识库条目")
    if not services.may_edit_entry(request.user):
        raise PermissionDenied("您无权维护知识库")
    initial = {}
    if entry is not None:
        initial = {
            "question": entry.question,
            "answer": entry.answer,
            "keywords": entry.keywords,
            "item": entry.item.implementation_code if entry.item else "",
            "department": str(entry.department_id or ""),
            "expected_version": entry.version,
        }
    form = EntryForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            refs = _entry_refs(d)
            fields = {"question": d["question"], "answer": d["answer"], "keywords": d["keywords"]}
            if entry is None:
                entry = services.create_entry(actor=request.user, **fields, **refs)
            else:
                entry = services.update_entry(
                    actor=request.user,
                    entry=entry,
                    expected_version=d["expected_version"] or 0,
                    **fields,
                    **refs,
                )
        except DomainError as exc:
            _raise_access(exc)
            error = "；".join(web.apply_errors(exc, form=form)) or exc.message
        else:
            messages.success(request, f"已保存知识库条目（第 {entry.version} 版）")
            return redirect("complaints:knowledge_edit", pk=entry.pk)
    elif request.method == "POST":
        error = "请检查填写的内容"
    return render(
        request,
        "complaints/knowledge_edit.html",
        {
            **_nav(request.user),
            "form": form,
            "entry": entry,
            "error": error,
            "publisher": permissions.is_centre_admin(request.user),
        },
        status=400 if error else 200,
    )


@web.staff_page
def knowledge_publish(request, pk: int):
    entry = KnowledgeEntry.objects.filter(pk=pk).first()
    if entry is None:
        raise NotFound("没有该知识库条目")
    if request.method == "POST":
        published = request.POST.get("published") == "1"
        try:
            services.set_published(actor=request.user, entry=entry, published=published)
        except DomainError as exc:
            _raise_access(exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, "已发布" if published else "已撤回")
    return redirect("complaints:knowledge_edit", pk=entry.pk)


# --------------------------------------------------------------------------- 12345


@web.staff_page
def exchange_page(request):
    if not exchange.may_exchange(request.user):
        raise PermissionDenied("只有县级中心管理员和综合受理人员可以交换12345工单")
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    problems: list[tuple[str, list[str]]] = []
    error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > exchange.MAX_BYTES:
                raise ValidationFailed("文件过大（不超过 10 MB）", code="invalid_file")
            result = exchange.import_orders(
                actor=request.user, data=upload.read(), file_name=upload.name
            )
        except DomainError as exc:
            _raise_access(exc)
            error = exc.message
            if exc.code == "import_invalid":
                problems = [(k, list(v)) for k, v in (exc.fields or {}).items()]
    elif request.method == "POST":
        error = "请选择要导入的文件"
    from .models import ExchangeImport

    return render(
        request,
        "complaints/exchange.html",
        {
            **_nav(request.user),
            "form": form,
            "result": result,
            "problems": problems,
            "error": error,
            "imports": list(ExchangeImport.objects.all()[:20]),
        },
        status=400 if error else 200,
    )


@web.staff_page
def exchange_export(request):
    if not exchange.may_exchange(request.user):
        raise PermissionDenied("只有县级中心管理员和综合受理人员可以交换12345工单")
    kind = request.GET.get("as", "json")
    if kind not in ("json", "xlsx"):
        kind = "json"
    since = None
    raw = request.GET.get("since", "")
    if raw:
        import datetime as dt

        try:
            since = dt.date.fromisoformat(raw[:10])
        except ValueError:
            since = None
    data = exchange.export_orders(user=request.user, since=since, as_=kind)
    content_type = (
        "application/json"
        if kind == "json"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="12345-export.{kind}"'
    return response
