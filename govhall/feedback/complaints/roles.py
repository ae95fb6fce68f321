"""Who may act on a complaint, and who may see it (诉求的角色与可见范围).

Tokens, computed per complaint by :func:`roles_for` and matched against the ``roles``
column of ``workflow.TRANSITIONS``:

* ``admin`` — the centre administrator (the superuser too);
* ``clerk`` — a 综合受理 clerk of the complaint's centre (受理, 派单, 办结, 回访);
* ``handler`` — whoever the complaint is assigned to: the department's 首席代表 or
  审批人员, or, when it is with the centre itself (``department`` empty after 派单),
  the centre's administrator and clerks;
* ``supervisor`` — the supervision office (reads all; may 督办);
* ``applicant`` / ``system`` — ``core.actors.Applicant`` / ``SYSTEM``.

A complaint about a staff member (``about_staff``) gives that person no token and
no sight of it, and is never seen by the staff of that person's department (达拉特旗
§26: complaints about staff go to the centre or the discipline office); a complaint
about a centre clerk is not seen by the other clerks either.

Visibility has one definition, :func:`visible_filter`, and :func:`can_view` is the
same rule for one complaint, so the list, the detail and the exports agree.
"""

from __future__ import annotations

from django.db.models import Q

from govhall.core.actors import SYSTEM, Applicant
from govhall.org import permissions
from govhall.org.models import Role

from .models import Complaint, State


class R:
    ADMIN = "admin"
    CLERK = "clerk"
    HANDLER = "handler"
    SUPERVISOR = "supervisor"
    APPLICANT = "applicant"
    SYSTEM = "system"

    ALL = frozenset({ADMIN, CLERK, HANDLER, SUPERVISOR, APPLICANT, SYSTEM})


# States in which "department empty" means the centre handles it itself.
_WITH_HANDLER = (State.ASSIGNED, State.IN_PROGRESS, State.REPLIED)
DEPARTMENT_ROLES = (Role.CHIEF_REP, Role.APPROVER)


def roles_for(actor, complaint: Complaint) -> frozenset[str]:
    if actor is SYSTEM:
        return frozenset({R.SYSTEM})
    if isinstance(actor, Applicant):
        return frozenset({R.APPLICANT})
    superuser = bool(getattr(actor, "is_superuser", False))
    staff = permissions.active_staff(actor)
    if staff is None and not superuser:
        return frozenset()
    if staff is not None and complaint.about_staff_id == staff.pk:
        return frozenset()  # nobody handles a complaint about themselves
    tokens = set()
    centre_side = False
    if superuser or (staff is not None and staff.role == Role.CENTRE_ADMIN):
        tokens.add(R.ADMIN)
        centre_side = True
    elif staff.role == Role.WINDOW_CLERK and staff.centre_id == complaint.centre_id:
        if not _about_centre_staff(complaint):
            tokens.add(R.CLERK)
            centre_side = True
    elif staff.role == Role.SUPERVISOR:
        tokens.add(R.SUPERVISOR)
    if complaint.state in _WITH_HANDLER:
        if complaint.department_id is None:
            if centre_side:
                tokens.add(R.HANDLER)
        elif (
            staff is not None
            and staff.role in DEPARTMENT_ROLES
            and staff.department_id == complaint.department_id
            and not _about_department(complaint, staff.department_id)
        ):
            tokens.add(R.HANDLER)
    return frozenset(tokens)


def _about_centre_staff(complaint: Complaint) -> bool:
    return complaint.about_staff_id is not None and complaint.about_staff.department_id is None


def _about_department(complaint: Complaint, department_id: int) -> bool:
    return (
        complaint.about_staff_id is not None
        and complaint.about_staff.department_id == department_id
    )


def visible_filter(user) -> Q:
    """The complaints ``user`` may see, as a ``Q`` (nothing: ``Q(pk__in=[])``)."""
    none = Q(pk__in=[])
    superuser = bool(getattr(user, "is_superuser", False))
    staff = permissions.active_staff(user)
    if superuser and staff is None:
        return Q()
    if staff is None:
        return none
    not_me = ~Q(about_staff=staff)
    if staff.role in (Role.CENTRE_ADMIN, Role.SUPERVISOR):
        return not_me
    if staff.role == Role.WINDOW_CLERK:
        return (
            Q(centre=staff.centre_id)
            & not_me
            & ~Q(about_staff__isnull=False, about_staff__department__isnull=True)
        )
    if staff.role in DEPARTMENT_ROLES and staff.department_id is not None:
        return (
            Q(department=staff.department_id)
            & not_me
            & ~Q(about_staff__department=staff.department_id)
        )
    return none


def can_view(user, complaint: Complaint) -> bool:
    return Complaint.objects.filter(visible_filter(user), pk=complaint.pk).exists()


def may_see_complaints(user) -> bool:
    """Has the user any view of complaints at all (the list answers 403 otherwise)."""
    return visible_filter(user) != Q(pk__in=[])
