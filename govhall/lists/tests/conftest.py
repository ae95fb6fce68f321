"""A small county on which every list has a row: ``build_org`` plus

* ``licence`` (市场): 最多跑一次, 中介服务, 两优, 容缺 (one tolerated material), a fee
  line, a 特殊环节;
* ``filing`` (卫健): 行政备案, 事后告知类, also a 证明事项;
* ``secret`` (卫健): on the 负面清单 (涉密), not stationed;
* ``cancelled`` (市场): cancelled — on no list;
* a 一件事 of licence + filing; one 权责清单 power and one 监管事项 (of the licence,
  by 卫健).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from govhall.cases.services import create_bundle
from govhall.catalog import services as catalog_services
from govhall.catalog.models import ItemType
from govhall.core import clock
from govhall.lists import services
from govhall.testing import factories


def publish(org, *, department, basic_code, name, fee_lines=None, **overrides):
    item = factories.publish_item(
        actor=org.root, department=department, basic_code=basic_code, name=name, **overrides
    )
    if fee_lines:
        draft = catalog_services.start_draft(actor=org.root, item=item)
        catalog_services.save_draft(actor=org.root, version=draft, fee_lines=fee_lines)
        catalog_services.publish(actor=org.root, version=draft, change_note="收费清单")
    item.refresh_from_db()
    return item


def take_off_negative_list(county, item=None) -> None:
    """The 负面清单 entry (default: ``secret``) is stationed in the centre again."""
    catalog_services.change_item_flags(
        actor=county.root,
        item=item or county.secret,
        reason="改为进驻",
        on_negative_list=False,
        negative_list_reason="",
        negative_list_category="",
        is_stationed=True,
    )


def two_publications(county):
    """Every list published on Monday 11-23, and again on Tuesday 11-24 with a new
    负面清单 entry (``county.fresh``, 危化品审批); the clock is left on Wednesday 11-25."""
    services.publish(actor=county.admin, note="首次公布")
    clock.set_now(dt.datetime(2026, 11, 24, 10, 0))
    county.fresh = factories.publish_item(
        actor=county.root,
        department=county.org.market,
        basic_code="000111222005",
        name="危化品审批",
    )
    catalog_services.change_item_flags(
        actor=county.root,
        item=county.fresh,
        reason="涉密",
        on_negative_list=True,
        is_stationed=False,
        negative_list_category="secret",
        negative_list_reason="涉及安全生产秘密",
    )
    services.publish(actor=county.admin, note="新增一项")
    clock.set_now(dt.datetime(2026, 11, 25, 9, 0))
    return county


@pytest.fixture
def county(org):
    licence = publish(
        org,
        department=org.market,
        basic_code="000111222001",
        name="食品经营许可",
        at_most_one_visit=True,
        intermediary_service=True,
        intermediary_note="食品检验报告",
        allows_tolerance=True,
        has_fee=True,
        fee_standard="每证10元",
        fee_basis="《收费管理办法》第三条",
        materials=[
            {"name": "申请书", "required": True, "originals": 1, "copies": 0},
            {"name": "场所证明", "required": True, "tolerance_allowed": True, "copies": 1},
        ],
        special_steps=[
            {
                "kind": "site_inspection",
                "name": "现场核查",
                "basis": "《行政许可法》第三十四条",
                "time_limit_days": 3,
                "counted_in_limit": False,
            }
        ],
        fee_lines=[{"name": "工本费", "standard": "每证10元", "amount": 1000, "basis": "收费文件"}],
    )
    catalog_services.change_item_flags(
        actor=org.root, item=licence, reason="两优", on_two_priority_list=True
    )
    filing = publish(
        org,
        department=org.health,
        basic_code="000222333001",
        name="诊所备案",
        type=ItemType.FILING,
        filing_kind="notify",
        is_certification=True,
    )
    secret = publish(org, department=org.health, basic_code="000222333002", name="涉密审批")
    catalog_services.change_item_flags(
        actor=org.root,
        item=secret,
        reason="涉密",
        on_negative_list=True,
        is_stationed=False,
        negative_list_category="secret",
        negative_list_reason="涉及国家秘密，不宜进驻",
    )
    cancelled = publish(org, department=org.market, basic_code="000111222009", name="已取消许可")
    catalog_services.change_item_flags(
        actor=org.root, item=cancelled, reason="法规废止", status="cancelled"
    )
    bundle = create_bundle(
        actor=org.root,
        code="open-clinic",
        name="开诊所",
        lead_department=org.health,
        items=[licence, filing],
    )
    power = services.save_power(
        actor=org.root,
        code="QL-001",
        name="食品经营许可",
        kind="licensing",
        department=org.market,
        item=licence.implementation_code,
        basis="《食品安全法》第三十五条",
        responsibilities="受理、审查、决定、送达",
        accountability="违法许可的追责",
    ).entry
    matter = services.save_supervision(
        actor=org.root,
        code="JG-001",
        name="食品经营者监督检查",
        department=org.health,
        items=licence.implementation_code,
        target="食品经营者",
        basis="《食品安全法》第八十七条",
        method="双随机抽查",
    ).entry
    return SimpleNamespace(
        org=org,
        root=org.root,
        admin=org.staff.admin.user,
        licence=licence,
        filing=filing,
        secret=secret,
        cancelled=cancelled,
        bundle=bundle,
        power=power,
        matter=matter,
    )
