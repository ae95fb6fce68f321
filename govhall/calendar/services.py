"""Writes to the working-day calendar: a year's schedule (年度放假安排), one day.

Only the centre administrator (中心管理员) edits the calendar. ``calendar`` sits
below ``org`` in the layering, so the permission module is imported lazily inside
:func:`require_editor` — at call time, never at import time, so ``org`` can still
import ``calendar`` freely and no cycle exists.

Every write is one transaction: the days are rewritten, the ordinals of all later
days shift by the difference (one UPDATE, no day-by-day loop), the version token
changes (every process reloads its copy), an audit row is written and
``schedule_changed(years=[…])`` is sent inside the transaction, so a receiver that
recomputes deadlines commits or fails together with the change.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.db import transaction
from django.db.models import F

from govhall.core import audit, clock
from govhall.core.errors import ValidationFailed

from . import predict, rules, selectors
from .models import CalendarVersion, Day, DayKind, ScheduleSource, YearSchedule
from .signals import schedule_changed

KIND_ALIASES = {
    "工作日": rules.WORKDAY,
    "上班": rules.WORKDAY,
    "周末": rules.WEEKEND,
    "休息日": rules.WEEKEND,
    "法定节假日": rules.HOLIDAY,
    "节假日": rules.HOLIDAY,
    "假日": rules.HOLIDAY,
    "放假": rules.HOLIDAY,
    "休": rules.HOLIDAY,
    "调休上班": rules.MAKEUP,
    "调休": rules.MAKEUP,
    "补班": rules.MAKEUP,
    "班": rules.MAKEUP,
    **{k: k for k in rules.KIND_LABELS},
}
EXCEL_HEADERS = ["日期", "类型", "节日名称"]

# audit actions (``<app>.<entity>.<verb>``, label shown in 变更记录)
ENTER_SCHEDULE = audit.Action("calendar.year.enter_schedule", "录入年度放假安排")
EDIT_DAY = audit.Action("calendar.day.edit", "调整日历")
REFRESH_PREDICTION = audit.Action("calendar.year.refresh_prediction", "按推算规则更新")


def can_edit(user) -> bool:
    """May ``user`` change the calendar? (pages use it to show edit buttons)"""
    from govhall.org import permissions  # lazy: org is above calendar

    return permissions.is_centre_admin(user)


def require_editor(*, actor) -> None:
    """:class:`PermissionDenied` unless ``actor`` may change the calendar."""
    from govhall.org import permissions  # lazy: org is above calendar

    permissions.require(permissions.is_centre_admin(actor), "只有中心管理员可以维护工作日历")


def parse_kind(value) -> str | None:
    """A kind code from a code or a Chinese label (法定节假日, 调休上班, 放假, 补班 …)."""
    return KIND_ALIASES.get(str(value or "").strip())


def parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    for suffix in ("年", "月", "日"):
        text = text.replace(suffix, "-" if suffix != "日" else "")
    try:
        y, m, d = (int(p) for p in text.split("-"))
        return dt.date(y, m, d)
    except (ValueError, TypeError):
        return None


def _kind_problem(day: dt.date, kind: str) -> str | None:
    weekend = day.weekday() >= 5
    if kind == rules.MAKEUP and not weekend:
        return "调休上班只能是周六或周日"
    if kind == rules.WEEKEND and not weekend:
        return "周一至周五不能标为周末"
    if kind == rules.WORKDAY and weekend:
        return "周六、周日上班请标为调休上班"
    return None


def _check_year(year) -> int:
    limit = clock.today().year + selectors.MAX_YEARS_AHEAD
    if not isinstance(year, int) or not rules.FIRST_YEAR <= year <= limit:
        raise ValidationFailed(
            f"年份应在{rules.FIRST_YEAR}至{limit}年之间",
            code="invalid_year",
            fields={"year": ["年份超出范围"]},
        )
    return year


def validate_entries(*, year: int, rows: list, first_row: int = 1) -> list[rules.DayRule]:
    """Check every (date, kind, name) row; collect all problems (row numbers as the
    user sees them) and raise once, so nothing is saved on any error."""
    problems: list[str] = []
    out: list[rules.DayRule] = []
    seen: dict[dt.date, int] = {}
    for number, row in enumerate(rows, start=first_row):
        raw_date, raw_kind, name = (list(row) + [None, None, None])[:3]
        name = str(name or "").strip()
        day = parse_date(raw_date)
        kind = parse_kind(raw_kind)
        where = f"第{number}行"
        if day is None:
            problems.append(f"{where}：日期“{raw_date or ''}”无法识别，应为 YYYY-MM-DD")
            continue
        if day.year != year:
            problems.append(f"{where}：日期 {day:%Y-%m-%d} 不属于{year}年")
            continue
        if kind is None:
            problems.append(
                f"{where}：类型“{raw_kind or ''}”无法识别，应为 法定节假日 / 调休上班 / 工作日 / 周末"
            )
            continue
        if day in seen:
            problems.append(f"{where}：日期 {day:%Y-%m-%d} 与第{seen[day]}行重复")
            continue
        seen[day] = number
        problem = _kind_problem(day, kind)
        if problem:
            problems.append(
                f"{where}：{day:%Y-%m-%d}（星期{'一二三四五六日'[day.weekday()]}）{problem}"
            )
            continue
        if len(name) > 50:
            problems.append(f"{where}：节日名称不能超过50个字")
            continue
        out.append(rules.DayRule(day, kind, name if kind in (rules.HOLIDAY, rules.MAKEUP) else ""))
    if problems:
        raise ValidationFailed(
            f"放假安排有{len(problems)}处错误，未保存任何内容",
            code="invalid_schedule",
            fields={"days": problems},
        )
    return out


def _bump_version() -> None:
    CalendarVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
    selectors.invalidate_cache()


def _ordinal_before(day: dt.date) -> int:
    prev = Day.objects.filter(date__lt=day).order_by("-date").values_list("ordinal", flat=True)
    return prev.first() or 0


def _fill_gap_to(year: int) -> None:
    """Write provisional rows (predicted 调休, uncertain days counted as working days)
    for the years between the table's end and ``year``."""
    last = Day.objects.order_by("-date").values_list("date", "ordinal").first()
    if last is None:
        raise ValidationFailed("工作日历尚未初始化，请先执行迁移", code="calendar_empty")
    last_date, ordinal = last
    for gap_year in range(last_date.year + 1, year):
        rows = []
        for rule, uncertain in predict.provisional_year(gap_year):
            ordinal += rule.is_workday
            rows.append(Day(**_row(rule), ordinal=ordinal, provisional=True, uncertain=uncertain))
        Day.objects.bulk_create(rows, batch_size=1000)
        YearSchedule.objects.update_or_create(
            year=gap_year, defaults={"source": ScheduleSource.PROVISIONAL}
        )


def _row(rule: rules.DayRule) -> dict:
    return {"date": rule.date, "is_workday": rule.is_workday, "kind": rule.kind, "name": rule.name}


def _day_text(kind: str, name: str, uncertain: bool = False) -> str:
    """How a day reads in the audit log's before/after: 法定节假日 春节, 周末（待定）."""
    text = f"{rules.KIND_LABELS[kind]} {name}".strip()
    return f"{text}（待定）" if uncertain else text


def _rewrite(days: list[rules.DayRule], *, provisional: bool) -> dict:
    """Replace the rows of ``days`` (consecutive dates) and shift every later ordinal.
    Returns ``{date: [old, new]}`` for the days whose kind or name changed."""
    first, last = days[0].date, days[-1].date
    old = {d.date: d for d in Day.objects.filter(date__gte=first, date__lte=last)}
    ordinal = _ordinal_before(first)
    old_end = old[last].ordinal if last in old else None
    rows = []
    for rule in days:
        ordinal += rule.is_workday
        rows.append(Day(**_row(rule), ordinal=ordinal, provisional=provisional))
    Day.objects.filter(date__gte=first, date__lte=last).delete()
    Day.objects.bulk_create(rows, batch_size=1000)
    if old_end is not None and ordinal != old_end:
        # 调休 changes shift every later working day's number by the same amount.
        Day.objects.filter(date__gt=last).update(ordinal=F("ordinal") + (ordinal - old_end))
    changes = {}
    for rule in days:
        before = old.get(rule.date)
        before_text = _day_text(before.kind, before.name) if before else "无"
        after_text = _day_text(rule.kind, rule.name)
        if before_text != after_text:
            changes[rule.date.isoformat()] = [before_text, after_text]
    return changes


@transaction.atomic
def enter_year_schedule(*, actor, year: int, days: list, source_note: str = "") -> YearSchedule:
    """录入年度放假安排: the listed holidays and 调休上班 days; every other day follows
    the weekend rule. The year becomes official (no longer 推算)."""
    require_editor(actor=actor)
    year = _check_year(year)
    entries = validate_entries(year=year, rows=days)
    if not any(e.kind == rules.HOLIDAY for e in entries):
        raise ValidationFailed(
            f"{year}年放假安排中没有任何法定节假日，请检查", code="invalid_schedule"
        )
    _fill_gap_to(year)
    changes = _rewrite(rules.apply_schedule(year, entries), provisional=False)
    schedule, _ = YearSchedule.objects.update_or_create(
        year=year,
        defaults={
            "source": ScheduleSource.CENTRE,
            "entered_by": actor if getattr(actor, "pk", None) else None,
            "entered_at": clock.now(),
        },
    )
    audit.record(
        actor=actor,
        action=ENTER_SCHEDULE,
        obj=schedule,
        changes=changes,
        reason=source_note or f"录入{year}年放假安排",
    )
    _bump_version()
    schedule_changed.send(sender=YearSchedule, years=[year])
    return schedule


@transaction.atomic
def edit_day(*, actor, day: dt.date, kind: str, name: str = "", reason: str) -> Day:
    """调整某一天: e.g. a one-off local holiday or a correction. The year keeps its
    source (editing one day of a 推算 year does not make the whole year official)."""
    require_editor(actor=actor)
    if not (reason or "").strip():
        raise ValidationFailed(
            "请填写调整理由", code="reason_required", fields={"reason": ["必填"]}
        )
    if not isinstance(day, dt.date):
        raise ValidationFailed(
            "日期格式不正确", code="invalid_date", fields={"day": ["日期格式不正确"]}
        )
    _check_year(day.year)
    code = parse_kind(kind)
    if code is None:
        raise ValidationFailed(
            "类型无法识别", code="invalid_kind", fields={"kind": ["类型无法识别"]}
        )
    problem = _kind_problem(day, code)
    if problem:
        raise ValidationFailed(problem, code="invalid_kind", fields={"kind": [problem]})
    name = (name or "").strip()[:50] if code in (rules.HOLIDAY, rules.MAKEUP) else ""
    _fill_gap_to(day.year)
    schedule = YearSchedule.objects.filter(year=day.year).first()
    provisional = schedule is None or schedule.source == ScheduleSource.PROVISIONAL
    changes = _rewrite([rules.DayRule(day, code, name)], provisional=provisional)
    row = Day.objects.get(date=day)
    audit.record(actor=actor, action=EDIT_DAY, obj=row, changes=changes, reason=reason)
    _bump_version()
    schedule_changed.send(sender=Day, years=[day.year])
    return row


# --- Excel ---------------------------------------------------------------------------


def schedule_template(*, year: int) -> bytes:
    """Excel template (日期, 类型, 节日名称) pre-filled with the statutory holidays of
    ``year``; the administrator adds the State Council's 调休 days and uploads it."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    year = _check_year(year)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year}年放假安排"
    ws.append(EXCEL_HEADERS)
    for day, name in sorted(rules.statutory_holidays(year).items()):
        ws.append([day, DayKind.HOLIDAY.label, name])
        ws.cell(ws.max_row, 1).number_format = "yyyy-mm-dd"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 16
    choice = DataValidation(type="list", formula1='"法定节假日,调休上班"', allow_blank=False)
    ws.add_data_validation(choice)
    choice.add("B2:B400")
    notes = wb.create_sheet("填写说明")
    for line in (
        ["每行一天：日期（YYYY-MM-DD）、类型（法定节假日 / 调休上班）、节日名称。"],
        ["只需填写放假日和调休上班日，其余日期按周一至周五上班、周六周日休息处理。"],
        ["模板已预填《全国年节及纪念日放假办法》规定的法定节假日，请按国务院当年通知补充调休。"],
    ):
        notes.append(line)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_schedule_workbook(*, file) -> list[tuple]:
    """Rows (日期, 类型, 节日名称) of the first sheet; the header is checked."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for non-xlsx input
        raise ValidationFailed(
            "文件无法读取，请上传 .xlsx 格式的放假安排模板", code="invalid_file"
        ) from exc
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(c or "").strip() for c in (rows[0] if rows else [])][:3]
    if header != EXCEL_HEADERS:
        raise ValidationFailed(
            "表头应为：日期、类型、节日名称（请使用下载的模板）", code="invalid_header"
        )
    return [r for r in rows[1:] if any(c not in (None, "") for c in r[:3])]


def import_year_schedule_excel(*, actor, year: int, file, source_note: str = "") -> YearSchedule:
    """Excel upload of a year's schedule; row numbers in messages are Excel rows."""
    require_editor(actor=actor)
    rows = read_schedule_workbook(file=file)
    if not rows:
        raise ValidationFailed("文件中没有任何日期", code="invalid_schedule")
    validate_entries(year=_check_year(year), rows=rows, first_row=2)
    return enter_year_schedule(
        actor=actor,
        year=year,
        days=rows,
        source_note=source_note or f"Excel 导入{year}年放假安排",
    )


# --- seeding -------------------------------------------------------------------------


@transaction.atomic
def refresh_predictions(*, actor) -> list[int]:
    """Rewrite the 推算 years with this release's predictor (:mod:`predict`).

    A year stored as 推算 keeps the prediction it was written with; when the rules
    improve (a day found uncertain, or found certain) the stored rows would go stale.
    This brings them up to date — except the days the centre edited (调整日历 in the
    audit log), which stay as edited. Years with a schedule are never touched. One audit
    row per changed year (before/after per day), ordinals recomputed, the version token
    bumped and ``schedule_changed`` sent, so provisional deadlines are recomputed as when
    a schedule is entered. Returns the years that changed (none on a second run)."""
    from govhall.core.models import AuditEntry

    years = sorted(
        YearSchedule.objects.filter(source=ScheduleSource.PROVISIONAL).values_list(
            "year", flat=True
        )
    )
    if not years:
        return []
    first = dt.date(years[0], 1, 1)
    edited = set(
        AuditEntry.objects.filter(
            action=EDIT_DAY.name,
            object_type=Day._meta.label_lower,
            object_id__gte=first.isoformat(),
        ).values_list("object_id", flat=True)
    )
    predicted = {
        rule.date: (rule, uncertain)
        for year in years
        for rule, uncertain in predict.provisional_year(year)
    }
    rows = list(Day.objects.filter(date__gte=first).order_by("date"))
    ordinal = _ordinal_before(first)
    changes: dict[int, dict] = {}
    touched = []
    for row in rows:
        new = predicted.get(row.date)
        if new and row.date.isoformat() not in edited:
            rule, uncertain = new
            if (row.kind, row.name, row.uncertain) != (rule.kind, rule.name, uncertain):
                changes.setdefault(row.date.year, {})[row.date.isoformat()] = [
                    _day_text(row.kind, row.name, row.uncertain),
                    _day_text(rule.kind, rule.name, uncertain),
                ]
                row.kind, row.name, row.uncertain = rule.kind, rule.name, uncertain
                row.is_workday = rule.is_workday
        ordinal += row.is_workday
        if row.date.year in changes or row.ordinal != ordinal:
            row.ordinal = ordinal
            touched.append(row)
    if not changes:
        return []
    Day.objects.bulk_update(
        touched, ["kind", "name", "is_workday", "uncertain", "ordinal"], batch_size=1000
    )
    schedules = YearSchedule.objects.in_bulk(list(changes))
    for year, days in sorted(changes.items()):
        audit.record(
            actor=actor,
            action=REFRESH_PREDICTION,
            obj=schedules[year],
            changes=days,
            reason="推算规则更新",
        )
    _bump_version()
    schedule_changed.send(sender=YearSchedule, years=sorted(changes))
    return sorted(changes)


@transaction.atomic
def seed_if_empty(*, last_year: int | None = None) -> int:
    """Fill an empty table (as migrations 0002 + 0004 do): 国务院安排 where
    chinesecalendar has it, 推算 (predicted, :mod:`predict`) after. Returns the number of days written (0 if already seeded).
    For a database whose rows were flushed (e.g. by a transactional test run)."""
    if Day.objects.exists():
        return 0
    last_year = last_year or clock.today().year + selectors.MAX_YEARS_AHEAD
    ordinal, rows, years = 0, [], []
    for year in range(rules.FIRST_YEAR, last_year + 1):
        official = rules.has_official_schedule(year)
        source = ScheduleSource.STATE_COUNCIL if official else ScheduleSource.PROVISIONAL
        years.append(YearSchedule(year=year, source=source))
        if official:
            days = [(rule, False) for rule in rules.official_year(year)]
        else:
            days = predict.provisional_year(year)
        for rule, uncertain in days:
            ordinal += rule.is_workday
            rows.append(
                Day(**_row(rule), ordinal=ordinal, provisional=not official, uncertain=uncertain)
            )
    YearSchedule.objects.all().delete()
    Day.objects.bulk_create(rows, batch_size=2000)
    YearSchedule.objects.bulk_create(years)
    _bump_version()
    return len(rows)
