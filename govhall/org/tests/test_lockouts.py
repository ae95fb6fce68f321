"""登录锁定 on the staff site (issue 8 §2): the centre administrator sees who is locked
out, from where, after how many failures, and lifts a lock (audited); nobody else
may see or lift."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from govhall.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "govhall-test"


def _fail(client, username, times, address="10.1.2.3"):
    for _ in range(times):
        client.post(
            reverse("core:login"),
            {"username": username, "password": "wrong-guess"},
            REMOTE_ADDR=address,
        )


def _login_as(client, username):
    client.force_login(_user(username))


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_the_admin_sees_current_lockouts(client, org, settings):
    attacker, admin = client.__class__(), client
    _fail(attacker, "clerk", settings.AXES_FAILURE_LIMIT + 2)
    _fail(attacker, "market_chief", 2)  # below the limit: not locked
    _login_as(admin, "admin")
    response = admin.get(reverse("org:lockouts"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "clerk" in page and org.staff.clerk.name in page and "10.1.2.3" in page
    assert f"<td>{settings.AXES_FAILURE_LIMIT}</td>" in page
    assert "market_chief" not in page


def test_the_org_pages_link_to_lockouts_for_the_admin_only(client, org):
    _login_as(client, "admin")
    assert reverse("org:lockouts") in client.get(reverse("org:index")).content.decode()
    client.force_login(org.staff.market_chief.user)
    assert reverse("org:lockouts") not in client.get(reverse("org:index")).content.decode()


def test_the_admin_lifts_a_lockout_and_the_user_signs_in_again(client, org, settings):
    user_client = client.__class__()
    _fail(user_client, "clerk", settings.AXES_FAILURE_LIMIT)
    refused = user_client.post(
        reverse("core:login"), {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert refused.status_code == 429
    attempt = AccessAttempt.objects.get(username="clerk")

    _login_as(client, "admin")
    response = client.post(
        reverse("org:lockout_lift", args=[attempt.pk]), {"reason": "本人电话确认"}, follow=True
    )
    page = response.content.decode()
    assert "已解除 clerk（10.1.2.3）的登录锁定" in page
    assert "当前没有被锁定的登录" in page

    signed_in = user_client.post(
        reverse("core:login"), {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert signed_in.status_code == 302

    row = AuditEntry.objects.get(action="core.login.unlock")
    assert row.actor == _user("admin") and row.reason == "本人电话确认"
    assert row.object_id == str(org.staff.clerk.user.pk)
    assert row.changes["failures"] == [settings.AXES_FAILURE_LIMIT, 0]


def test_lifting_twice_says_it_is_already_lifted(client, org, settings):
    _fail(client.__class__(), "clerk", settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username="clerk")
    _login_as(client, "admin")
    client.post(reverse("org:lockout_lift", args=[attempt.pk]))
    again = client.post(reverse("org:lockout_lift", args=[attempt.pk]), follow=True)
    assert "该锁定记录不存在或已解除" in again.content.decode()
    assert AuditEntry.objects.filter(action="core.login.unlock").count() == 1


@pytest.mark.parametrize("who", ["market_chief", "clerk", "supervisor"])
def test_nobody_else_sees_or_lifts_lockouts(client, org, settings, who):
    _fail(client.__class__(), "market_approver", settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get()
    _login_as(client, who)
    assert client.get(reverse("org:lockouts")).status_code == 403
    assert client.post(reverse("org:lockout_lift", args=[attempt.pk])).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert not AuditEntry.objects.filter(action="core.login.unlock").exists()


def test_lifting_needs_a_post_with_the_csrf_token(org, settings):
    from django.test import Client

    _fail(Client(), "clerk", settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get()
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(_user("admin"))
    url = reverse("org:lockout_lift", args=[attempt.pk])
    assert admin.get(url).status_code == 405
    assert admin.post(url).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
