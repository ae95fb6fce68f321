"""``org.permissions``: every rule starts from an active staff record. A staff member
who has been deactivated (离岗, 调离) keeps a working login but may neither change
nor read anything on the staff site."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govhall.core.errors import PermissionDenied
from govhall.org import permissions, services
from govhall.org.models import Authorisation, Window


def _deactivate(org, staff):
    """调离 through the organisation page's service; the login itself stays active."""
    services.update(actor=org.root, instance=staff, data={"is_active": False}, reason="调离")
    staff.refresh_from_db()
    assert staff.user.is_active
    return staff


def _authorisation(org):
    return {
        "department": org.market,
        "chief_rep": org.staff.market_chief,
        "number": "SQ-2026-001",
        "signed_on": dt.date(2026, 1, 1),
        "valid_from": dt.date(2026, 1, 1),
        "valid_to": dt.date(2027, 12, 31),
    }


def test_deactivated_chief_rep_may_no_longer_edit_his_department(org):
    chief = org.staff.market_chief
    assert permissions.can_edit_department_data(chief.user, org.market)
    assert permissions.can_manage_authorisation(chief.user, org.market)
    _deactivate(org, chief)
    assert not permissions.can_edit_department_data(chief.user, org.market)
    assert not permissions.can_manage_authorisation(chief.user, org.market)
    with pytest.raises(PermissionDenied):
        services.create(actor=chief.user, model=Authorisation, data=_authorisation(org))
    assert not Authorisation.objects.exists()


def test_deactivated_administrator_may_no_longer_change_the_organisation(org):
    admin = _deactivate(org, org.staff.admin)
    assert not permissions.is_centre_admin(admin.user)
    with pytest.raises(PermissionDenied):
        services.create(
            actor=admin.user,
            model=Window,
            data={"centre": org.county, "number": "09", "name": "新窗", "type": "comprehensive"},
        )
    assert not Window.objects.filter(number="09").exists()


def test_approver_edits_items_but_does_not_keep_the_authorisation(org):
    approver = org.staff.market_approver.user
    assert permissions.can_edit_department_data(approver, org.market)
    assert not permissions.can_edit_department_data(approver, org.health)
    assert not permissions.can_manage_authorisation(approver, org.market)
    assert not permissions.can_edit_department_data(org.staff.clerk.user, org.market)


@pytest.mark.parametrize("name", ["core:home", "org:staff_list", "calendar:index"])
def test_deactivated_staff_member_sees_no_staff_page(client, org, name):
    url = reverse(name)
    clerk = org.staff.clerk
    client.force_login(clerk.user)
    assert client.get(url).status_code in (200, 302)
    _deactivate(org, clerk)
    response = client.get(url)
    assert response.status_code == 403
    assert "不是在岗工作人员" in response.content.decode()


def test_signed_in_user_without_staff_record_sees_no_staff_page(client, org, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="visitor", password="x"))
    assert client.get(reverse("org:staff_list")).status_code == 403
    client.force_login(org.root)  # the superuser needs no staff record
    assert client.get(reverse("org:staff_list")).status_code == 200
