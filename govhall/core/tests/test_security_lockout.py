"""Login lockout (issue 8 §2): after the failure limit the right password is refused
too, on the staff login page and on the API's HTTP Basic auth; the lock is per
username and address, and lifts after the cool-off."""

from __future__ import annotations

import base64

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from govhall.core import security

pytestmark = pytest.mark.django_db

PASSWORD = "govhall-test"  # the factories' staff password


@pytest.fixture
def user(org):
    return org.staff.clerk.user


def _login(client, password, username="clerk", address="10.1.2.3"):
    return client.post(
        reverse("core:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _basic(username, password) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def _api(client, password, username="clerk", address="10.1.2.3"):
    return client.get(
        "/api/v1/cases/", HTTP_AUTHORIZATION=_basic(username, password), REMOTE_ADDR=address
    )


def _signed_in(client) -> bool:
    return client.get(reverse("core:home")).status_code == 200


def test_the_right_password_signs_in_after_fewer_failures_than_the_limit(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert "用户名或密码不正确" in _login(client, "wrong").content.decode()
    response = _login(client, PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_twenty_wrong_passwords_then_the_right_one_is_refused_on_the_login_page(client, user):
    for _ in range(20):
        _login(client, "wrong")
    response = _login(client, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page and "联系中心管理员" in page and "30 分钟" in page
    assert not _signed_in(client)


def test_the_lock_is_for_that_username_at_that_address(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 429
    # the same person from the office next door is not locked out
    assert _login(client, PASSWORD, address="10.9.9.9").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 429
    # axes keeps its own (real) time: a cool-off that is already over lets them in
    settings.AXES_COOLOFF_TIME = 0.0
    assert _login(client, PASSWORD).status_code == 302


def test_twenty_wrong_basic_auth_passwords_then_the_right_one_is_refused_by_the_api(client, user):
    assert _api(client, PASSWORD).status_code == 200  # Basic auth works at all
    for _ in range(20):
        refused = _api(client, "wrong")
        assert refused.status_code in (401, 403, 429)
    response = _api(client, PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == security.LOCKED_OUT_CODE
    assert "登录失败次数过多" in body["message"]


def test_failures_on_the_api_and_the_login_page_count_together(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _api(client, "wrong")
    _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 429
    assert _api(client, PASSWORD).status_code == 429


def test_no_password_is_kept_in_the_lockout_records(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "secret-guess-123")
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    assert "secret-guess-123" not in attempt.post_data


def test_the_test_clients_login_still_works_without_a_request(client, user):
    """``Client.login`` calls ``authenticate`` without a request: nothing to lock."""
    assert client.login(username="clerk", password=PASSWORD)
