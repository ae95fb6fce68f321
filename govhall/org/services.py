"""Writes to the organisation. Each function is one transaction and one audit row."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from govhall.core import audit, clock
from govhall.core.errors import Conflict, ValidationFailed
from govhall.core.validators import validate_id_number, validate_uscc

from . import api_clients, permissions
from .models import (
    ApiAccess,
    ApiClient,
    ApiScope,
    Authorisation,
    Centre,
    Department,
    Level,
    Staff,
    Stationing,
    Window,
)

_LEVEL_ORDER = [Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]

# --- audit actions (``<app>.<entity>.<verb>``, label shown in 变更记录) -----------------

CENTRE_CREATE = audit.Action("org.centre.create", "新增服务中心")
CENTRE_UPDATE = audit.Action("org.centre.update", "修改服务中心")
DEPARTMENT_CREATE = audit.Action("org.department.create", "新增部门")
DEPARTMENT_UPDATE = audit.Action("org.department.update", "修改部门")
WINDOW_CREATE = audit.Action("org.window.create", "新增窗口")
WINDOW_UPDATE = audit.Action("org.window.update", "修改窗口")
STAFF_CREATE = audit.Action("org.staff.create", "新增工作人员")
STAFF_UPDATE = audit.Action("org.staff.update", "修改工作人员")
AUTHORISATION_CREATE = audit.Action("org.authorisation.create", "新增授权书")
AUTHORISATION_UPDATE = audit.Action("org.authorisation.update", "修改授权书")
STATIONING_CREATE = audit.Action("org.stationing.create", "进驻")
STATIONING_END = audit.Action("org.stationing.end", "撤驻")

# model -> (its create action, its update action), for the generic create/update
_ACTIONS = {
    Centre: (CENTRE_CREATE, CENTRE_UPDATE),
    Department: (DEPARTMENT_CREATE, DEPARTMENT_UPDATE),
    Window: (WINDOW_CREATE, WINDOW_UPDATE),
    Staff: (STAFF_CREATE, STAFF_UPDATE),
    Authorisation: (AUTHORISATION_CREATE, AUTHORISATION_UPDATE),
}


def _check_centre(data: dict) -> None:
    level, parent = data.get("level"), data.get("parent")
    if level == Level.COUNTY and parent is not None:
        raise ValidationFailed(
            "县级中心不能有上级中心", fields={"parent": ["县级中心不能有上级中心"]}
        )
    if level != Level.COUNTY:
        if parent is None:
            raise ValidationFailed("乡镇、村级中心必须指定上级中心", fields={"parent": ["必填"]})
        if _LEVEL_ORDER.index(parent.level) != _LEVEL_ORDER.index(level) - 1:
            raise ValidationFailed(
                "上级中心必须是上一层级的中心", fields={"parent": ["上级中心必须是上一层级的中心"]}
            )


def _check_department(data: dict) -> None:
    if data.get("code"):
        data["code"] = validate_uscc(data["code"], field="code")


def _check_window(data: dict) -> None:
    if data.get("type") == "department" and not data.get("department"):
        raise ValidationFailed("部门专窗必须指定所属部门", fields={"department": ["必填"]})


def _check_staff(data: dict) -> None:
    if data.get("id_number"):
        data["id_number"] = validate_id_number(data["id_number"], field="id_number")
    role = data.get("role")
    if role in ("chief_rep", "approver") and not data.get("department"):
        raise ValidationFailed(
            "首席代表和审批人员必须属于一个部门", fields={"department": ["必填"]}
        )
    window, centre = data.get("window"), data.get("centre")
    if window is not None and centre is not None and window.centre_id != centre.pk:
        raise ValidationFailed("窗口不属于该中心", fields={"window": ["窗口不属于该中心"]})


def _check_authorisation(data: dict) -> None:
    if data["valid_to"] < data["valid_from"]:
        raise ValidationFailed("有效期截止日期早于起始日期", fields={"valid_to": ["早于起始日期"]})
    chief = data.get("chief_rep")
    if chief is not None and (
        chief.role != "chief_rep" or chief.department_id != data["department"].pk
    ):
        raise ValidationFailed(
            "被授权人必须是本部门的首席代表", fields={"chief_rep": ["必须是本部门的首席代表"]}
        )


def _check_unique(instance) -> None:
    """Duplicate codes, names and window numbers are field errors, not crashes."""
    try:
        instance.validate_unique()
        instance.validate_constraints()
    except DjangoValidationError as exc:
        fields = {
            key if key != "__all__" else "non_field_errors": [str(m) for m in messages]
            for key, messages in exc.message_dict.items()
        }
        first = next(iter(fields.values()))[0]
        raise ValidationFailed(first, code="duplicate", fields=fields)


_CHECKS = {
    Centre: _check_centre,
    Department: _check_department,
    Window: _check_window,
    Staff: _check_staff,
    Authorisation: _check_authorisation,
}


def _authorise(actor, model, data: dict, instance=None) -> None:
    if model is Authorisation:
        department = data.get("department") or (instance and instance.department)
        permissions.require(
            permissions.can_manage_authorisation(actor, department),
            "只有本部门首席代表或中心管理员可以维护授权书",
        )
    else:
        permissions.require_organisation_manager(actor)


@transaction.atomic
def create(*, actor, model, data: dict, reason: str = ""):
    """Create a centre, department, window, staff member or authorisation."""
    data = dict(data)
    _authorise(actor, model, data)
    _CHECKS[model](data)
    instance = model(**data)
    _check_unique(instance)
    instance.save()
    audit.record(
        actor=actor,
        action=_ACTIONS[model][0],
        obj=instance,
        changes=audit.diff({}, audit.snapshot(instance)),
        reason=reason,
    )
    return instance


@transaction.atomic
def update(*, actor, instance, data: dict, reason: str = ""):
    """Change fields of an organisation record; the audit row keeps before/after."""
    model = type(instance)
    _authorise(actor, model, data, instance)
    merged = {
        f.name: getattr(instance, f.name) for f in model._meta.concrete_fields if f.name != "id"
    }
    merged.update(data)
    _CHECKS[model](merged)
    before = audit.snapshot(instance)
    for key, value in data.items():
        setattr(instance, key, merged[key] if key in merged else value)
    _check_unique(instance)
    instance.save()
    changes = audit.diff(before, audit.snapshot(instance))
    if changes:
        audit.record(
            actor=actor, action=_ACTIONS[model][1], obj=instance, changes=changes, reason=reason
        )
    return instance


@transaction.atomic
def create_staff(*, actor, username: str, password: str, data: dict, reason: str = "") -> Staff:
    """Create a login account and its staff record together."""
    permissions.require_organisation_manager(actor)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(
            f"用户名“{username}”已存在", code="duplicate", fields={"username": ["已存在"]}
        )
    data = dict(data)
    _check_staff(data)
    user = User.objects.create_user(
        username=username, password=password, first_name=data.get("name", "")
    )
    staff = Staff.objects.create(user=user, **data)
    audit.record(
        actor=actor,
        action=STAFF_CREATE,
        obj=staff,
        changes=audit.diff({}, audit.snapshot(staff)),
        reason=reason,
    )
    return staff


@transaction.atomic
def station_department(
    *, actor, centre: Centre, department: Department, since, reason: str = ""
) -> Stationing:
    """进驻: put a department in a centre (or re-activate it)."""
    permissions.require_organisation_manager(actor)
    stationing, created = Stationing.objects.get_or_create(
        centre=centre, department=department, defaults={"since": since}
    )
    if not created and not stationing.is_active:
        stationing.is_active = True
        stationing.since = since
        stationing.save()
    audit.record(
        actor=actor,
        action=STATIONING_CREATE,
        obj=stationing,
        changes={"is_active": [None, True]},
        reason=reason,
    )
    return stationing


@transaction.atomic
def end_stationing(*, actor, stationing: Stationing, reason: str) -> Stationing:
    """撤驻: end a department's stationing in a centre (kept for history, never
    deleted; 进驻 again re-activates it). Not to be confused with 撤回 of a case
    (``cases`` ``withdraw``)."""
    permissions.require_organisation_manager(actor)
    if not reason:
        raise ValidationFailed(
            "撤驻必须填写理由", code="reason_required", fields={"reason": ["必填"]}
        )
    stationing.is_active = False
    stationing.save()
    audit.record(
        actor=actor,
        action=STATIONING_END,
        obj=stationing,
        changes={"is_active": [True, False]},
        reason=reason,
    )
    return stationing


# --- 接口客户端 (issue 8 §2) ---------------------------------------------------------

API_CLIENT_CREATE = audit.Action("org.api_client.create", "新增接口客户端")
API_CLIENT_REVOKE = audit.Action("org.api_client.revoke", "撤销接口客户端")

# the columns an audit row of a client shows (never the token's digest)
_API_CLIENT_AUDITED = [
    "name",
    "prefix",
    "access",
    "scope",
    "department",
    "acting_staff",
    "note",
    "is_active",
]


@transaction.atomic
def create_api_client(
    *,
    actor,
    name: str,
    access: str,
    scope: str,
    acting_staff: Staff,
    department: Department | None = None,
    note: str = "",
) -> tuple[ApiClient, str]:
    """新增接口客户端: the centre administrator gives another system a token acting on
    the authority of ``acting_staff``. Returns the client and the token, which is
    shown once and stored only as a hash."""
    permissions.require(permissions.is_centre_admin(actor), "只有中心管理员可以管理接口客户端")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写客户端名称", code="name_required", fields={"name": ["必填"]})
    if access not in ApiAccess.values:
        raise ValidationFailed(
            "权限应为只读或读写", code="invalid_access", fields={"access": ["无效"]}
        )
    if scope not in ApiScope.values:
        raise ValidationFailed(
            "范围应为单个部门或全中心", code="invalid_scope", fields={"scope": ["无效"]}
        )
    if scope == ApiScope.DEPARTMENT and department is None:
        raise ValidationFailed(
            "单个部门范围的客户端必须指定部门",
            code="department_required",
            fields={"department": ["必填"]},
        )
    if scope == ApiScope.CENTRE:
        department = None
    if not api_clients.authority_holds(scope=scope, department=department, staff=acting_staff):
        message = (
            "代其操作的工作人员必须是该部门在岗的首席代表或审批人员"
            if scope == ApiScope.DEPARTMENT
            else "全中心范围的客户端必须代在岗的中心管理员操作"
        )
        raise ValidationFailed(
            message, code="invalid_acting_staff", fields={"acting_staff": [message]}
        )
    if ApiClient.objects.filter(name=name).exists():
        raise ValidationFailed(
            f"接口客户端“{name}”已存在", code="duplicate", fields={"name": ["已存在"]}
        )
    token = api_clients.new_token()
    client = ApiClient.objects.create(
        name=name,
        prefix=token[: api_clients.PREFIX_LENGTH],
        token_hash=api_clients.token_hash(token),
        access=access,
        scope=scope,
        department=department,
        acting_staff=acting_staff,
        note=(note or "").strip(),
        created_at=clock.now(),
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=API_CLIENT_CREATE,
        obj=client,
        changes=audit.diff({}, audit.snapshot(client, _API_CLIENT_AUDITED)),
        reason=client.note,
    )
    return client, token


@transaction.atomic
def revoke_api_client(*, actor, client: ApiClient, reason: str) -> ApiClient:
    """撤销接口客户端: its token stops working at once; the row is kept for the audit
    log and the events it names."""
    permissions.require(permissions.is_centre_admin(actor), "只有中心管理员可以管理接口客户端")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "撤销必须填写理由", code="reason_required", fields={"reason": ["必填"]}
        )
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not client.is_active:
        raise Conflict("该接口客户端已撤销", code="api_client_revoked")
    client.is_active = False
    client.revoked_at = clock.now()
    client.revoked_by = actor
    client.revoke_reason = reason
    client.save(update_fields=["is_active", "revoked_at", "revoked_by", "revoke_reason"])
    audit.record(
        actor=actor,
        action=API_CLIENT_REVOKE,
        obj=client,
        changes={"is_active": [True, False]},
        reason=reason,
    )
    return client


def note_api_client_use(*, client: ApiClient) -> None:
    """最近使用: bookkeeping written by the authentication class, not a change anyone
    made, so no audit row. Written at most once a minute per client, so that a busy
    client does not add a write to every read."""
    now = clock.now()
    if client.last_used_at is not None and now - client.last_used_at < _USE_RESOLUTION:
        return
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    client.last_used_at = now


_USE_RESOLUTION = dt.timedelta(minutes=1)
