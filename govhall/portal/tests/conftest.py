"""A small public catalogue on top of the ``county`` fixture: items citizens search
for with two-character words (户口, 社保, 营业), one with special steps, one
suspended, one on the negative list, one 即办件 offered in villages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from govhall.catalog import services as catalog_services
from govhall.catalog.models import CaseType, ItemType, LifeEvent, ProcedurePattern
from govhall.org.models import Department
from govhall.testing import factories


@pytest.fixture
def catalogue(county):
    root = county.root
    police = Department.objects.create(
        code=factories.make_uscc(11), name="测试县公安局", phone="0477-7205110"
    )
    social = Department.objects.create(
        code=factories.make_uscc(12), name="测试县人力资源和社会保障局"
    )
    hukou = factories.publish_item(
        actor=root,
        department=police,
        basic_code="000333444001",
        name="户口迁移登记",
        type=ItemType.CONFIRMATION,
        keywords="迁户口 落户",
        case_type=CaseType.INSTANT,
        legal_limit_days=None,
        promised_limit_days=0,
        result_name="居民户口簿",
        steps=[],
        accept_at_township=True,
        accept_at_village=True,
        at_most_one_visit=True,
        materials=[
            {"name": "居民户口簿", "originals": 1, "copies": 0, "source": "申请人自备"},
            {
                "name": "准予迁入证明",
                "originals": 1,
                "copies": 0,
                "common_mistakes": "迁入地址与房产证不一致",
            },
        ],
    )
    insurance = factories.publish_item(
        actor=root,
        department=social,
        basic_code="000444555001",
        name="企业职工参保登记",
        type=ItemType.PUBLIC_SERVICE,
        keywords="社保 社会保险",
        legal_limit_days=5,
        promised_limit_days=1,
        result_name="参保登记表",
        accept_at_township=True,
    )
    business = factories.publish_item(
        actor=root,
        department=county.market,
        basic_code="000111222002",
        name="个体工商户营业执照核发",
        has_fee=False,
        allows_tolerance=True,
        result_name="营业执照",
        legal_limit_days=15,
        promised_limit_days=3,
        materials=[
            {"name": "个体工商户开业登记申请书", "originals": 1, "copies": 0},
            {
                "name": "经营场所使用证明",
                "originals": 0,
                "copies": 1,
                "tolerance_allowed": True,
                "sample_form": "场所使用证明样表",
            },
        ],
    )
    special = factories.publish_item(
        actor=root,
        department=county.health,
        basic_code="000222333002",
        name="放射诊疗许可",
        has_fee=True,
        fee_standard="每件300元",
        fee_basis="《放射诊疗管理规定》第十二条",
        procedure_pattern=ProcedurePattern.SPECIAL,
        legal_limit_days=20,
        promised_limit_days=12,
        special_steps=[
            {
                "kind": "expert_review",
                "name": "专家评审",
                "basis": "《行政许可法》第四十五条",
                "time_limit_days": 15,
                "counted_in_limit": False,
            }
        ],
    )
    suspended = factories.publish_item(
        actor=root, department=social, basic_code="000444555002", name="失业保险金申领"
    )
    catalog_services.change_item_flags(
        actor=root, item=suspended, reason="系统升级", status="suspended"
    )
    secret = factories.publish_item(
        actor=root, department=police, basic_code="000333444002", name="涉密人员出境审批"
    )
    catalog_services.change_item_flags(
        actor=root,
        item=secret,
        reason="涉密",
        on_negative_list=True,
        negative_list_reason="涉及国家秘密，不宜进驻",
    )
    birth = LifeEvent.objects.create(code="birth", name="生育收养", audience="person", order=1)
    start = LifeEvent.objects.create(code="start-up", name="开办企业", audience="company", order=1)
    hukou.life_events.add(birth)
    business.life_events.add(start)
    insurance.life_events.add(start)
    return SimpleNamespace(
        county=county,
        police=police,
        social=social,
        hukou=hukou,
        insurance=insurance,
        business=business,
        special=special,
        suspended=suspended,
        secret=secret,
        birth=birth,
        start=start,
    )
