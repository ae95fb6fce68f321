"""Staff pages of the lists, mounted at /staff/lists/: 清单公布 (every list, what
changed since its last publication, the centre administrator's 公布), 清单比对 (a
list on two dates, side by side), and the 权责清单 / 监管事项清单 entries (list,
new, edit, 撤销, Excel import). Pages parse, call ``services``/``selectors`` and
render; the rules are in ``permissions`` and ``services``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from govhall.core import clock, web
from govhall.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from govhall.core.selectors import history_for
from govhall.org.models import Department

from . import excel, permissions, registry, selectors, services
from .forms import CompareForm, ImportForm, PowerForm, PublishForm, RetireForm, SupervisionForm
from .models import PowerEntry, SupervisionMatter

PAGE_SIZE = 30


def _require_viewer(user) -> None:
    if not permissions.may_view(user):
        raise PermissionDenied("您无权查看清单管理页面")


# --------------------------------------------------------------------------- publish


@web.staff_page
def index(request):
    """Every list: its latest publication and what would change if published now."""
    _require_viewer(request.user)
    rows = []
    pending_keys = []
    latest = selectors.latest_publications()
    for spec in registry.SPECS:
        publication = latest.get(spec.key)
        current = spec.rows(on=clock.today())
        if publication is None:
            pending = {"new": True, "count": len(current)}
        else:
            diff = selectors.diff_rows(spec=spec, old=publication.rows, new=current)
            pending = {
                "new": False,
                "added": len(diff.added),
                "removed": len(diff.removed),
                "changed": len(diff.changed),
                "empty": diff.empty,
            }
        if publication is None or not pending["empty"]:
            pending_keys.append(spec.key)
        rows.append({"spec": spec, "publication": publication, "pending": pending})
    form = PublishForm(initial={"keys": pending_keys})
    return render(
        request,
        "lists/index.html",
        {
            "rows": rows,
            "form": form,
            "publisher": permissions.may_publish(request.user),
            "pending_keys": pending_keys,
        },
    )


@web.staff_page
@require_POST
def publish(request):
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择要公布的清单")
        return redirect("lists:index")
    try:
        made = services.publish(
            actor=request.user, keys=form.cleaned_data["keys"], note=form.cleaned_data["note"]
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        if made:
            names = "、".join(registry.REGISTRY[p.key].name for p in made)
            messages.success(request, f"已公布 {len(made)} 份清单：{names}")
        else:
            messages.info(request, "所选清单自上次公布以来没有变化，未重复公布")
    return redirect("lists:index")


# --------------------------------------------------------------------------- compare


@web.staff_page
def compare(request):
    """清单比对: one list on two dates — added / removed / changed (before | after)."""
    _require_viewer(request.user)
    today = clock.today()
    data = request.GET if "key" in request.GET else None
    form = CompareForm(
        data, initial={"key": "negative", "start": today - dt.timedelta(days=30), "end": today}
    )
    result = None
    if data is not None and form.is_valid():
        try:
            result = selectors.compare(
                key=form.cleaned_data["key"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
    return render(request, "lists/compare.html", {"form": form, "result": result})


# --------------------------------------------------------------------------- entries

ENTRY_KINDS = {
    "powers": {
        "model": PowerEntry,
        "form": PowerForm,
        "rows": selectors.power_entries,
        "save": services.save_power,
        "fields": [
            "code",
            "name",
            "kind",
            "department",
            "item",
            "basis",
            "responsibilities",
            "accountability",
        ],
    },
    "supervision": {
        "model": SupervisionMatter,
        "form": SupervisionForm,
        "rows": selectors.supervision_matters,
        "save": services.save_supervision,
        "fields": ["code", "name", "department", "items", "target", "basis", "method"],
    },
}


def _kind(key: str) -> dict:
    if key not in ENTRY_KINDS:
        raise NotFound("没有该清单", code="list_not_found")
    return ENTRY_KINDS[key]


def _initial(entry) -> dict:
    data = {
        name: getattr(entry, name)
        for name in ("code", "name", "department", "basis", "target", "method", "kind")
        if hasattr(entry, name)
    }
    if isinstance(entry, PowerEntry):
        data.update(
            item=entry.item.implementation_code if entry.item_id else "",
            responsibilities=entry.responsibilities,
            accountability=entry.accountability,
        )
    else:
        data["items"] = "、".join(i.implementation_code for i in entry.items.all())
    return data


@web.staff_page
def entries(request, key: str):
    _require_viewer(request.user)
    kind = _kind(key)
    q = request.GET.get("q", "").strip()[:100]
    dept = request.GET.get("department", "")
    departments = list(Department.objects.filter(is_active=True).order_by("name"))
    department = next((d for d in departments if str(d.pk) == dept), None)
    retired = request.GET.get("retired") == "1"
    qs = kind["rows"](q=q, department=department, active=not retired)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "lists/entries.html",
        {
            "spec": registry.get(key),
            "page": page,
            "q": q,
            "departments": departments,
            "department": department,
            "retired": retired,
            "keep": keep.urlencode(),
            "maintainer": permissions.may_maintain_any(request.user),
            "may_edit": {
                e.pk for e in page if permissions.may_maintain(request.user, e.department)
            },
        },
    )


@web.staff_page
def entry_edit(request, key: str, pk: int | None = None):
    kind = _kind(key)
    entry = None
    if pk is not None:
        entry = get_object_or_404(kind["model"], pk=pk)
        _require_viewer(request.user)
    elif not permissions.may_maintain_any(request.user):
        raise PermissionDenied("只有中心管理员或部门首席代表可以维护清单事项")
    departments = permissions.maintained_departments(request.user)
    if entry is not None and not permissions.may_maintain(request.user, entry.department):
        departments = Department.objects.filter(pk=entry.department_id)
    form = kind["form"](
        request.POST or None,
        initial=_initial(entry) if entry else None,
        departments=departments,
        editing=entry is not None,
    )
    may_edit = entry is None or permissions.may_maintain(request.user, entry.department)
    if request.method == "POST" and not may_edit:
        permissions.require_maintainer(request.user, entry.department)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in kind["fields"]}
        try:
            saved = kind["save"](actor=request.user, reason=form.cleaned_data["reason"], **data)
        except (ValidationFailed, PermissionDenied) as exc:
            web.apply_errors(exc, form=form)
        else:
            messages.success(request, "已保存" if saved.changed else "没有变化")
            return redirect("lists:entry_edit", key=key, pk=saved.entry.pk)
    return render(
        request,
        "lists/entry_edit.html",
        {
            "spec": registry.get(key),
            "entry": entry,
            "form": form,
            "may_edit": may_edit,
            "retire_form": RetireForm(),
            "history": web.history_rows(history_for(obj=entry)) if entry else [],
        },
    )


@web.staff_page
@require_POST
def entry_retire(request, key: str, pk: int):
    kind = _kind(key)
    entry = get_object_or_404(kind["model"], pk=pk)
    try:
        services.retire(actor=request.user, entry=entry, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.http_status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤销“{entry.name}”")
    return redirect("lists:entry_edit", key=key, pk=pk)


@web.staff_page
def entry_import(request, key: str):
    _kind(key)
    if not permissions.may_maintain_any(request.user):
        raise PermissionDenied("只有中心管理员或部门首席代表可以导入清单事项")
    form = ImportForm(request.POST or None, request.FILES or None)
    faults, report = [], None
    if request.method == "POST" and form.is_valid():
        try:
            report = excel.import_entries(actor=request.user, key=key, stream=request.FILES["file"])
        except ValidationFailed as exc:
            faults = getattr(exc, "rows", [])
            messages.error(request, exc.message)
        else:
            messages.success(request, f"导入完成：{report}")
    return render(
        request,
        "lists/import.html",
        {"spec": registry.get(key), "form": form, "faults": faults, "report": report},
    )
