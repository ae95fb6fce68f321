"""Builders for tests, benchmarks and demo data. They go through the services, so
what they build obeys the same rules as what staff build."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from govhall.catalog import services as catalog_services
from govhall.catalog.models import CaseType, Item, ItemType, ProcedurePattern
from govhall.core.validators import id_number_check_char, make_implementation_code, uscc_check_char
from govhall.org.models import Centre, Department, Level, Role, Staff, Stationing, Window


def make_uscc(serial: int, prefix: str = "11150626") -> str:
    """A valid 统一社会信用代码 for a government body (登记管理部门 1, 机关 1)."""
    body = f"{prefix}{serial:08d}A"[:17]
    return body + uscc_check_char(body)


def make_id_number(serial: int, birth: str = "19850312", region: str = "150626") -> str:
    body = f"{region}{birth}{serial % 1000:03d}"
    return body + id_number_check_char(body)


def blank_pdf() -> bytes:
    """A real one-page PDF, for uploads (they are parsed, not only sniffed)."""
    import io

    import pypdf

    writer, out = pypdf.PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=72, height=72)
    writer.write(out)
    return out.getvalue()


def superuser():
    User = get_user_model()
    user, _ = User.objects.get_or_create(
        username="root", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def make_staff(
    *, username: str, name: str, role: str, centre: Centre, department=None, window=None
) -> Staff:
    User = get_user_model()
    user = User.objects.create_user(username=username, password="govhall-test")
    return Staff.objects.create(
        user=user, name=name, role=role, centre=centre, department=department, window=window
    )


def guide(**overrides) -> dict:
    """A complete, publishable 承诺件 guide (一审一核) as service keyword arguments."""
    data = dict(
        legal_basis="《中华人民共和国行政许可法》第二十九条",
        case_type=CaseType.PROMISED,
        legal_limit_days=20,
        promised_limit_days=5,
        conditions="申请人具有完全民事行为能力，经营场所符合规定。",
        result_name="许可证",
        consult_contact="0477-7201234",
        complaint_contact="12345",
        procedure_pattern=ProcedurePattern.GENERAL,
    )
    data.update(overrides)
    return data


DEFAULT_MATERIALS = [
    {"name": "申请书", "required": True, "originals": 1, "copies": 0},
    {"name": "营业执照", "required": True, "originals": 0, "copies": 1},
]
DEFAULT_STEPS = [
    {
        "kind": "examine",
        "name": "审查",
        "time_limit_days": 2,
        "review_standard": "材料齐全、符合法定形式",
    },
    {"kind": "decide", "name": "决定", "time_limit_days": 1, "review_standard": "符合法定条件"},
]


def default_steps(promised: int | None) -> list[dict]:
    """审查 and 决定 within the promise (R-CAT-6): 2 + 1 days, fewer for a shorter one."""
    if not promised or promised >= 3:
        return DEFAULT_STEPS
    examine, decide = DEFAULT_STEPS
    return [{**examine, "time_limit_days": 1}, {**decide, "time_limit_days": promised - 1}]


def publish_item(
    *,
    actor,
    department: Department,
    basic_code: str,
    name: str,
    type: str = ItemType.LICENSING,
    materials: list[dict] | None = None,
    steps: list[dict] | None = None,
    special_steps: list[dict] | None = None,
    valid_from: dt.date | None = None,
    **guide_overrides,
) -> Item:
    item = catalog_services.create_item(
        actor=actor,
        department=department,
        basic_code=basic_code,
        implementation_code=make_implementation_code(uscc=department.code, basic_code=basic_code),
        type=type,
        name=name,
        **guide(**guide_overrides),
    )
    draft = item.versions.get()
    catalog_services.save_draft(
        actor=actor,
        version=draft,
        materials=DEFAULT_MATERIALS if materials is None else materials,
        steps=default_steps(draft.promised_limit_days) if steps is None else steps,
        special_steps=special_steps or [],
    )
    catalog_services.publish(
        actor=actor, version=draft, valid_from=valid_from, change_note="首次发布"
    )
    return item


def build_county() -> SimpleNamespace:
    """A county centre with one township and one village, two stationed departments,
    a staff member per role and one published item per department
    (:func:`build_org` plus both items of :data:`COUNTY_ITEMS`)."""
    return build_hall("market_item", "health_item")


def make_centre(
    *,
    code: str = "150626",
    name: str = "测试县政务服务中心",
    level: str = Level.COUNTY,
    parent: Centre | None = None,
    **fields,
) -> Centre:
    """One service centre (by default the county centre of :func:`build_county`)."""
    return Centre.objects.create(code=code, name=name, level=level, parent=parent, **fields)


def make_department(*, serial: int, name: str, **fields) -> Department:
    """One department with a valid USCC built from ``serial``."""
    return Department.objects.create(code=make_uscc(serial), name=name, **fields)


def build_org() -> SimpleNamespace:
    """The organisation of :func:`build_county` — same centres, departments, 进驻,
    window, staff, usernames and passwords — without its catalogue (no items): for
    tests of the organisation, the calendar and the staff pages that need no item."""
    root = superuser()
    county = make_centre()
    township = make_centre(
        code="150626101", name="测试镇便民服务中心", level=Level.TOWNSHIP, parent=county
    )
    village = make_centre(
        code="150626101001", name="测试村便民服务站", level=Level.VILLAGE, parent=township
    )
    market = make_department(
        serial=1, name="测试县市场监督管理局", short_name="市场监管局", is_approval=True
    )
    health = make_department(
        serial=2, name="测试县卫生健康委员会", short_name="卫健委", is_supervising=True
    )
    for dept in (market, health):
        Stationing.objects.create(centre=county, department=dept, since=dt.date(2024, 1, 1))
    window = Window.objects.create(
        centre=county, number="01", name="综合受理", type="comprehensive"
    )

    def person(username, name, role, **where):
        return make_staff(username=username, name=name, role=role, centre=county, **where)

    staff = SimpleNamespace(
        admin=person("admin", "管理员", Role.CENTRE_ADMIN),
        market_chief=person("market_chief", "市场首代", Role.CHIEF_REP, department=market),
        market_approver=person("market_approver", "市场审批", Role.APPROVER, department=market),
        health_chief=person("health_chief", "卫健首代", Role.CHIEF_REP, department=health),
        clerk=person("clerk", "综窗", Role.WINDOW_CLERK, window=window),
        supervisor=person("supervisor", "监察", Role.SUPERVISOR),
    )
    return SimpleNamespace(
        root=root,
        county=county,
        township=township,
        village=village,
        market=market,
        health=health,
        window=window,
        staff=staff,
    )


# The catalogue of :func:`build_county`, item by item, for organisations from
# :func:`build_org`: attribute on the county → (department attribute, 基本编码, 名称).
COUNTY_ITEMS = {
    "market_item": ("market", "000111222001", "食品经营许可"),
    "health_item": ("health", "000222333001", "公共场所卫生许可"),
}


def add_county_item(org: SimpleNamespace, attr: str) -> Item:
    """Publish one item of :func:`build_county` (``"market_item"`` 食品经营许可 or
    ``"health_item"`` 公共场所卫生许可) in ``org`` (from :func:`build_org`), with the
    same department, codes and guide, and set it on ``org`` under the same name."""
    department, basic_code, name = COUNTY_ITEMS[attr]
    item = publish_item(
        actor=org.root, department=getattr(org, department), basic_code=basic_code, name=name
    )
    setattr(org, attr, item)
    return item


def build_hall(*items: str) -> SimpleNamespace:
    """:func:`build_org` with only the named items of :func:`build_county`'s catalogue
    (default: the market item alone). Publishing an item is what makes a county slow
    to build, so a test pays only for the items it uses; with both items this is the
    same data as :func:`build_county`."""
    org = build_org()
    for attr in items or ("market_item",):
        add_county_item(org, attr)
    return org


def person(serial: int = 1, name: str = "张三丰", phone: str = "13904771234") -> dict:
    """An applicant (自然人) with a valid ID number built from ``serial``."""
    return {"kind": "person", "name": name, "id_number": make_id_number(serial), "phone": phone}


def window_case(hall: SimpleNamespace, item: Item | None = None, *, applicant: dict | None = None):
    """An application registered by the window clerk at the county centre with every
    material of ``item`` (default the hall's market item), through the case services."""
    from govhall.cases import services as case_services

    item = item or hall.market_item
    return case_services.submit_application(
        actor=hall.staff.clerk.user,
        item=item,
        centre=hall.county,
        channel="window",
        applicant=applicant or person(),
        materials=[{"material": m} for m in item.versions.get().materials.all()],
    )
