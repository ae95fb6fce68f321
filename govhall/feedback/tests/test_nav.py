"""The staff nav's 好差评与诉求 dropdown (govhall/feedback/nav.py through
core.web.staff_nav_menu): each link shown to whom its page serves."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _nav(client, staff) -> str:
    client.force_login(staff.user)
    page = client.get("/staff/").content.decode()
    return page.split('id="staffnav"')[1].split("</ul>\n")[0]


def test_the_centre_clerk_gets_the_window_and_a_department_the_work_orders(client, org):
    clerk = _nav(client, org.staff.clerk)
    assert "好差评与诉求" in clerk
    assert "/staff/feedback/complaints/window/" in clerk
    assert "/staff/feedback/ratings/evaluator/" in clerk
    chief = _nav(client, org.staff.market_chief)
    assert "/staff/feedback/complaints/" in chief and "诉求工单" in chief
    assert "/staff/feedback/complaints/window/" not in chief  # the window is the centre's
    assert "/staff/feedback/ratings/bad-reviews/" in chief


def test_the_open_page_is_marked_active(client, org):
    client.force_login(org.staff.clerk.user)
    page = client.get("/staff/feedback/complaints/window/").content.decode()
    assert 'class="dropdown-item active" href="/staff/feedback/complaints/window/"' in page
    assert 'class="nav-link dropdown-toggle active" href="#"' in page
