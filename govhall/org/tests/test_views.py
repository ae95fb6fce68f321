"""Organisation staff pages: the centre administrator edits, others only view."""

from __future__ import annotations

from django.urls import reverse

from govhall.core.models import AuditEntry
from govhall.org.models import Staff, Stationing, Window
from govhall.testing.factories import make_id_number


def login(client, staff):
    assert client.login(username=staff.user.username, password="govhall-test")


def window_data(org, **extra):
    data = {
        "centre": org.county.pk,
        "number": "08",
        "name": "市场监管专窗",
        "type": "department",
        "department": org.market.pk,
        "is_active": "on",
        "reason": "新设专窗",
    }
    data.update(extra)
    return data


def test_admin_creates_window_with_audit_row(client, org):
    login(client, org.staff.admin)
    response = client.post(reverse("org:window_create"), window_data(org))
    window = Window.objects.get(number="08")
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_type="org.window", object_id=str(window.pk))
    assert entry.action == "org.window.create" and entry.actor == org.staff.admin.user
    assert entry.reason == "新设专窗"
    page = client.get(reverse("org:window", args=[window.pk])).content.decode()
    assert "新设专窗" in page  # history shown


def test_department_window_without_department_is_refused_beside_the_field(client, org):
    login(client, org.staff.admin)
    response = client.post(reverse("org:window_create"), window_data(org, department=""))
    assert response.status_code == 400
    assert response.context["form"].errors["department"] == ["必填"]
    assert not Window.objects.filter(number="08").exists()


def test_admin_creates_staff_account_and_it_can_sign_in(client, org):
    login(client, org.staff.admin)
    response = client.post(
        reverse("org:staff_create"),
        {
            "username": "market_new",
            "password": "s3cret-pass",
            "name": "新审批员",
            "role": "approver",
            "centre": org.county.pk,
            "department": org.market.pk,
            "phone": "13912345678",
            "id_number": make_id_number(7),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    staff = Staff.objects.get(user__username="market_new")
    assert AuditEntry.objects.filter(
        object_type="org.staff", object_id=str(staff.pk), action="org.staff.create"
    ).exists()
    listing = client.get(reverse("org:staff_list")).content.decode()
    assert "139****5678" in listing and "13912345678" not in listing
    assert make_id_number(7) not in listing
    client.logout()
    assert client.login(username="market_new", password="s3cret-pass")


def test_admin_edit_requires_reason_and_records_before_after(client, org):
    login(client, org.staff.admin)
    url = reverse("org:staff", args=[org.staff.clerk.pk])
    data = {
        "name": "综窗",
        "role": "window_clerk",
        "centre": org.county.pk,
        "window": org.window.pk,
        "is_active": "",
        "reason": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    data["reason"] = "调离"
    assert client.post(url, data).status_code == 302
    org.staff.clerk.refresh_from_db()
    assert org.staff.clerk.is_active is False
    entry = AuditEntry.objects.get(object_type="org.staff", action="org.staff.update")
    assert entry.changes["is_active"] == [True, False] and entry.reason == "调离"


def test_non_admin_cannot_create_or_edit(client, org):
    login(client, org.staff.market_chief)
    assert client.get(reverse("org:window_create")).status_code == 403
    response = client.post(reverse("org:window_create"), window_data(org))
    assert response.status_code == 403
    assert "只有中心管理员可以维护组织机构" in response.content.decode()
    assert not Window.objects.filter(number="08").exists()
    # viewing is fine, read-only and masked, without a form
    page = client.get(reverse("org:staff", args=[org.staff.clerk.pk]))
    assert page.status_code == 200 and "只读" in page.content.decode()
    assert b'name="reason"' not in page.content
    response = client.post(
        reverse("org:staff", args=[org.staff.clerk.pk]), {"name": "x", "reason": "y"}
    )
    assert response.status_code == 403


def test_station_and_end_stationing_with_reasons_in_the_history(client, org):
    login(client, org.staff.admin)
    url = reverse("org:station", args=[org.market.pk])
    client.post(url, {"centre": org.township.pk, "since": "2026-11-23", "reason": "下沉"})
    stationing = Stationing.objects.get(centre=org.township, department=org.market)
    assert stationing.is_active
    end = reverse("org:end_stationing", args=[org.market.pk, stationing.pk])
    response = client.post(end, {"reason": ""}, follow=True)
    assert "撤驻必须填写理由" in response.content.decode()
    stationing.refresh_from_db()
    assert stationing.is_active
    client.post(end, {"reason": "场地调整"})
    stationing.refresh_from_db()
    assert not stationing.is_active
    rows = AuditEntry.objects.filter(object_type="org.stationing", object_id=str(stationing.pk))
    assert list(rows.order_by("pk").values_list("action", "reason")) == [
        ("org.stationing.create", "下沉"),
        ("org.stationing.end", "场地调整"),
    ]
    page = client.get(reverse("org:department", args=[org.market.pk])).content.decode()
    assert "已撤驻" in page and "场地调整" in page
    assert "<td>进驻</td>" in page and "<td>撤驻</td>" in page  # Chinese labels, not names


def test_centre_tree_shows_levels(client, org):
    login(client, org.staff.supervisor)
    html = client.get(reverse("org:centres")).content.decode()
    assert (
        html.index("测试县政务服务中心")
        < html.index("测试镇便民服务中心")
        < html.index("测试村便民服务站")
    )


def test_every_page_opens_for_admin_and_read_only_for_clerk(client, county):
    pages = [
        reverse("core:home"),
        reverse("org:index"),
        reverse("org:centres"),
        reverse("org:departments"),
        reverse("org:department", args=[county.market.pk]),
        reverse("org:centre", args=[county.township.pk]),
        reverse("org:windows"),
        reverse("org:window", args=[county.window.pk]),
        reverse("org:staff_list"),
        reverse("org:staff", args=[county.staff.market_chief.pk]),
        reverse("catalog:list"),
        reverse("catalog:detail", args=[county.market_item.implementation_code]),
        reverse("catalog:version", args=[county.market_item.implementation_code, 1]),
        reverse("catalog:authorisations"),
    ]
    login(client, county.staff.admin)
    for url in pages:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("org:department_create")).status_code == 200
    assert client.get(reverse("org:staff_create")).status_code == 200
    client.logout()
    login(client, county.staff.clerk)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "保存变更" not in response.content.decode(), url  # no edit forms
