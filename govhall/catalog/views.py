"""Staff pages of the catalogue (/staff/catalog/): list, item page, draft editor,
publish (发布), list flags, Excel import/export and 授权书.

Thin: parse a form, call ``catalog.services`` (or ``authorisations``), show domain
errors beside the fields via ``core.web``. Everyone signed in may read; only editors
of the item's department see edit buttons, and the services refuse the rest (403).
"""

from __future__ import annotations

import dataclasses
import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from govhall.core import clock, web
from govhall.core.errors import Conflict, ValidationFailed
from govhall.core.selectors import history_for
from govhall.core.validators import make_implementation_code
from govhall.org import permissions
from govhall.org import selectors as org_selectors
from govhall.org import services as org_services
from govhall.org.models import Authorisation, Department, Role

from . import authorisations, excel, files, selectors, services
from .forms import (
    AuthorisationForm,
    AuthorisedItemForm,
    CreateItemForm,
    FlagsForm,
    ImportForm,
    ItemFilterForm,
    PublishForm,
    SampleFileForm,
    editor_forms,
)
from .models import AuthorisedItem, Item, ItemStatus, VersionStatus

SECTION_TITLES = {
    "materials": "申请材料",
    "steps": "办理环节",
    "special_steps": "特殊环节",
    "fee_lines": "收费清单",
}
STALE_MESSAGE = "该草稿已被他人修改，请刷新后重新编辑"


def _can_edit(user, item: Item) -> bool:
    return permissions.can_edit_department_data(user, item.department)


def _all_messages(exc) -> list[str]:
    return [m for ms in (exc.fields or {}).values() for m in ms] or [exc.message]


# --- dashboard -------------------------------------------------------------------


@web.dashboard_panel(order=10)
def _catalogue_panel(request):
    """事项目录 counts for the home page: the user's department, or all for the
    centre administrator and the supervision office."""
    staff = permissions.active_staff(request.user)
    if staff is not None and staff.role in (Role.WINDOW_CLERK, Role.SUPERVISOR):
        return None  # their home page shows their own work (cases), not the catalogue's
    items = Item.objects.all()
    scope = "全部部门"
    if staff is not None and staff.department_id and not permissions.is_centre_admin(request.user):
        items = items.filter(department_id=staff.department_id)
        scope = staff.department.name
    counts = items.aggregate(
        total=Count("pk", distinct=True),
        drafts=Count("pk", filter=Q(versions__status=VersionStatus.DRAFT), distinct=True),
        suspended=Count("pk", filter=Q(status=ItemStatus.SUSPENDED), distinct=True),
        negative=Count("pk", filter=Q(on_negative_list=True), distinct=True),
    )
    base = reverse("catalog:list")
    dept = f"department={staff.department_id}&" if scope != "全部部门" else ""
    links = [("事项目录", base), ("授权书", reverse("catalog:authorisations"))]
    if org_selectors.departments_where(user=request.user).exists():
        links.insert(1, ("新增事项", reverse("catalog:create")))
    return {
        "title": f"事项目录（{scope}）",
        "counts": [
            ("事项总数", counts["total"], f"{base}?{dept}"),
            ("待发布草稿", counts["drafts"], f"{base}?{dept}has_draft=1"),
            ("暂停的事项", counts["suspended"], f"{base}?{dept}status=suspended"),
            ("负面清单", counts["negative"], f"{base}?{dept}negative=1"),
        ],
        "links": links,
    }


# --- list, create ----------------------------------------------------------------


@web.staff_page
def item_list(request):
    form = ItemFilterForm(request.GET)
    if not form.is_valid():
        form = ItemFilterForm({})
        form.is_valid()
    items = selectors.staff_items(**form.filters()).order_by("department__name", "basic_code")
    items = selectors.items_with_current(items=items)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    for item in page:
        item.current = item.current_list[0] if item.current_list else None
        item.editable = _can_edit(request.user, item)
    query = request.GET.copy()
    query.pop("page", None)
    can_create = org_selectors.departments_where(user=request.user).exists()
    return render(
        request,
        "catalog/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_create": can_create,
            # excel.import_workbook checks each row's department itself.
            "can_import": can_create,
        },
    )


@web.staff_page
def item_create(request):
    form = CreateItemForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code = data["implementation_code"] or make_implementation_code(
            uscc=data["department"].code, basic_code=data["basic_code"]
        )
        try:
            item = services.create_item(
                actor=request.user,
                department=data["department"],
                basic_code=data["basic_code"],
                implementation_code=code,
                type=data["type"],
                name=data["name"],
                reason=data["reason"],
            )
        except (ValidationFailed, Conflict) as exc:
            web.apply_errors(exc, form=form)
        else:
            messages.success(request, "事项已创建，请完善办事指南草稿。")
            return redirect("catalog:draft", code=item.implementation_code)
    return render(request, "catalog/create.html", {"form": form})


# --- item page, versions, flags --------------------------------------------------


def _item_context(request, item: Item, flags_form: FlagsForm | None = None) -> dict:
    return {
        "item": item,
        "current": selectors.current_version(item=item),
        "versions": selectors.version_history(item=item),
        "draft": selectors.draft_of(item=item),
        "can_edit": _can_edit(request.user, item),
        "direct": services.may_change_directly(request.user),
        "flags_form": flags_form or FlagsForm.for_item(item),
        "history": web.history_rows(history_for(obj=item)[:100]),
        "authorised": AuthorisedItem.objects.filter(item=item)
        .select_related("authorisation")
        .prefetch_related("approvers"),
    }


@web.staff_page
def item_detail(request, code):
    item = selectors.get_item(code=code)
    return render(request, "catalog/detail.html", _item_context(request, item))


@web.staff_page
def version_detail(request, code, number):
    item = selectors.get_item(code=code)
    version = selectors.get_version(item=item, number=number)
    return render(request, "catalog/version.html", {"item": item, "version": version})


@web.staff_page
@require_POST
def item_flags(request, code):
    item = selectors.get_item(code=code)
    form = FlagsForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            services.change_item_flags(actor=request.user, item=item, reason=reason, **data)
        except ValidationFailed as exc:
            web.apply_errors(exc, form=form)
        else:
            messages.success(request, "事项状态已变更。")
            return redirect("catalog:detail", code=item.implementation_code)
    return render(request, "catalog/detail.html", _item_context(request, item, form), status=400)


# --- draft editor and publish ----------------------------------------------------


@web.staff_page
@require_POST
def draft_start(request, code):
    item = selectors.get_item(code=code)
    try:
        services.start_draft(actor=request.user, item=item)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("catalog:detail", code=item.implementation_code)
    return redirect("catalog:draft", code=item.implementation_code)


def _editor(
    request,
    item,
    draft,
    guide,
    formsets,
    *,
    publish_form=None,
    errors=None,
    status=200,
    unsaved=False,
):
    """The draft editor. ``unsaved``: the page shows edits that failed to save, so it
    offers no 发布 (which would publish the stored draft, not what the user sees)."""
    return render(
        request,
        "catalog/draft.html",
        {
            "item": item,
            "draft": draft,
            "guide_form": guide,
            "sections": [(p, SECTION_TITLES[p], fs) for p, fs in formsets.items()],
            "publish_form": publish_form or PublishForm(),
            "file_form": SampleFileForm(version=draft),
            "errors": errors or [],
            "unsaved": unsaved,
            "direct": services.may_change_directly(request.user),
        },
        status=status,
    )


@web.staff_page
def draft_edit(request, code):
    """办事指南草稿编辑: guide fields + materials, steps, special steps."""
    item = selectors.get_item(code=code)
    services.require_item_editor(user=request.user, department=item.department)
    draft = selectors.draft_of(item=item)
    if draft is None:
        messages.info(request, "该事项没有草稿，请先点击“修订”。")
        return redirect("catalog:detail", code=item.implementation_code)
    if request.method != "POST":
        guide, formsets = editor_forms(draft)
        return _editor(request, item, draft, guide, formsets)

    guide, formsets = editor_forms(draft, request.POST)
    valid = guide.is_valid() & all([fs.is_valid() for fs in formsets.values()])
    if not valid:
        return _editor(
            request, item, draft, guide, formsets, errors=["请按提示修改后再保存。"], unsaved=True
        )
    try:
        token = int(request.POST.get("edit_token", ""))
    except ValueError:
        token = -1
    try:
        services.save_draft(
            actor=request.user,
            version=draft,
            guide=guide.cleaned_data,
            edit_token=token,
            reason=request.POST.get("reason", ""),
            **{prefix: web.rows_data(fs) for prefix, fs in formsets.items()},
        )
    except Conflict as exc:
        message = STALE_MESSAGE if exc.code == "stale_edit" else exc.message
        return _editor(
            request, item, draft, guide, formsets, errors=[message], status=409, unsaved=True
        )
    except ValidationFailed as exc:
        unplaced = web.apply_errors(exc, form=guide, formsets=formsets)
        return _editor(
            request, item, draft, guide, formsets, errors=unplaced, status=400, unsaved=True
        )
    messages.success(request, "草稿已保存。")
    return redirect("catalog:draft", code=item.implementation_code)


@web.staff_page
@require_POST
def draft_files(request, code):
    """上传示范文本 / 结果样本 onto the draft (catalog.files)."""
    item = selectors.get_item(code=code)
    draft = selectors.draft_of(item=item)
    if draft is None:
        messages.error(request, "该事项没有草稿，请先点击“修订”。")
        return redirect("catalog:detail", code=item.implementation_code)
    form = SampleFileForm(request.POST, request.FILES, version=draft)
    if not form.is_valid():
        messages.error(request, "；".join(m for ms in form.errors.values() for m in ms))
        return redirect("catalog:draft", code=item.implementation_code)
    data = form.cleaned_data
    try:
        if data["target"] == "result":
            files.attach_result_sample(
                actor=request.user, version=draft, file=data["file"], reason=data["reason"]
            )
        else:
            files.attach_sample(
                actor=request.user,
                version=draft,
                material_id=int(data["target"]),
                file=data["file"],
                reason=data["reason"],
            )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "文件已上传并挂接到草稿，发布后在办事指南中提供下载。")
    return redirect("catalog:draft", code=item.implementation_code)


@web.staff_page
@require_POST
def draft_publish(request, code):
    """发布: every publish failure is shown beside its field, and nothing changes."""
    item = selectors.get_item(code=code)
    draft = selectors.draft_of(item=item)
    if draft is None:
        messages.error(request, "该事项没有待发布的草稿。")
        return redirect("catalog:detail", code=item.implementation_code)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            version = services.publish(
                actor=request.user,
                version=draft,
                valid_from=form.cleaned_data["valid_from"],
                change_note=form.cleaned_data["change_note"],
            )
        except ValidationFailed as exc:
            guide, formsets = editor_forms(draft)
            web.apply_errors(exc, form=guide, formsets=formsets)
            own = {f: m for f, m in exc.fields.items() if f in ("valid_from", "change_note")}
            if own:
                web.apply_errors(ValidationFailed(exc.message, fields=own), form=form)
            errors = ["办事指南未通过发布校验，未发布。请按下列提示修改草稿后再发布："]
            errors += _all_messages(exc)
            return _editor(
                request, item, draft, guide, formsets, publish_form=form, errors=errors, status=400
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("catalog:detail", code=item.implementation_code)
        messages.success(
            request, f"已发布第{version.number}版，自{version.valid_from:%Y-%m-%d}起生效。"
        )
        return redirect("catalog:detail", code=item.implementation_code)
    guide, formsets = editor_forms(draft)
    return _editor(request, item, draft, guide, formsets, publish_form=form, status=400)


# --- Excel -----------------------------------------------------------------------


@web.staff_page
def export_excel(request):
    buffer = io.BytesIO()
    excel.export_workbook(stream=buffer, versions=None)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"catalogue-{clock.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@web.staff_page
def import_excel(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            report = excel.import_workbook(actor=request.user, stream=form.cleaned_data["file"])
        except ValidationFailed as exc:
            # A workbook fault lists (sheet, row, column, message); a refusal before
            # the rows are read (e.g. not an .xlsx) only has fields.
            context["rows"] = getattr(exc, "rows", None) or [
                ("", "", key, m) for key, ms in exc.fields.items() for m in ms
            ]
            context["message"] = exc.message
            return render(request, "catalog/import.html", context, status=400)
        context["report"] = dataclasses.asdict(report)
    return render(request, "catalog/import.html", context)


# --- 授权书 -----------------------------------------------------------------------


def _editable_departments(user):
    """Departments whose 授权书 ``user`` may keep."""
    return org_selectors.departments_where(user=user, rule=permissions.can_manage_authorisation)


@web.staff_page
def authorisation_list(request):
    department = None
    if request.GET.get("department", "").isdigit():
        department = Department.objects.filter(pk=request.GET["department"]).first()
    return render(
        request,
        "catalog/authorisations.html",
        {
            "authorisations": authorisations.authorisation_list(department=department),
            "departments": Department.objects.all(),
            "department": department,
            "today": clock.today(),
            "can_create": _editable_departments(request.user).exists(),
        },
    )


@web.staff_page
def authorisation_edit(request, pk=None):
    instance = None
    if pk is not None:
        instance = get_object_or_404(Authorisation.objects.select_related("department"), pk=pk)
        authorisations.require_editor(request.user, instance.department)
    departments = _editable_departments(request.user)
    permissions.require(departments.exists(), "只有首席代表或中心管理员可以维护授权书")
    form = AuthorisationForm(request.POST or None, departments=departments, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            if instance is None:
                authorisations.require_editor(request.user, data["department"])
                instance = org_services.create(
                    actor=request.user,
                    model=Authorisation,
                    data=data,
                    reason=form.cleaned_data["reason"],
                )
            else:
                data.pop("department", None)
                org_services.update(
                    actor=request.user,
                    instance=instance,
                    data=data,
                    reason=form.cleaned_data["reason"],
                )
        except ValidationFailed as exc:
            web.apply_errors(exc, form=form)
        else:
            messages.success(request, "授权书已保存。")
            return redirect("catalog:authorisation", pk=instance.pk)
    return render(
        request, "catalog/authorisation_form.html", {"form": form, "authorisation": instance}
    )


def _authorised_item_form(authorisation, data=None, *, chosen: str = "", **kwargs):
    """The add / adjust form. ``chosen`` (``?item=<pk>``, the 调整 link of a row) opens
    it on that item with its current approvers ticked."""
    current = None
    if data is None and chosen.isdigit() and len(chosen) < 10:
        current = authorisations.current_approvers(authorisation=authorisation, item_id=int(chosen))
    if current is not None:
        kwargs["initial"] = {
            "item": int(chosen),
            "approvers": current,
            "shown_item": int(chosen),
            "shown_approvers": current,
        }
    return AuthorisedItemForm(
        data,
        items=authorisations.eligible_items(department=authorisation.department),
        approvers=authorisations.eligible_approvers(department=authorisation.department),
        **kwargs,
    )


@web.staff_page
def authorisation_detail(request, pk):
    authorisation = get_object_or_404(
        Authorisation.objects.select_related("department", "chief_rep"), pk=pk
    )
    can_edit = permissions.can_manage_authorisation(request.user, authorisation.department)
    form = _authorised_item_form(
        authorisation, request.POST or None, chosen=request.GET.get("item", "")
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "set")
        try:
            if action == "remove":
                entry = get_object_or_404(
                    AuthorisedItem, pk=request.POST.get("entry"), authorisation=authorisation
                )
                authorisations.remove_authorised_item(
                    actor=request.user, authorised_item=entry, reason=request.POST.get("reason", "")
                )
                messages.success(request, "已移除授权事项。")
                return redirect("catalog:authorisation", pk=pk)
            if form.is_valid():
                authorisations.set_authorised_item(
                    actor=request.user,
                    authorisation=authorisation,
                    item=form.cleaned_data["item"],
                    approvers=form.cleaned_data["approvers"],
                    shown_approvers=form.shown_for_item(),
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, "授权事项已保存。")
                return redirect("catalog:authorisation", pk=pk)
            status = 400
        except (ValidationFailed, Conflict) as exc:
            web.apply_errors(exc, form=form)
            status = 400
    entries = list(authorisations.authorised_items(authorisation=authorisation))
    return render(
        request,
        "catalog/authorisation.html",
        {
            "authorisation": authorisation,
            "entries": entries,
            "form": form,
            "can_edit": can_edit,
            "in_force": org_selectors.valid_authorisations(department=authorisation.department)
            .filter(pk=authorisation.pk)
            .exists(),
            "history": web.history_rows(history_for(obj=authorisation)),
        },
        status=status,
    )
