"""后台任务 / 死信 on the staff site (/staff/org/tasks/, issue 9 §1): the centre
administrator sees the dead deliveries (phones masked) and retries or discards one,
audited with the reason; nobody else sees the page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from govhall.core import tasks
from govhall.core.models import AuditEntry, TaskDelivery
from govhall.testing.browser import browser_page  # noqa: F401

from . import sample_tasks

PHONE = "13904775678"


@pytest.fixture
def dead(org):
    sample_tasks.down.add("supervision")
    tasks.enqueue(
        sample_tasks.push, delivery_id="push:case-1:decided", endpoint="supervision", phone=PHONE
    )
    sample_tasks.down.clear()
    delivery = TaskDelivery.objects.get()
    assert delivery.state == TaskDelivery.State.DEAD
    return delivery


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_the_admin_sees_the_dead_letter_masked(client, org, dead):
    client.force_login(_user("admin"))
    org_page = client.get(reverse("org:index")).content.decode()
    assert reverse("org:tasks") in org_page and "后台任务" in org_page
    page = client.get(reverse("org:tasks")).content.decode()
    assert "push:case-1:decided" in page and "<strong>push</strong>" in page
    assert "139****5678" in page and PHONE not in page
    assert "2 / 2" in page  # attempts of max_attempts
    assert "ConnectionRefusedError: supervision refused the connection" in page
    assert re.search(r"死信 <span class=\"badge text-bg-danger\">1</span>", page)


def test_only_the_centre_admin(client, org, dead):
    client.force_login(org.staff.market_chief.user)
    assert client.get(reverse("org:tasks")).status_code == 403
    assert client.post(reverse("org:task_retry", args=[dead.pk])).status_code == 403
    assert reverse("org:tasks") not in client.get(reverse("org:index")).content.decode()
    dead.refresh_from_db()
    assert dead.state == TaskDelivery.State.DEAD


def test_retry_runs_it_again_audited(client, org, dead):
    client.force_login(_user("admin"))
    response = client.post(
        reverse("org:task_retry", args=[dead.pk]), {"reason": "监管平台已恢复"}, follow=True
    )
    assert "已重试后台任务 push:case-1:decided：执行成功。" in response.content.decode()
    dead.refresh_from_db()
    assert (dead.state, dead.attempts) == (TaskDelivery.State.DONE, 1)
    entry = AuditEntry.objects.get(action="core.delivery.retry")
    assert (entry.reason, entry.actor_name) == ("监管平台已恢复", entry.actor_name)
    assert entry.object_id == str(dead.pk)
    assert "没有「死信」的后台任务。" in response.content.decode()


def test_discard_needs_a_reason_and_keeps_the_row(client, org, dead):
    client.force_login(_user("admin"))
    refused = client.post(reverse("org:task_discard", args=[dead.pk]), follow=True)
    assert "丢弃须填写理由。" in refused.content.decode()
    dead.refresh_from_db()
    assert dead.state == TaskDelivery.State.DEAD
    client.post(reverse("org:task_discard", args=[dead.pk]), {"reason": "已电话告知"})
    dead.refresh_from_db()
    assert dead.state == TaskDelivery.State.DISCARDED
    assert AuditEntry.objects.get(action="core.delivery.discard").reason == "已电话告知"
    listed = client.get(reverse("org:tasks"), {"state": "discarded"}).content.decode()
    assert "push:case-1:decided" in listed and "已丢弃" in listed
    again = client.post(reverse("org:task_discard", args=[dead.pk]), {"reason": "x"}, follow=True)
    assert "只有死信可以重试或丢弃" in again.content.decode()


@pytest.mark.browser
def test_the_dead_letter_list_fits_a_phone(browser_page, org, dead):  # noqa: F811
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/staff/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "govhall-test")
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.goto("/staff/org/tasks/")
    assert page.locator(".delivery").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="/tmp/govhall_tasks_390.png", full_page=True)  # for review
    page.fill(f"#delivery-{dead.pk} form:last-child input[name=reason]", "已线下送达")
    page.get_by_role("button", name="丢弃").click()
    page.wait_for_selector("#no-deliveries")
    assert TaskDelivery.objects.get().state == TaskDelivery.State.DISCARDED
