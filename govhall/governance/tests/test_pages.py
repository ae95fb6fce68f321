"""The staff pages: the department sees and files its own requests, the centre sees
all and approves; the draft page leads to 提交调整申请; the nav shows the entry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govhall.catalog.models import Item

from .conftest import file_request, pdf, submitted

pytestmark = pytest.mark.django_db


def login(client, staff):
    assert client.login(username=staff.user.username, password="govhall-test")
    return client


def test_the_department_files_from_the_form_and_sees_only_its_own(client, hall):
    from govhall.testing import factories

    health_item = factories.add_county_item(hall, "health_item")
    other = file_request(hall, "suspend", item=health_item, actor=hall.staff.health_chief.user)
    login(client, hall.staff.market_chief)
    page = client.get(reverse("governance:new") + f"?item={hall.market_item.implementation_code}")
    assert page.status_code == 200
    assert page.context["form"].initial["kind"] == "change"
    response = client.post(
        reverse("governance:new"),
        {
            "kind": "suspend",
            "item": hall.market_item.implementation_code,
            "trigger": "other",
            "trigger_date": "2026-11-20",
            "reasons": "窗口系统升级",
            "files": [pdf()],
        },
        follow=True,
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    html = response.content.decode()
    assert "TZ2026-0002" in html and "草稿" in html
    listing = client.get(reverse("governance:list")).content.decode()
    assert "TZ2026-0002" in listing and other.number not in listing
    assert client.get(reverse("governance:detail", args=[other.number])).status_code == 404
    # the nav shows the entry to department staff
    assert reverse("governance:list") in client.get("/staff/").content.decode()


def test_the_centre_sees_all_and_approves_on_the_page(client, hall):
    r = submitted(hall, "suspend", reasons="系统升级")
    login(client, hall.staff.admin)
    listing = client.get(reverse("governance:list") + "?state=submitted").content.decode()
    assert r.number in listing
    assert (
        r.number not in client.get(reverse("governance:list") + "?state=applied").content.decode()
    )
    page = client.get(reverse("governance:detail", args=[r.number]))
    actions = [row.action for row, _f in page.context["forms"]]
    assert actions == ["return", "approve"]
    response = client.post(
        reverse("governance:detail", args=[r.number]),
        {"action": "approve", "approve-expected_version": r.version, "approve-opinion": "同意"},
        follow=True,
    )
    assert "已审核通过" in response.content.decode()
    assert Item.objects.get(pk=hall.market_item.pk).status == "suspended"


def test_a_returned_request_shows_its_reason_and_can_be_edited(client, hall):
    from .conftest import act

    r = act(submitted(hall, "cancel"), "return", hall.staff.admin, reason="请附上级文件")
    login(client, hall.staff.market_chief)
    html = client.get(reverse("governance:detail", args=[r.number])).content.decode()
    assert "请附上级文件" in html and reverse("governance:edit", args=[r.number]) in html
    response = client.post(
        reverse("governance:edit", args=[r.number]),
        {"trigger": "law", "trigger_date": "2026-11-20", "reasons": "上级已取消，附文件",
         "expected_version": r.version},
    )  # fmt: skip
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.reasons == "上级已取消，附文件" and r.state == "returned"


def test_the_clerk_and_other_roles_are_kept_out(client, hall):
    login(client, hall.staff.clerk)
    assert client.get(reverse("governance:list")).status_code == 403
    assert client.get(reverse("governance:new")).status_code == 403
    client.logout()
    login(client, hall.staff.admin)
    assert client.get(reverse("governance:new")).status_code == 403  # the centre does not file


def test_stopped_items_page_lists_open_cases(client, hall):
    from govhall.testing import factories

    from .conftest import approved

    case = factories.window_case(hall)
    approved(hall, "cancel", reasons="上位法废止")
    login(client, hall.staff.market_chief)
    html = client.get(reverse("governance:stopped")).content.decode()
    assert case.number in html and "上位法废止" in html
