"""Sign-in security (issue 8 §2): the login lockout, the login audit, and the client
address that lockouts and throttles count by.

* **Lockout** is django-axes (settings, block "security"): after
  ``AXES_FAILURE_LIMIT`` wrong passwords for one username from one address, that
  username is refused from that address, right password or not, until
  ``AXES_COOLOFF_TIME`` has passed since the last failure or the centre administrator
  lifts it (``org`` page 登录锁定, :func:`lift_lockout`). It guards the staff login
  page (:func:`lockout_response` is the page), the Django admin and API HTTP Basic
  auth (:class:`LockoutBasicAuthentication`, 429 ``locked_out``). The lockout's time is
  axes' own (the real time of the server), not ``core.clock``: the test clock is
  frozen on a Monday in 2026, and a lock must still lift after 30 real minutes.
* **Audit**: every login (``core.login.succeed``), failed login (``core.login.fail``),
  lockout (``core.login.lock_out``) and lift (``core.login.unlock``) is an audit row
  on the user. A failed login's actor is ``actors.Visitor(<address>)`` (someone tried;
  it is not the user), a lockout's is ``SYSTEM``. A username that matches no account
  still gets its row: ``object_type`` ``auth.user``, an empty ``object_id`` and the
  typed name as ``object_repr``. No password is ever written (axes masks it in its
  own tables too).

The receivers are connected in ``CoreConfig.ready``.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.shortcuts import render
from drf_spectacular.authentication import BasicScheme
from rest_framework import exceptions, status
from rest_framework.authentication import BasicAuthentication

from . import actors, audit
from .errors import NotFound

LOGIN_SUCCEED = audit.Action("core.login.succeed", "登录成功")
LOGIN_FAIL = audit.Action("core.login.fail", "登录失败")
LOCK_OUT = audit.Action("core.login.lock_out", "登录锁定")
UNLOCK = audit.Action("core.login.unlock", "解除登录锁定")

LOCKED_OUT_CODE = "locked_out"

_USERNAME_MAX = 150


def client_address(request) -> str:
    """The visitor's address as lockouts count it (axes, with the proxy settings of
    ``AXES_IPWARE_*``); the progress query's throttle counts by the same."""
    return get_client_ip_address(request) or ""


def anonymous_over_rate(request, *, group: str, rate: str, exempt=()) -> bool:
    """Counts one attempt of an anonymous caller against ``rate`` per client address
    (django-ratelimit, ``group``); whether the address is over it. A signed-in user and
    an address in ``exempt`` (the hall's own ticket machines) are not counted."""
    from django_ratelimit.core import get_usage

    if request.user.is_authenticated:
        return False
    address = client_address(request)
    if address in set(exempt or ()):
        return False
    usage = get_usage(
        request, group=group, key=lambda group, req: address, rate=rate, increment=True
    )
    return usage is not None and usage["should_limit"]


def failure_limit() -> int:
    return get_failure_limit(None, {})


def cool_off_minutes() -> int:
    cool_off = get_cool_off()
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def locked_out_message() -> str:
    minutes = cool_off_minutes()
    wait = f"请 {minutes} 分钟后再试，" if minutes else ""
    return f"登录失败次数过多，该账号已在此地址暂时锁定。{wait}或联系中心管理员解除锁定。"


# ---------------------------------------------------------------- the lockout itself


class LockoutBackend(AxesStandaloneBackend):
    """axes' backend, first in ``AUTHENTICATION_BACKENDS``. Every sign-in over HTTP
    (login page, admin, API Basic) passes the request; a call without one (the test
    client's ``login()``, a shell) has no client address to lock out, so axes, which
    would raise, is skipped and the password alone decides."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login page again, with the lockout message, 429."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "core/login.html",
        {"form": form, "locked_out": locked_out_message(), "next": request.POST.get("next", "")},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
    )


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = LOCKED_OUT_CODE
    default_detail = "登录失败次数过多，该账号已在此地址暂时锁定"


class LockoutBasicAuthentication(BasicAuthentication):
    """DRF's HTTP Basic auth under the lockout: DRF passes its request to
    ``authenticate``, so axes counts and refuses as on the login page; a refusal of a
    locked-out username answers 429 ``{code: "locked_out", message}`` instead of the
    usual 401 ``authentication_failed``."""

    def authenticate_credentials(self, userid, password, request=None):
        try:
            return super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut(locked_out_message()) from None
            raise


class LockoutBasicScheme(BasicScheme):
    """The OpenAPI security scheme of :class:`LockoutBasicAuthentication`: plain Basic."""

    target_class = LockoutBasicAuthentication
    priority = 0


# ---------------------------------------------------------------- the audit rows


def _channel(request) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/api/"):
        return "接口 Basic 认证"
    if path.startswith("/admin/"):
        return "后台管理"
    return "工作平台登录"


def _facts(request, **more) -> dict:
    """Audit ``changes`` in the log's ``{field: [before, after]}`` shape."""
    facts = {"ip_address": client_address(request) if request is not None else "", **more}
    if request is not None:
        facts["channel"] = _channel(request)
    return {key: [None, value] for key, value in facts.items()}


def _record_on_username(*, actor, action, username: str, changes: dict, reason: str = "") -> None:
    """One row on the account named ``username``; on ``auth.user`` with an empty id
    when no account has that name (the typed name is the row's ``object_repr``)."""
    User = get_user_model()
    username = (username or "")[:_USERNAME_MAX]
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    if user is not None:
        audit.record(actor=actor, action=action, obj=user, changes=changes, reason=reason)
        return
    entry = audit.record(
        actor=actor,
        action=action,
        obj=User(**{User.USERNAME_FIELD: username}),
        changes=changes,
        reason=reason,
        save=False,
    )
    entry.object_id = ""
    entry.save()


def on_user_logged_in(sender, request, user, **kwargs):
    audit.record(actor=user, action=LOGIN_SUCCEED, obj=user, changes=_facts(request))


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    # ``credentials`` has the password already cleansed by Django; only the username
    # is read from it.
    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    address = client_address(request) if request is not None else ""
    # refused without a password check because already locked out (the backend flags
    # the request; the failure that reaches the limit has its count set by axes)
    refused = bool(getattr(request, "axes_locked_out", False)) and (
        getattr(request, "axes_failures_since_start", None) is None
    )
    more = {"refused_locked_out": True} if refused else {}
    _record_on_username(
        actor=actors.Visitor(address),
        action=LOGIN_FAIL,
        username=username,
        changes=_facts(request, username=username[:_USERNAME_MAX], **more),
    )


def on_user_locked_out(sender, request, username, ip_address, **kwargs):
    # axes sends this on the failure that reaches the limit and again on each refused
    # try while locked; only the first is a lockout (the others are failed logins,
    # recorded as such with ``refused_locked_out``).
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    _record_on_username(
        actor=actors.SYSTEM,
        action=LOCK_OUT,
        username=username or "",
        changes=_facts(request, username=(username or "")[:_USERNAME_MAX], failures=failures),
    )


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth import signals

    signals.user_logged_in.connect(on_user_logged_in, dispatch_uid="govhall.login.succeed")
    signals.user_login_failed.connect(on_user_login_failed, dispatch_uid="govhall.login.fail")
    user_locked_out.connect(on_user_locked_out, dispatch_uid="govhall.login.lock_out")


# ---------------------------------------------------------------- lockouts for the admin


def current_lockouts(request) -> list[AccessAttempt]:
    """The username+address pairs locked out now, newest failure first. Expired attempts
    are first cleared by axes itself (its time, its cool-off, as at ``request``)."""
    if get_cool_off() is not None:
        AxesProxyHandler.update_request(request)
        AxesProxyHandler.get_implementation().clean_expired_user_attempts(request)
    return list(
        AccessAttempt.objects.filter(failures_since_start__gte=failure_limit()).order_by(
            "-attempt_time"
        )
    )


@transaction.atomic
def lift_lockout(*, actor, attempt_id: int, reason: str = "") -> AccessAttempt:
    """解除登录锁定: forget the failures of one username+address, audited on the user.
    Who may lift is the caller's question (``org`` asks ``org.permissions``)."""
    attempt = AccessAttempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None:
        raise NotFound("该锁定记录不存在或已解除", code="lockout_not_found")
    changes = {
        "username": [attempt.username, attempt.username],
        "ip_address": [attempt.ip_address, attempt.ip_address],
        "failures": [attempt.failures_since_start, 0],
    }
    attempt.delete()
    _record_on_username(
        actor=actor, action=UNLOCK, username=attempt.username or "", changes=changes, reason=reason
    )
    return attempt
