"""授权书事项: who may be named as approver, and who keeps the list."""

from __future__ import annotations

import datetime as dt

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
