"""Writes of 人员管理. One transaction and one audit row each; the rules of the seeds
live here, so the pages, the API and the demo cannot disagree (docs/staff.md):

* R-STAFF-1 (内乡县 §33): a window worker stays at least a year; ending an assignment
  earlier needs the centre administrator's approval with a reason
  (``min_term_not_served`` without it);
* R-STAFF-2 (达拉特旗 §21): a department asks for a move in writing 5 working days
  ahead (``too_short_notice``); the centre approves or refuses;
* R-STAFF-3 (达拉特旗 §21): a worker the centre returns is replaced within 5 working
  days; the morning run marks a late replacement and tells the 首席代表;
* R-STAFF-4 (达拉特旗 §22): attendance and leave, approved and audited;
* R-STAFF-5 (达拉特旗 §23): training hours count only with sign-in and sign-out;
* R-STAFF-6 (内乡县 §31): the year-end appraisal, finalised; changed after that only
  with a recorded reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
from decimal import ROUND_FLOOR, Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.core import actors, audit, clock
from govhall.core.errors import Conflict, NotFound, ValidationFailed
from govhall.notifications.models import Channel
from govhall.notifications.services import Message, Recipient, notify
from govhall.org import services as org_services
from govhall.org.models import Role, Staff, Window

from . import policy, roles
from .models import (
    Appraisal,
    AppraisalState,
    AttendanceImport,
    AttendanceRecord,
    Grade,
    LeaveKind,
    LeaveRequest,
    LeaveState,
    MoveRequest,
    MoveState,
    ReturnNotice,
    Source,
    TrainingAttendance,
    TrainingSession,
    WindowAssignment,
)

logger = logging.getLogger(__name__)

ASSIGNMENT_CREATE = audit.Action("staff.assignment.create", "派驻窗口")
ASSIGNMENT_END = audit.Action("staff.assignment.end", "结束窗口派驻")
MOVE_REQUEST = audit.Action("staff.move.request", "提出调整申请")
MOVE_APPROVE = audit.Action("staff.move.approve", "同意调整申请")
MOVE_REFUSE = audit.Action("staff.move.refuse", "不同意调整申请")
RETURN_ISSUE = audit.Action("staff.return.issue", "退回工作人员")
RETURN_REPLACE = audit.Action("staff.return.replace", "补派工作人员")
RETURN_LATE = audit.Action("staff.return.late", "补派逾期")
ATTENDANCE_SIGN = audit.Action("staff.attendance.sign", "窗口签到签退")
ATTENDANCE_IMPORT = audit.Action("staff.attendance.import", "导入考勤机记录")
LEAVE_REQUEST = audit.Action("staff.leave.request", "提交请假")
LEAVE_APPROVE = audit.Action("staff.leave.approve", "批准请假")
LEAVE_REFUSE = audit.Action("staff.leave.refuse", "不批准请假")
LEAVE_CANCEL = audit.Action("staff.leave.cancel", "撤销请假")
TRAINING_CREATE = audit.Action("staff.training.create", "新建培训")
TRAINING_SIGN = audit.Action("staff.training.sign", "培训签到签退")
APPRAISAL_SAVE = audit.Action("staff.appraisal.save", "填写年终表现鉴定")
APPRAISAL_FINALISE = audit.Action("staff.appraisal.finalise", "年终表现鉴定定稿")

TEXT_MAX = 200
LONG_TEXT_MAX = 2000
IMPORT_BYTES_MAX = 20 * 1024 * 1024
ERRORS_SHOWN = 50


def _text(value, *, field: str, label: str, required: bool = True, limit: int = TEXT_MAX) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}", code=f"{field}_required", fields={field: ["必填"]})
    if len(value) > limit:
        raise ValidationFailed(
            f"{label}不能超过 {limit} 字", code="too_long", fields={field: [f"不超过 {limit} 字"]}
        )
    return value


def _require_admin(actor, message: str = "只有中心管理员可以执行此操作") -> None:
    roles.require(roles.may_manage(actor), message)


# --------------------------------------------------------------------------- assignments


def min_term_end(starts_on: dt.date) -> dt.date:
    """The first day an assignment begun on ``starts_on`` may end without approval
    (R-STAFF-1: a full year, policy ``STAFF_MIN_TERM_MONTHS``)."""
    months = int(policy.get("STAFF_MIN_TERM_MONTHS"))
    month = starts_on.month - 1 + months
    year, month = starts_on.year + month // 12, month % 12 + 1
    for day in (starts_on.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _check_term(assignment: WindowAssignment, *, ends_on: dt.date, early_reason: str) -> str:
    """R-STAFF-1. ``ends_on`` is the last day at the window; the term is served when
    the next day is on or after :func:`min_term_end`."""
    if ends_on + dt.timedelta(days=1) >= min_term_end(assignment.starts_on):
        return ""
    early_reason = (early_reason or "").strip()[:TEXT_MAX]
    if not early_reason:
        raise Conflict(
            f"{assignment.staff.name}自 {assignment.starts_on} 进驻窗口，未满一年"
            f"（{min_term_end(assignment.starts_on)} 期满），提前调整须经中心批准并填写理由",
            code="min_term_not_served",
            fields={"early_reason": ["未满一年，须填写中心批准的理由"]},
        )
    return early_reason


def window_on(staff: Staff, day: dt.date) -> Window | None:
    assignment = (
        WindowAssignment.objects.select_related("window")
        .filter(staff=staff, starts_on__lte=day)
        .exclude(ends_on__lt=day)
        .order_by("-starts_on")
        .first()
    )
    return assignment.window if assignment else None


def _sync_window(*, actor, staff: Staff, day: dt.date, reason: str) -> bool:
    """Keep ``org.Staff.window`` on the assignment of ``day`` through org's audited
    service. Returns whether it changed."""
    window = window_on(staff, day)
    staff.refresh_from_db(fields=["window"])
    if staff.window_id == (window.pk if window else None):
        return False
    org_services.update(actor=actor, instance=staff, data={"window": window}, reason=reason)
    return True


def _end(*, actor, assignment, ends_on, reason, early_reason) -> WindowAssignment:
    if ends_on < assignment.starts_on:
        raise ValidationFailed(
            "离岗日期不能早于进驻日期", code="invalid_date", fields={"ends_on": ["早于进驻日期"]}
        )
    early = _check_term(assignment, ends_on=ends_on, early_reason=early_reason)
    assignment.ends_on = ends_on
    assignment.end_reason = reason[:TEXT_MAX]
    if early:
        assignment.early_approved_by = actor if actor is not actors.SYSTEM else None
        assignment.early_reason = early
    assignment.save(update_fields=["ends_on", "end_reason", "early_approved_by", "early_reason"])
    audit.record(
        actor=actor,
        action=ASSIGNMENT_END,
        obj=assignment,
        changes={"ends_on": [None, ends_on.isoformat()]},
        reason=f"{reason}（未满一年提前调整，中心批准：{early}）" if early else reason,
    )
    return assignment


@transaction.atomic
def assign(
    *,
    actor,
    staff: Staff,
    window: Window,
    starts_on: dt.date,
    reason: str = "",
    early_reason: str = "",
) -> WindowAssignment:
    """派驻: put ``staff`` at ``window`` from ``starts_on``. An open assignment at
    another window ends the day before (a move: R-STAFF-1 applies)."""
    _require_admin(actor, "只有中心管理员可以安排窗口派驻")
    reason = _text(reason, field="reason", label="派驻说明", required=False)
    staff = Staff.objects.select_for_update(of=("self",)).get(pk=staff.pk)
    if not staff.is_active:
        raise Conflict(f"{staff.name}已离岗，不能派驻窗口", code="staff_inactive")
    if window.centre_id != staff.centre_id:
        raise ValidationFailed(
            "窗口不属于该工作人员所在中心",
            code="window_other_centre",
            fields={"window": ["不属于该中心"]},
        )
    current = WindowAssignment.objects.filter(staff=staff, ends_on__isnull=True).first()
    if current is not None:
        if current.window_id == window.pk:
            raise Conflict(f"{staff.name}已在该窗口", code="already_assigned")
        if starts_on <= current.starts_on:
            raise ValidationFailed(
                "新派驻日期必须晚于当前派驻的进驻日期",
                code="invalid_date",
                fields={"starts_on": ["早于当前派驻"]},
            )
        _end(
            actor=actor,
            assignment=current,
            ends_on=starts_on - dt.timedelta(days=1),
            reason=f"调往 {window.number} {window.name}",
            early_reason=early_reason,
        )
    assignment = WindowAssignment.objects.create(
        staff=staff,
        window=window,
        department=staff.department,
        starts_on=starts_on,
        reason=reason,
        created_by=actor,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action=ASSIGNMENT_CREATE,
        obj=assignment,
        changes={
            "window": [None, f"{window.number} {window.name}"],
            "starts_on": [None, starts_on.isoformat()],
        },
        reason=reason,
    )
    if starts_on <= clock.today():
        _sync_window(actor=actor, staff=staff, day=clock.today(), reason=f"窗口派驻：{reason}")
        WindowAssignment.objects.filter(pk=assignment.pk).update(synced=True)
        assignment.synced = True
    return assignment


@transaction.atomic
def end_assignment(
    *, actor, assignment: WindowAssignment, ends_on: dt.date, reason: str, early_reason: str = ""
) -> WindowAssignment:
    """离岗: end an assignment on ``ends_on`` (its last day) without a new one."""
    _require_admin(actor, "只有中心管理员可以结束窗口派驻")
    reason = _text(reason, field="reason", label="离岗原因")
    assignment = (
        WindowAssignment.objects.select_for_update(of=("self",))
        .select_related("staff", "window")
        .get(pk=assignment.pk)
    )
    if assignment.ends_on is not None:
        raise Conflict("该派驻已结束", code="assignment_ended")
    _end(
        actor=actor,
        assignment=assignment,
        ends_on=ends_on,
        reason=reason,
        early_reason=early_reason,
    )
    if ends_on < clock.today():
        _sync_window(
            actor=actor, staff=assignment.staff, day=clock.today(), reason=f"离岗：{reason}"
        )
    return assignment


def apply_due_assignments(*, day: dt.date) -> int:
    """The morning run: assignments that start or ended by ``day`` reach
    ``org.Staff.window``, in the name of the administrator who made them (the
    decision was theirs; the audit row's reason says it took effect today)."""
    changed = 0
    since = day - dt.timedelta(days=31)
    rows = (
        WindowAssignment.objects.filter(starts_on__lte=day)
        .exclude(ends_on__lt=since)
        .select_related("staff", "created_by")
        .order_by("staff_id", "-starts_on")
    )
    seen = set()
    for assignment in rows:
        if assignment.staff_id in seen:
            continue
        seen.add(assignment.staff_id)
        actor = assignment.created_by
        if not roles.may_manage(actor):
            logger.warning("staff: %s is no longer an administrator; skipped", actor)
            continue
        with transaction.atomic():
            if _sync_window(
                actor=actor,
                staff=assignment.staff,
                day=day,
                reason=f"窗口派驻于 {day} 生效（每日任务）",
            ):
                changed += 1
            WindowAssignment.objects.filter(
                staff_id=assignment.staff_id, starts_on__lte=day, synced=False
            ).update(synced=True)
    return changed


# --------------------------------------------------------------------------- moves


def notice_deadline(*, day: dt.date) -> dt.date:
    """The earliest planned date a request made on ``day`` may name (R-STAFF-2: 5
    working days, the day of the request not counted, like every period of the
    project: R-CLOCK-2)."""
    return calendar.add_workdays(start=day, days=int(policy.get("STAFF_MOVE_NOTICE_DAYS"))).date


@transaction.atomic
def request_move(
    *, actor, staff: Staff, planned_on: dt.date, reason: str, to_window: Window | None = None
) -> MoveRequest:
    """调整申请 from the worker's department (its 首席代表)."""
    roles.require(
        roles.may_request_move(actor, staff), "只有该工作人员所属部门的首席代表可以提出调整申请"
    )
    reason = _text(reason, field="reason", label="书面调整意见", limit=LONG_TEXT_MAX)
    earliest = notice_deadline(day=clock.today())
    if planned_on < earliest:
        raise ValidationFailed(
            f"调整窗口工作人员须提前五个工作日提出，拟调整日期最早为 {earliest}",
            code="too_short_notice",
            fields={"planned_on": [f"最早 {earliest}"]},
        )
    if to_window is not None and to_window.centre_id != staff.centre_id:
        raise ValidationFailed(
            "窗口不属于该工作人员所在中心",
            code="window_other_centre",
            fields={"to_window": ["不属于该中心"]},
        )
    if MoveRequest.objects.filter(staff=staff, state=MoveState.PENDING).exists():
        raise Conflict(f"{staff.name}已有待审核的调整申请", code="move_pending")
    request = MoveRequest.objects.create(
        staff=staff,
        department=staff.department,
        to_window=to_window,
        planned_on=planned_on,
        reason=reason,
        requested_by=actor,
        requested_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action=MOVE_REQUEST,
        obj=request,
        changes={"planned_on": [None, planned_on.isoformat()]},
        reason=reason,
    )
    return request


@transaction.atomic
def decide_move(
    *, actor, request: MoveRequest, approve: bool, note: str = "", early_reason: str = ""
) -> MoveRequest:
    """The centre approves (the move is made on the planned date) or refuses."""
    _require_admin(actor, "只有中心管理员可以审核调整申请")
    note = _text(note, field="note", label="审核意见", required=not approve)
    request = (
        MoveRequest.objects.select_for_update(of=("self",))
        .select_related("staff", "to_window")
        .get(pk=request.pk)
    )
    if request.state != MoveState.PENDING:
        raise Conflict("该调整申请已审核", code="move_decided")
    if approve:
        planned = max(request.planned_on, clock.today())
        current = WindowAssignment.objects.filter(staff=request.staff, ends_on__isnull=True).first()
        if request.to_window is not None:
            assign(
                actor=actor,
                staff=request.staff,
                window=request.to_window,
                starts_on=planned,
                reason=f"调整申请：{request.reason[:150]}",
                early_reason=early_reason,
            )
        elif current is not None:
            end_assignment(
                actor=actor,
                assignment=current,
                ends_on=planned - dt.timedelta(days=1)
                if planned > current.starts_on
                else current.starts_on,
                reason=f"调整申请（调离中心）：{request.reason[:150]}",
                early_reason=early_reason,
            )
    request.state = MoveState.APPROVED if approve else MoveState.REFUSED
    request.decided_by = actor
    request.decided_at = clock.now()
    request.decision_note = note
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit.record(
        actor=actor,
        action=MOVE_APPROVE if approve else MOVE_REFUSE,
        obj=request,
        changes={"state": [MoveState.PENDING, request.state]},
        reason=note,
    )
    return request


# --------------------------------------------------------------------------- returns


@transaction.atomic
def return_worker(*, actor, staff: Staff, opinion: str) -> ReturnNotice:
    """退回: the centre's written opinion ends the worker's assignment today and gives
    the department 5 working days to send someone else (R-STAFF-3). The centre's
    decision is its own approval of an early end (R-STAFF-1), so the opinion is
    recorded as the reason."""
    _require_admin(actor, "只有中心管理员可以退回工作人员")
    opinion = _text(opinion, field="opinion", label="书面意见", limit=LONG_TEXT_MAX)
    if staff.department_id is None:
        raise ValidationFailed(
            f"{staff.name}是中心自有人员，没有可退回的派出单位", code="no_home_department"
        )
    if ReturnNotice.objects.filter(staff=staff, replaced_on__isnull=True).exists():
        raise Conflict(f"{staff.name}已被退回，待部门补派", code="already_returned")
    today = clock.today()
    current = (
        WindowAssignment.objects.select_for_update(of=("self",))
        .select_related("staff", "window")
        .filter(staff=staff, ends_on__isnull=True)
        .first()
    )
    window = current.window if current else staff.window
    if current is not None:
        _end(
            actor=actor,
            assignment=current,
            ends_on=max(today - dt.timedelta(days=1), current.starts_on),
            reason="中心退回",
            early_reason=opinion[:TEXT_MAX],
        )
        _sync_window(actor=actor, staff=staff, day=today, reason="中心退回")
    notice = ReturnNotice.objects.create(
        staff=staff,
        department=staff.department,
        window=window,
        opinion=opinion,
        issued_on=today,
        due_on=calendar.add_workdays(start=today, days=int(policy.get("STAFF_RETURN_DAYS"))).date,
        issued_by=actor,
    )
    audit.record(
        actor=actor,
        action=RETURN_ISSUE,
        obj=notice,
        changes={"due_on": [None, notice.due_on.isoformat()]},
        reason=opinion,
    )
    return notice


@transaction.atomic
def replace_worker(*, actor, notice: ReturnNotice, replacement: Staff) -> ReturnNotice:
    """补派: the department names the replacement; they take the window today."""
    roles.require(roles.may_replace(actor, notice), "只有派出单位的首席代表或中心管理员可以补派")
    notice = (
        ReturnNotice.objects.select_for_update(of=("self",))
        .select_related("window")
        .get(pk=notice.pk)
    )
    if notice.replaced_on is not None:
        raise Conflict("该退回已补派", code="already_replaced")
    if replacement.department_id != notice.department_id or replacement.pk == notice.staff_id:
        raise ValidationFailed(
            "补派人员须是派出单位的其他工作人员",
            code="invalid_replacement",
            fields={"replacement": ["须是本部门的其他人员"]},
        )
    if not replacement.is_active:
        raise Conflict(f"{replacement.name}已离岗", code="staff_inactive")
    today = clock.today()
    if notice.window is not None:
        admin = notice.issued_by  # the assignment is the centre's; it ordered the return
        assign(
            actor=admin if roles.may_manage(admin) else actor,
            staff=replacement,
            window=notice.window,
            starts_on=today,
            reason=f"补派（退回{notice.staff.name}）",
        )
    notice.replacement = replacement
    notice.replaced_on = today
    notice.save(update_fields=["replacement", "replaced_on"])
    late = today > notice.due_on
    audit.record(
        actor=actor,
        action=RETURN_REPLACE,
        obj=notice,
        changes={"replacement": [None, replacement.name]},
        reason="逾期补派" if late else "",
    )
    return notice


def mark_late_returns(*, day: dt.date) -> list[int]:
    """The morning run: a return not replaced by its due date is marked late once,
    and the department's 首席代表 is told (R-STAFF-3)."""
    late = list(
        ReturnNotice.objects.filter(
            replaced_on__isnull=True, due_on__lt=day, late_since__isnull=True
        ).select_related("staff", "department")
    )
    done = []
    for notice in late:
        with transaction.atomic():
            updated = ReturnNotice.objects.filter(pk=notice.pk, late_since__isnull=True).update(
                late_since=day
            )
            if not updated:
                continue
            audit.record(
                actor=actors.SYSTEM,
                action=RETURN_LATE,
                obj=notice,
                changes={"late_since": [None, day.isoformat()]},
            )
            chiefs = Staff.objects.filter(
                department=notice.department_id, role=Role.CHIEF_REP, is_active=True
            )
            notify(
                messages=[
                    Message(
                        channel=Channel.INBOX,
                        template="staff/return_late",
                        to=Recipient(name=chief.name, user_id=chief.user_id),
                        context={
                            "name": notice.staff.name,
                            "issued_on": notice.issued_on.isoformat(),
                            "due_on": notice.due_on.isoformat(),
                        },
                        url=reverse("staff:returns"),
                    )
                    for chief in chiefs
                ],
                group=f"staff.return_late:{notice.pk}",
                ref=f"staff.returnnotice:{notice.pk}",
            )
            done.append(notice.pk)
    return done


def run_daily(*, day: dt.date) -> dict:
    """The morning run of 人员管理 (after the cases' daily rules)."""
    return {
        "assignments_synced": apply_due_assignments(day=day),
        "returns_late": len(mark_late_returns(day=day)),
    }


# --------------------------------------------------------------------------- attendance


def _me(actor) -> Staff:
    roles.require(roles.may_sign(actor), "只有在岗工作人员可以签到签退")
    return actor.staff


@transaction.atomic
def sign_in(*, actor) -> AttendanceRecord:
    """窗口签到 (the first one of the day counts)."""
    staff = _me(actor)
    now = clock.now()
    record, created = AttendanceRecord.objects.select_for_update(of=("self",)).get_or_create(
        staff=staff,
        day=clock.today(),
        defaults={"signed_in_at": now, "source": Source.WINDOW, "window": staff.window},
    )
    if not created:
        if record.signed_in_at is not None:
            raise Conflict(
                f"今天已于 {timezone.localtime(record.signed_in_at):%H:%M} 签到",
                code="already_signed_in",
            )
        record.signed_in_at = now
        record.save(update_fields=["signed_in_at"])
    audit.record(
        actor=actor, action=ATTENDANCE_SIGN, obj=record, changes={"signed_in_at": [None, str(now)]}
    )
    return record


@transaction.atomic
def sign_out(*, actor) -> AttendanceRecord:
    """窗口签退 (signing out again moves it later)."""
    staff = _me(actor)
    record = (
        AttendanceRecord.objects.select_for_update(of=("self",))
        .filter(staff=staff, day=clock.today())
        .order_by("pk")
        .first()
    )
    if record is None or record.signed_in_at is None:
        raise Conflict("今天尚未签到，不能签退", code="not_signed_in")
    now = clock.now()
    before = record.signed_out_at
    record.signed_out_at = now
    record.save(update_fields=["signed_out_at"])
    audit.record(
        actor=actor,
        action=ATTENDANCE_SIGN,
        obj=record,
        changes={"signed_out_at": [str(before) if before else None, str(now)]},
    )
    return record


_USER_HEADERS = ("工号", "用户名", "username", "账号")
_TIME_HEADERS = ("时间", "打卡时间", "time", "datetime")


def _rows_of(file_name: str, content: bytes):
    """(line number, [cells]) of a CSV (UTF-8 or GBK) or .xlsx file."""
    if file_name.lower().endswith(".xlsx"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same answer
            raise ValidationFailed("无法读取该 Excel 文件", code="unreadable_file") from None
        sheet = book.worksheets[0]
        for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield index, list(row[:4])
        book.close()
        return
    if not file_name.lower().endswith(".csv"):
        raise ValidationFailed("只能导入 .csv 或 .xlsx 文件", code="unsupported_file")
    for encoding in ("utf-8-sig", "gbk"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed("文件编码无法识别（应为 UTF-8 或 GBK）", code="unreadable_file")
    for index, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        yield index, row[:4]


_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


def _parse_time(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = str(value or "").strip()[:25]
        moment = None
        for fmt in _TIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def import_attendance(*, actor, file_name: str, content: bytes) -> AttendanceImport:
    """考勤机导入: a file of punches (工号/用户名, 时间), a header row first. All or
    nothing: any row in error and nothing is imported; the error lists every bad
    row (the first :data:`ERRORS_SHOWN`) in Chinese. A person's first punch of a day
    is the sign-in and the last the sign-out, merged with what the window recorded."""
    _require_admin(actor, "只有中心管理员可以导入考勤记录")
    file_name = (file_name or "").replace("\x00", "")[:200] or "考勤.csv"
    if len(content) > IMPORT_BYTES_MAX:
        raise ValidationFailed("文件超过 20 MB", code="file_too_large")
    max_rows = int(policy.get("STAFF_IMPORT_MAX_ROWS"))
    rows = _rows_of(file_name, content)
    header = next(rows, None)
    if header is None:
        raise ValidationFailed("文件为空", code="empty_file")
    cells = [str(c or "").strip().lower() for c in header[1]]
    try:
        user_col = next(i for i, c in enumerate(cells) if c in _USER_HEADERS)
        time_col = next(i for i, c in enumerate(cells) if c in _TIME_HEADERS)
    except StopIteration:
        raise ValidationFailed("第 1 行应为表头，含“工号”和“时间”两列", code="bad_header") from None
    usernames = dict(Staff.objects.filter(is_active=True).values_list("user__username", "pk"))
    today = clock.today()
    errors: list[str] = []
    error_count = 0
    punches: dict[tuple[int, dt.date], list[dt.datetime]] = {}
    count = 0
    for line, row in rows:
        if not any(str(c or "").strip() for c in row):
            continue
        count += 1
        if count > max_rows:
            raise ValidationFailed(f"文件超过 {max_rows} 行，请分批导入", code="too_many_rows")
        name = str(row[user_col] if user_col < len(row) else "").strip()[:150]
        moment = _parse_time(row[time_col] if time_col < len(row) else "")
        problem = ""
        if name not in usernames:
            problem = f"工号“{name[:30]}”不是在岗工作人员" if name else "缺少工号"
        elif moment is None:
            problem = "时间格式不正确（应为 YYYY-MM-DD HH:MM[:SS]）"
        elif timezone.localdate(moment) > today:
            problem = "打卡时间晚于今天"
        if problem:
            error_count += 1
            if len(errors) < ERRORS_SHOWN:
                errors.append(f"第 {line} 行：{problem}")
            continue
        punches.setdefault((usernames[name], timezone.localdate(moment)), []).append(moment)
    if error_count:
        more = (
            f"（另有 {error_count - len(errors)} 行错误未列出）"
            if error_count > len(errors)
            else ""
        )
        raise ValidationFailed(
            f"{error_count} 行有错误，未导入任何记录{more}",
            code="import_rows_invalid",
            fields={"file": errors},
        )
    if not punches:
        raise ValidationFailed("文件中没有考勤记录", code="empty_file")
    with transaction.atomic():
        days = {day for _, day in punches}
        staff_ids = {pk for pk, _ in punches}
        existing = {
            (r.staff_id, r.day): r
            for r in AttendanceRecord.objects.select_for_update(of=("self",))
            .filter(staff_id__in=staff_ids, day__gte=min(days), day__lte=max(days))
            .order_by()
        }
        new, changed = [], []
        for key, times in punches.items():
            first, last = min(times), max(times)
            record = existing.get(key)
            if record is None:
                new.append(
                    AttendanceRecord(
                        staff_id=key[0],
                        day=key[1],
                        signed_in_at=first,
                        signed_out_at=last if last > first else None,
                        source=Source.DEVICE,
                    )
                )
                continue
            touched = False
            if record.signed_in_at is None or first < record.signed_in_at:
                record.signed_in_at, touched = first, True
            if last > first and (record.signed_out_at is None or last > record.signed_out_at):
                record.signed_out_at, touched = last, True
            if touched:
                changed.append(record)
        AttendanceRecord.objects.bulk_create(new, batch_size=2000)
        AttendanceRecord.objects.bulk_update(
            changed, ["signed_in_at", "signed_out_at"], batch_size=2000
        )
        done = AttendanceImport.objects.create(
            file_name=file_name,
            digest=hashlib.sha256(content).hexdigest(),
            rows=count,
            records=len(new) + len(changed),
            imported_by=actor,
            imported_at=clock.now(),
        )
        audit.record(
            actor=actor,
            action=ATTENDANCE_IMPORT,
            obj=done,
            changes={
                "rows": [None, count],
                "new": [None, len(new)],
                "merged": [None, len(changed)],
            },
            reason=file_name,
        )
    return done


# --------------------------------------------------------------------------- leave


@transaction.atomic
def request_leave(
    *, actor, staff: Staff, kind: str, starts_on: dt.date, ends_on: dt.date, reason: str
) -> LeaveRequest:
    roles.require(roles.may_request_leave(actor, staff), "您无权为该工作人员请假")
    if kind not in LeaveKind.values:
        raise ValidationFailed("假别无效", code="invalid_kind", fields={"kind": ["无效"]})
    reason = _text(reason, field="reason", label="事由")
    if ends_on < starts_on:
        raise ValidationFailed(
            "结束日期早于开始日期", code="invalid_period", fields={"ends_on": ["早于开始日期"]}
        )
    if (ends_on - starts_on).days > 366:
        raise ValidationFailed("一次请假不超过一年", code="invalid_period")
    overlapping = LeaveRequest.objects.filter(
        staff=staff,
        state__in=(LeaveState.PENDING, LeaveState.APPROVED),
        starts_on__lte=ends_on,
        ends_on__gte=starts_on,
    )
    if overlapping.exists():
        raise Conflict("与已提交的请假时间重叠", code="leave_overlaps")
    workdays = calendar.workdays_between(start=starts_on - dt.timedelta(days=1), end=ends_on).count
    leave = LeaveRequest.objects.create(
        staff=staff,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        workdays=workdays,
        reason=reason,
        requested_by=actor,
        requested_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action=LEAVE_REQUEST,
        obj=leave,
        changes={"period": [None, f"{starts_on}~{ends_on}"], "kind": [None, kind]},
        reason=reason,
    )
    return leave


@transaction.atomic
def decide_leave(*, actor, leave: LeaveRequest, approve: bool, note: str = "") -> LeaveRequest:
    leave = (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("staff")
        .get(pk=leave.pk)
    )
    roles.require(
        roles.may_decide_leave(actor, leave),
        "请假由中心管理员或本部门首席代表审批（不能审批本人的请假）",
    )
    note = _text(note, field="note", label="审批意见", required=not approve)
    if leave.state != LeaveState.PENDING:
        raise Conflict("该请假已审批", code="leave_decided")
    leave.state = LeaveState.APPROVED if approve else LeaveState.REFUSED
    leave.decided_by = actor
    leave.decided_at = clock.now()
    leave.decision_note = note
    leave.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit.record(
        actor=actor,
        action=LEAVE_APPROVE if approve else LEAVE_REFUSE,
        obj=leave,
        changes={"state": [LeaveState.PENDING, leave.state]},
        reason=note,
    )
    return leave


@transaction.atomic
def cancel_leave(*, actor, leave: LeaveRequest, reason: str) -> LeaveRequest:
    """撤销 (销假 before it starts): the person, or whoever could ask for them."""
    leave = (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("staff")
        .get(pk=leave.pk)
    )
    roles.require(roles.may_request_leave(actor, leave.staff), "您无权撤销该请假")
    reason = _text(reason, field="reason", label="撤销理由")
    if leave.state not in (LeaveState.PENDING, LeaveState.APPROVED):
        raise Conflict("该请假不能撤销", code="leave_not_cancellable")
    before = leave.state
    leave.state = LeaveState.CANCELLED
    leave.save(update_fields=["state"])
    audit.record(
        actor=actor,
        action=LEAVE_CANCEL,
        obj=leave,
        changes={"state": [before, leave.state]},
        reason=reason,
    )
    return leave


# --------------------------------------------------------------------------- training

HALF = Decimal("0.5")


def credited_hours(session: TrainingSession, signed_in_at, signed_out_at) -> Decimal:
    """R-STAFF-5: no sign-out, no hours; otherwise the session's hours in proportion
    to the part of it attended (from the later of start and sign-in to the earlier of
    end and sign-out), rounded down to half an hour."""
    if signed_in_at is None or signed_out_at is None:
        return Decimal(0)
    start = max(session.starts_at, signed_in_at)
    end = min(session.ends_at, signed_out_at)
    if end <= start:
        return Decimal(0)
    share = Decimal((end - start).total_seconds()) / Decimal(
        (session.ends_at - session.starts_at).total_seconds()
    )
    hours = (session.hours * share / HALF).to_integral_value(rounding=ROUND_FLOOR) * HALF
    return min(hours, session.hours)


@transaction.atomic
def create_training(
    *, actor, centre, title: str, place: str, starts_at: dt.datetime, ends_at: dt.datetime, hours
) -> TrainingSession:
    _require_admin(actor, "只有中心管理员可以组织培训")
    title = _text(title, field="title", label="培训主题", limit=100)
    place = _text(place, field="place", label="地点", limit=100)
    if ends_at <= starts_at:
        raise ValidationFailed(
            "结束时间须晚于开始时间", code="invalid_period", fields={"ends_at": ["早于开始"]}
        )
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except ArithmeticError:
        hours = Decimal(-1)
    if not Decimal(0) < hours <= Decimal(24):
        raise ValidationFailed(
            "学时应在 0.1 至 24 之间", code="invalid_hours", fields={"hours": ["0.1–24"]}
        )
    if TrainingSession.objects.filter(centre=centre, title=title, starts_at=starts_at).exists():
        raise Conflict("同一时间已有同名培训", code="duplicate")
    session = TrainingSession.objects.create(
        centre=centre,
        title=title,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        hours=hours,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=TRAINING_CREATE,
        obj=session,
        changes=audit.diff({}, audit.snapshot(session, ["title", "place", "hours"])),
    )
    return session


SIGN_IN_EARLY = dt.timedelta(minutes=30)


def _attendee(actor, staff):
    if staff is None:
        return _me(actor)
    roles.require(roles.may_manage(actor), "只有中心管理员可以代他人签到签退")
    return staff


@transaction.atomic
def training_sign_in(*, actor, session: TrainingSession, staff: Staff | None = None, at=None):
    """签到: from half an hour before the start to the end (the administrator may
    record a paper sign-in sheet for someone, with its time)."""
    person = _attendee(actor, staff)
    at = at if (at is not None and staff is not None) else clock.now()
    if not session.starts_at - SIGN_IN_EARLY <= at <= session.ends_at:
        raise Conflict("不在培训签到时间内（开始前 30 分钟至结束）", code="training_closed")
    if TrainingAttendance.objects.filter(session=session, staff=person).exists():
        raise Conflict(f"{person.name}已签到", code="already_signed_in")
    row = TrainingAttendance.objects.create(session=session, staff=person, signed_in_at=at)
    audit.record(
        actor=actor, action=TRAINING_SIGN, obj=row, changes={"signed_in_at": [None, str(at)]}
    )
    return row


@transaction.atomic
def training_sign_out(*, actor, session: TrainingSession, staff: Staff | None = None, at=None):
    person = _attendee(actor, staff)
    at = at if (at is not None and staff is not None) else clock.now()
    row = (
        TrainingAttendance.objects.select_for_update(of=("self",))
        .filter(session=session, staff=person)
        .first()
    )
    if row is None:
        raise Conflict("尚未签到，不能签退", code="not_signed_in")
    if row.signed_out_at is not None:
        raise Conflict("已签退", code="already_signed_out")
    if at < row.signed_in_at:
        raise ValidationFailed("签退时间早于签到时间", code="invalid_period")
    row.signed_out_at = at
    row.credited_hours = credited_hours(session, row.signed_in_at, at)
    row.save(update_fields=["signed_out_at", "credited_hours"])
    audit.record(
        actor=actor,
        action=TRAINING_SIGN,
        obj=row,
        changes={
            "signed_out_at": [None, str(at)],
            "credited_hours": [None, str(row.credited_hours)],
        },
    )
    return row


# --------------------------------------------------------------------------- appraisal


def _score(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        score = Decimal(str(value)).quantize(Decimal("0.1"))
    except ArithmeticError:
        score = Decimal(-1)
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationFailed(
            "评分应在 0 至 100 之间", code="invalid_score", fields={"score": ["0–100"]}
        )
    return score


@transaction.atomic
def save_appraisal(
    *,
    actor,
    staff: Staff,
    year: int,
    score=None,
    grade: str = "",
    comments: str = "",
    reason: str = "",
) -> Appraisal:
    """The centre's score, 等次 and comments. A finalised appraisal changes only with
    a recorded reason (``reason_required``), and stays final with the new text."""
    _require_admin(actor, "只有中心管理员可以填写年终表现鉴定")
    if not 2000 <= int(year) <= clock.today().year:
        raise ValidationFailed("年度无效", code="invalid_year", fields={"year": ["无效"]})
    if grade and grade not in Grade.values:
        raise ValidationFailed("鉴定等次无效", code="invalid_grade", fields={"grade": ["无效"]})
    comments = _text(
        comments, field="comments", label="鉴定意见", required=False, limit=LONG_TEXT_MAX
    )
    appraisal, _ = Appraisal.objects.select_for_update(of=("self",)).get_or_create(
        staff=staff,
        year=year,
        defaults={"department": staff.department, "updated_at": clock.now()},
    )
    if appraisal.state == AppraisalState.FINAL:
        reason = (reason or "").strip()[:TEXT_MAX]
        if not reason:
            raise Conflict(
                "该鉴定已定稿，修改须填写理由", code="reason_required", fields={"reason": ["必填"]}
            )
    before = audit.snapshot(appraisal, ["score", "grade", "comments"])
    appraisal.score = _score(score)
    appraisal.grade = grade or ""
    appraisal.comments = comments
    appraisal.updated_at = clock.now()
    appraisal.save()
    changes = audit.diff(before, audit.snapshot(appraisal, ["score", "grade", "comments"]))
    audit.record(actor=actor, action=APPRAISAL_SAVE, obj=appraisal, changes=changes, reason=reason)
    return appraisal


@transaction.atomic
def finalise_appraisal(*, actor, appraisal: Appraisal) -> Appraisal:
    """定稿: the figures are frozen as they are today and the sheet can be sent."""
    from . import selectors

    _require_admin(actor, "只有中心管理员可以定稿年终表现鉴定")
    appraisal = (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("staff")
        .get(pk=appraisal.pk)
    )
    if appraisal.state == AppraisalState.FINAL:
        raise Conflict("该鉴定已定稿", code="appraisal_final")
    if appraisal.score is None or not appraisal.grade:
        raise ValidationFailed(
            "定稿前须填写评分和鉴定等次", code="appraisal_incomplete", fields={"score": ["必填"]}
        )
    appraisal.figures = selectors.figures_for(staff_ids=[appraisal.staff_id], year=appraisal.year)[
        appraisal.staff_id
    ]
    appraisal.state = AppraisalState.FINAL
    appraisal.finalised_by = actor
    appraisal.finalised_at = clock.now()
    appraisal.updated_at = clock.now()
    appraisal.save()
    audit.record(
        actor=actor,
        action=APPRAISAL_FINALISE,
        obj=appraisal,
        changes={"state": [AppraisalState.DRAFT, AppraisalState.FINAL]},
    )
    return appraisal


def get_or_404(model, pk) -> object:
    if not isinstance(pk, int) or not 0 < pk < 2**31:
        raise NotFound("记录不存在", code="not_found")
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise NotFound("记录不存在", code="not_found")
    return row
