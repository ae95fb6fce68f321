"""接口客户端 (issue 8 §2): tokens and the rule of whose authority a client acts on.

A token is ``gh_`` followed by 43 URL-safe random characters (256 bits). Only its
SHA-256 hex digest is stored: a random token of that length needs no slow password
hash, and a lookup by digest reveals nothing about other tokens. ``prefix`` (the
first 11 characters) lets the administrator recognise a token on the list.

Writes (create, revoke) are in ``org.services``; this module holds the reads and the
rule both the service and the authentication class ask (:func:`authority_holds`).

**The lookup is kept in each worker process** (:func:`client_for_token`): a client
calls thousands of times a minute, and reading the client, its staff member, user and
department (four tables) was a fifth of the cost of a rating posted through the API.
What was read stays valid while a *generation* in the shared cache (the one the
throttles use: files under var/cache for the workers of one host, Redis for several)
has not changed; every save or delete of a client, a staff member, a user or a
department sets a new one (:func:`forget_clients`, connected in ``OrgConfig.ready``),
at once and again after the commit, so a revoked token, a staff member who left or a
changed role is refused by every worker on the next call. Without the generation
(evicted, cache down) the lookup reads the database, as before.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.core.cache import cache
from django.db import transaction

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


GENERATION_KEY = "govhall:org:api_clients:generation"
_KEPT_MAX = 1000  # clients kept per process; more are read again (there are a few dozen)
_kept: dict[str, tuple[str, ApiClient]] = {}


def _read(digest: str) -> ApiClient | None:
    # get(), not first(): the digest is unique, and the ORDER BY first() adds costs
    # more to build than the query takes to run.
    try:
        return ApiClient.objects.select_related("department", "acting_staff__user").get(
            token_hash=digest
        )
    except ApiClient.DoesNotExist:
        return None


def _generation() -> str | None:
    try:
        return cache.get(GENERATION_KEY)
    except Exception:  # noqa: BLE001 - a cache that does not answer: read the database
        return None


def client_for_token(token: str) -> ApiClient | None:
    """The client holding ``token`` (active or revoked), with its acting staff member,
    user and department; ``None`` for an unknown token. Kept in the process while the
    shared generation is unchanged (module docstring); unknown tokens are not kept."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = token_hash(token)
    generation = _generation()  # read before the database, so a change in between wins
    kept = _kept.get(digest)
    if generation is not None and kept is not None and kept[0] == generation:
        return kept[1]
    client = _read(digest)
    if generation is None:
        generation = uuid.uuid4().hex
        try:
            if not cache.add(GENERATION_KEY, generation, timeout=None):
                generation = cache.get(GENERATION_KEY)
        except Exception:  # noqa: BLE001 - no shared cache: nothing is kept
            generation = None
    if client is not None and generation is not None:
        if len(_kept) >= _KEPT_MAX:
            _kept.clear()
        _kept[digest] = (generation, client)
    return client


def _new_generation() -> None:
    _kept.clear()
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # noqa: BLE001 - the next lookup finds no generation and reads
        pass


def forget_clients(**_signal) -> None:
    """A client, staff member, user or department was saved or deleted: every worker
    reads its clients again. Now (for this transaction's own later calls) and after
    the commit (so a worker that read the old rows in between does not keep them)."""
    _new_generation()
    transaction.on_commit(_new_generation)


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
