"""The demo county's past year (历史办件): the archived cases of the twelve months
before the demo's live cases, as a county brings them over from its former approval
system when it starts on govhall (历史数据迁移), so the supervision dashboard's
trend, the evaluation of a quarter or a year, the year-end report and the portal's
statistics have a year to show.

They are written in bulk, not through the case services: a migration of closed
files, not the handling of cases. Each case still has its 办理记录 (submit, accept,
decide, deliver, complete, archive; or submit, refuse), its 受理编号 from the day's
counter, and the import is one audit entry (``demo.history.import``) naming the
system as the actor. The 办理记录 reads in order (a same-day case is decided after it
was accepted, a §32 case after the daily job deemed it accepted). The former system
kept no 送达 record for the last ``UNSERVED`` closed files: they are migrated as
they are (submit, accept, decide, complete, archive), for 电子监察's 办结无送达记录
(``supervision.demo``). Each department gets its own profile (on-time share, working
days used against the promise, online share, a few §32 deemed acceptances) drawn
from a fixed seed, so the ranking has something to rank and a reload is the same.
The guides are today's versions (the demo catalogue starts later): a migration maps
old cases onto the current catalogue the same way.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.cases.models import Case, CaseCounter, CaseEvent, Channel, Result, State
from govhall.cases.numbering import format_number
from govhall.catalog import selectors as catalog_selectors
from govhall.core import actors, audit, clock
from govhall.org import selectors as org_selectors
from govhall.org.models import Centre, Level, Role, Staff
from govhall.testing.factories import make_id_number

IMPORT = audit.Action("demo.history.import", "历史办件迁移")

MONTHS = 12
START_DAYS_BACK = 60  # the live demo cases start about here (cases.demo.MAX_DAYS_BACK)
SEED = 2025
UNSERVED = 2  # the last migrated files closed without a 送达 record
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _workdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if calendar.is_workday(day=day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _after(day: dt.date, workdays: int) -> dt.date:
    return calendar.add_workdays(start=day, days=workdays).date if workdays > 0 else day


def load_history(*, months: int = MONTHS, seed: int = SEED) -> int:
    """Migrate ``months`` months of closed cases (idempotent: none when the counters of
    those days exist). Returns the number of cases written. One transaction: the
    working-day table is read once for all the dates."""
    with transaction.atomic():
        return _load(months, seed)


def _load(months: int, seed: int) -> int:
    centre = Centre.objects.filter(level=Level.COUNTY).order_by("parent_id", "id").first()
    if centre is None:
        return 0
    today = clock.today()
    last = today - dt.timedelta(days=START_DAYS_BACK)
    first = (last.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    if CaseCounter.objects.filter(centre=centre, day__gte=first, day__lte=last).exists():
        return 0
    by_department = _versions(centre, today)
    if not by_department:
        return 0
    staff = defaultdict(list)
    for s in Staff.objects.filter(is_active=True, department__isnull=False).exclude(
        role=Role.WINDOW_CLERK
    ):
        staff[s.department_id].append(s)
    clerk = Staff.objects.filter(centre=centre, role=Role.WINDOW_CLERK, is_active=True).first()
    rng = random.Random(seed)
    profiles = {
        dept: {
            "per_day": rng.uniform(0.4, 1.4),
            "on_time": rng.uniform(0.86, 0.995),
            "used": rng.uniform(0.35, 0.9),
            "online": rng.uniform(0.15, 0.65),
            "deemed": rng.choice([0, 0, 0.004, 0.01]),
            "refused": rng.uniform(0.01, 0.05),
        }
        for dept in sorted(by_department)
    }
    cases: list[Case] = []
    plans: list[dict] = []
    serial: dict[dt.date, int] = defaultdict(int)
    for day in _workdays(first, last):
        for dept in sorted(by_department):
            p = profiles[dept]
            count = int(p["per_day"]) + (1 if rng.random() < p["per_day"] % 1 else 0)
            for _ in range(count):
                serial[day] += 1
                case, plan = _case(
                    rng, p, day, serial[day], centre, rng.choice(by_department[dept]), staff[dept]
                )
                cases.append(case)
                plans.append(plan)
    closed = [i for i, plan in enumerate(plans) if "refused" not in plan]
    for i in closed[-UNSERVED:]:
        cases[i].delivery_method = ""
        plans[i]["served"] = False
    CaseCounter.objects.bulk_create(
        [CaseCounter(centre=centre, day=d, last=n) for d, n in serial.items()]
    )
    Case.objects.bulk_create(cases, batch_size=500)
    events = [
        e for case, plan in zip(cases, plans, strict=True) for e in _events(case, plan, clerk)
    ]
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    audit.record(
        actor=actors.SYSTEM,
        action=IMPORT,
        obj=centre,
        changes={"cases": [0, len(cases)], "from": [None, str(first)], "to": [None, str(last)]},
        reason=f"迁移原审批系统 {first} 至 {last} 的已归档办件 {len(cases)} 件",
    )
    return len(cases)


def _versions(centre, today) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for version in catalog_selectors.search_items(accepting_only=True).select_related(
        "item__department"
    ):
        if not version.accepts_at(centre.level):
            continue
        if not org_selectors.is_stationed(department=version.item.department, centre=centre):
            continue
        out[version.item.department_id].append(version)
    return out


def _case(rng, p, day, serial, centre, version, people) -> tuple[Case, dict]:
    received = _local(day, rng.randint(8, 15), rng.choice([0, 10, 20, 30, 40, 50]))
    limit = version.promised_limit_days or version.legal_limit_days or 0
    responsible = rng.choice(people) if people else None
    person = rng.random() < 0.7
    name = (
        rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        if person
        else f"乌审旗{rng.choice(['宏达', '草原', '丰源', '鑫盛', '民康'])}商贸有限公司"
    )
    case = Case(
        number=format_number(centre_code=centre.code, day=day, sequence=serial),
        item=version.item,
        item_version=version,
        department_id=version.item.department_id,
        centre=centre,
        channel=Channel.ONLINE if rng.random() < p["online"] else Channel.WINDOW,
        applicant_kind="person" if person else "organisation",
        applicant_name=name,
        applicant_id_number=make_id_number(
            rng.randint(1, 999),
            birth=f"19{rng.randint(50, 99)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}",
        )
        if person
        else f"91150626MA{rng.randint(10**7, 10**8 - 1)}",
        applicant_phone=f"13{rng.randint(100000000, 999999999)}",
        responsible=responsible,
        received_at=received,
        materials_received_on=day,
        limit_days=limit,
    )
    plan = {"responsible": responsible, "day": day}
    if rng.random() < p["refused"]:
        closed = _local(_after(day, 1), 10)
        case.state = State.REFUSED
        case.closed_at = closed
        case.result_reason = "申请事项依法不属于本部门职权范围，已告知申请人向有关行政机关申请"
        plan["refused"] = closed
        return case, plan
    deemed = rng.random() < p["deemed"]
    accepted_on = day  # §32: the clock starts the day they arrived
    # §32: the daily job deems it accepted the morning after the fifth working day.
    accepted_at = (
        received + dt.timedelta(minutes=20) if not deemed else _local(_after(day, 6), 6, 30)
    )
    due = _after(accepted_on, limit)
    if rng.random() < p["on_time"]:
        used = round(limit * rng.uniform(p["used"] * 0.5, min(1.0, p["used"] * 1.3)))
    else:
        used = limit + rng.randint(1, 3)
    completed_day = _after(accepted_on, used)
    if deemed:  # decided once deemed accepted, not before
        completed_day = max(completed_day, timezone.localdate(accepted_at))
    # After 受理 (a case done the day it came in: decided half an hour later), and
    # 办结 after the 送达 two hours after the decision.
    decided = max(_local(completed_day, 10), accepted_at + dt.timedelta(minutes=30))
    completed = max(_local(completed_day, 15), decided + dt.timedelta(hours=3))
    archived = _local(_after(completed_day, 1), 10)
    approved = rng.random() < 0.96
    case.state = State.ARCHIVED
    case.accepted_at = accepted_at
    case.accepted_on = accepted_on
    case.deemed_accepted_s32 = deemed
    case.due_date = due
    case.yellow_from = due
    case.decided_at = decided
    case.completed_at = completed
    case.archived_at = archived
    case.closed_at = completed
    case.result = Result.APPROVED if approved else Result.DENIED
    case.result_reason = "" if approved else "经审查，申请人不具备法定条件，依法不予许可"
    case.delivery_method = "electronic" if case.channel == Channel.ONLINE else "window"
    plan.update(
        accepted=accepted_at, decided=decided, completed=completed, archived=archived, deemed=deemed
    )
    return case, plan


def _events(case: Case, plan: dict, clerk) -> list[CaseEvent]:
    worker = plan["responsible"]
    who = (worker.user_id, worker.name) if worker else (None, actors.SYSTEM.name)
    desk = (clerk.user_id, clerk.name) if clerk else who

    def event(action, from_state, to_state, at, actor, **extra):
        return CaseEvent(
            case=case,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor_id=actor[0],
            actor_name=actor[1],
            at=at,
            **extra,
        )

    rows = [event("submit", State.SUBMITTED, State.SUBMITTED, case.received_at, desk)]
    if "refused" in plan:
        rows.append(
            event(
                "refuse",
                State.SUBMITTED,
                State.REFUSED,
                plan["refused"],
                desk,
                opinion=case.result_reason,
            )
        )
        return rows
    if plan["deemed"]:
        rows.append(
            event(
                "deemed_acceptance",
                State.SUBMITTED,
                State.IN_REVIEW,
                plan["accepted"],
                (None, actors.SYSTEM.name),
                data={"deemed_accepted_s32": True},
            )
        )
    else:
        rows.append(
            event(
                "accept",
                State.SUBMITTED,
                State.IN_REVIEW,
                plan["accepted"],
                desk,
                data={"deemed_accepted_s32": False},
            )
        )
    rows += [
        event(
            "decide",
            State.IN_REVIEW,
            State.DECIDED,
            plan["decided"],
            who,
            opinion="符合法定条件" if case.result == Result.APPROVED else case.result_reason,
            data={"result": case.result},
        ),
    ]
    if plan.get("served", True):
        rows.append(
            event(
                "deliver",
                State.DECIDED,
                State.DELIVERED,
                plan["decided"] + dt.timedelta(hours=2),
                who,
                data={"method": case.delivery_method, "tracking_number": ""},
            )
        )
    before = State.DELIVERED if plan.get("served", True) else State.DECIDED
    rows += [
        event("complete", before, State.COMPLETED, plan["completed"], who),
        event("archive", State.COMPLETED, State.ARCHIVED, plan["archived"], who),
    ]
    return rows
