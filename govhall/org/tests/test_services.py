"""Organisation services: permissions and clear errors for duplicates."""

import datetime as dt

import pytest

from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.org import services
from govhall.org.models import Authorisation, Window


def test_duplicate_window_number_is_a_field_error(org):
    admin = org.staff.admin.user
    with pytest.raises(ValidationFailed) as exc:
        services.create(
            actor=admin,
            model=Window,
            data={"centre": org.county, "number": "01", "name": "重复", "type": "comprehensive"},
        )
    assert exc.value.code == "duplicate"
    assert Window.objects.filter(number="01").count() == 1


def test_only_chief_rep_or_admin_signs_authorisation(org):
    data = {
        "department": org.market,
        "chief_rep": org.staff.market_chief,
        "number": "SQ-2026-001",
        "signed_on": dt.date(2026, 1, 1),
        "valid_from": dt.date(2026, 1, 1),
        "valid_to": dt.date(2027, 12, 31),
    }
    with pytest.raises(PermissionDenied):
        services.create(actor=org.staff.market_approver.user, model=Authorisation, data=data)
    auth = services.create(actor=org.staff.market_chief.user, model=Authorisation, data=data)
    assert auth.pk and Authorisation.objects.count() == 1


def test_lower_centre_needs_parent_of_the_level_above(org):
    with pytest.raises(ValidationFailed) as exc:
        services.create(
            actor=org.staff.admin.user,
            model=type(org.village),
            data={
                "code": "150626101002",
                "name": "错层村",
                "level": "village",
                "parent": org.county,
            },
        )
    assert "上一层级" in exc.value.message
