"""A small hall: the test county's centre with its 综合受理 window 01, a 市场监管 window
05 serving category B, a closed tidal window 15, and three categories."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from govhall.org.models import Role, Window
from govhall.testing import factories

from .. import services


@pytest.fixture
def hall(db):
    org = factories.build_hall()
    admin = org.staff.admin.user
    general = services.save_category(
        actor=admin, centre=org.county, data={"prefix": "A", "name": "综合业务", "kind": "general"}
    )
    market = services.save_category(
        actor=admin,
        centre=org.county,
        data={
            "prefix": "B",
            "name": "市场监管",
            "kind": "department",
            "department": org.market,
            "items": [org.market_item],
        },
    )
    health = services.save_category(
        actor=admin,
        centre=org.county,
        data={"prefix": "C", "name": "卫生健康", "kind": "department", "department": org.health},
    )
    market_window = Window.objects.create(
        centre=org.county,
        number="05",
        name="市场监管专窗",
        type="department",
        department=org.market,
    )
    tidal = Window.objects.create(
        centre=org.county, number="15", name="潮汐窗口", type="tidal", is_active=False
    )
    services.set_window_categories(actor=admin, window=market_window, categories=[market])
    market_clerk = factories.make_staff(
        username="market_clerk",
        name="市场窗口",
        role=Role.APPROVER,
        centre=org.county,
        department=org.market,
        window=market_window,
    )
    return SimpleNamespace(
        org=org,
        centre=org.county,
        admin=admin,
        clerk=org.staff.clerk.user,
        market_clerk=market_clerk.user,
        general=general,
        market=market,
        health=health,
        comprehensive=org.window,
        market_window=market_window,
        tidal=tidal,
    )
