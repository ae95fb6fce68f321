"""The calendar needs one centre administrator and one other staff member, no county."""

from __future__ import annotations

import pytest

from govhall.org.models import Role
from govhall.testing import factories


@pytest.fixture
def centre(db):
    return factories.make_centre()


@pytest.fixture
def admin(centre):
    return factories.make_staff(
        username="admin", name="管理员", role=Role.CENTRE_ADMIN, centre=centre
    ).user


@pytest.fixture
def clerk(centre):
    return factories.make_staff(
        username="clerk", name="综窗", role=Role.WINDOW_CLERK, centre=centre
    ).user
