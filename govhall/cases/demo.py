"""Demo cases (演示办件): a few hundred cases in every state for the demo county.

Everything goes through ``cases.services`` with the clock moved back in time
(``govhall.core.clock.frozen``), so receipt dates, deadlines and lights vary: some
cases are overdue (超期), some yellow (黄灯预警), most normal; the last one is left
unhandled past 行政许可法 §32's five working days and deemed accepted by the daily
job (``SHOWCASE_TARGETS``). Idempotent: nothing is done when the county centre
already has cases.

A case can only be applied for while its guide version is in force, so the spread
back in time is limited by each version's ``valid_from``: load the catalogue with a
``valid_from`` some 60 days back to get overdue cases.
"""

from __future__ import annotations

import datetime as dt
import random
import sys

from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.catalog import selectors as catalog_selectors
from govhall.core import clock
from govhall.core.errors import DomainError
from govhall.org import selectors as org_selectors
from govhall.org.models import Centre, Level, Role, Staff
from govhall.testing.factories import make_id_number

from . import deadlines, guards, selectors, services
from .models import Bundle, Case

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
]
# target state → weight
TARGETS = [
    ("submitted", 20),
    ("awaiting_correction", 15),
    ("refused_acceptance", 8),
    ("in_review", 90),
    ("special_step", 12),
    ("decided", 15),
    ("certified", 10),
    ("delivered", 10),
    ("completed", 60),
    ("archived", 40),
    ("withdrawn", 8),
    ("terminated", 5),
]
MAX_DAYS_BACK = 45
# The last cases of a load take these targets instead of a drawn one: what the draw
# never gives. ``deemed_acceptance`` (行政许可法 §32): received seven working days
# ago and neither accepted nor told to correct, deemed accepted by the daily job
# (电子监察's 逾期视为受理 warning). Drawn last, so the drawn cases stay the same.
SHOWCASE_TARGETS = ("deemed_acceptance",)
S32_DAYS_BACK = 7


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0))


def _by_now(at: dt.datetime) -> dt.datetime:
    """``at``, or now if that is later: the demo plans today's steps at set hours
    (submitted 9–11 时, handled 13–16 时), and a load in the morning must not date
    them after the moment it runs (what it does next — 电子监察's showcase, the
    督办 replies — happens now, and the 办理记录 would read out of order)."""
    now = clock.now()
    at = timezone.make_aware(at) if timezone.is_naive(at) else at
    return min(at, now)


def load_demo_cases(stdout=None, *, count: int = 300, seed: int = 2026) -> int:
    """Create ``count`` demo cases; returns how many were created (0 if present).

    Also defines the demo 一件事 bundles and a few bundle cases (each idempotent on
    its own, so an older demo database gains them on the next run)."""
    out = stdout or sys.stdout
    centre = Centre.objects.filter(level=Level.COUNTY).order_by("parent_id", "id").first()
    if centre is None:
        out.write("演示办件：没有县级中心，跳过\n")
        return 0
    load_demo_bundles(out, centre=centre)
    # Ordinary cases only: the bundle cases above have children, which carry no bundle.
    if Case.objects.filter(centre=centre, bundle__isnull=True, parent__isnull=True).exists():
        out.write("演示办件：已存在，跳过\n")
        return 0
    clerk = Staff.objects.filter(centre=centre, role=Role.WINDOW_CLERK, is_active=True).first()
    chiefs = {
        s.department_id: s
        for s in Staff.objects.filter(role=Role.CHIEF_REP, is_active=True).select_related("user")
    }
    today = clock.today()
    items = []
    for version in catalog_selectors.search_items(accepting_only=True).select_related(
        "item__department"
    ):
        chief = chiefs.get(version.item.department_id)
        if chief is None or not org_selectors.is_stationed(
            department=version.item.department, centre=centre
        ):
            continue
        if not version.accepts_at(centre.level):
            continue
        earliest = max(version.valid_from or today, today - dt.timedelta(days=MAX_DAYS_BACK))
        items.append((version, chief, earliest))
    if not items:
        out.write("演示办件：没有可受理的事项，跳过\n")
        return 0
    rng = random.Random(seed)
    targets = [t for t, w in TARGETS for _ in range(w)]
    created = 0
    first_showcase = count - min(count, len(SHOWCASE_TARGETS))
    for index in range(count):
        version, chief, earliest = items[index % len(items)]
        span = (today - earliest).days
        if index >= first_showcase:
            target = SHOWCASE_TARGETS[index - first_showcase]
        else:
            target = rng.choice(targets)
        if target == "deemed_acceptance":
            back = calendar.workday_ordinal(day=today) - S32_DAYS_BACK
            day = max(earliest, calendar.date_of_ordinal(ordinal=back))
        elif target == "submitted":
            day = today - dt.timedelta(days=rng.randint(0, min(span, 3)))
        else:
            day = earliest + dt.timedelta(days=rng.randint(0, span))
        try:
            _one(rng, index, version, chief, clerk, centre, day, today, target)
        except DomainError as exc:  # a rule refused a step: keep what was done
            out.write(f"演示办件 {index}：{exc.message}\n")
        created += 1
    out.write(f"演示办件：已生成 {created} 件\n")
    return created


def _one(rng, index, version, chief, clerk, centre, day, today, target) -> None:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN])
    submitter = clerk.user if clerk else chief.user
    actor = chief.user
    channel = rng.choice(["window", "window", "window", "online"])
    if version.handling_form in ("window", "online"):  # 仅窗口 / 仅网上: the only channel
        channel = version.handling_form
    # The planned times draw the same numbers whatever the hour of the load; the
    # steps are dated no later than now (``_by_now``).
    planned = timezone.make_aware(_at(day, rng.randint(9, 11)))
    with clock.frozen(_by_now(planned)):
        case = services.submit_application(
            actor=submitter,
            item=version.item,
            centre=centre,
            channel=channel,
            applicant={
                "kind": "person",
                "name": name,
                "id_number": make_id_number(
                    index, birth=f"19{rng.randint(60, 99)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}"
                ),
                "phone": f"139{rng.randint(10000000, 99999999)}",
            },
            materials=[{"material": m} for m in version.materials.all()],
        )
    if target == "submitted":
        return
    if target == "deemed_acceptance":
        _deemed_by_the_daily_job(case, today)
        return

    def step(action, when, **inputs):
        nonlocal case
        with clock.frozen(when):
            case = services.transition(
                actor=actor, case=case, action=action, expected_version=case.version, **inputs
            )

    later = [planned]

    def next_time(max_days=2) -> dt.datetime:
        """A later moment than the last step's (the 办理记录 reads in order): a day up
        to ``max_days`` on, in the afternoon, or some minutes on the same day; now at
        the latest (then the steps of today are dated now, in order)."""
        d = min(today, timezone.localdate(later[-1]) + dt.timedelta(days=rng.randint(0, max_days)))
        at = timezone.make_aware(_at(d, rng.randint(13, 16)))
        if at <= later[-1]:
            at = later[-1] + dt.timedelta(minutes=rng.randint(5, 40))
        later.append(at)
        return _by_now(at)

    materials = list(version.materials.all())
    if target in ("awaiting_correction", "refused_acceptance"):
        corrections = (
            [{"material": materials[0], "problem": "未签字盖章"}]
            if materials
            else [{"material": None, "name": "申请书", "problem": "未提交"}]
        )
        step("request_correction", next_time(1), corrections=corrections)
        if target == "refused_acceptance":
            step("refuse", next_time(3), reason="补正后仍不符合法定形式")
        return
    if target == "withdrawn":
        step("withdraw", next_time(1), reason="申请人申请撤回")
        return
    step("accept", next_time(0))
    if target == "terminated":
        step("terminate", next_time(3), reason="申请人死亡，依法终止")
        return
    if target == "in_review":
        if rng.random() < 0.5:
            for _ in guards.review_steps(case)[:1]:
                step("review", next_time(2), opinion="材料齐全，符合要求")
        return
    special = list(version.special_steps.all())
    if target == "special_step":
        if special:
            step(
                "start_special_step",
                next_time(2),
                special_step=special[0],
                notice={"time": "另行通知", "place": "申请人经营场所", "content": special[0].name},
            )
        return
    if guards.is_instant(case):
        pass
    else:
        for _ in guards.review_steps(case):
            step("review", next_time(2), opinion="同意")
    approved = rng.random() < 0.85
    step(
        "decide",
        next_time(2),
        result="approved" if approved else "denied",
        opinion="符合法定条件" if approved else "不符合法定条件",
        reason="" if approved else "经营场所不符合卫生要求",
    )
    if target == "decided":
        return
    if approved:
        step("certify", next_time(1), result_number=f"DEMO{index:05d}")
    if target == "certified" and approved:
        return
    step("deliver", next_time(1), method="window")
    if target in ("certified", "delivered"):
        return
    step("complete", next_time(0))
    if target == "archived":
        step("archive", next_time(3))


def _deemed_by_the_daily_job(case, today: dt.date) -> None:
    """The §32 daily job (``services.apply_deemed_acceptance``) on the morning after
    the case's fifth working day, at the hour the scheduler runs it: the case left
    untouched since receipt is deemed accepted from the day its materials arrived."""
    from .scheduler import daily_jobs_at

    day = calendar.next_workday(day=deadlines.s32_deadline(case))
    if day > today:
        return  # not yet due (the catalogue is too recent): it stays 待受理
    with clock.frozen(_by_now(dt.datetime.combine(day, daily_jobs_at()))):
        services.apply_deemed_acceptance(today=day)


# --------------------------------------------------------------------------- 一件事

# (code, name, description, required item names, optional item names). The first
# required item's department leads (牵头部门). A bundle whose required items are not
# all in the catalogue (accepting, current guide) is skipped.
DEMO_BUNDLES = [
    (
        "open-restaurant",
        "开办餐饮店一件事",
        "个体工商户设立登记、食品经营许可、公共场所卫生许可一表申请、一窗受理、一次办结。",
        ["个体工商户设立登记", "食品经营许可"],
        ["公共场所卫生许可"],
    ),
    (
        "newborn",
        "新生儿出生一件事",
        "生育登记、出生登记（户口登记）、城乡居民医保参保登记、社会保障卡申领联办。",
        ["生育登记", "出生登记"],
        ["城乡居民基本医疗保险参保登记", "社会保障卡申领"],
    ),
    (
        "retire",
        "退休一件事",
        "城乡居民养老保险待遇申领，同时办理社会保障卡和异地就医备案。",
        ["城乡居民基本养老保险待遇申领", "社会保障卡申领"],
        ["跨省异地就医备案"],
    ),
]


def load_demo_bundles(out, *, centre) -> int:
    """Define the demo bundles (via ``services.create_bundle``) and, once, a few
    bundle cases: in progress, completed, and completed with a denied child."""
    admin = Staff.objects.filter(role=Role.CENTRE_ADMIN, is_active=True).first()
    if admin is None:
        return 0
    current = {
        v.name: v.item
        for v in catalog_selectors.search_items(accepting_only=True).select_related(
            "item__department"
        )
    }
    made = []
    for code, name, description, required, optional in DEMO_BUNDLES:
        if Bundle.objects.filter(code=code).exists():
            made.append(Bundle.objects.get(code=code))
            continue
        if any(n not in current for n in required):
            continue
        items = [current[n] for n in required + optional if n in current]
        try:
            made.append(
                services.create_bundle(
                    actor=admin.user,
                    code=code,
                    name=name,
                    lead_department=items[0].department,
                    items=items,
                    description=description,
                    reason="演示数据：一件事一次办",
                )
            )
        except DomainError as exc:
            out.write(f"演示一件事 {name}：{exc.message}\n")
    if not made or Case.objects.filter(centre=centre, bundle__isnull=False).exists():
        return 0
    clerk = Staff.objects.filter(centre=centre, role=Role.WINDOW_CLERK, is_active=True).first()
    chiefs = {
        s.department_id: s.user
        for s in Staff.objects.filter(role=Role.CHIEF_REP, is_active=True).select_related("user")
    }
    today = clock.today()
    plans = [(6, "completed"), (4, "denied_child"), (1, "in_review"), (0, "submitted")]
    created = 0
    for b_index, bundle in enumerate(made):
        for p_index, (days_back, plan) in enumerate(plans[: 4 if b_index == 0 else 2]):
            serial = 900 + b_index * 10 + p_index
            try:
                _bundle_case(bundle, centre, clerk, chiefs, today, days_back, plan, serial)
            except DomainError as exc:
                out.write(f"演示一件事办件 {bundle.name}：{exc.message}\n")
                continue
            created += 1
    out.write(f"演示一件事：{len(made)} 个，办件 {created} 件\n")
    return created


def _bundle_case(bundle, centre, clerk, chiefs, today, days_back, plan, serial) -> None:
    rng = random.Random(serial)
    parts = [p for p in selectors.bundle_parts(bundle=bundle) if p["version"] is not None]
    # Not before every guide of the bundle was in force.
    earliest = max([p["version"].valid_from or today for p in parts] or [today])
    day = max(earliest, today - dt.timedelta(days=days_back))
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    # What the bundle produces itself (R-BUNDLE-6, e.g. the 营业执照 of 个体工商户设立登记)
    # the applicant does not bring: the demo shows it supplied by the sibling.
    supplied = selectors.bundle_supplies(parts=parts)
    with clock.frozen(_by_now(_at(day, 10))):
        materials = {
            p["item"].pk: [
                {"material": m}
                for m in p["version"].materials.all()
                if m.pk not in supplied.get(p["item"].pk, {})
            ]
            for p in parts
        }
        parent = services.submit_bundle_application(
            actor=clerk.user,
            bundle=bundle,
            centre=centre,
            channel="window",
            applicant={
                "kind": "person",
                "name": name,
                "id_number": make_id_number(serial, birth="19880515"),
                "phone": f"137{rng.randint(10000000, 99999999)}",
            },
            materials=materials,
        )
        if plan == "submitted":
            return
        parent = services.transition(
            actor=clerk.user, case=parent, action="accept", expected_version=parent.version
        )
    if plan == "in_review":
        return
    when = _by_now(_at(min(today, day + dt.timedelta(days=1)), 15))
    children = list(parent.children.select_related("item_version").order_by("id"))
    for index, child in enumerate(children):
        chief = chiefs.get(child.department_id)
        if chief is None:
            continue
        denied = plan == "denied_child" and index == len(children) - 1
        with clock.frozen(when):
            _finish_child(child, chief, denied=denied)


def _finish_child(case, actor, *, denied: bool) -> None:
    def step(action, **inputs):
        nonlocal case
        case = services.transition(
            actor=actor, case=case, action=action, expected_version=case.version, **inputs
        )

    for _ in guards.review_steps(case):
        step("review", opinion="材料齐全，符合要求")
    if denied:
        step("decide", result="denied", opinion="不符合法定条件", reason="申请人不符合申领条件")
    else:
        step("decide", result="approved", opinion="符合法定条件")
        step("certify", result_number=f"YJS{case.pk:06d}")
    step("deliver", method="window")
    step("complete")
