"""授权书事项: who may be named as approver, and who keeps the list."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from govhall.catalog import authorisations
from govhall.catalog.models import AuthorisedItem
from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.org.models import Authorisation, Staff


@pytest.fixture
def authorisation(county):
    return Authorisation.objects.create(
        department=county.market,
        chief_rep=county.staff.market_chief,
        number="SJ-2026-01",
        signed_on=dt.date(2026, 11, 20),
        valid_from=dt.date(2026, 11, 20),
        valid_to=dt.date(2027, 11, 19),
    )


def test_an_approver_who_left_cannot_be_named(county, authorisation):
    approver = county.staff.market_approver
    Staff.objects.filter(pk=approver.pk).update(is_active=False)
    approver.refresh_from_db()
    chief = county.staff.market_chief.user
    with pytest.raises(ValidationFailed) as exc:
        authorisations.set_authorised_item(
            actor=chief, authorisation=authorisation, item=county.market_item, approvers=[approver]
        )
    assert exc.value.fields["approvers"] == [f"{approver.name}不是本部门在岗的审批人员或首席代表"]
    assert approver not in authorisations.eligible_approvers(department=county.market)
    assert not AuthorisedItem.objects.exists()

    entry = authorisations.set_authorised_item(
        actor=chief,
        authorisation=authorisation,
        item=county.market_item,
        approvers=[county.staff.market_chief],
    )
    assert list(entry.approvers.all()) == [county.staff.market_chief]
    row = AuditEntry.objects.get(action="catalog.authorised_item.create")
    assert row.object_id == str(authorisation.pk) and row.actor == chief


def test_a_chief_rep_who_left_keeps_no_authorisation(county, authorisation):
    chief = county.staff.market_chief
    Staff.objects.filter(pk=chief.pk).update(is_active=False)
    chief.user.refresh_from_db()
    with pytest.raises(PermissionDenied):
        authorisations.set_authorised_item(
            actor=chief.user,
            authorisation=authorisation,
            item=county.market_item,
            approvers=[county.staff.market_approver],
        )
    assert chief not in authorisations.eligible_chief_reps(departments=[county.market])


def _page(client, authorisation, **query):
    from django.urls import reverse

    url = reverse("catalog:authorisation", args=[authorisation.pk])
    return url, client.get(url, query).content.decode()


def _approvers(authorisation, item):
    entry = AuthorisedItem.objects.get(authorisation=authorisation, item=item)
    return sorted(s.name for s in entry.approvers.all())


def test_adjusting_an_item_shows_its_approvers_ticked_and_keeps_them(client, county, authorisation):
    """The 调整 link opens the form on the item with its current approvers ticked; the
    history shows only the change the user made."""
    chief, approver = county.staff.market_chief, county.staff.market_approver
    authorisations.set_authorised_item(
        actor=chief.user, authorisation=authorisation, item=county.market_item, approvers=[approver]
    )
    assert client.login(username=chief.user.username, password="govhall-test")
    url, page = _page(client, authorisation, item=county.market_item.pk)
    ticked = re.findall(r'<input type="checkbox" name="approvers" value="(\d+)"[^>]*checked', page)
    assert ticked == [str(approver.pk)]
    # The user ticks the chief as well and keeps the approver ticked.
    response = client.post(
        url,
        {
            "action": "set",
            "item": county.market_item.pk,
            "approvers": [approver.pk, chief.pk],
            "shown_item": county.market_item.pk,
            "shown_approvers": [approver.pk],
        },
    )
    assert response.status_code == 302
    assert _approvers(authorisation, county.market_item) == sorted([approver.name, chief.name])
    row = AuditEntry.objects.filter(action="catalog.authorised_item.update").get()
    assert row.changes["approvers"] == [[approver.name], sorted([approver.name, chief.name])]


def test_a_fresh_form_cannot_silently_remove_an_approver(client, county, authorisation):
    """The defect: choosing an item in the empty form and ticking one person replaced
    the item's list (王志刚 → 宝音). A form that did not show the list only adds."""
    chief, approver = county.staff.market_chief, county.staff.market_approver
    authorisations.set_authorised_item(
        actor=chief.user, authorisation=authorisation, item=county.market_item, approvers=[approver]
    )
    assert client.login(username=chief.user.username, password="govhall-test")
    url, _ = _page(client, authorisation)
    response = client.post(
        url, {"action": "set", "item": county.market_item.pk, "approvers": [chief.pk]}
    )
    assert response.status_code == 302
    assert _approvers(authorisation, county.market_item) == sorted([approver.name, chief.name])


def test_unticking_a_shown_approver_removes_only_them(client, county, authorisation):
    chief, approver = county.staff.market_chief, county.staff.market_approver
    authorisations.set_authorised_item(
        actor=chief.user,
        authorisation=authorisation,
        item=county.market_item,
        approvers=[approver, chief],
    )
    assert client.login(username=chief.user.username, password="govhall-test")
    url, _ = _page(client, authorisation, item=county.market_item.pk)
    client.post(
        url,
        {
            "action": "set",
            "item": county.market_item.pk,
            "approvers": [chief.pk],
            "shown_item": county.market_item.pk,
            "shown_approvers": [approver.pk, chief.pk],
        },
    )
    assert _approvers(authorisation, county.market_item) == [chief.name]
