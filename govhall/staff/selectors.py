"""Reads of 人员管理. Every list goes through :func:`_visible` (``roles.visible_staff``).

The year-end figures (:func:`figures_for`) read other apps' models directly: cases
(``CaseEvent``, ``Case``), 好差评 (``Rating``), complaints (``Complaint``) and 电子监察
(``Warning``). Those apps have per-department statistics but no per-person read for
a list of people, so the grouped queries are here (a fixed number for any number
of people: docs/staff.md "数据来源")."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.cases.models import Case, CaseEvent
from govhall.core import clock
from govhall.feedback.complaints.models import Category as ComplaintCategory
from govhall.feedback.complaints.models import Complaint, Finding
from govhall.feedback.complaints.models import State as ComplaintState
from govhall.feedback.ratings.models import Rating
from govhall.hall.models import Ticket, TicketState
from govhall.org.models import Staff
from govhall.supervision.models import Level as WarningLevel
from govhall.supervision.models import Warning

from . import policy, roles
from .models import (
    Appraisal,
    AttendanceRecord,
    LeaveKind,
    LeaveRequest,
    LeaveState,
    MoveRequest,
    ReturnNotice,
    TrainingAttendance,
    TrainingSession,
    WindowAssignment,
)

PK_MAX = 2**31 - 1


def _visible(qs: QuerySet, user, prefix: str = "staff__") -> QuerySet:
    rule = roles.visible_staff(user)
    if rule is None:
        return qs
    if not prefix:
        return qs.filter(rule)
    # re-root the Q on the related staff
    ids = Staff.objects.filter(rule).values("pk")
    return qs.filter(**{f"{prefix}in": ids})


def people(*, user, q: str = "") -> QuerySet[Staff]:
    qs = _visible(
        Staff.objects.filter(is_active=True).select_related("department", "window", "centre"),
        user,
        prefix="",
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(user__username__iexact=q))
    return qs.order_by("centre__code", "department__name", "name")


def person(*, user, pk: int) -> Staff:
    from govhall.core.errors import NotFound

    staff = (
        Staff.objects.select_related("department", "window", "centre", "user")
        .filter(pk=pk if 0 < pk <= PK_MAX else 0)
        .first()
    )
    if staff is None or not roles.may_view(user, staff):
        raise NotFound("没有该工作人员，或您无权查看", code="staff_not_found")
    return staff


def assignments(*, user, current_only: bool = False) -> QuerySet[WindowAssignment]:
    qs = _visible(
        WindowAssignment.objects.select_related(
            "staff", "window", "department", "early_approved_by"
        ),
        user,
    )
    if current_only:
        qs = qs.filter(ends_on__isnull=True)
    return qs.order_by("window__centre__code", "window__number", "-starts_on")


def move_requests(*, user, state: str = "") -> QuerySet[MoveRequest]:
    qs = _visible(
        MoveRequest.objects.select_related("staff", "department", "to_window", "requested_by"),
        user,
    )
    return qs.filter(state=state) if state else qs


def return_notices(*, user, open_only: bool = False) -> QuerySet[ReturnNotice]:
    rule = roles.visible_staff(user)
    qs = ReturnNotice.objects.select_related("staff", "department", "window", "replacement")
    if rule is not None:
        department = roles.chief_of(user)
        qs = qs.filter(department=department) if department else qs.none()
    if open_only:
        qs = qs.filter(replaced_on__isnull=True)
    return qs


def late_returns(*, user) -> list[ReturnNotice]:
    """The warning on the staff pages: returns not replaced by their due date."""
    today = clock.today()
    return list(return_notices(user=user, open_only=True).filter(due_on__lt=today))


# --------------------------------------------------------------------------- attendance


def _clock_time(name: str) -> dt.time:
    hours, minutes = str(policy.get(name)).split(":")
    return dt.time(int(hours), int(minutes))


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """(latest sign-in not late, earliest sign-out not early) of ``day``."""
    grace = dt.timedelta(minutes=int(policy.get("STAFF_LATE_GRACE_MINUTES")))
    start = timezone.make_aware(dt.datetime.combine(day, _clock_time("STAFF_DAY_START")))
    end = timezone.make_aware(dt.datetime.combine(day, _clock_time("STAFF_DAY_END")))
    return start + grace, end


def flags(record: AttendanceRecord, *, today: dt.date | None = None) -> list[str]:
    """迟到 / 早退 / 未签退 of one day's record."""
    today = today or clock.today()
    latest_in, earliest_out = day_bounds(record.day)
    out = []
    if record.signed_in_at is not None and record.signed_in_at > latest_in:
        out.append("迟到")
    if record.signed_out_at is not None and record.signed_out_at < earliest_out:
        out.append("早退")
    if record.signed_out_at is None and record.day < today:
        out.append("未签退")
    return out


def attendance(
    *, user, staff: Staff | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[AttendanceRecord]:
    qs = _visible(AttendanceRecord.objects.select_related("staff", "window"), user)
    if staff is not None:
        qs = qs.filter(staff=staff)
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    return qs.order_by("-day", "staff__name")


def leave_requests(*, user, state: str = "") -> QuerySet[LeaveRequest]:
    qs = _visible(LeaveRequest.objects.select_related("staff", "staff__department"), user)
    return qs.filter(state=state) if state else qs


def roster(*, user, day: dt.date | None = None) -> dict:
    """今日在岗: who is at which window on ``day`` (the assignments of that day, and
    staff whose window is set without an assignment record), each with 已签到 (time),
    请假 (kind) or 未签到; on a day off, no one is expected."""
    day = day or clock.today()
    rows = []
    qs = _visible(
        WindowAssignment.objects.filter(starts_on__lte=day)
        .exclude(ends_on__lt=day)
        .select_related("staff", "window", "department"),
        user,
    )
    seen = set()
    for a in qs:
        seen.add(a.staff_id)
        rows.append({"staff": a.staff, "window": a.window, "assignment": a})
    if day == clock.today():
        extra = people(user=user).filter(window__isnull=False).exclude(pk__in=seen)
        for s in extra:
            rows.append({"staff": s, "window": s.window, "assignment": None})
    ids = [r["staff"].pk for r in rows]
    records = {r.staff_id: r for r in AttendanceRecord.objects.filter(staff_id__in=ids, day=day)}
    leaves = {
        leave.staff_id: leave
        for leave in LeaveRequest.objects.filter(
            staff_id__in=ids, state=LeaveState.APPROVED, starts_on__lte=day, ends_on__gte=day
        )
    }
    workday = calendar.is_workday(day=day)
    _, end = day_bounds(day)
    over = clock.now() > end or day < clock.today()
    counts = {"signed_in": 0, "on_leave": 0, "missing": 0}
    for row in rows:
        record = records.get(row["staff"].pk)
        leave = leaves.get(row["staff"].pk)
        row["record"], row["leave"] = record, leave
        if record is not None and record.signed_in_at:
            row["status"], row["css"] = "已签到", "success"
            row["flags"] = flags(record)
            counts["signed_in"] += 1
        elif leave is not None:
            row["status"], row["css"] = f"请假（{leave.get_kind_display()}）", "info"
            counts["on_leave"] += 1
        elif not workday:
            row["status"], row["css"] = "休息日", "secondary"
        else:
            row["status"], row["css"] = ("缺勤" if over else "未签到"), "danger"
            counts["missing"] += 1
    rows.sort(key=lambda r: (r["window"].centre_id, r["window"].number, r["staff"].name))
    return {"day": day, "workday": workday, "rows": rows, "counts": counts}


# --------------------------------------------------------------------------- training


def trainings(*, user) -> QuerySet[TrainingSession]:
    qs = TrainingSession.objects.annotate(
        signed=Count("attendances"),
        completed=Count("attendances", filter=Q(attendances__signed_out_at__isnull=False)),
    )
    if not roles.sees_all(user):
        staff = getattr(user, "staff", None)
        qs = qs.filter(centre_id=getattr(staff, "centre_id", None))
    return qs.order_by("-starts_at", "-id")


def training_rows(*, user, session: TrainingSession) -> list[TrainingAttendance]:
    return list(_visible(session.attendances.select_related("staff"), user))


def training_hours(*, staff_ids, year: int) -> dict[int, dict]:
    rows = (
        TrainingAttendance.objects.filter(staff_id__in=staff_ids, session__starts_at__year=year)
        .values("staff_id")
        .annotate(
            hours=Sum("credited_hours"),
            sessions=Count("pk"),
            completed=Count("pk", filter=Q(signed_out_at__isnull=False)),
        )
    )
    return {r["staff_id"]: r for r in rows}


# --------------------------------------------------------------------------- appraisal


def _year_bounds(year: int) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    return first, last, start, end


def _workdays(start: dt.date, end: dt.date) -> int:
    """Working days in [start, end]."""
    if end < start:
        return 0
    return calendar.workdays_between(start=start - dt.timedelta(days=1), end=end).count


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@transaction.atomic  # one read of the calendar's version for all the working-day counts
def figures_for(*, staff_ids: list[int], year: int) -> dict[int, dict]:
    """The record of each person for ``year`` (JSON values, so an appraisal can keep
    it): attendance, leave, training, cases, ratings, complaints, warnings. The year
    runs to yesterday while it is not over."""
    first, last, start, end = _year_bounds(year)
    until = min(last, clock.today() - dt.timedelta(days=1))
    out: dict[int, dict] = {pk: {} for pk in staff_ids}
    staff = {s.pk: s for s in Staff.objects.filter(pk__in=staff_ids).select_related("user")}

    # attendance: the days expected are the working days at a window since the
    # centre began keeping attendance here (its first record: no one is absent on
    # a day before the system knew of attendance)
    kept_since = AttendanceRecord.objects.order_by("day").values_list("day", flat=True).first()
    since = max(first, kept_since) if kept_since else None
    periods = defaultdict(list)
    if since is not None and since <= until:
        rows = WindowAssignment.objects.filter(staff_id__in=staff_ids, starts_on__lte=until)
        for a in rows.exclude(ends_on__lt=since):
            periods[a.staff_id].append((max(a.starts_on, since), min(a.ends_on or until, until)))
    records = defaultdict(list)
    for r in AttendanceRecord.objects.filter(staff_id__in=staff_ids, day__gte=first, day__lte=last):
        records[r.staff_id].append(r)
    workday_cache: dict[dt.date, bool] = {}

    def is_workday(day):
        if day not in workday_cache:
            workday_cache[day] = calendar.is_workday(day=day)
        return workday_cache[day]

    leaves = defaultdict(list)
    for leave in LeaveRequest.objects.filter(
        staff_id__in=staff_ids, state=LeaveState.APPROVED, starts_on__lte=last, ends_on__gte=first
    ):
        leaves[leave.staff_id].append(leave)

    today = clock.today()
    for pk in staff_ids:
        own = records[pk]
        expected = sum(_workdays(a, b) for a, b in periods[pk])
        present = sum(
            1
            for r in own
            if r.signed_in_at
            and r.day <= until
            and is_workday(r.day)
            and any(a <= r.day <= b for a, b in periods[pk])
        )
        late = early = no_out = 0
        for r in own:
            marks = flags(r, today=today)
            late += "迟到" in marks
            early += "早退" in marks
            no_out += "未签退" in marks
        by_kind: dict[str, int] = {}
        leave_at_window = 0
        for leave in leaves[pk]:
            a, b = max(leave.starts_on, first), min(leave.ends_on, last)
            days = _workdays(a, b)
            label = LeaveKind(leave.kind).label
            by_kind[label] = by_kind.get(label, 0) + days
            leave_at_window += sum(
                _workdays(max(a, pa), min(b, pb, until)) for pa, pb in periods[pk]
            )
        out[pk]["attendance"] = {
            "expected": expected,
            "present": present,
            "late": late,
            "early": early,
            "no_sign_out": no_out,
            "absent": max(0, expected - present - leave_at_window) if periods[pk] else 0,
            "at_window": bool(periods[pk]),
            "since": since.isoformat() if since else None,
        }
        out[pk]["leave"] = {"days": sum(by_kind.values()), "by_kind": by_kind}

    hours = training_hours(staff_ids=staff_ids, year=year)
    for pk in staff_ids:
        row = hours.get(pk, {})
        out[pk]["training"] = {
            "hours": str(Decimal(row.get("hours") or 0).quantize(Decimal("0.1"))),
            "sessions": row.get("sessions", 0),
            "completed": row.get("completed", 0),
        }

    # cases: distinct cases with a 办理记录 by the person in the year; on time among
    # those completed in the year with a deadline
    users = {s.user_id: pk for pk, s in staff.items()}
    handled = dict(
        CaseEvent.objects.filter(actor_id__in=users, at__gte=start, at__lt=end)
        .values("actor_id")
        .annotate(n=Count("case_id", distinct=True))
        .values_list("actor_id", "n")
    )
    completed = defaultdict(lambda: [0, 0])
    rows = (
        Case.objects.filter(
            events__actor_id__in=users,
            completed_at__gte=start,
            completed_at__lt=end,
            due_date__isnull=False,
        )
        .values_list("events__actor_id", "pk", "completed_at", "due_date")
        .distinct()
    )
    for actor_id, _, completed_at, due in rows:
        pair = completed[actor_id]
        pair[0] += 1
        pair[1] += timezone.localdate(completed_at) <= due
    for user_id, pk in users.items():
        done, on_time = completed.get(user_id, (0, 0))
        out[pk]["cases"] = {
            "handled": handled.get(user_id, 0),
            "completed": done,
            "on_time": on_time,
            "on_time_rate": _rate(on_time, done),
        }

    ratings = {
        r["staff_id"]: r
        for r in Rating.objects.filter(
            staff_id__in=staff_ids, rated_on__gte=first, rated_on__lte=last, excluded=False
        )
        .values("staff_id")
        .annotate(
            total=Count("pk"),
            good=Count("pk", filter=Q(level__gte=4)),
            bad=Count("pk", filter=Q(is_bad=True)),
        )
    }
    complaints = {
        r["about_staff_id"]: r
        for r in Complaint.objects.filter(
            about_staff_id__in=staff_ids,
            received_at__gte=start,
            received_at__lt=end,
            category__in=(ComplaintCategory.COMPLAINT, ComplaintCategory.REPORT),
        )
        .values("about_staff_id")
        .annotate(
            total=Count("pk"),
            upheld=Count("pk", filter=Q(finding__in=(Finding.UPHELD, Finding.PARTLY))),
            closed=Count(
                "pk",
                filter=Q(
                    state__in=(
                        ComplaintState.CLOSED,
                        ComplaintState.VISITED,
                        ComplaintState.SATISFIED,
                        ComplaintState.UNSATISFIED,
                    )
                ),
            ),
        )
    }
    warnings = {
        r["staff_id"]: r
        for r in Warning.objects.filter(
            staff_id__in=staff_ids, raised_on__gte=first, raised_on__lte=last
        )
        .values("staff_id")
        .annotate(total=Count("pk"), red=Count("pk", filter=Q(level=WarningLevel.RED)))
    }
    # the hall: people served at the window (叫号服务人次) and the average service time
    served = defaultdict(lambda: [0, 0.0, 0])
    for staff_id, started, finished in Ticket.objects.filter(
        served_by_id__in=staff_ids, day__gte=first, day__lte=last, state=TicketState.DONE
    ).values_list("served_by_id", "started_at", "finished_at"):
        row = served[staff_id]
        row[0] += 1
        if started and finished:
            row[1] += (finished - started).total_seconds() / 60
            row[2] += 1
    for pk in staff_ids:
        n, minutes, timed = served.get(pk, (0, 0.0, 0))
        out[pk]["hall"] = {
            "served": n,
            "service_avg": round(minutes / timed, 1) if timed else None,
        }

    for pk in staff_ids:
        r = ratings.get(pk, {})
        total = r.get("total", 0)
        out[pk]["ratings"] = {
            "total": total,
            "good": r.get("good", 0),
            "bad": r.get("bad", 0),
            "satisfaction": _rate(r.get("good", 0), total),
        }
        c = complaints.get(pk, {})
        out[pk]["complaints"] = {
            "total": c.get("total", 0),
            "closed": c.get("closed", 0),
            "upheld": c.get("upheld", 0),
        }
        w = warnings.get(pk, {})
        out[pk]["warnings"] = {"total": w.get("total", 0), "red": w.get("red", 0)}
        out[pk]["as_of"] = until.isoformat() if until >= first else first.isoformat()
    return out


def appraisals(*, user, year: int) -> QuerySet[Appraisal]:
    return _visible(
        Appraisal.objects.filter(year=year).select_related("staff", "department", "finalised_by"),
        user,
    )


def appraisal(*, user, pk: int) -> Appraisal:
    from govhall.core.errors import NotFound

    row = (
        _visible(Appraisal.objects.select_related("staff", "staff__centre", "department"), user)
        .filter(pk=pk if 0 < pk <= PK_MAX else 0)
        .first()
    )
    if row is None:
        raise NotFound("没有该鉴定，或您无权查看", code="appraisal_not_found")
    return row


def sheet_figures(appraisal: Appraisal) -> dict:
    """The figures on the sheet: frozen once final, live while a draft."""
    if appraisal.figures:
        return appraisal.figures
    return figures_for(staff_ids=[appraisal.staff_id], year=appraisal.year)[appraisal.staff_id]


def appraisal_staff(*, user, year: int) -> QuerySet[Staff]:
    """The people to appraise for ``year``: everyone at a window that year."""
    first, last, _, _ = _year_bounds(year)
    ids = (
        WindowAssignment.objects.filter(starts_on__lte=last)
        .exclude(ends_on__lt=first)
        .values("staff_id")
    )
    return people(user=user).filter(pk__in=ids)
