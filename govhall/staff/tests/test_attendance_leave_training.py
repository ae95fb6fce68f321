"""R-STAFF-4 and R-STAFF-5 (达拉特旗 §22, §23): sign-in/out and the clock-device
import (all or nothing, errors per row in Chinese), 迟到/早退 against the centre's
hours, leave approval, the day's roster, training hours."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from govhall.core import clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.staff import selectors, services
from govhall.staff.models import AttendanceImport, AttendanceRecord, LeaveState

pytestmark = pytest.mark.django_db


def at(day, hh, mm=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


def test_sign_in_at_nine_is_late_and_leaving_at_four_is_early(stationed):
    p = stationed
    record = services.sign_in(actor=p.clerk.user)  # 09:00, the day starts 08:30 (+5 min)
    with pytest.raises(Conflict) as exc:
        services.sign_in(actor=p.clerk.user)
    assert exc.value.code == "already_signed_in"
    assert selectors.flags(record) == ["迟到"]
    with clock.frozen(dt.datetime(2026, 11, 23, 16, 0)):
        record = services.sign_out(actor=p.clerk.user)
    assert record.window == p.comprehensive
    assert selectors.flags(record) == ["迟到", "早退"]
    with clock.frozen(dt.datetime(2026, 11, 24, 8, 20)):
        on_time = services.sign_in(actor=p.clerk.user)
        assert selectors.flags(on_time) == []
    assert AuditEntry.objects.filter(action="staff.attendance.sign").count() == 3


def test_sign_out_without_sign_in_is_refused(stationed):
    with pytest.raises(Conflict) as exc:
        services.sign_out(actor=stationed.clerk.user)
    assert exc.value.code == "not_signed_in"
    with pytest.raises(PermissionDenied):
        services.sign_in(actor=stationed.org.root)  # the superuser has no staff record


def _csv(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_an_import_with_bad_rows_imports_nothing_and_names_each_row(stationed):
    p = stationed
    content = _csv(
        "工号,时间",
        "clerk,2026-11-20 08:21:00",
        "nobody,2026-11-20 08:25:00",
        "clerk,20-11-2026 17:40",
        "health_worker,2026-11-30 08:00",
    )
    with pytest.raises(ValidationFailed) as exc:
        services.import_attendance(actor=p.admin.user, file_name="clock.csv", content=content)
    assert exc.value.code == "import_rows_invalid"
    assert exc.value.fields["file"] == [
        "第 3 行：工号“nobody”不是在岗工作人员",
        "第 4 行：时间格式不正确（应为 YYYY-MM-DD HH:MM[:SS]）",
        "第 5 行：打卡时间晚于今天",
    ]
    assert "3 行有错误，未导入任何记录" in exc.value.message
    assert not AttendanceRecord.objects.exists() and not AttendanceImport.objects.exists()


def test_bad_files_are_refused_in_chinese(stationed):
    admin = stationed.admin.user
    cases = [
        ("a.csv", b"", "empty_file"),
        ("a.csv", _csv("name,when", "clerk,2026-11-20 08:00"), "bad_header"),
        ("a.txt", _csv("工号,时间"), "unsupported_file"),
        ("a.xlsx", b"not a workbook", "unreadable_file"),
        ("a.csv", b"\xff\xfe\x00\x00\x81", "unreadable_file"),
    ]
    for name, content, code in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.import_attendance(actor=admin, file_name=name, content=content)
        assert exc.value.code == code, name
    with pytest.raises(PermissionDenied):
        services.import_attendance(
            actor=stationed.market_chief.user, file_name="a.csv", content=_csv("工号,时间")
        )


def test_a_good_csv_and_an_xlsx_merge_into_one_record_a_day(stationed, settings):
    p = stationed
    services.sign_in(actor=p.clerk.user)  # today 09:00 at the window
    done = services.import_attendance(
        actor=p.admin.user,
        file_name="clock.csv",
        content=_csv(
            "工号,时间",
            "clerk,2026-11-20 08:21:00",
            "clerk,2026-11-20 17:41:00",
            "clerk,2026-11-20 12:02:00",
            "clerk,2026-11-23 08:28",
        ),
    )
    assert (done.rows, done.records) == (4, 2)
    friday = AttendanceRecord.objects.get(staff=p.clerk, day=dt.date(2026, 11, 20))
    assert friday.signed_in_at == at(friday.day, 8, 21)
    assert friday.signed_out_at == at(friday.day, 17, 41)
    today = AttendanceRecord.objects.get(staff=p.clerk, day=dt.date(2026, 11, 23))
    assert today.signed_in_at == at(today.day, 8, 28)  # the device saw an earlier punch
    assert selectors.flags(today) == []

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["用户名", "打卡时间"])
    sheet.append(["health_worker", dt.datetime(2026, 11, 19, 8, 40)])
    sheet.append(["health_worker", "2026-11-19 17:35"])
    out = io.BytesIO()
    book.save(out)
    services.import_attendance(actor=p.admin.user, file_name="clock.xlsx", content=out.getvalue())
    record = AttendanceRecord.objects.get(staff=p.health_worker, day=dt.date(2026, 11, 19))
    assert selectors.flags(record) == ["迟到"]

    settings.GOVHALL_POLICY = {"STAFF_IMPORT_MAX_ROWS": 2}
    with pytest.raises(ValidationFailed) as exc:
        services.import_attendance(
            actor=p.admin.user,
            file_name="big.csv",
            content=_csv("工号,时间", *["clerk,2026-11-18 08:00"] * 3),
        )
    assert exc.value.code == "too_many_rows"


def test_leave_is_counted_in_working_days_and_approved_by_the_chief_or_the_centre(stationed):
    p = stationed
    with clock.frozen(dt.datetime(2026, 9, 21, 9, 0)):
        leave = services.request_leave(
            actor=p.market_worker.user,
            staff=p.market_worker,
            kind="annual",
            starts_on=dt.date(2026, 9, 28),
            ends_on=dt.date(2026, 10, 9),
            reason="探亲",
        )
    assert leave.workdays == 5  # 9-28, 9-29, 9-30, 10-08, 10-09: 国庆 does not count
    with pytest.raises(PermissionDenied):
        services.decide_leave(actor=p.health_chief.user, leave=leave, approve=True)
    with pytest.raises(PermissionDenied):
        services.decide_leave(actor=p.market_worker.user, leave=leave, approve=True)
    services.decide_leave(actor=p.market_chief.user, leave=leave, approve=True)
    leave.refresh_from_db()
    assert leave.state == LeaveState.APPROVED and leave.decided_by == p.market_chief.user
    with pytest.raises(Conflict) as exc:
        services.request_leave(
            actor=p.market_worker.user,
            staff=p.market_worker,
            kind="personal",
            starts_on=dt.date(2026, 10, 9),
            ends_on=dt.date(2026, 10, 9),
            reason="事",
        )
    assert exc.value.code == "leave_overlaps"
    assert AuditEntry.objects.filter(action="staff.leave.approve", object_id=str(leave.pk)).exists()


def test_a_chief_cannot_approve_their_own_leave_and_a_refusal_needs_a_reason(stationed):
    p = stationed
    own = services.request_leave(
        actor=p.market_chief.user,
        staff=p.market_chief,
        kind="sick",
        starts_on=dt.date(2026, 11, 24),
        ends_on=dt.date(2026, 11, 24),
        reason="就医",
    )
    with pytest.raises(PermissionDenied):
        services.decide_leave(actor=p.market_chief.user, leave=own, approve=True)
    with pytest.raises(ValidationFailed):
        services.decide_leave(actor=p.admin.user, leave=own, approve=False)
    services.decide_leave(actor=p.admin.user, leave=own, approve=False, note="窗口人手不足，请改期")
    own.refresh_from_db()
    assert own.state == LeaveState.REFUSED


def test_the_roster_shows_who_is_in_on_leave_or_missing(stationed):
    p = stationed
    services.sign_in(actor=p.clerk.user)
    leave = services.request_leave(
        actor=p.health_worker.user,
        staff=p.health_worker,
        kind="sick",
        starts_on=clock.today(),
        ends_on=clock.today(),
        reason="发烧",
    )
    services.decide_leave(actor=p.admin.user, leave=leave, approve=True)
    data = selectors.roster(user=p.admin.user)
    status = {r["staff"].name: r["status"] for r in data["rows"]}
    assert status == {"综窗": "已签到", "卫健窗口甲": "请假（病假）", "市场窗口甲": "未签到"}
    assert data["counts"] == {"signed_in": 1, "on_leave": 1, "missing": 1}
    mine = selectors.roster(user=p.market_chief.user)
    assert [r["staff"].name for r in mine["rows"]] == ["市场窗口甲"]
    with clock.frozen(dt.datetime(2026, 11, 23, 18, 0)):
        assert {r["status"] for r in selectors.roster(user=p.admin.user)["rows"]} >= {"缺勤"}
    assert selectors.roster(user=p.admin.user, day=dt.date(2026, 11, 22))["workday"] is False


def test_training_hours_need_sign_in_and_sign_out_and_an_early_leaver_gets_a_share(stationed):
    p = stationed
    session = services.create_training(
        actor=p.admin.user,
        centre=p.county,
        title="政务服务礼仪培训",
        place="三楼会议室",
        starts_at=at(dt.date(2026, 11, 23), 9),
        ends_at=at(dt.date(2026, 11, 23), 11),
        hours=Decimal("2.0"),
    )
    services.training_sign_in(actor=p.clerk.user, session=session)
    services.training_sign_in(actor=p.market_worker.user, session=session)
    services.training_sign_in(actor=p.health_worker.user, session=session)
    with clock.frozen(dt.datetime(2026, 11, 23, 10, 10)):
        left = services.training_sign_out(actor=p.market_worker.user, session=session)
    with clock.frozen(dt.datetime(2026, 11, 23, 11, 5)):
        full = services.training_sign_out(actor=p.clerk.user, session=session)
        with pytest.raises(Conflict):
            services.training_sign_out(actor=p.clerk.user, session=session)
    assert full.credited_hours == Decimal("2.0")
    assert left.credited_hours == Decimal("1.0")  # 70 of 120 minutes → 1.17 → 1.0
    hours = selectors.training_hours(
        staff_ids=[p.clerk.pk, p.market_worker.pk, p.health_worker.pk], year=2026
    )
    assert hours[p.health_worker.pk]["hours"] == Decimal("0")  # signed in only
    assert hours[p.clerk.pk]["hours"] == Decimal("2.0")
    with clock.frozen(dt.datetime(2026, 11, 23, 12, 0)):
        with pytest.raises(Conflict) as exc:
            services.training_sign_in(actor=p.supervisor.user, session=session)
    assert exc.value.code == "training_closed"
