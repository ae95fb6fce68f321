"""Every login, failed login and lockout is in the audit log (issue 8 §2), in Chinese,
on the account, naming who really acted, and never with the password."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse

from govhall.core import audit
from govhall.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "govhall-test"


def _login(client, username, password, address="10.1.2.3"):
    return client.post(
        reverse("core:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _rows(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_login_is_recorded_on_the_user_by_the_user(client, org):
    user = org.staff.clerk.user
    assert _login(client, "clerk", PASSWORD).status_code == 302
    (row,) = _rows("core.login.succeed")
    assert row.actor == user and row.actor_name == org.staff.clerk.name
    assert (row.object_type, row.object_id) == ("auth.user", str(user.pk))
    assert row.changes["ip_address"] == [None, "10.1.2.3"]
    assert row.changes["channel"] == [None, "工作平台登录"]
    assert audit.label_of(row.action) == "登录成功"


def test_a_failed_login_is_recorded_on_the_user_by_an_anonymous_visitor(client, org):
    user = org.staff.clerk.user
    _login(client, "clerk", "guess-one-2026")
    (row,) = _rows("core.login.fail")
    assert row.actor is None and row.actor_name == "匿名访问者 10.1.2.3"
    assert (row.object_type, row.object_id) == ("auth.user", str(user.pk))
    assert row.changes["username"] == [None, "clerk"]
    assert audit.label_of(row.action) == "登录失败"
    assert not _rows("core.login.succeed")


def test_a_failed_login_of_an_unknown_username_is_recorded_under_that_name(client, org):
    _login(client, "nobody-here", "guess")
    (row,) = _rows("core.login.fail")
    assert row.object_type == "auth.user" and row.object_id == ""
    assert row.object_repr == "nobody-here"
    assert row.changes["username"] == [None, "nobody-here"]


def test_a_lockout_is_recorded_once_and_each_refused_try_as_a_failure(client, org, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit + 3):
        _login(client, "clerk", "guess-one-2026")
    _login(client, "clerk", PASSWORD)  # refused: locked
    (lock,) = _rows("core.login.lock_out")
    assert lock.actor is None and lock.actor_name == "系统"
    assert lock.object_id == str(org.staff.clerk.user.pk)
    assert lock.changes["failures"] == [None, limit]
    assert audit.label_of(lock.action) == "登录锁定"
    fails = _rows("core.login.fail")
    assert len(fails) == limit + 4
    refused = [f for f in fails if "refused_locked_out" in f.changes]
    assert len(refused) == 4  # the 3 wrong and the right one after the lock
    assert not _rows("core.login.succeed")


def test_api_basic_failures_are_recorded_as_api_logins(client, org):
    header = "Basic " + base64.b64encode(b"clerk:guess-one-2026").decode()
    client.get("/api/v1/cases/", HTTP_AUTHORIZATION=header, REMOTE_ADDR="10.1.2.3")
    (row,) = _rows("core.login.fail")
    assert row.changes["channel"] == [None, "接口 Basic 认证"]
    assert row.actor_name == "匿名访问者 10.1.2.3"


def test_no_password_reaches_the_audit_log(client, org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        _login(client, "clerk", "guess-one-2026")
    _login(client, "clerk", PASSWORD, address="10.9.9.9")
    dumped = json.dumps(
        list(AuditEntry.objects.values("changes", "reason", "object_repr", "actor_name")),
        ensure_ascii=False,
    )
    assert "guess-one-2026" not in dumped and PASSWORD not in dumped
