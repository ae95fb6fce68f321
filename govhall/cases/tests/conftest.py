"""Fixtures for case tests: an authorisation naming the market approver, extra items
(即办件, 容缺, 特别程序, township), and helpers to submit and move cases."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.cases import services
from govhall.cases.models import Channel
from govhall.catalog.models import AuthorisedItem, CaseType, ProcedurePattern
from govhall.core import clock
from govhall.org.models import Authorisation, Role, Stationing
from govhall.testing import factories

PDF = b"%PDF-1.4\n%test\n"


def pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def person(**overrides):
    data = {
        "kind": "person",
        "name": "张三丰",
        "id_number": factories.make_id_number(7),
        "phone": "13800001234",
    }
    data.update(overrides)
    return data


@pytest.fixture
def env(county):
    root = county.root
    s = county.staff
    other_approver = factories.make_staff(
        username="market_approver2",
        name="市场审批二",
        role=Role.APPROVER,
        centre=county.county,
        department=county.market,
    )
    health_approver = factories.make_staff(
        username="health_approver",
        name="卫健审批",
        role=Role.APPROVER,
        centre=county.county,
        department=county.health,
    )
    township_clerk = factories.make_staff(
        username="town_clerk",
        name="镇综窗",
        role=Role.WINDOW_CLERK,
        centre=county.township,
    )
    # Published on 2026-01-05 so that tests may move the clock back to National Day.
    with clock.frozen(dt.datetime(2026, 1, 5, 9)):
        instant = factories.publish_item(
            actor=root,
            department=county.market,
            basic_code="000111222002",
            name="食品经营许可证补办",
            case_type=CaseType.INSTANT,
            promised_limit_days=0,
            legal_limit_days=None,
            steps=[],
        )
        tolerance = factories.publish_item(
            actor=root,
            department=county.market,
            basic_code="000111222003",
            name="小餐饮登记",
            allows_tolerance=True,
            materials=[
                {"name": "申请书", "required": True},
                {"name": "健康证明", "required": True, "tolerance_allowed": True},
            ],
        )
        special = factories.publish_item(
            actor=root,
            department=county.market,
            basic_code="000111222004",
            name="食品生产许可",
            procedure_pattern=ProcedurePattern.SPECIAL,
            special_steps=[
                {
                    "kind": "site_inspection",
                    "name": "现场踏勘",
                    "basis": "《食品生产许可管理办法》第二十一条",
                    "time_limit_days": 5,
                    "counted_in_limit": False,
                },
                {
                    "kind": "meeting",
                    "name": "会议研究",
                    "basis": "中心工作规则",
                    "counted_in_limit": True,
                },
            ],
        )
        township_item = factories.publish_item(
            actor=root,
            department=county.market,
            basic_code="000111222005",
            name="个体工商户登记",
            accept_at_township=True,
        )
    Stationing.objects.create(
        centre=county.township, department=county.market, since=dt.date(2024, 1, 1)
    )
    authorisation = Authorisation.objects.create(
        department=county.market,
        chief_rep=s.market_chief,
        number="SQ-2026-01",
        signed_on=dt.date(2026, 1, 1),
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2027, 12, 31),
    )
    for item in (county.market_item, instant, tolerance, special, township_item):
        AuthorisedItem.objects.create(authorisation=authorisation, item=item).approvers.add(
            s.market_approver
        )
    return SimpleNamespace(
        c=county,
        s=s,
        other_approver=other_approver,
        health_approver=health_approver,
        township_clerk=township_clerk,
        instant=instant,
        tolerance=tolerance,
        special=special,
        township_item=township_item,
    )


def application_form(env):
    """Only the 申请书 of the 容缺 item: its 健康证明 is what gets tolerated."""
    form = env.tolerance.versions.get().materials.get(name="申请书")
    return [{"material": form, "file": pdf()}]


def submit(env, item=None, *, actor="clerk", centre=None, channel=Channel.WINDOW, **kw):
    item = item or env.c.market_item
    return services.submit_application(
        actor=env.s.clerk.user if actor == "clerk" else actor,
        item=item,
        centre=centre or env.c.county,
        channel=channel,
        applicant=kw.pop("applicant", person()),
        materials=kw.pop(
            "materials",
            [{"material": m, "file": pdf()} for m in item.versions.get().materials.all()],
        ),
        **kw,
    )


def act(case, action, actor, **inputs):
    return services.transition(
        actor=actor, case=case, action=action, expected_version=case.version, **inputs
    )
