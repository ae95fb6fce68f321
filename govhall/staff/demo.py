"""The demo county's 人员管理 (issue 15 part 2), through the services:

* the window staff of the county centre on their windows with dates (most for more
  than a year; the tax bureau's approver at window 08 for seven months, moved early
  to window 14 with the centre's approval through an approved 调整申请);
* 调整申请: one approved (that move), one refused by the centre, one pending;
* 退回: the land bureau's approver returned and replaced in time; the housing bureau's
  returned ten days ago and not replaced (late: the chief is told, the pages warn);
* a month of attendance imported as a clock-device file (some late, early, absent)
  and this morning's window sign-ins;
* leave in every state (one approved over today: the roster shows it);
* two training sessions: last week's with sign-in and sign-out (one left early, one
  never signed out), and one this afternoon to sign in to;
* appraisals: last year's finalised, this year's drafts.

Safe to run again: once an assignment exists it does nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.core import clock
from govhall.org.models import Staff, Window

from . import services
from .models import WindowAssignment

SEED = 15
CENTRE = "150626"


def _at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


def _frozen(day: dt.date, hh: int = 9, mm: int = 0):
    return clock.frozen(dt.datetime.combine(day, dt.time(hh, mm)))


def _staff(username: str) -> Staff | None:
    return (
        Staff.objects.select_related("user", "department", "window")
        .filter(user__username=username)
        .first()
    )


def _window(number: str) -> Window:
    return Window.objects.get(centre__code=CENTRE, number=number)


def _workdays_back(today: dt.date, count: int) -> list[dt.date]:
    """The ``count`` working days before ``today``, oldest first."""
    days, day = [], today
    while len(days) < count:
        day -= dt.timedelta(days=1)
        if calendar.is_workday(day=day):
            days.append(day)
    return days[::-1]


def load_demo_staff() -> dict[str, int]:
    if WindowAssignment.objects.exists():
        return {}
    admin_staff = _staff("admin")
    if admin_staff is None:
        return {}
    admin = admin_staff.user
    rng = random.Random(SEED)
    today = clock.today()
    out = {"assignments": 0}

    # --- assignments: everyone at a window of the county centre, with a start date
    window_staff = list(
        Staff.objects.filter(centre__code=CENTRE, window__isnull=False, is_active=True)
        .select_related("window", "user")
        .order_by("window__number", "pk")
    )
    for index, person in enumerate(window_staff):
        starts = today - dt.timedelta(days=420 + 37 * index)
        if person.user.username == "tax_approver":
            starts = today - dt.timedelta(days=215)  # seven months: under the year
        with _frozen(starts):
            services.assign(
                actor=admin,
                staff=person,
                window=person.window,
                starts_on=starts,
                reason="进驻中心窗口",
            )
        out["assignments"] += 1
    housing = _staff("housing_approver")
    if housing is not None:
        starts = today - dt.timedelta(days=400)
        with _frozen(starts):
            services.assign(
                actor=admin,
                staff=housing,
                window=_window("03"),
                starts_on=starts,
                reason="工程建设项目审批专员进驻综合受理三",
            )
        out["assignments"] += 1

    # --- 调整申请
    out["moves"] = 0
    tax_chief, tax_approver = _staff("tax_chief"), _staff("tax_approver")
    if tax_chief and tax_approver:
        asked = today - dt.timedelta(days=45)
        with _frozen(asked, 10):
            request = services.request_move(
                actor=tax_chief.user,
                staff=tax_approver,
                planned_on=services.notice_deadline(day=asked) + dt.timedelta(days=7),
                to_window=_window("14"),
                reason="跨域通办窗口增设税务业务，拟调整武秀英同志至跨域通办窗口。",
            )
        with _frozen(asked + dt.timedelta(days=2), 15):
            services.decide_move(
                actor=admin,
                request=request,
                approve=True,
                note="同意",
                early_reason="跨域通办业务需要，中心同意未满一年提前调整",
            )
        out["moves"] += 1
    land_chief, land_approver = _staff("land_chief"), _staff("land_approver")
    if land_chief and land_approver:
        asked = today - dt.timedelta(days=60)
        with _frozen(asked, 10):
            request = services.request_move(
                actor=land_chief.user,
                staff=land_approver,
                planned_on=services.notice_deadline(day=asked),
                reason="局内不动产登记中心人员紧张，拟调回李娜同志。",
            )
        with _frozen(asked + dt.timedelta(days=1), 11):
            services.decide_move(
                actor=admin, request=request, approve=False, note="窗口业务高峰期，暂缓调整"
            )
        out["moves"] += 1
    police_chief, police_approver = _staff("police_chief"), _staff("police_approver")
    if police_chief and police_approver:
        services.request_move(
            actor=police_chief.user,
            staff=police_approver,
            planned_on=services.notice_deadline(day=today) + dt.timedelta(days=3),
            reason="车驾管业务系统升级，拟轮换王静同志回局参加系统培训。",
        )
        out["moves"] += 1

    # --- 退回: one replaced in time, one late
    out["returns"] = 0
    spare = _staff("land_approver2")
    if land_approver and spare:
        issued = today - dt.timedelta(days=20)
        with _frozen(issued, 16):
            notice = services.return_worker(
                actor=admin,
                staff=land_approver,
                opinion="本月三次无故离岗，经谈话提醒仍未改正，不适合窗口工作，退回派出单位。",
            )
        with _frozen(issued + dt.timedelta(days=3), 9):
            services.replace_worker(actor=land_chief.user, notice=notice, replacement=spare)
        out["returns"] += 1
    if housing is not None:
        with _frozen(today - dt.timedelta(days=10), 16):
            services.return_worker(
                actor=admin,
                staff=housing,
                opinion="多次不服从窗口统一调度，群众投诉两起，退回派出单位，请另派人员。",
            )
        out["returns"] += 1
    out["returns_late"] = len(services.mark_late_returns(day=today))
    out["synced"] = services.apply_due_assignments(day=today)

    # --- leave in every state
    leave = []
    plan = [
        ("clerk3", "personal", 2, 2, "孩子入学报名", None),
        ("clerk5", "annual", -1, 1, "年休假探亲", True),
        ("clerk6", "sick", 3, 3, "复查", False),
        ("clerk7", "public", 5, 6, "公休", "cancel"),
        ("clerk2", "sick", -12, -11, "感冒发烧", True),
    ]
    for username, kind, start, end, reason, decision in plan:
        person = _staff(username)
        if person is None:
            continue
        asked = today - dt.timedelta(days=14)
        with _frozen(asked, 10):
            row = services.request_leave(
                actor=person.user,
                staff=person,
                kind=kind,
                starts_on=today + dt.timedelta(days=start),
                ends_on=today + dt.timedelta(days=end),
                reason=reason,
            )
            if decision is True:
                services.decide_leave(actor=admin, leave=row, approve=True, note="同意")
            elif decision is False:
                services.decide_leave(
                    actor=admin, leave=row, approve=False, note="当日窗口人员不足，请调整时间"
                )
            elif decision == "cancel":
                services.cancel_leave(actor=person.user, leave=row, reason="行程取消")
        leave.append(row)
    out["leave"] = len(leave)

    # --- a month of attendance from the clock device, and this morning at the window
    on_leave = {
        (r.staff_id, r.starts_on + dt.timedelta(days=i))
        for r in leave
        if r.state == "approved"
        for i in range((r.ends_on - r.starts_on).days + 1)
    }
    roster = list(
        Staff.objects.filter(centre__code=CENTRE, window__isnull=False, is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    lines = ["工号,时间"]
    for day in _workdays_back(today, 22):
        for person in roster:
            if (person.pk, day) in on_leave:
                continue
            roll = rng.random()
            if roll < 0.04:
                continue  # absent
            if roll < 0.11:
                arrive = _at(day, 8, 36) + dt.timedelta(minutes=rng.randint(0, 40))
            else:
                arrive = _at(day, 8, 5) + dt.timedelta(minutes=rng.randint(0, 24))
            if rng.random() < 0.04:
                leave_at = _at(day, 16, 30) + dt.timedelta(minutes=rng.randint(0, 50))
            else:
                leave_at = _at(day, 17, 31) + dt.timedelta(minutes=rng.randint(0, 25))
            for moment in (arrive, leave_at):
                lines.append(
                    f"{person.user.username},{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"
                )
    if len(lines) > 1:
        done = services.import_attendance(
            actor=admin, file_name="考勤机导出-近一月.csv", content=("\n".join(lines)).encode()
        )
        out["attendance_rows"] = done.rows
    signed = 0
    if calendar.is_workday(day=today):
        for person in roster:
            if (person.pk, today) in on_leave or rng.random() < 0.15:
                continue
            moment = dt.datetime.combine(today, dt.time(8, 0)) + dt.timedelta(
                minutes=rng.randint(5, 45)
            )
            if timezone.make_aware(moment) > clock.now():
                continue
            with clock.frozen(moment):
                services.sign_in(actor=person.user)
            signed += 1
    out["signed_in_today"] = signed

    # --- training
    last_week = _workdays_back(today, 5)[0]
    session = services.create_training(
        actor=admin,
        centre=admin_staff.centre,
        title="政务服务规范化标准化培训",
        place="中心三楼会议室",
        starts_at=_at(last_week, 9),
        ends_at=_at(last_week, 11),
        hours=2,
    )
    for index, person in enumerate(roster[:8]):
        services.training_sign_in(
            actor=admin, session=session, staff=person, at=_at(last_week, 8, 45 + index)
        )
        if index == 6:
            continue  # never signed out: no hours
        leave_at = _at(last_week, 10) if index == 5 else _at(last_week, 11, 2)
        services.training_sign_out(actor=admin, session=session, staff=person, at=leave_at)
    services.create_training(
        actor=admin,
        centre=admin_staff.centre,
        title="窗口服务礼仪与“好差评”解读",
        place="中心一楼大厅",
        starts_at=_at(today, 14, 30),
        ends_at=_at(today, 16, 30),
        hours=2,
    )
    out["trainings"] = 2

    # --- appraisals: last year final, this year drafts
    grades = ["excellent", "competent", "competent", "excellent", "basic"]
    appraised = 0
    for index, person in enumerate(roster[:6]):
        grade = grades[index % len(grades)]
        score = {"excellent": 93, "competent": 85, "basic": 72}[grade] + index % 3
        last = services.save_appraisal(
            actor=admin,
            staff=person,
            year=today.year - 1,
            score=score,
            grade=grade,
            comments=f"{person.name}同志全年坚守窗口岗位，服务规范，业务熟练，群众评价良好。",
        )
        services.finalise_appraisal(actor=admin, appraisal=last)
        services.save_appraisal(
            actor=admin,
            staff=person,
            year=today.year,
            score=score - 1,
            grade=grade,
            comments="年度鉴定草稿，年终复核考勤与好差评后定稿。",
        )
        appraised += 2
    out["appraisals"] = appraised
    return out
