"""Fixtures for case tests, each building only what its tests use.

* ``hall`` — the organisation of ``factories.build_county`` (centres, 市场监管局 and
  卫健委 stationed, a staff member per role) with one published item, 食品经营许可
  (``hall.market_item``); ``health_item`` adds 公共场所卫生许可 (``hall.health_item``).
* ``env`` — ``hall`` plus a second market approver, a health approver, a township
  clerk, 市场监管局 stationed at the township and an authorisation naming the market
  approver (``env.c`` is the hall, ``env.s`` its staff).
* ``instant`` (即办件), ``tolerance`` (容缺), ``special`` (特别程序), ``township_item``
  — one more market item each, authorised like the others and set on ``env`` as
  well (``env.instant`` …); ``full_env`` is ``env`` with all of them.

Publishing an item is what costs time, so a test asks for the items it uses.
Helpers: ``pdf``, ``person``, ``api``, ``bundle_case``, ``bundle_desk_form``, ``submit``,
``act``, ``application_form``, ``health_proof``.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from govhall.cases import selectors, services
from govhall.cases.models import Bundle, BundleItem, Channel
from govhall.catalog.models import AuthorisedItem, CaseType, ProcedurePattern
from govhall.core import clock
from govhall.org.models import Authorisation, Role, Stationing
from govhall.testing import factories

PDF = factories.blank_pdf()


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


DESK_PHONE = "13904771234"


def applicant(serial=1, name="张三丰"):
    """An applicant (person) with a valid ID number built from ``serial``."""
    return factories.person(serial, name, DESK_PHONE)


def submit_at_window(hall, item=None, **kw):
    """An application registered at the county window with every material of ``item``
    (default the market item), by the window clerk."""
    return factories.window_case(hall, item, applicant=kw.pop("applicant", applicant()))


def api(user):
    """A REST client signed in as ``user``."""
    client = APIClient()
    client.force_authenticate(user)
    return client


# --------------------------------------------------------------------------- the hall


@pytest.fixture
def hall(db):
    return factories.build_hall("market_item")


@pytest.fixture
def health_item(hall):
    return factories.add_county_item(hall, "health_item")


@pytest.fixture
def old_item(hall):
    """An item published well before the frozen today, so cases can be back-dated."""
    with clock.frozen(dt.datetime(2026, 10, 9, 9, 0)):
        return factories.publish_item(
            actor=hall.root, department=hall.market, basic_code="000111222009", name="旧事项"
        )


# --------------------------------------------------------------------------- env


@pytest.fixture
def env(hall):
    s = hall.staff
    other_approver = factories.make_staff(
        username="market_approver2",
        name="市场审批二",
        role=Role.APPROVER,
        centre=hall.county,
        department=hall.market,
    )
    health_approver = factories.make_staff(
        username="health_approver",
        name="卫健审批",
        role=Role.APPROVER,
        centre=hall.county,
        department=hall.health,
    )
    township_clerk = factories.make_staff(
        username="town_clerk",
        name="镇综窗",
        role=Role.WINDOW_CLERK,
        centre=hall.township,
    )
    Stationing.objects.create(
        centre=hall.township, department=hall.market, since=dt.date(2024, 1, 1)
    )
    authorisation = Authorisation.objects.create(
        department=hall.market,
        chief_rep=s.market_chief,
        number="SQ-2026-01",
        signed_on=dt.date(2026, 1, 1),
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2027, 12, 31),
    )
    env = SimpleNamespace(
        c=hall,
        s=s,
        other_approver=other_approver,
        health_approver=health_approver,
        township_clerk=township_clerk,
        authorisation=authorisation,
    )
    _authorise(env, hall.market_item)
    return env


def _authorise(env, item):
    AuthorisedItem.objects.create(authorisation=env.authorisation, item=item).approvers.add(
        env.s.market_approver
    )


def _market_item(env, attr, **fields):
    """One more market item, published on 2026-01-05 (so that tests may move the clock
    back to National Day) and authorised to the market approver."""
    with clock.frozen(dt.datetime(2026, 1, 5, 9)):
        item = factories.publish_item(actor=env.c.root, department=env.c.market, **fields)
    _authorise(env, item)
    setattr(env, attr, item)
    return item


@pytest.fixture
def instant(env):
    return _market_item(
        env,
        "instant",
        basic_code="000111222002",
        name="食品经营许可证补办",
        case_type=CaseType.INSTANT,
        promised_limit_days=0,
        legal_limit_days=None,
        steps=[],
    )


@pytest.fixture
def tolerance(env):
    return _market_item(
        env,
        "tolerance",
        basic_code="000111222003",
        name="小餐饮登记",
        allows_tolerance=True,
        materials=[
            {"name": "申请书", "required": True},
            {"name": "健康证明", "required": True, "tolerance_allowed": True},
        ],
    )


@pytest.fixture
def special(env):
    return _market_item(
        env,
        "special",
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
                "time_limit_days": 2,  # with 审查 2 + 决定 1: the promised 5 days
                "counted_in_limit": True,
            },
        ],
    )


@pytest.fixture
def township_item(env):
    return _market_item(
        env,
        "township_item",
        basic_code="000111222005",
        name="个体工商户登记",
        accept_at_township=True,
    )


@pytest.fixture
def full_env(env, health_item, instant, tolerance, special, township_item):
    """The whole catalogue: for tests whose result depends on what else is published."""
    return env


# --------------------------------------------------------------------------- bundles


@pytest.fixture
def restaurant_bundle(env, health_item):
    """开办餐饮店一件事 (食品经营许可 + 公共场所卫生许可), defined through the service."""
    return services.create_bundle(
        actor=env.s.admin.user,
        code="open-restaurant",
        name="开办餐饮店一件事",
        lead_department=env.c.market,
        items=[env.c.market_item, env.c.health_item],
        description="食品经营许可 + 公共场所卫生许可",
    )


@pytest.fixture
def small_restaurant_bundle(env, tolerance, health_item):
    """小餐饮登记 (容缺 allowed for 健康证明, 承诺 5 working days) + 公共场所卫生许可
    (no 容缺), lead 市场监管局."""
    return services.create_bundle(
        actor=env.s.admin.user,
        code="small-restaurant",
        name="开办小餐饮一件事",
        lead_department=env.c.market,
        items=[env.tolerance, env.c.health_item],
    )


@pytest.fixture
def bundle_rows(env, health_item):
    """我要开餐馆 (食品经营许可 + 公共场所卫生许可) written as rows, without the service."""
    b = Bundle.objects.create(
        code="open-restaurant", name="我要开餐馆", lead_department=env.c.market
    )
    BundleItem.objects.create(bundle=b, item=env.c.market_item, order=1)
    BundleItem.objects.create(bundle=b, item=env.c.health_item, order=2)
    return b


def bundle_case(env, bundle):
    """A 一件事 application at the county window with every material of every item."""
    return services.submit_bundle_application(
        actor=env.s.clerk.user,
        bundle=bundle,
        centre=env.c.county,
        channel=Channel.WINDOW,
        applicant=person(),
        materials={
            bi.item_id: [{"material": m} for m in bi.item.versions.get().materials.all()]
            for bi in bundle.bundle_items.select_related("item")
        },
    )


def bundle_desk_form(bundle, *, action, tolerate=(), missing=(), **extra):
    """The bundle desk form (applicant 王五): every material ticked except ``missing``
    and ``tolerate`` (names), the former 未带, the latter ticked 容缺; ``extra`` are
    the decision fields (``commitment``, ``catch_up_days`` …)."""
    data = {
        "a-kind": "person",
        "a-name": "王五",
        "a-id_number": factories.make_id_number(9),
        "a-phone": "13904775678",
        "x-action": action,
        **{f"x-{k}": v for k, v in extra.items()},
    }
    for part in selectors.bundle_parts(bundle=bundle):
        prefix = f"i{part['item'].pk}"
        for m in part["version"].materials.all():
            if m.name in tolerate:
                data[f"{prefix}-t{m.pk}"] = "on"
            elif m.name in missing:
                data[f"{prefix}-p{m.pk}"] = "未带"
            else:
                data[f"{prefix}-m{m.pk}"] = "on"
    return data


# --------------------------------------------------------------------------- helpers


def health_proof(env):
    """The 健康证明 of the 容缺 item: the material that may be tolerated."""
    return env.tolerance.versions.get().materials.get(name="健康证明")


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
