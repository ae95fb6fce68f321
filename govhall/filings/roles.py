"""Who may act on a filing, and who may see it (备案的角色与可见范围).

Tokens, computed per filing by :func:`roles_for` and matched against the ``roles``
column of ``workflow.TRANSITIONS``:

* ``dept`` — the 首席代表 or 审批人员 of the filing's department (备案机关): confirms or
  returns a 确认类 filing;
* ``clerk`` — a 综合受理 clerk of the centre the filing was made at (registers a 补正
  at the window for the filer);
* ``admin`` — the centre administrator (the superuser too);
* ``supervisor`` — the supervision office (reads all, acts on none);
* ``applicant`` / ``system`` — ``core.actors.Applicant`` / ``SYSTEM``.

Visibility has one definition, :func:`visible_filter`, and :func:`can_view` is the
same rule for one filing, so the register, the detail, the API and the receipt agree:
the administrator and supervision see all filings, a department its own, a clerk those
of their centre.
"""

from __future__ import annotations

from django.db.models import Q

from govhall.core.actors import SYSTEM, Applicant
from govhall.org import permissions
from govhall.org.models import Role

from .models import Filing


class R:
    DEPT = "dept"
    CLERK = "clerk"
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    APPLICANT = "applicant"
    SYSTEM = "system"

    ALL = frozenset({DEPT, CLERK, ADMIN, SUPERVISOR, APPLICANT, SYSTEM})


DEPARTMENT_ROLES = (Role.CHIEF_REP, Role.APPROVER)
NOBODY = Q(pk__in=[])


def roles_for(actor, filing: Filing) -> frozenset[str]:
    if actor is SYSTEM:
        return frozenset({R.SYSTEM})
    if isinstance(actor, Applicant):
        return frozenset({R.APPLICANT})
    if permissions.is_centre_admin(actor):
        return frozenset({R.ADMIN})
    staff = permissions.active_staff(actor)
    if staff is None:
        return frozenset()
    if staff.role == Role.SUPERVISOR:
        return frozenset({R.SUPERVISOR})
    if staff.role == Role.WINDOW_CLERK and staff.centre_id == filing.centre_id:
        return frozenset({R.CLERK})
    if staff.role in DEPARTMENT_ROLES and staff.department_id == filing.department_id:
        return frozenset({R.DEPT})
    return frozenset()


def visible_filter(user) -> Q:
    """The filings ``user`` may see, as a ``Q`` (nothing: ``NOBODY``)."""
    if permissions.is_centre_admin(user):
        return Q()
    staff = permissions.active_staff(user)
    if staff is None:
        return NOBODY
    if staff.role == Role.SUPERVISOR:
        return Q()
    if staff.role == Role.WINDOW_CLERK:
        return Q(centre=staff.centre_id)
    if staff.role in DEPARTMENT_ROLES and staff.department_id is not None:
        return Q(department=staff.department_id)
    return NOBODY


def may_see_filings(user) -> bool:
    return visible_filter(user) != NOBODY


def can_view(user, filing: Filing) -> bool:
    return Filing.objects.filter(visible_filter(user), pk=filing.pk).exists()


def sees_filer_in_full(user, filing: Filing) -> bool:
    """Only the department that confirms the filing (it checks who filed) and the
    centre administrator read the ID number and phone unmasked; everyone else, the
    register and the receipt show them masked."""
    return bool(roles_for(user, filing) & {R.DEPT, R.ADMIN})


def may_file_at_window(user) -> bool:
    """窗口备案 and 接口报送: the centre's 综合受理 clerks and its administrator (an API
    client acts for one of them)."""
    return permissions.is_centre_admin(user) or (
        permissions.active_staff(user, Role.WINDOW_CLERK) is not None
    )
