"""The demo county 乌审旗, loaded step by step through the same services staff use.

``LOADERS`` is the ordered list ``load_demo`` runs; a later issue adds its own step
(e.g. ``load_cases``) by appending one function ``(ctx) -> dict[str, int]`` that
returns what it created. Every step looks records up by their natural key first
(centre code, department 统一社会信用代码, window number, username, 实施编码,
授权书编号), so running the command again creates and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.catalog import authorisations as authorised_items
from govhall.catalog import services as catalog_services
from govhall.catalog.models import (
    NATIONAL_TYPE_CODES,
    AuthorisedItem,
    CaseType,
    ExerciseLevel,
    HandlingForm,
    Item,
    ItemStatus,
    LifeEvent,
)
from govhall.core import clock
from govhall.core.errors import ValidationFailed
from govhall.core.validators import make_implementation_code
from govhall.org import services as org_services
from govhall.org.models import (
    Authorisation,
    Centre,
    Department,
    Level,
    Role,
    Staff,
    Stationing,
    Window,
)
from govhall.testing.factories import make_id_number, make_uscc, superuser

from . import blank_forms
from .data import organisation as org_data
from .data.items import ITEMS
from .data.life_events import LIFE_EVENTS
from .data.templates import steps as build_steps


@dataclass
class DemoContext:
    """What the steps share: the acting users and the records by natural key."""

    system: object = None  # bootstrap superuser, acts until the centre admin exists
    admin: object = None
    centres: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)
    staff: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)


# --- organisation ------------------------------------------------------------------


def _centre(ctx, counter, *, code, name, level, parent, address="", phone=""):
    centre = Centre.objects.filter(code=code).first()
    if centre is None:
        centre = org_services.create(
            actor=ctx.admin or ctx.system,
            model=Centre,
            data={
                "code": code,
                "name": name,
                "level": level,
                "parent": parent,
                "address": address,
                "phone": phone,
                "opening_hours": org_data.HOURS,
            },
            reason="演示数据：乌审旗三级政务服务体系",
        )
        counter["centres"] += 1
    ctx.centres[code] = centre
    return centre


def _load_centres(ctx, counter):
    code, name, level, _, address, phone = org_data.COUNTY
    county = _centre(
        ctx, counter, code=code, name=name, level=level, parent=None, address=address, phone=phone
    )
    for code, name, address, phone in org_data.TOWNSHIPS:
        _centre(
            ctx,
            counter,
            code=code,
            name=name,
            level=Level.TOWNSHIP,
            parent=county,
            address=address,
            phone=phone,
        )
    for code, name, parent_code in org_data.VILLAGES:
        township = ctx.centres[parent_code]
        _centre(
            ctx,
            counter,
            code=code,
            name=name,
            level=Level.VILLAGE,
            parent=township,
            address=f"{township.name.removesuffix('便民服务中心')}{name.removesuffix('便民服务站')}",
        )


def _load_departments(ctx, counter):
    for key, serial, name, short, approval, competent, supervising, phone in org_data.DEPARTMENTS:
        code = make_uscc(serial)
        dept = Department.objects.filter(code=code).first()
        if dept is None:
            dept = org_services.create(
                actor=ctx.admin,
                model=Department,
                data={
                    "code": code,
                    "name": name,
                    "short_name": short,
                    "is_approval": approval,
                    "is_competent": competent,
                    "is_supervising": supervising,
                    "phone": phone,
                    "complaint_phone": "12345",
                    "address": org_data.DEPARTMENT_ADDRESSES.get(key, ""),
                },
                reason="演示数据：进驻部门",
            )
            counter["departments"] += 1
        ctx.departments[key] = dept


def _load_stationing(ctx, counter):
    county = ctx.centres[org_data.COUNTY[0]]
    places = [(county, dept) for dept in ctx.departments.values()]
    for code, *_ in org_data.TOWNSHIPS:
        places += [(ctx.centres[code], ctx.departments[k]) for k in org_data.TOWNSHIP_DEPARTMENTS]
    for centre, dept in places:
        if not Stationing.objects.filter(centre=centre, department=dept).exists():
            org_services.station_department(
                actor=ctx.admin,
                centre=centre,
                department=dept,
                since=org_data.STATIONED_SINCE,
                reason="演示数据：应进必进",
            )
            counter["stationings"] += 1


def _load_windows(ctx, counter):
    for centre_code, number, name, type_, dept_key, is_open in org_data.WINDOWS:
        centre = ctx.centres[centre_code]
        if Window.objects.filter(centre=centre, number=number).exists():
            continue
        org_services.create(
            actor=ctx.admin,
            model=Window,
            data={
                "centre": centre,
                "number": number,
                "name": name,
                "type": type_,
                "department": ctx.departments.get(dept_key),
                "is_active": is_open,
            },
            reason="演示数据：窗口设置",
        )
        counter["windows"] += 1


def _staff_data(ctx, index, row) -> dict:
    _, name, gender, role, centre_code, dept_key, window_no = row
    centre = ctx.centres[centre_code]
    serial = index * 2 + (1 if gender == "M" else 2)  # 第17位: 奇数男、偶数女
    birth = dt.date(1968 + (index * 7) % 30, 1 + (index * 5) % 12, 1 + (index * 11) % 28)
    return {
        "name": name,
        "role": role,
        "centre": centre,
        "department": ctx.departments.get(dept_key),
        "window": Window.objects.get(centre=centre, number=window_no) if window_no else None,
        "phone": f"1394773{index + 1:04d}",
        "id_number": make_id_number(serial, birth=birth.strftime("%Y%m%d")),
        "joined_on": org_data.STATIONED_SINCE,
    }


def _load_staff(ctx, counter):
    """All accounts share the demo password. Only the printed demo accounts are hashed
    one by one; the others copy that hash (PBKDF2 per account would cost ~10 s)."""
    demo_usernames = {username for username, *_ in org_data.DEMO_ACCOUNTS}
    shared_hash = None
    for index, row in enumerate(org_data.STAFF):
        username = row[0]
        existing = Staff.objects.select_related("user").filter(user__username=username).first()
        if existing is not None:
            ctx.staff[username] = existing
            continue
        if get_user_model().objects.filter(username=username).exists():
            continue  # a non-staff account of that name: leave it alone
        data = _staff_data(ctx, index, row)
        is_demo = username in demo_usernames
        staff = org_services.create_staff(
            actor=ctx.admin or ctx.system,
            username=username,
            password=org_data.PASSWORD if is_demo else None,
            data=data,
            reason="演示数据：工作人员",
        )
        if not is_demo:
            shared_hash = shared_hash or make_password(org_data.PASSWORD)
            staff.user.password = shared_hash
            staff.user.save(update_fields=["password"])
        ctx.staff[username] = staff
        counter["staff"] += 1


def _chief_username(dept_key: str) -> str:
    """The demo 首席代表 of a department (the approval bureau's is plain "chief")."""
    return "chief" if dept_key == "approval" else f"{dept_key}_chief"


def _authorisation_number(serial: int) -> str:
    return f"乌政务授〔2026〕{serial:03d}号"


def _load_authorisations(ctx, counter):
    for key, serial, name, *_ in org_data.DEPARTMENTS:
        number = _authorisation_number(serial)
        if Authorisation.objects.filter(number=number).exists():
            continue
        dept = ctx.departments[key]
        org_services.create(
            actor=ctx.admin,
            model=Authorisation,
            data={
                "department": dept,
                "chief_rep": ctx.staff[_chief_username(key)],
                "number": number,
                "signed_on": org_data.AUTH_SIGNED_ON,
                "valid_from": org_data.AUTH_VALID_FROM,
                "valid_to": org_data.AUTH_VALID_TO,
                "scope_note": f"{name}授权首席代表在旗政务服务中心行使本部门进驻事项的受理、"
                "审查、审核和决定权，授权事项及审批人员见授权事项清单。",
            },
            reason="演示数据：首席代表授权书",
        )
        counter["authorisations"] += 1


def load_organisation(ctx: DemoContext) -> dict[str, int]:
    """Centres (旗 → 苏木镇 → 嘎查村社区), departments, 进驻, windows, staff, 授权书."""
    counter = Counter()
    ctx.system = superuser()
    admin = Staff.objects.select_related("user").filter(user__username="admin").first()
    ctx.admin = admin.user if admin else None
    _load_centres(ctx, counter)
    if ctx.admin is None:  # bootstrap: the system account creates the first administrator
        _load_staff_subset(ctx, counter, {"admin"})
        ctx.admin = ctx.staff["admin"].user
    _open_back_office(ctx.admin)
    _load_departments(ctx, counter)
    _load_stationing(ctx, counter)
    _load_windows(ctx, counter)
    _load_staff(ctx, counter)
    _load_authorisations(ctx, counter)
    return dict(counter)


def _open_back_office(user) -> None:
    """The demo centre administrator also signs in to the Django admin (/admin/), as the
    installer's superuser would: staff pages and back office with one demo account."""
    if not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])


def _load_staff_subset(ctx, counter, usernames: set[str]) -> None:
    for index, row in enumerate(org_data.STAFF):
        if row[0] in usernames and not Staff.objects.filter(user__username=row[0]).exists():
            ctx.staff[row[0]] = org_services.create_staff(
                actor=ctx.system,
                username=row[0],
                password=org_data.PASSWORD,
                data=_staff_data(ctx, index, row),
                reason="演示数据：中心管理员",
            )
            counter["staff"] += 1


# --- catalogue ---------------------------------------------------------------------


def _chief_of(ctx, dept_key: str):
    return ctx.staff[_chief_username(dept_key)].user


def implementation_code(row: dict, department: Department) -> tuple[str, str]:
    """(基本编码, 实施编码) of a demo item: department serial, national type code and the
    item number make the 12-digit 基本编码; the 办理项 number the last two digits."""
    serial = next(s for k, s, *_ in org_data.DEPARTMENTS if k == row["dept"])
    type_code = int(NATIONAL_TYPE_CODES[row["type"]] or 11)
    basic = f"{serial:04d}{type_code:02d}{row.get('basic_no', row['no'])}000"
    return basic, make_implementation_code(
        uscc=department.code, basic_code=basic, handling_no=row.get("handling", 1)
    )


def guide_of(row: dict, department: Department) -> dict:
    """The guide fields of one data row (see ``data/items.py`` for the keys)."""
    instant = row.get("instant", False)
    materials = row["materials"]
    fee = row.get("fee")
    intermediary = row.get("intermediary", "")
    return {
        "exercise_level": row.get("level", ExerciseLevel.COUNTY),
        "legal_basis": row["basis"],
        "case_type": CaseType.INSTANT if instant else CaseType.PROMISED,
        "legal_limit_days": row["legal"],
        "promised_limit_days": 0 if instant else row["promised"],
        "handling_form": row.get("handling_form", HandlingForm.BOTH),
        "visits": row.get("visits", 1),
        "has_fee": bool(fee),
        "fee_standard": fee[0] if fee else "",
        "fee_basis": fee[1] if fee else "",
        "conditions": row["conditions"],
        "needs_no_materials": not materials,
        "result_name": row["result"],
        "result_sample": f"{row['result']}（样本）",
        "consult_contact": f"{department.name} {department.phone}；乌审旗政务服务中心 0477-7212345",
        "complaint_contact": org_data.COMPLAINT_CONTACT,
        "procedure_pattern": "simple" if instant else row.get("pattern", "general"),
        "at_most_one_visit": row.get("visits", 1) <= 1,
        "allows_tolerance": any(m.get("tolerance_allowed") for m in materials),
        "is_certification": row.get("certification", False),
        "intermediary_service": bool(intermediary),
        "intermediary_note": intermediary,
        "cross_region": row.get("cross", ""),
        "accept_at_county": True,
        "accept_at_township": row.get("town", False),
        "accept_at_village": row.get("village", False),
        "keywords": row.get("keywords", ""),
        "filing_kind": row.get("filing", ""),
    }


def _with_blank_form(ctx, actor, material: dict) -> dict:
    """The item's own application form carries a real blank PDF to download."""
    if material.get("sample_form", "").endswith("空白表格及填写示例"):
        centre = ctx.centres[org_data.COUNTY[0]].name
        key = blank_forms.blank_form(actor=actor, title=material["name"], centre=centre)
        material["sample_file"] = key
    return material


def _publish_item(ctx, row: dict, counter) -> Item:
    department = ctx.departments[row["dept"]]
    actor = _chief_of(ctx, row["dept"])
    basic, code = implementation_code(row, department)
    item = Item.objects.filter(implementation_code=code).first() or (
        # moved by a demo 划转: re-coded to its new department, the rest of the code kept
        Item.objects.filter(basic_code=basic, implementation_code__endswith=code[18:]).first()
    )
    if item is not None:
        return item
    guide = guide_of(row, department)
    if row["type"] == "licensing" and row.get("result"):
        guide["result_sample_file"] = blank_forms.result_sample(
            actor=actor, result=row["result"], department=department.name
        )
    item = catalog_services.create_item(
        actor=actor,
        department=department,
        basic_code=basic,
        implementation_code=code,
        type=row["type"],
        name=row["name"],
        reason="演示数据：事项入驻",
        **guide,
    )
    draft = item.versions.get()
    counted_days = sum(
        s["time_limit_days"] for s in row.get("specials", []) if s["counted_in_limit"]
    )
    catalog_services.save_draft(
        actor=actor,
        version=draft,
        materials=[
            _with_blank_form(ctx, actor, {**m, "order": i})
            for i, m in enumerate(row["materials"], start=1)
        ],
        steps=build_steps(
            guide["procedure_pattern"],
            # 计入时限的特殊环节 share the promised days with the review steps
            guide["promised_limit_days"] - counted_days,
            points=row.get("points", ""),
            licensing=row["type"] == "licensing",
            instant=row.get("instant", False),
        ),
        special_steps=[{**s, "order": i} for i, s in enumerate(row.get("specials", []), 1)],
        fee_lines=[{**f, "order": i} for i, f in enumerate(row.get("fee_lines", []), 1)],
    )
    try:
        # The centre publishes the county's catalogue as it is taken over (later
        # changes go through adjustment requests: govhall.governance, R-CAT-15).
        catalog_services.publish(
            actor=ctx.admin,
            version=draft,
            valid_from=clock.today(),
            change_note="首次发布（演示数据）",
        )
    except ValidationFailed as exc:  # name the faulty demo row, not just the rule
        raise ValidationFailed(
            f"演示事项“{row['name']}”：{exc.message}", code=exc.code, fields=exc.fields
        ) from exc
    if row.get("events"):
        catalog_services.set_item_life_events(
            actor=actor,
            item=item,
            life_events=LifeEvent.objects.filter(code__in=row["events"]),
            reason="演示数据：事项主题",
        )
    if row.get("negative"):
        item = catalog_services.change_item_flags(
            actor=ctx.admin,
            item=item,
            reason="列入政务服务进驻事项负面清单",
            on_negative_list=True,
            negative_list_reason=row["negative"],
        )
        counter["negative_list"] += 1
    if row.get("suspended"):
        item = catalog_services.change_item_flags(
            actor=ctx.admin, item=item, reason=row["suspended"], status=ItemStatus.SUSPENDED
        )
        counter["suspended"] += 1
    counter["items"] += 1
    return item


def load_catalogue(ctx: DemoContext) -> dict[str, int]:
    """主题 and the published items, each through create → save_draft → publish."""
    counter = Counter()
    existing = set(LifeEvent.objects.values_list("code", flat=True))
    for code, name, audience, order in LIFE_EVENTS:
        if code not in existing:
            catalog_services.create_life_event(
                actor=ctx.admin,
                code=code,
                name=name,
                audience=audience,
                order=order,
                reason="演示数据：门户主题",
            )
            counter["life_events"] += 1
    for row in ITEMS:
        item = _publish_item(ctx, row, counter)
        ctx.items.setdefault(row["dept"], []).append(item)
    return dict(counter)


def load_authorised_items(ctx: DemoContext) -> dict[str, int]:
    """授权事项: every item of a department on its 授权书, with 1–2 named approvers."""
    counter = Counter()
    for key, serial, *_ in org_data.DEPARTMENTS:
        authorisation = Authorisation.objects.get(number=_authorisation_number(serial))
        approvers = [
            s
            for s in ctx.staff.values()
            if s.department_id == authorisation.department_id and s.role == Role.APPROVER
        ] or [ctx.staff[_chief_username(key)]]
        done = set(
            AuthorisedItem.objects.filter(authorisation=authorisation).values_list(
                "item_id", flat=True
            )
        )
        for index, item in enumerate(ctx.items.get(key, [])):
            if item.pk in done or item.status == ItemStatus.CANCELLED:
                continue
            if item.department_id != authorisation.department_id:
                continue  # moved by a demo 划转: on its new department's 授权书
            n = len(approvers)
            named = [approvers[index % n]]
            if n > 1 and index % 2 == 0:  # every other item names a second approver
                named.append(approvers[(index + 1) % n])
            authorised_items.set_authorised_item(
                actor=_chief_of(ctx, key),
                authorisation=authorisation,
                item=item,
                approvers=named,
                reason="演示数据：授权事项及审批人员",
            )
            counter["authorised_items"] += 1
    return dict(counter)


def load_demo_linkages(ctx: DemoContext) -> dict[str, int]:
    """事项联动设置 (issue 14): the licence each 行政许可 yields and its validity, set
    before the demo cases so that their licences enter the registry with it
    (``govhall.licences.demo``)."""
    from govhall.licences.demo import load_demo_linkages as load

    return load()


def load_cases(ctx: DemoContext) -> dict[str, int]:
    """A few hundred cases in every state (issue 3), created through the case services."""
    from govhall.cases.demo import load_demo_cases  # cases sits above catalog; demo above all

    return {"cases": load_demo_cases(stdout=io.StringIO())}


def load_notifications(ctx: DemoContext) -> dict[str, int]:
    """The demo cases' messages (issue 9 §2): today's 红黄灯 reminders to staff, then
    everything queued is sent as of when it was queued, one SMS failing
    (``govhall.notifications.demo``)."""
    from govhall.cases.messages import announce_lights
    from govhall.notifications.demo import deliver_demo_notifications

    announce_lights(today=clock.today())
    return deliver_demo_notifications()


def load_dead_letter(ctx: DemoContext) -> dict[str, int]:
    """One dead-letter background task (issue 9 §1, 后台任务): the push of a decided
    case's result to its department's supervision platform that never got through
    (``govhall.core.demo``)."""
    from govhall.cases.models import Case, Result
    from govhall.core.demo import load_demo_dead_letter

    case = (
        Case.objects.filter(result=Result.APPROVED).select_related("department").order_by("id")
    ).first()
    if case is None:
        return {"dead_letters": load_demo_dead_letter()}
    return {
        "dead_letters": load_demo_dead_letter(
            case_number=case.number, department=case.department.name, result="准予许可"
        )
    }


def load_history(ctx: DemoContext) -> dict[str, int]:
    """The county's past year (issue 11 §4, 历史办件): a year of archived cases before
    the live ones, migrated in bulk (``govhall.demo.history``), for the dashboard's
    trend, the evaluation of a year and the portal's statistics."""
    from .history import load_history as load

    return {"history_cases": load()}


def load_demo_warnings(ctx: DemoContext) -> dict[str, int]:
    """电子监察预警 (issue 11 §1): the morning warning run over the demo cases, as of
    today (``govhall.supervision.services.daily_run``)."""
    from govhall.supervision.demo import load_demo_warnings as load

    return load()


def load_demo_complaints(ctx: DemoContext) -> dict[str, int]:
    """有诉即办 and 12345 (issue 12 §2): the 知识库, complaints in every state, an
    imported 12345 file (``govhall.feedback.complaints.demo``)."""
    from govhall.feedback.complaints.demo import load_demo_complaints as load

    return load()


def load_demo_ratings(ctx: DemoContext) -> dict[str, int]:
    """好差评 (issue 12 §1): ratings of the completed demo cases on every channel, 差评
    in each step of their loop, appeals (``govhall.feedback.ratings.demo``)."""
    from govhall.feedback.ratings.demo import load_demo_ratings as load

    return load()


def load_demo_filings(ctx: DemoContext) -> dict[str, int]:
    """行政备案 (issue 13 §4): filings of both kinds in every state
    (``govhall.filings.demo``)."""
    from govhall.filings.demo import load_demo_filings as load

    return load()


def load_demo_lists(ctx: DemoContext) -> dict[str, int]:
    """The public lists (issue 13 §3): 权责清单 and 监管事项清单 entries, every list
    published a month ago and again a week ago with changes (``govhall.lists.demo``)."""
    from govhall.lists.demo import load_demo_lists as load

    return load()


def load_demo_governance(ctx: DemoContext) -> dict[str, int]:
    """事项动态调整 (issue 13 §1–§2): requests in every state and of every kind, a 划转
    with its open cases, 负面清单 entries added and removed (``govhall.governance.demo``)."""
    from govhall.governance.demo import load_demo_governance as load

    return load()


def load_demo_licences(ctx: DemoContext) -> dict[str, int]:
    """审管联动 (issue 14): the demo decisions pushed and mostly acknowledged, licences in
    every status, 监管反馈 with a revocation and its 注销, the 警示信息库 and a refused
    容缺, this morning's run and the monthly letters (``govhall.licences.demo``). Its few
    cases get what 电子监察's drain gives changed cases (its rules, the rollup) now: the
    drain would see them only once the load commits, i.e. on the next load."""
    from govhall.cases.models import Case
    from govhall.core import clock
    from govhall.licences.demo import load_demo_licences as load
    from govhall.supervision import rollups
    from govhall.supervision import services as supervision

    last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    made = load()
    new = list(Case.objects.filter(pk__gt=last).values_list("pk", flat=True))
    if new:
        out = supervision.evaluate_cases(case_ids=new, today=clock.today())
        rollups.recount_cases(case_ids=new)
        supervision.tell(warnings=out.raised)
    return made


def load_demo_hall(ctx: DemoContext) -> dict[str, int]:
    """大厅排队叫号与预约 (issue 15): 业务类别, window settings, 预约时段 and appointments in
    every state, four weeks of past tickets and this morning's queue — a person being
    served at window 01 by clerk, a 转窗口, a 过号, 绿色通道, a 潮汐窗口 switch
    (``govhall.hall.demo``)."""
    from govhall.hall.demo import load_demo_hall as load

    return load()


def load_lists_publication(ctx: DemoContext) -> dict[str, int]:
    """The lists published once more today, after the demo's adjustment requests took
    effect: the lists' own history (a month and a week ago) is loaded before them, so
    each publication holds what was in force on its date."""
    from govhall.core import actors
    from govhall.lists import services

    made = services.publish(actor=actors.SYSTEM, note="公布调整申请生效后的变化（演示数据）")
    return {"list_publications_today": len(made)}


def load_demo_staff(ctx: DemoContext) -> dict[str, int]:
    """人员管理 (issue 15 part 2): window assignments with dates, 调整申请, 退回 (one
    late), a month of attendance, leave, training and appraisals
    (``govhall.staff.demo``)."""
    from govhall.staff.demo import load_demo_staff as load

    return load()


def load_later_messages(ctx: DemoContext) -> dict[str, int]:
    """The messages the loaders after ``load_notifications`` queued, sent now."""
    from govhall.notifications.demo import deliver_later_messages

    return deliver_later_messages()


def load_finder_index(ctx: DemoContext) -> dict[str, int]:
    """检索向量 of every published guide (the worker would encode them after the
    load's commit; done here so the portal's finder answers by meaning at once)."""
    from govhall.finder import services as finder_services
    from govhall.finder.demo import load_demo_searches

    return {"finder_vectors": finder_services.index_missing(), **load_demo_searches()}


LOADERS = [
    load_organisation,
    load_catalogue,
    load_authorised_items,
    load_demo_linkages,
    load_cases,
    load_notifications,
    load_dead_letter,
    load_history,
    load_demo_warnings,
    load_demo_complaints,
    load_demo_ratings,
    load_demo_lists,
    load_demo_filings,
    load_demo_governance,
    load_demo_licences,
    load_demo_hall,
    load_lists_publication,
    load_demo_staff,
    load_later_messages,
    load_finder_index,
]

# The organisation and catalogue are loaded as of DEMO_DAYS_BACK days ago, so the
# guides were already in force when the demo cases were received and their clocks
# (lights, overdue) spread over the past weeks.
DEMO_DAYS_BACK = 60
BACKDATED_LOADERS = {load_organisation, load_catalogue, load_authorised_items}
# The demo's own day happens in the hall's opening hours (the kiosk takes no ticket on
# a closed day, and a case is accepted when the centre is open).
DEMO_OPEN, DEMO_CLOSE = dt.time(9, 0), dt.time(17, 0)
DEMO_LATE = dt.time(16, 30)


def demo_moment(now: dt.datetime | None = None) -> dt.datetime:
    """When the demo's day happens (the loaders after the backdated ones run at it):
    now, on a working day between 09:00 and 17:00; 16:30 of today on a working day
    after 17:00; otherwise — a weekend, a holiday, before 09:00 — 16:30 of the last
    working day before today. So `make run` on a Saturday night shows Friday's hall and
    cases, and today's hall closed, as it is."""
    local = timezone.localtime(now or clock.now())
    day = local.date()
    if calendar.is_workday(day=day) and local.time() >= DEMO_OPEN:
        if local.time() <= DEMO_CLOSE:
            return local
    else:  # the last working day before today
        day = calendar.date_of_ordinal(
            ordinal=calendar.workday_ordinal(day=day - dt.timedelta(days=1))
        )
    return timezone.make_aware(dt.datetime.combine(day, DEMO_LATE), local.tzinfo)


def demo_accounts() -> list[tuple[str, str, str, str, str]]:
    """(username, password, role, department, centre) of the printed demo accounts."""
    rows = []
    for username, *_ in org_data.DEMO_ACCOUNTS:
        staff = (
            Staff.objects.select_related("department", "centre")
            .filter(user__username=username)
            .first()
        )
        if staff is not None:
            rows.append(
                (
                    username,
                    org_data.PASSWORD,
                    staff.get_role_display(),
                    staff.department.name if staff.department else "—",
                    staff.centre.name,
                )
            )
    return rows
