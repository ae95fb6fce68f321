"""Who did it: the actors a service may be called by, and the one way to name them.

Every write names its real actor in the case event and in the audit log (docs/
domain-rules.md, 留痕): a staff member (a Django ``User``), the applicant (a citizen or
company acting on the portal, the progress page or the kiosk, identified by the page
that calls the service, not logged in), or the system (a scheduled job or a cascade).

``SYSTEM`` and :class:`Applicant` look enough like an anonymous user (``pk`` is
``None``, ``is_authenticated`` is false) that no permission helper mistakes them for
staff.
"""

from __future__ import annotations

from dataclasses import dataclass


class _System:
    """The actor of automatic work: daily rules (§32 deemed acceptance, 容缺 expiry),
    cascades of 一件事, recomputations after a calendar change."""

    pk = None
    is_authenticated = False
    name = "系统"

    def __repr__(self):
        return "SYSTEM"


SYSTEM = _System()


@dataclass(frozen=True)
class Applicant:
    """The applicant acting without a staff account (申请人). ``name`` is the name on
    the application; the audit row reads ``申请人 <name>``."""

    name: str = ""
    pk = None
    is_authenticated = False


@dataclass(frozen=True)
class Visitor:
    """Someone at a client address who is not (yet) anybody: the actor of a failed
    login, whatever username was typed (issue 8 §2). The audit row reads
    ``匿名访问者 <address>``."""

    address: str = ""
    pk = None
    is_authenticated = False


def actor_user(actor):
    """The ``User`` stored on a row's ``actor`` column (``None`` for applicant/system)."""
    return actor if getattr(actor, "pk", None) else None


def actor_name(actor) -> str:
    """The name written beside every change: the staff member's name (or the user's
    full name / username for an account without a staff record), ``申请人 <name>`` or
    ``系统``. A user signed in through an API client (``user.api_client``) reads
    ``接口客户端 <client>（代 <name>）``."""
    if actor is SYSTEM:
        return SYSTEM.name
    if isinstance(actor, Applicant):
        return f"申请人 {actor.name}".strip()
    if isinstance(actor, Visitor):
        return f"匿名访问者 {actor.address}".strip()
    if actor is None:
        raise TypeError("actor is required: a User, actors.Applicant or actors.SYSTEM")
    staff = getattr(actor, "staff", None)
    name = staff.name if staff is not None else actor.get_full_name() or actor.get_username()
    client = getattr(actor, "api_client", None)
    if client is not None:
        # set on the request's user by govhall.api.authentication (issue 8 §2)
        return f"接口客户端 {client.name}（代 {name}）"
    return name
