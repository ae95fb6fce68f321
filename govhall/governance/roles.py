"""Who may file, review and see adjustment requests (调整申请的角色与可见范围).

Tokens, computed per request by :func:`roles_for` and matched against the ``roles``
column of ``workflow.TRANSITIONS``:

* ``dept`` — the 首席代表 of the request's department: files, edits, submits,
  refiles and withdraws (乌审旗 动态管理 §3: "各相关部门…提出书面调整申请");
* ``admin`` — the centre administrator (the superuser too): reviews (审核通过 /
  退回) and records the county government's approval (旗政务服务局 §4);
* ``system`` — ``core.actors.SYSTEM`` (nothing in the table today).

Visibility has one definition, :func:`visible_filter`: the centre administrator and
the supervision office see every request; a department's 首席代表 and 审批人员 see
their department's (including those transferring an item to them); nobody else any.
"""

from __future__ import annotations

from django.db.models import Q

from govhall.core.actors import SYSTEM
from govhall.org import permissions
from govhall.org.models import Role

from .models import AdjustmentRequest


class R:
    DEPT = "dept"
    ADMIN = "admin"
    SYSTEM = "system"

    ALL = frozenset({DEPT, ADMIN, SYSTEM})


DEPARTMENT_ROLES = (Role.CHIEF_REP, Role.APPROVER)


def may_file(user, department=None) -> bool:
    """A department's 首席代表 files its requests (for ``department`` when given)."""
    staff = permissions.active_staff(user, Role.CHIEF_REP)
    if staff is None or staff.department_id is None:
        return False
    return department is None or staff.department_id == department.pk


def filing_department(user):
    staff = permissions.active_staff(user, Role.CHIEF_REP)
    return staff.department if staff is not None else None


def may_review(user) -> bool:
    return permissions.is_centre_admin(user)


def roles_for(actor, request: AdjustmentRequest) -> frozenset[str]:
    if actor is SYSTEM:
        return frozenset({R.SYSTEM})
    tokens = set()
    if permissions.is_centre_admin(actor):
        tokens.add(R.ADMIN)
    if may_file(actor) and permissions.active_staff(actor).department_id == request.department_id:
        tokens.add(R.DEPT)
    return frozenset(tokens)


def visible_filter(user) -> Q:
    """The requests ``user`` may see, as a ``Q`` (nothing: ``Q(pk__in=[])``)."""
    if permissions.is_centre_admin(user) or permissions.active_staff(user, Role.SUPERVISOR):
        return Q()
    staff = permissions.active_staff(user, *DEPARTMENT_ROLES)
    if staff is None or staff.department_id is None:
        return Q(pk__in=[])
    return Q(department=staff.department_id) | Q(target_department=staff.department_id)


def may_see_requests(user) -> bool:
    return visible_filter(user) != Q(pk__in=[])


def can_view(user, request: AdjustmentRequest) -> bool:
    return AdjustmentRequest.objects.filter(visible_filter(user), pk=request.pk).exists()
