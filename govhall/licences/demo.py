"""The demo county's 审管联动 (issue 14), through the services.

Two loaders (``govhall/demo/loaders.py``):

* :func:`load_demo_linkages`, before the demo cases: each 行政许可 item's 事项联动设置
  (the licence it yields, a type code, a validity by kind: 营业执照 and 证书 long-term, a
  通行证 one month, a 临时用地 two years, other 许可证 five years), so the licences the
  demo cases certify enter the registry with their validity;
* :func:`load_demo_licences`, after the lists (the 监管事项清单 names who supervises):
  - the decisions of the demo cases pushed as they were made (the clock at the moment
    of each decision: 补推 of what was decided before the linkage existed), most of
    those older than three working days acknowledged the next day by the department,
    some not (逾期未签收 warnings), the recent ones pending;
  - a liaison named for the market bureau (the others: their 首席代表);
  - licences in every status: 变更, 延续, 撤销, 注销 on request, two 吊销 (one whose 注销
    followed, fulfilling the obligation; one still open and late), 过期 and one about
    to expire (two 超限运输车辆通行证 certified 40 and 12 days ago, valid one month);
  - 监管反馈 of every kind, a serious violation that put an applicant on the
    警示信息库, an organisation listed by the centre administrator, one lifted;
  - that applicant's new application for 食品经营许可 at the window, 容缺 material
    missing: 容缺受理 is refused (the reason printed), the case waits at 受理 with the
    warning on its page;
  - the morning run of today (过期, 到期提醒, warnings, last month's letter) and the
    letter of the month before.

Safe to run again: once a 监管反馈 exists the second loader does nothing; linkages are
saved by item.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.cases import guards
from govhall.cases import services as case_services
from govhall.cases.models import Case, Result
from govhall.catalog.models import Item, ItemStatus, ItemType
from govhall.core import clock
from govhall.core.errors import DomainError
from govhall.org.models import Centre, Department, Level, Role, Staff
from govhall.testing.factories import make_id_number, make_uscc

from . import selectors, services
from .models import IN_FORCE, ItemLinkage, Licence, ResultPush, Status, SupervisionReport

SEED = 14


def _validity_months(result_name: str) -> int:
    if "通行证" in result_name:
        return 1
    if "临时" in result_name:
        return 24
    if "执照" in result_name or "证书" in result_name or "驾驶证" in result_name:
        return 0
    if "许可证" in result_name or "合格证" in result_name:
        return 60
    return 0


def load_demo_linkages() -> dict[str, int]:
    """事项联动设置 of every 行政许可 item (see the module docstring)."""
    admin = _admin()
    if admin is None or ItemLinkage.objects.exists():
        return {}  # set once: items added later are set by the centre (the settings page)
    made = 0
    serials: dict[int, int] = {}
    items = (
        Item.objects.filter(type=ItemType.LICENSING, status=ItemStatus.ACTIVE)
        .select_related("department")
        .order_by("department_id", "pk")
    )
    for item in items:
        version = item.versions.filter(status="published").order_by("-pk").first()
        if version is None or ItemLinkage.objects.filter(item=item).exists():
            continue
        serials[item.department_id] = serials.get(item.department_id, 0) + 1
        name = version.result_name or version.name
        services.set_linkage(
            actor=admin,
            item=item,
            licence_name=name[:100],
            type_code=f"{item.department.code}{serials[item.department_id]:03d}",
            validity_months=_validity_months(name),
        )
        made += 1
    return {"linkages": made}


def _admin():
    staff = (
        Staff.objects.filter(role=Role.CENTRE_ADMIN, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return staff.user if staff else None


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _not_after_now(at: dt.datetime) -> dt.datetime:
    return min(at, clock.now())


def _push_past_decisions(rng) -> int:
    """补推: each decided case pushed at the moment of its decision (or 制证)."""
    made = 0
    cases = (
        Case.objects.filter(decided_at__isnull=False)
        .select_related("item", "item_version", "department")
        .order_by("decided_at", "pk")
    )
    for case in cases:
        if case.is_bundle_parent:
            continue
        if case.result == Result.APPROVED:
            event = case.events.filter(action="certify").order_by("at").first()
            if event is None:
                continue
        else:
            event = case.events.filter(action="decide").order_by("at").first()
        when = event.at if event else case.decided_at
        with clock.frozen(when + dt.timedelta(minutes=1)):
            licence = Licence.objects.filter(case=case).first()
            made += len(services.push_decision(case=case, licence=licence))
    return made


def _acknowledge(rng) -> dict[str, int]:
    """Most pushes older than their 签收期限 are acknowledged the working day after;
    one in six is left (逾期未签收); the recent ones are pending."""
    today = clock.today()
    acknowledged = 0
    for push in ResultPush.objects.filter(acknowledged_at__isnull=True).order_by("pushed_at"):
        pushed_on = timezone.localdate(push.pushed_at)
        if push.ack_due >= today or rng.random() < 1 / 6:
            continue
        person = selectors.liaison_of(push.department)
        if person is None:
            continue
        next_day = calendar.add_workdays(start=pushed_on, days=1).date
        with clock.frozen(_not_after_now(_at(next_day, 9, rng.randint(0, 59)))):
            acknowledged += services.acknowledge(actor=person.user, pushes=[push])
    return {"acknowledged": acknowledged}


def _chief(department) -> Staff | None:
    return (
        Staff.objects.filter(department=department, role=Role.CHIEF_REP, is_active=True)
        .select_related("user")
        .first()
    )


def _walk_case(*, item, centre, clerk, chief, applicant, start: dt.date, number: str):
    """A case of ``item`` from the window to 制证 over a few days from ``start``."""
    version = item.versions.filter(status="published").order_by("-pk").first()
    with clock.frozen(_at(start, 9, 30)):
        case = case_services.submit_application(
            actor=clerk.user,
            item=item,
            centre=centre,
            channel="window",
            applicant=applicant,
            materials=[{"material": m} for m in version.materials.all()],
        )
    moment = [_at(start, 10)]

    def step(action, **inputs):
        nonlocal case
        moment[0] += dt.timedelta(hours=2)
        with clock.frozen(_not_after_now(moment[0])):
            case = case_services.transition(
                actor=chief.user, case=case, action=action, expected_version=case.version, **inputs
            )

    step("accept")
    for _ in guards.review_steps(case):
        step("review", opinion="符合法定条件")
    step("decide", result="approved", opinion="准予许可")
    step("certify", result_number=number)
    return case


def _applicant(serial: int, name: str, phone: str) -> dict:
    return {"kind": "person", "name": name, "id_number": make_id_number(serial), "phone": phone}


def _expiring_licences(today) -> list[str]:
    """Two 超限运输车辆通行证 (valid one month): certified 40 days ago (expired by this
    morning's run) and 12 days ago (reminded: it expires within 30 days)."""
    item = Item.objects.filter(linkage__licence_name__contains="通行证").order_by("pk").first()
    centre = Centre.objects.filter(level=Level.COUNTY).order_by("parent_id", "pk").first()
    clerk = Staff.objects.filter(centre=centre, role=Role.WINDOW_CLERK, is_active=True).first()
    if item is None or centre is None or clerk is None:
        return []
    chief = _chief(item.department)
    numbers = []
    for days_back, serial, name in ((40, 9101, "郝建军"), (12, 9102, "白玉成")):
        start = today - dt.timedelta(days=days_back)
        while not calendar.is_workday(day=start):
            start -= dt.timedelta(days=1)
        number = f"CX{start:%Y%m%d}{serial % 100:02d}"
        try:
            _walk_case(
                item=item,
                centre=centre,
                clerk=clerk,
                chief=chief,
                applicant=_applicant(serial, name, f"1394770{serial}"),
                start=start,
                number=number,
            )
            numbers.append(number)
        except DomainError:
            continue
    return numbers


def _case_in_letter_month(today) -> list[str]:
    """One licence certified in the month before last, when the demo's guides were
    already in force then, so that month has pushes and its 书面函告 is made whatever
    day the demo is loaded (the demo cases are random and may leave it empty)."""
    month = services.previous_month(services.previous_month(today))
    day = services.previous_month(today) - dt.timedelta(days=1)
    item = (
        Item.objects.filter(linkage__isnull=False)
        .exclude(linkage__licence_name__contains="通行证")
        .order_by("pk")
        .first()
    )
    centre = Centre.objects.filter(level=Level.COUNTY).order_by("parent_id", "pk").first()
    clerk = Staff.objects.filter(centre=centre, role=Role.WINDOW_CLERK, is_active=True).first()
    if item is None or centre is None or clerk is None:
        return []
    first_valid = item.versions.filter(status="published").order_by("valid_from").first().valid_from
    while day >= max(month, first_valid) and not calendar.is_workday(day=day):
        day -= dt.timedelta(days=1)
    if day < max(month, first_valid):
        return []
    number = f"HG{day:%Y%m%d}01"
    try:
        _walk_case(
            item=item,
            centre=centre,
            clerk=clerk,
            chief=_chief(item.department),
            applicant=_applicant(9103, "乔志刚", "13947709103"),
            start=day,
            number=number,
        )
    except DomainError:
        return []
    return [number]


def _statuses(rng, admin) -> dict[str, int]:
    """变更, 延续, 撤销 and 注销 on request of four licences of the approval bureau."""
    candidates = list(
        Licence.objects.filter(status=Status.VALID, issuer__is_approval=True)
        .exclude(number__startswith="CX")
        .select_related("issuer")
        .order_by("issued_on", "pk")[:12]
    )
    done = 0
    plans = [
        (
            "change",
            "经营项目增加热食类食品制售，换发新证",
            {"name": "食品经营许可证（增加经营项目）"},
        ),
        ("renew", "有效期届满前三十日申请延续，经审查准予延续", {}),
        ("withdraw", "经核查以提供虚假材料取得许可，依《行政许可法》第六十九条撤销", {}),
        ("cancel", "持证人因歇业申请注销（《行政许可法》第七十条）", {}),
    ]
    for licence, (action, reason, inputs) in zip(candidates, plans, strict=False):
        chief = _chief(licence.issuer)
        if chief is None:
            continue
        if action == "renew":
            base = licence.valid_until or clock.today()
            inputs = {"valid_until": base + dt.timedelta(days=365 * 5)}
        services.change_status(
            actor=chief.user, licence=licence, action=action, reason=reason, **inputs
        )
        done += 1
    return {"licence_changes": done}


def _reports(rng, admin) -> dict[str, int]:
    """Reports of every kind from the supervising departments of pushed licences."""
    today = clock.today()
    pushed = list(
        ResultPush.objects.filter(case__licence__status__in=IN_FORCE)
        .exclude(payload__licence_number__startswith="CX")
        .select_related("department", "case")
        .order_by("pushed_at", "pk")
    )
    if not pushed:
        return {}
    made = 0
    used: set[int] = set()

    def pick(min_days_old: int = 0):
        for push in pushed:
            licence = Licence.objects.filter(case=push.case_id).first()
            if licence is None or licence.pk in used or licence.status != Status.VALID:
                continue
            if (today - licence.issued_on).days < min_days_old:
                continue
            reporter = _reporter(push.department)
            if reporter is None:
                continue
            used.add(licence.pk)
            return push, licence, reporter
        return None

    # 1. A revocation the issuer acted on: 吊销 → 注销, the obligation fulfilled.
    found = pick(min_days_old=12)
    if found:
        push, licence, reporter = found
        when = _at(licence.issued_on + dt.timedelta(days=8), 10)
        with clock.frozen(_not_after_now(when)):
            report, _ = services.record_report(
                actor=reporter.user,
                department=push.department,
                kind="penalty",
                penalty="revocation",
                licence_number=licence.number,
                description="监督检查发现经营场所存在重大安全隐患，责令整改逾期未改正，依法吊销许可证件",
                decision_number=f"{push.department.short_name or '监管'}罚〔{today.year}〕7号",
                effective_on=clock.today(),
                channel="form",
            )
        chief = _chief(licence.issuer)
        if chief is not None:
            with clock.frozen(_not_after_now(when + dt.timedelta(days=1))):
                services.change_status(
                    actor=chief.user,
                    licence=licence,
                    action="cancel",
                    reason=f"依{report.decision_number}吊销后依法注销（联动注销）",
                )
        made += 1
    # 2. A revocation ten days ago whose 注销 is late (a warning), 3. one just made.
    for days_back, number in ((10, 8), (0, 9)):
        found = pick(min_days_old=days_back + 1)
        if not found:
            continue
        push, licence, reporter = found
        day = today - dt.timedelta(days=days_back)
        with clock.frozen(_not_after_now(_at(day, 11))):
            services.record_report(
                actor=reporter.user,
                department=push.department,
                kind="penalty",
                penalty="revocation",
                licence_number=licence.number,
                description="无证超范围经营且拒不整改，依法作出吊销许可证件的行政处罚",
                decision_number=f"{push.department.short_name or '监管'}罚〔{today.year}〕{number}号",
                effective_on=clock.today(),
                channel="api" if days_back else "form",
                external_id=f"DEMO-PENALTY-{number}" if days_back else "",
            )
        made += 1
    # 4. A fine, a hazard and a major change (no obligation).
    for kind, penalty, text in (
        ("penalty", "fine", "未按规定公示许可证件，处以罚款二千元"),
        ("hazard", "", "后厨燃气管道老化，存在安全隐患，已责令限期整改"),
        ("major_change", "", "经营者已将经营场所转让他人，实际经营者与持证人不一致"),
    ):
        found = pick()
        if not found:
            continue
        push, licence, reporter = found
        services.record_report(
            actor=reporter.user,
            department=push.department,
            kind=kind,
            penalty=penalty,
            licence_number=licence.number,
            description=text,
            decision_number=f"{push.department.short_name or '监管'}罚〔{today.year}〕3号"
            if kind == "penalty"
            else "",
            effective_on=today if kind == "penalty" else None,
            channel="webhook" if kind == "hazard" else "form",
            external_id="DEMO-HAZARD-1" if kind == "hazard" else "",
        )
        made += 1
    return {"reports": made}


def _reporter(department) -> Staff | None:
    return (
        Staff.objects.filter(
            department=department, role__in=(Role.CHIEF_REP, Role.APPROVER), is_active=True
        )
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )


WARNED = {"serial": 9201, "name": "贺志强", "phone": "13947719201"}


def _warnings(admin) -> dict[str, int]:
    """A serious violation (the subject goes on the list), an organisation listed by
    the administrator, one entry lifted after 信用修复."""
    market = (
        Department.objects.filter(is_supervising=True, name__contains="市场监督")
        .order_by("pk")
        .first()
    )
    if market is None:
        return {}
    reporter = _reporter(market)
    made = 0
    if reporter is not None:
        services.record_report(
            actor=reporter.user,
            department=market,
            kind="violation",
            subject_kind="person",
            subject_name=WARNED["name"],
            subject_code=make_id_number(WARNED["serial"]),
            description="伪造从业人员健康证明骗取食品经营许可，情节严重",
            serious=True,
            warning_until=clock.today() + dt.timedelta(days=365 * 3),
        )
        made += 1
    if admin is not None:
        services.add_warning(
            actor=admin,
            subject_kind="organisation",
            subject_name="乌审旗某某建材有限公司",
            subject_code=make_uscc(9301, prefix="91150626"),
            reason="以欺骗手段取得建筑工程施工许可，被依法撤销，三年内不适用告知承诺和容缺受理",
            source=market,
            ends_on=clock.today() + dt.timedelta(days=365 * 3),
        )
        lifted = services.add_warning(
            actor=admin,
            subject_kind="organisation",
            subject_name="乌审旗某某餐饮管理有限公司",
            subject_code=make_uscc(9302, prefix="92150626"),
            reason="食品安全严重违法",
            source=market,
            starts_on=clock.today() - dt.timedelta(days=200),
        )
        services.lift_warning(actor=admin, entry=lifted, reason="已完成整改并通过信用修复审核")
        made += 2
    return {"warning_entries": made}


def _refused_tolerance() -> dict[str, int]:
    """The listed applicant applies for 食品经营许可 at the window without the 容缺
    material; 容缺受理 is refused with the entry's reason; the case waits at 受理."""
    version_item = (
        Item.objects.filter(versions__allows_tolerance=True, versions__status="published")
        .filter(type=ItemType.LICENSING)
        .order_by("pk")
        .first()
    )
    centre = Centre.objects.filter(level=Level.COUNTY).order_by("parent_id", "pk").first()
    clerk = Staff.objects.filter(centre=centre, role=Role.WINDOW_CLERK, is_active=True).first()
    if version_item is None or clerk is None:
        return {}
    version = version_item.versions.filter(status="published").order_by("-pk").first()
    tolerated = [m for m in version.materials.all() if m.tolerance_allowed]
    given = [{"material": m} for m in version.materials.all() if m not in tolerated]
    case = case_services.submit_application(
        actor=clerk.user,
        item=version_item,
        centre=centre,
        channel="window",
        applicant=_applicant(WARNED["serial"], WARNED["name"], WARNED["phone"]),
        materials=given,
    )
    try:
        case_services.transition(
            actor=clerk.user,
            case=case,
            action="accept_with_tolerance",
            expected_version=case.version,
            tolerated=tolerated,
            commitment="本人承诺在五个工作日内补齐经营场所平面布局图",
            catch_up_days=3,
        )
    except DomainError as refused:
        return {"tolerance_refused": 1, "_reason": refused.message}
    return {"tolerance_refused": 0}


def load_demo_licences() -> dict[str, int]:
    if SupervisionReport.objects.exists():
        return {}
    rng = random.Random(SEED)
    admin = _admin()
    today = clock.today()
    out: dict[str, int] = {}
    market = Department.objects.filter(is_supervising=True, name__contains="市场监督").first()
    if market is not None and admin is not None:
        approver = Staff.objects.filter(
            department=market, role=Role.APPROVER, is_active=True
        ).first()
        if approver is not None:
            services.set_liaison(
                actor=admin,
                department=market,
                staff=approver,
                note="负责接收审批结果推送、处理行政处罚信息、对接上级业务系统",
            )
            out["liaisons"] = 1
    out["expiring"] = len(_expiring_licences(today))
    in_letter_month = len(_case_in_letter_month(today))
    out["pushes"] = _push_past_decisions(rng)
    out.update(_acknowledge(rng))
    out.update(_statuses(rng, admin))
    out.update(_reports(rng, admin))
    out.update(_warnings(admin))
    refused = _refused_tolerance()
    refused.pop("_reason", None)
    out.update(refused)
    out["licence_cases"] = out["expiring"] + in_letter_month + (1 if refused else 0)
    # The letters: October's as the first working day of November made it, then this
    # morning's run (过期, 到期提醒, warnings, November's letter).
    before = services.previous_month(services.previous_month(today))
    first_of_last = services.previous_month(today)
    first_workday = first_of_last
    while not calendar.is_workday(day=first_workday):
        first_workday += dt.timedelta(days=1)
    with clock.frozen(_at(first_workday, 6, 40)):
        out["letters"] = len(services.make_monthly_letters(month=before))
    result = services.run_daily(day=today)
    out["letters"] += len(result["letters"])
    out["expired"] = len(result["expired"])
    out["reminded"] = len(result["reminded"])
    out["in_force"] = Licence.objects.filter(Q(status__in=IN_FORCE)).count()
    return out
