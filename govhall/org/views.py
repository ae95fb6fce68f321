"""Staff pages of the organisation (/staff/org/): centres, departments with their
进驻, windows and staff. The centre administrator edits; every staff member on duty
may view (ID numbers and phones masked). Every edit goes through ``org.services`` with
a reason, and each page shows its audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Count, Q
from django.forms import model_to_dict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from govhall.core import clock, web
from govhall.core.errors import Conflict, ValidationFailed
from govhall.core.selectors import history_for, history_for_many
from govhall.core.validators import mask_id_number, mask_phone

from . import api_clients, permissions, selectors, services
from .forms import (
    ApiClientForm,
    CentreForm,
    DepartmentForm,
    NewStaffForm,
    RevokeApiClientForm,
    StaffForm,
    StationForm,
    WindowForm,
)
from .models import Centre, Department, Staff, Stationing, Window

DUPLICATE_MESSAGE = "与已有记录重复：编码、名称、窗口号或用户名须唯一"

# model -> (form, Chinese noun, list url name, detail url name)
KINDS = {
    Centre: (CentreForm, "服务中心", "org:centres", "org:centre"),
    Department: (DepartmentForm, "部门", "org:departments", "org:department"),
    Window: (WindowForm, "窗口", "org:windows", "org:window"),
    Staff: (StaffForm, "工作人员", "org:staff_list", "org:staff"),
}
MASKED = {"id_number": mask_id_number, "phone": mask_phone}


@web.dashboard_panel(order=20)
def _organisation_panel(request):
    if not permissions.can_manage_organisation(request.user):
        return None  # read-only for everyone else: the nav links it; the home shows work
    counts = [
        ("服务中心", Centre.objects.filter(is_active=True).count(), reverse("org:centres")),
        (
            "进驻部门",
            Department.objects.filter(stationing__is_active=True).distinct().count(),
            reverse("org:departments"),
        ),
        ("窗口", Window.objects.filter(is_active=True).count(), reverse("org:windows")),
        ("在岗人员", Staff.objects.filter(is_active=True).count(), reverse("org:staff_list")),
    ]
    links = [
        ("组织机构", reverse("org:index")),
        ("新增窗口", reverse("org:window_create")),
        ("开设账号", reverse("org:staff_create")),
    ]
    return {"title": "组织机构", "counts": counts, "links": links}


def _centre_tree() -> list[tuple[int, Centre]]:
    """Centres depth-first under their parents: (depth, centre)."""
    centres = list(selectors.centre_list().order_by("code"))
    children: dict[int | None, list[Centre]] = {}
    for centre in centres:
        children.setdefault(centre.parent_id, []).append(centre)
    tree: list[tuple[int, Centre]] = []

    def walk(parent_id, depth):
        for centre in children.get(parent_id, []):
            tree.append((depth, centre))
            walk(centre.pk, depth + 1)

    walk(None, 0)
    return tree


@web.staff_page
def index(request):
    return render(
        request,
        "org/index.html",
        {
            "tree": _centre_tree(),
            "can_manage": permissions.can_manage_organisation(request.user),
        },
    )


# --- lists -----------------------------------------------------------------------


@web.staff_page
def centre_list(request):
    return render(
        request,
        "org/centres.html",
        {"tree": _centre_tree(), "can_manage": permissions.can_manage_organisation(request.user)},
    )


@web.staff_page
def department_list(request):
    departments = (
        selectors.department_list()
        .annotate(
            item_count=Count("items", distinct=True),
            staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True),
        )
        .prefetch_related("stationing_set__centre")
    )
    return render(
        request,
        "org/departments.html",
        {
            "departments": departments,
            "can_manage": permissions.can_manage_organisation(request.user),
        },
    )


@web.staff_page
def window_list(request):
    centre = Centre.objects.filter(pk=request.GET.get("centre") or None).first()
    return render(
        request,
        "org/windows.html",
        {
            "windows": selectors.window_list(centre=centre).annotate(
                staff_count=Count("staff", distinct=True)
            ),
            "centres": Centre.objects.all(),
            "centre": centre,
            "can_manage": permissions.can_manage_organisation(request.user),
        },
    )


@web.staff_page
def staff_list(request):
    department = Department.objects.filter(pk=request.GET.get("department") or None).first()
    people = list(selectors.staff_list(department=department))
    for person in people:
        person.masked_phone = mask_phone(person.phone)
        person.masked_id = mask_id_number(person.id_number)
    return render(
        request,
        "org/staff_list.html",
        {
            "people": people,
            "departments": Department.objects.all(),
            "department": department,
            "can_manage": permissions.can_manage_organisation(request.user),
        },
    )


# --- create / edit (one generic page) --------------------------------------------


def _readonly_rows(form, instance) -> list[tuple[str, str]]:
    rows = []
    for name, field in form.fields.items():
        if name == "reason":
            continue
        value = getattr(instance, name, "")
        if name in MASKED:
            value = MASKED[name](value)
        elif hasattr(instance, f"get_{name}_display"):
            value = getattr(instance, f"get_{name}_display")()
        elif isinstance(value, bool):
            value = "是" if value else "否"
        rows.append((field.label, "—" if value in (None, "") else value))
    return rows


def _initial(model, instance) -> dict:
    return model_to_dict(instance, fields=[f for f in KINDS[model][0].base_fields if f != "reason"])


def _save(request, form, model, instance):
    """Call the service; return the saved instance or None (errors are on the form)."""
    data = form.data_for_service()
    reason = form.cleaned_data.get("reason", "")
    try:
        if instance is not None:
            return services.update(actor=request.user, instance=instance, data=data, reason=reason)
        if model is Staff:
            return services.create_staff(
                actor=request.user,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                data=data,
                reason=reason,
            )
        return services.create(actor=request.user, model=model, data=data, reason=reason)
    except ValidationFailed as exc:
        web.apply_errors(exc, form=form)
    except IntegrityError:
        form.add_error(None, DUPLICATE_MESSAGE)
    return None


def _edit(request, model, pk=None):
    form_class, noun, list_url, detail_url = KINDS[model]
    instance = get_object_or_404(model, pk=pk) if pk is not None else None
    can_manage = permissions.can_manage_organisation(request.user)
    if instance is None or request.method == "POST":
        permissions.require_organisation_manager(request.user)
    if instance is None and model is Staff:
        form_class = NewStaffForm
    creating = instance is None
    if request.method == "POST":
        form = form_class(request.POST, creating=creating)
        if form.is_valid():
            saved = _save(request, form, model, instance)
            if saved is not None:
                messages.success(request, f"{noun}“{saved}”已保存。")
                return redirect(detail_url, pk=saved.pk)
    else:
        form = form_class(
            initial=_initial(model, instance) if instance else None, creating=creating
        )
    context = {
        "form": form,
        "noun": noun,
        "instance": instance,
        "list_url": reverse(list_url),
        "can_manage": can_manage,
        "readonly": _readonly_rows(form, instance) if instance and not can_manage else None,
        "history": web.history_rows(history_for(obj=instance)) if instance else [],
    }
    if model is Department and instance is not None:
        stationings = list(
            instance.stationing_set.select_related("centre").order_by("centre__code")
        )
        context["stationings"] = stationings
        context["station_form"] = StationForm(initial={"since": clock.today()})
        context["station_history"] = web.history_rows(history_for_many(objs=stationings))
    if model is Staff and instance is not None:
        context["username"] = instance.user.username
    status = 400 if request.method == "POST" else 200
    return render(request, "org/edit.html", context, status=status)


@web.staff_page
def centre_edit(request, pk=None):
    return _edit(request, Centre, pk)


@web.staff_page
def department_edit(request, pk=None):
    return _edit(request, Department, pk)


@web.staff_page
def window_edit(request, pk=None):
    return _edit(request, Window, pk)


@web.staff_page
def staff_edit(request, pk=None):
    return _edit(request, Staff, pk)


# --- 进驻 / 撤驻 -------------------------------------------------------------------


@web.staff_page
@require_POST
def station(request, pk):
    department = get_object_or_404(Department, pk=pk)
    form = StationForm(request.POST)
    if form.is_valid():
        services.station_department(
            actor=request.user,
            centre=form.cleaned_data["centre"],
            department=department,
            since=form.cleaned_data["since"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, f"{department}已进驻{form.cleaned_data['centre']}。")
    else:
        messages.error(request, "请选择中心并填写进驻日期。")
    return redirect("org:department", pk=pk)


@web.staff_page
@require_POST
def end_stationing(request, pk, stationing_pk):
    stationing = get_object_or_404(Stationing, pk=stationing_pk, department_id=pk)
    try:
        services.end_stationing(
            actor=request.user, stationing=stationing, reason=request.POST.get("reason", "").strip()
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤驻：{stationing.centre}。")
    return redirect("org:department", pk=pk)


# --- 接口客户端 (issue 8 §2) ---------------------------------------------------------


def _require_api_client_manager(request) -> None:
    permissions.require(
        permissions.is_centre_admin(request.user), "只有中心管理员可以管理接口客户端"
    )


@web.staff_page
def api_client_list(request):
    _require_api_client_manager(request)
    return render(
        request,
        "org/api_clients.html",
        {"clients": api_clients.client_list(), "can_manage": True},
    )


@web.staff_page
def api_client_create(request):
    """新增: the token is shown on the answer to the POST, once, and never again."""
    _require_api_client_manager(request)
    form = ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client, token = services.create_api_client(
                actor=request.user,
                name=data["name"],
                access=data["access"],
                scope=data["scope"],
                department=data["department"],
                acting_staff=data["acting_staff"],
                note=data["note"],
            )
        except ValidationFailed as exc:
            web.apply_errors(exc, form=form)
        else:
            response = render(
                request,
                "org/api_client.html",
                _api_client_context(client, token=token),
                status=201,
            )
            response["Cache-Control"] = "no-store"
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "org/api_client_new.html", {"form": form}, status=status)


def _api_client_context(client, *, token=None, revoke_form=None) -> dict:
    return {
        "client": client,
        "token": token,
        "revoke_form": revoke_form or RevokeApiClientForm(),
        "history": web.history_rows(history_for(obj=client)),
        "can_manage": True,
    }


@web.staff_page
def api_client_detail(request, pk):
    _require_api_client_manager(request)
    client = get_object_or_404(api_clients.client_list(), pk=pk)
    return render(request, "org/api_client.html", _api_client_context(client))


@web.staff_page
@require_POST
def api_client_revoke(request, pk):
    _require_api_client_manager(request)
    client = get_object_or_404(api_clients.client_list(), pk=pk)
    form = RevokeApiClientForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_api_client(
                actor=request.user, client=client, reason=form.cleaned_data["reason"]
            )
        except (ValidationFailed, Conflict) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"接口客户端“{client}”已撤销，其令牌即刻失效。")
        return redirect("org:api_client", pk=pk)
    context = _api_client_context(client, revoke_form=form)
    return render(request, "org/api_client.html", context, status=400)
