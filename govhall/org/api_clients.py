"""接口客户端 (issue 8 §2): tokens and the rule of whose authority a client acts on.

A token is ``gh_`` followed by 43 URL-safe random characters (256 bits). Only its
SHA-256 hex digest is stored: a random token of that length needs no slow password
hash, and a lookup by digest reveals nothing about other tokens. ``prefix`` (the
first 11 characters) lets the administrator recognise a token on the list.

Writes (create, revoke) are in ``org.services``; this module holds the reads and the
rule both the service and the authentication class ask (:func:`authority_holds`).
"""

from __future__ import annotations

import hashlib
import secrets

from .models import ApiClient, ApiScope, Role, Staff

TOKEN_PREFIX = "gh_"
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
# the roles that may lend their authority to a client of each scope
SCOPE_ROLES = {
    ApiScope.DEPARTMENT: (Role.CHIEF_REP, Role.APPROVER),
    ApiScope.CENTRE: (Role.CENTRE_ADMIN,),
}


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_for_token(token: str) -> ApiClient | None:
    """The client holding ``token`` (active or revoked), with its acting staff member,
    user and department in the same query; ``None`` for an unknown token."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    return (
        ApiClient.objects.select_related("department", "acting_staff__user")
        .filter(token_hash=token_hash(token))
        .first()
    )


def authority_holds(*, scope: str, department, staff: Staff | None) -> bool:
    """May ``staff`` lend their authority to a client of ``scope``? A department
    client acts for an active 首席代表 or 审批人员 of that department; a whole-centre
    client for an active centre administrator. Asked at creation and again on every
    request, so a client stops working when its staff member leaves (离岗, 调离) or
    changes role or department."""
    if staff is None or not staff.is_active or not staff.user.is_active:
        return False
    if staff.role not in SCOPE_ROLES.get(scope, ()):
        return False
    if scope == ApiScope.DEPARTMENT:
        return department is not None and staff.department_id == department.pk
    return department is None


def eligible_staff():
    """Staff who may be chosen as a client's acting staff member (for the form)."""
    roles = {role for roles in SCOPE_ROLES.values() for role in roles}
    return (
        Staff.objects.filter(is_active=True, user__is_active=True, role__in=roles)
        .select_related("department")
        .order_by("department__name", "role", "name")
    )


def client_list():
    """Every client, active first, for the administrator's list."""
    return ApiClient.objects.select_related(
        "department", "acting_staff", "created_by__staff", "revoked_by__staff"
    )
