"""卷宗评查 (case-file review), 现场巡查 / 窗口自查 and 第三方评估 (issue 11 §3):
the services (writes, audited) and selectors (reads) of this area.

* The **monthly sample** (:func:`draw_sample`): per department a count or a
  percentage of the cases completed in the month (一件事 parents skipped), drawn with
  a stored seed — the same seed over the same completed cases draws the same files
  (:func:`sample_numbers`); a month is drawn once (a second draw is refused,
  ``already_drawn``).
* The **checklist** (评查标准) is versioned: the office publishes a new version
  (:func:`publish_checklist`); a review keeps the version it was drawn with.
* Each sampled file's findings are **pre-filled** where the system can tell
  (:func:`prefill`); the reviewer confirms or changes them and finishes the review
  (:func:`finish_review`): the score is the points awarded over the points possible,
  0–100.
* **Inspections** (:func:`record_inspection`, :func:`fix_inspection`,
  :func:`check_inspection`): a problem found is put right by the department's
  首席代表 (整改) and checked by the office (复查).
* **Third-party scores** (:func:`record_third_party`).

The evaluation (H4) reads :func:`department_scores` and :func:`inspection_scores`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.cases import selectors as case_selectors
from govhall.cases.models import Case, DocumentKind, SpecialStepRun, State
from govhall.core import actors, audit, clock
from govhall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from govhall.core.files import validate_case_file
from govhall.core.validators import clean_text
from govhall.org import permissions
from govhall.org.models import Department, Role, Window

from . import rules, selectors
from .models import (
    OPEN_INSPECTION_STATES,
    Check,
    ChecklistItem,
    FileReview,
    Inspection,
    InspectionKind,
    InspectionPhoto,
    InspectionState,
    QuotaKind,
    ReviewChecklist,
    ReviewDraw,
    ReviewFinding,
    ReviewState,
    SampleQuota,
    ThirdPartyScore,
)

PUBLISH_CHECKLIST = audit.Action("supervision.checklist.publish", "发布卷宗评查标准")
DRAW = audit.Action("supervision.review_draw.draw", "抽取评查卷宗")
SAVE_REVIEW = audit.Action("supervision.review.save", "保存卷宗评查")
FINISH_REVIEW = audit.Action("supervision.review.finish", "完成卷宗评查")
RECORD_INSPECTION = audit.Action("supervision.inspection.record", "登记巡查/自查")
FIX_INSPECTION = audit.Action("supervision.inspection.fix", "回复巡查整改")
CHECK_INSPECTION = audit.Action("supervision.inspection.check", "复查巡查整改")
RECORD_THIRD_PARTY = audit.Action("supervision.third_party.record", "录入第三方评估")

MAX_TEXT = 4000
MAX_ITEMS = 30
MAX_PHOTOS = 10
MAX_SEED = 2**53
PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png"}

# inspection_scores: points off the inspection part for each problem found in the
# period, and again for each one not yet put right (待整改 / 待复查).
PROBLEM_PENALTY = 5
OPEN_PROBLEM_PENALTY = 10

DEFAULT_CHECKLIST = [
    ("申请材料齐全（对照事项版本的材料清单）", 25, Check.MATERIALS),
    ("文书齐全且按时出具（受理、决定、送达）", 20, Check.NOTICES),
    ("特殊环节有依据、未超时限", 15, Check.SPECIAL_STEPS),
    ("决定理由充分", 20, Check.REASONS),
    ("卷宗归档完整", 20, Check.ARCHIVE),
]


# --------------------------------------------------------------------------- who


def may_manage(user) -> bool:
    """The supervision office (and the centre administrator) draws, reviews, records
    inspections and third-party scores."""
    return selectors.sees_all(user)


def _require_manager(user) -> None:
    if not may_manage(user):
        raise PermissionDenied("只有电子监察人员和中心管理员可以进行评查和巡查登记")


def may_record(user, *, kind: str | None = None, department=None) -> bool:
    """现场巡查 is the supervision office's (and the centre administrator's) to
    record; a 窗口自查 may also be recorded by a department's own 首席代表, for that
    department (the department checks its own windows; 内乡县 §37). Without ``kind``:
    may ``user`` record anything at all (the page and its link)?"""
    if may_manage(user):
        return True
    chief = permissions.active_staff(user, Role.CHIEF_REP)
    if chief is None or chief.department_id is None:
        return False
    if kind is None:
        return True
    return (
        kind == InspectionKind.SELF_CHECK
        and department is not None
        and department.pk == chief.department_id
    )


def may_see(user) -> bool:
    return selectors.may_see_warnings(user)


def _own(qs: QuerySet, user) -> QuerySet:
    if selectors.sees_all(user):
        return qs
    staff = permissions.active_staff(user)
    if staff is None or staff.department_id is None:
        return qs.none()
    return qs.filter(department_id=staff.department_id)


def visible_reviews(*, user) -> QuerySet[FileReview]:
    """The office and the centre administrator see every review; a department's staff
    their own department's; anyone else none."""
    return _own(FileReview.objects.select_related("draw", "case", "department", "reviewer"), user)


def visible_inspections(*, user) -> QuerySet[Inspection]:
    return _own(Inspection.objects.select_related("department", "window"), user)


def visible_third_party(*, user) -> QuerySet[ThirdPartyScore]:
    return _own(ThirdPartyScore.objects.select_related("department", "entered_by"), user)


def may_fix(user, inspection: Inspection) -> bool:
    """整改 is replied by the inspected department's 首席代表."""
    staff = permissions.active_staff(user, Role.CHIEF_REP)
    return staff is not None and staff.department_id == inspection.department_id


# --------------------------------------------------------------------------- input


def _text(value, name: str, label: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    return clean_text(value, field=name, label=label, limit=limit, required=required)


def _int(value, name: str, label: str, *, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(
            f"{label}应为整数", code="invalid_number", fields={name: ["应为整数"]}
        ) from None
    if not low <= number <= high:
        raise ValidationFailed(
            f"{label}应在 {low} 到 {high} 之间",
            code="out_of_range",
            fields={name: [f"{low}–{high}"]},
        )
    return number


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def parse_month(text: str, name: str = "month") -> dt.date:
    """``YYYY-MM`` → the month's first day; a bad value is 400 ``invalid_month``."""
    text = (text or "").strip()
    try:
        year, mon = text.split("-")
        if len(year) != 4 or len(mon) != 2:
            raise ValueError
        value = dt.date(int(year), int(mon), 1)
    except ValueError:
        raise ValidationFailed(
            f"月份“{text[:20]}”格式不正确，应为 YYYY-MM",
            code="invalid_month",
            fields={name: ["格式应为 YYYY-MM"]},
        ) from None
    if not 2000 <= value.year <= 2100:
        raise ValidationFailed("月份超出范围", code="invalid_month", fields={name: ["超出范围"]})
    return value


def _photos(files) -> list:
    files = list(files or [])
    if len(files) > MAX_PHOTOS:
        raise ValidationFailed(
            f"照片不超过 {MAX_PHOTOS} 张", code="too_many_files", fields={"photos": ["过多"]}
        )
    for f in files:
        ext = os.path.splitext(getattr(f, "name", "") or "")[1].lower()
        try:
            if ext not in PHOTO_EXTENSIONS:
                raise DjangoValidationError("照片只接受 JPG、PNG 格式")
            validate_case_file(f)
        except DjangoValidationError as exc:
            raise ValidationFailed(
                "照片不符合要求：" + "；".join(exc.messages),
                code="invalid_file",
                fields={"photos": exc.messages},
            ) from exc
    return files


def _save_photos(inspection: Inspection, files) -> None:
    now = clock.now()
    for f in files:
        InspectionPhoto.objects.create(
            inspection=inspection,
            name=(getattr(f, "name", "") or "照片")[:200],
            file=f,
            uploaded_at=now,
        )


# --------------------------------------------------------------------------- checklist


def current_checklist() -> ReviewChecklist:
    """The newest 评查标准; the default one (version 1) is published on first use."""
    checklist = ReviewChecklist.objects.order_by("-version").first()
    if checklist is not None:
        return checklist
    with transaction.atomic():
        try:
            with transaction.atomic():
                checklist = ReviewChecklist.objects.create(
                    version=1, note="默认评查标准", created_at=clock.now()
                )
        except IntegrityError:
            return ReviewChecklist.objects.get(version=1)
        for order, (title, points, check) in enumerate(DEFAULT_CHECKLIST, start=1):
            ChecklistItem.objects.create(
                checklist=checklist, order=order, title=title, points=points, prefill=check
            )
        audit.record(
            actor=actors.SYSTEM,
            action=PUBLISH_CHECKLIST,
            obj=checklist,
            changes={"version": [None, 1], "items": len(DEFAULT_CHECKLIST)},
            reason="默认评查标准",
        )
    return checklist


def publish_checklist(*, actor, items: list[dict], note: str = "") -> ReviewChecklist:
    """A new version of the checklist (``items``: ``title``, ``points``, ``prefill``);
    reviews already drawn keep theirs."""
    _require_manager(actor)
    if not items:
        raise ValidationFailed(
            "评查标准至少要有一个项目", code="required", fields={"items": ["必填"]}
        )
    if len(items) > MAX_ITEMS:
        raise ValidationFailed(
            f"评查项目不超过 {MAX_ITEMS} 个", code="too_many_items", fields={"items": ["过多"]}
        )
    rows = []
    for i, raw in enumerate(items):
        title = _text(raw.get("title"), f"items.{i}.title", "评查项目", limit=100)
        points = _int(raw.get("points"), f"items.{i}.points", "分值", low=1, high=100)
        check = raw.get("prefill") or ""
        if check not in Check.values:
            raise ValidationFailed(
                "系统预填项不正确", code="invalid_choice", fields={f"items.{i}.prefill": ["无效"]}
            )
        rows.append((title, points, check))
    note = _text(note, "note", "修订说明", required=False, limit=200)
    current = current_checklist()
    with transaction.atomic():
        try:
            with transaction.atomic():
                checklist = ReviewChecklist.objects.create(
                    version=current.version + 1,
                    note=note,
                    created_at=clock.now(),
                    created_by=permissions.staff_of(actor),
                )
        except IntegrityError:
            raise Conflict("评查标准已被他人修订，请刷新后重试", code="stale") from None
        for order, (title, points, check) in enumerate(rows, start=1):
            ChecklistItem.objects.create(
                checklist=checklist, order=order, title=title, points=points, prefill=check
            )
        audit.record(
            actor=actor,
            action=PUBLISH_CHECKLIST,
            obj=checklist,
            changes={
                "version": [current.version, checklist.version],
                "items": [f"{t}（{p} 分）" for t, p, _ in rows],
            },
            reason=note,
        )
    return checklist


# --------------------------------------------------------------------------- pre-fill


@dataclass(frozen=True)
class Prefill:
    problem: bool
    note: str


def _day(moment) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def _check_materials(case: Case) -> Prefill:
    missing = [line.name for line in case_selectors.material_lines(case=case) if line.tone]
    problems = [f"缺少或未补齐：{'、'.join(missing)}"] if missing else []
    if case.agent_name and not case.power_of_attorney:
        problems.append("代理人办理，但无授权委托书")
    if problems:
        return Prefill(True, "；".join(problems))
    return Prefill(False, "材料与事项版本的材料清单一致")


def _check_notices(case: Case) -> Prefill:
    kinds = Counter(d.kind for d in case.documents.all())
    events = [e.action for e in case.events.all()]
    runs = list(case.special_runs.all())
    needed = []
    if case.accepted_at:
        needed.append((DocumentKind.ACCEPTANCE, 1))
    if case.decided_at:
        needed.append((DocumentKind.DECISION, 1))
    if "deliver" in events:
        needed.append((DocumentKind.SERVICE_RECEIPT, 1))
    if runs:
        needed.append((DocumentKind.SPECIAL_STEP, len(runs)))
    if case.extension_days:
        needed.append((DocumentKind.EXTENSION, 1))
    problems = [f"缺少{DocumentKind(kind).label}" for kind, n in needed if kinds.get(kind, 0) < n]
    if case.deemed_accepted_s32:
        problems.append("未在法定期限内受理或一次性告知（视为受理）")
    ended = _day(case.completed_at or case.closed_at)
    if case.due_date and ended and ended > case.due_date:
        problems.append(f"超期办结：期限 {case.due_date:%Y-%m-%d}，办结 {ended:%Y-%m-%d}")
    if problems:
        return Prefill(True, "；".join(problems))
    return Prefill(False, "文书齐全，按期办结")


def _check_special_steps(case: Case) -> Prefill:
    runs = list(case.special_runs.all())
    if not runs:
        return Prefill(False, "未启动特殊环节")
    problems = []
    for run in runs:
        limit = run.special_step.time_limit_days
        end = run.ended_on or clock.today()
        used = calendar.workdays_between(start=run.started_on, end=end).count
        if used > limit:
            problems.append(f"“{run.name}”时限 {limit} 个工作日，用时 {used} 个工作日")
        if not (run.special_step.basis or "").strip():
            problems.append(f"“{run.name}”无设定依据")
        if not (run.record or "").strip() and run.ended_at:
            problems.append(f"“{run.name}”无办理记录")
    if problems:
        return Prefill(True, "；".join(problems))
    return Prefill(False, f"特殊环节 {len(runs)} 个，有依据、未超时")


def _check_reasons(case: Case) -> Prefill:
    weak = rules.weak_reason(case, clock.today())
    if weak is not None:
        return Prefill(True, weak.detail)
    decided = [e for e in case.events.all() if e.action == "decide"]
    if case.decided_at and decided and not (decided[-1].opinion or "").strip():
        return Prefill(True, "决定未写明审查意见")
    return Prefill(False, "理由已写明")


def _check_archive(case: Case) -> Prefill:
    if case.state != State.ARCHIVED or case.archived_at is None:
        return Prefill(True, f"未归档（{case.get_state_display()}）")
    return Prefill(False, f"已于 {_day(case.archived_at):%Y-%m-%d} 归档")


_CHECKS = {
    Check.MATERIALS: _check_materials,
    Check.NOTICES: _check_notices,
    Check.SPECIAL_STEPS: _check_special_steps,
    Check.REASONS: _check_reasons,
    Check.ARCHIVE: _check_archive,
}


def prefill(case: Case, check: str) -> Prefill | None:
    """What the system finds on ``case`` for one kind of checklist item (None for an
    item only a reviewer can judge)."""
    fn = _CHECKS.get(check)
    return fn(case) if fn else None


def _prefilled_findings(review: FileReview, items: list[ChecklistItem]) -> list[ReviewFinding]:
    case = review.case
    rows = []
    for item in items:
        found = prefill(case, item.prefill)
        rows.append(
            ReviewFinding(
                review=review,
                item=item,
                awarded=0 if found and found.problem else item.points,
                system_problem=bool(found and found.problem),
                system_note=(found.note if found else "")[:500],
                note=found.note[:500] if found and found.problem else "",
            )
        )
    return rows


# --------------------------------------------------------------------------- the sample


def completed_cases(*, department_id: int, month: dt.date) -> QuerySet[Case]:
    """Cases of the department completed (办结) in ``month``, 一件事 parents aside."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(next_month(month), dt.time.min, tzinfo=tz)
    return Case.objects.filter(
        department_id=department_id,
        completed_at__gte=start,
        completed_at__lt=end,
        state__in=(State.COMPLETED, State.ARCHIVED),
    ).exclude(bundle__isnull=False, parent__isnull=True)


def quota_size(kind: str, value: int, population: int) -> int:
    """A count (at most the population) or a percentage rounded up (at least one file
    when any was completed and the percentage is not zero)."""
    if population <= 0 or value <= 0:
        return 0
    if kind == QuotaKind.COUNT:
        return min(value, population)
    return min(population, max(1, math.ceil(population * value / 100)))


def sample_numbers(numbers: list[str], size: int, *, seed: int, department_id: int) -> list[str]:
    """The drawn 受理编号: ``size`` of ``numbers`` chosen by a generator seeded with
    ``<seed>:<department id>`` over the numbers sorted — the same seed and the same
    completed cases give the same sample, on any machine."""
    population = sorted(numbers)
    size = min(size, len(population))
    chosen = random.Random(f"{seed}:{department_id}").sample(population, size)
    return sorted(chosen)


def _quotas(quotas) -> list[tuple[Department, str, int]]:
    out, seen = [], set()
    for i, raw in enumerate(quotas or []):
        dept = raw.get("department")
        if not isinstance(dept, Department):
            dept_id = _int(dept, f"quotas.{i}.department", "部门", low=1, high=2**31 - 1)
            dept = Department.objects.filter(pk=dept_id).first()
            if dept is None:
                raise ValidationFailed(
                    "部门不存在",
                    code="department_not_found",
                    fields={f"quotas.{i}.department": ["不存在"]},
                )
        if dept.pk in seen:
            raise ValidationFailed(
                f"{dept.name}的抽查比例重复",
                code="duplicate_department",
                fields={f"quotas.{i}.department": ["重复"]},
            )
        seen.add(dept.pk)
        kind = raw.get("kind") or QuotaKind.COUNT
        if kind not in QuotaKind.values:
            raise ValidationFailed(
                "抽查方式应为按件数或按比例",
                code="invalid_choice",
                fields={f"quotas.{i}.kind": ["无效"]},
            )
        high = 100 if kind == QuotaKind.PERCENT else 1000
        value = _int(raw.get("value"), f"quotas.{i}.value", "抽查件数或比例", low=0, high=high)
        out.append((dept, kind, value))
    if not out:
        raise ValidationFailed(
            "请至少为一个部门设定抽查件数或比例", code="required", fields={"quotas": ["必填"]}
        )
    return out


def draw_sample(
    *, actor, month: dt.date, quotas: list[dict], seed: int | None = None
) -> ReviewDraw:
    """抽取 the month's files: per department (``quotas``: ``department``, ``kind``
    count/percent, ``value``) from the cases completed that month, with ``seed`` (a
    random one when not given, stored). The month must be over; a month is drawn once
    (``already_drawn``). Each drawn file gets its findings pre-filled."""
    _require_manager(actor)
    month = month_start(month)
    if next_month(month) > clock.today():
        raise ValidationFailed(
            f"{month:%Y年%m月}尚未结束，不能抽取",
            code="month_not_over",
            fields={"month": ["未结束"]},
        )
    if seed is None:
        seed = secrets.randbelow(2**31)
    seed = _int(seed, "seed", "随机种子", low=0, high=MAX_SEED)
    rows = _quotas(quotas)
    if ReviewDraw.objects.filter(month=month).exists():
        raise Conflict(f"{month:%Y年%m月}的评查卷宗已抽取，不能重复抽取", code="already_drawn")
    checklist = current_checklist()
    items = list(checklist.items.all())
    try:
        with transaction.atomic():
            draw = ReviewDraw.objects.create(
                month=month,
                seed=seed,
                checklist=checklist,
                drawn_at=clock.now(),
                drawn_by=permissions.staff_of(actor),
            )
            picked: list[tuple[Department, int]] = []
            for dept, kind, value in rows:
                cases = dict(
                    completed_cases(department_id=dept.pk, month=month).values_list("number", "pk")
                )
                size = quota_size(kind, value, len(cases))
                chosen = sample_numbers(list(cases), size, seed=seed, department_id=dept.pk)
                SampleQuota.objects.create(
                    draw=draw,
                    department=dept,
                    kind=kind,
                    value=value,
                    population=len(cases),
                    drawn=len(chosen),
                )
                picked += [(dept, cases[n]) for n in chosen]
            full = _full_cases([pk for _, pk in picked])
            drawn = FileReview.objects.bulk_create(
                [
                    FileReview(draw=draw, case=full[pk], department=dept, checklist=checklist)
                    for dept, pk in picked
                ]
            )
            findings = []
            for review in drawn:
                findings += _prefilled_findings(review, items)
            ReviewFinding.objects.bulk_create(findings)
            total = len(drawn)
            audit.record(
                actor=actor,
                action=DRAW,
                obj=draw,
                changes={
                    "month": [None, f"{month:%Y-%m}"],
                    "seed": [None, seed],
                    "files": total,
                    "quotas": {
                        d.short_name or d.name: f"{v}{'%' if k == QuotaKind.PERCENT else '件'}"
                        for d, k, v in rows
                    },
                },
            )
    except IntegrityError:
        raise Conflict(
            f"{month:%Y年%m月}的评查卷宗已抽取，不能重复抽取", code="already_drawn"
        ) from None
    return draw


def _full_cases(pks: list[int]) -> dict[int, Case]:
    """The drawn cases with what the pre-fill reads, a few queries for them all."""
    if not pks:
        return {}
    qs = (
        Case.objects.filter(pk__in=pks)
        .select_related("item_version", "department")
        .prefetch_related(
            "events",
            "documents",
            "item_version__materials",
            Prefetch(
                "special_runs",
                queryset=SpecialStepRun.objects.select_related("special_step").order_by(
                    "started_at", "id"
                ),
            ),
        )
    )
    return {c.pk: c for c in qs}


# --------------------------------------------------------------------------- a review


def _findings_input(rows: list[ReviewFinding], findings) -> dict[int, tuple[int, str]]:
    items = {f.item_id: f.item for f in rows}
    out = {}
    for i, raw in enumerate(findings or []):
        item_id = _int(raw.get("item"), f"findings.{i}.item", "评查项目", low=1, high=2**31 - 1)
        item = items.get(item_id)
        if item is None:
            raise ValidationFailed(
                "评查项目不属于该卷宗的评查标准",
                code="item_not_found",
                fields={f"findings.{i}.item": ["不存在"]},
            )
        awarded = _int(raw.get("awarded"), f"findings.{i}.awarded", "得分", low=0, high=item.points)
        note = _text(raw.get("note"), f"findings.{i}.note", "评查发现", required=False, limit=2000)
        out[item_id] = (awarded, note)
    return out


def _load_review(review: FileReview) -> FileReview:
    return FileReview.objects.select_for_update().get(pk=review.pk)


def _apply(actor, review: FileReview, findings, summary) -> tuple[dict, list[ReviewFinding]]:
    _require_manager(actor)
    if review.state != ReviewState.OPEN:
        raise Conflict("该卷宗已评查完毕，不能修改", code="wrong_state")
    rows = list(review.findings.select_related("item"))
    values = _findings_input(rows, findings)
    changes = {}
    for row in rows:
        if row.item_id not in values:
            continue
        awarded, note = values[row.item_id]
        if (row.awarded, row.note) != (awarded, note):
            changes[row.item.title] = [row.awarded, awarded]
            row.awarded, row.note = awarded, note
            row.save(update_fields=["awarded", "note"])
    if summary is not None:
        review.summary = _text(summary, "summary", "评查意见", required=False)
    review.reviewer = permissions.staff_of(actor)
    return changes, rows


def save_review(*, actor, review: FileReview, findings=(), summary=None) -> FileReview:
    """Keep the reviewer's findings (``findings``: ``item`` id, ``awarded`` 0–points,
    ``note``) without finishing."""
    with transaction.atomic():
        review = _load_review(review)
        changes, _rows = _apply(actor, review, findings, summary)
        review.save(update_fields=["summary", "reviewer"])
        audit.record(actor=actor, action=SAVE_REVIEW, obj=review, changes=changes)
    return review


def score_of(rows: list[ReviewFinding]) -> Decimal:
    """Points awarded over points possible, 0–100 (one decimal)."""
    possible = sum(r.item.points for r in rows)
    if not possible:
        return Decimal("0.0")
    value = Decimal(sum(r.awarded for r in rows) * 100) / Decimal(possible)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def finish_review(*, actor, review: FileReview, findings=(), summary=None) -> FileReview:
    """Finish the review: the score is fixed, and a special step marked down is
    listed as 特殊环节滥用 (domain.md §5, seed 2 §23)."""
    with transaction.atomic():
        review = _load_review(review)
        changes, rows = _apply(actor, review, findings, summary)
        review.score = score_of(rows)
        review.special_abuse = any(
            r.item.prefill == Check.SPECIAL_STEPS and r.awarded < r.item.points for r in rows
        )
        review.state = ReviewState.FINISHED
        review.finished_at = clock.now()
        review.save()
        changes["state"] = [ReviewState.OPEN, ReviewState.FINISHED]
        changes["score"] = str(review.score)
        audit.record(
            actor=actor, action=FINISH_REVIEW, obj=review, changes=changes, reason=review.summary
        )
    return review


# --------------------------------------------------------------------------- review reads


def month_scores(*, reviews: QuerySet[FileReview]) -> list[dict]:
    """Per department of ``reviews`` (one month's, visible to the user): files drawn,
    finished, the average score of the finished ones, special-step abuse found."""
    rows = (
        reviews.values("department_id", "department__name")
        .annotate(
            drawn=Count("id"),
            finished=Count("id", filter=Q(state=ReviewState.FINISHED)),
            average=Avg("score", filter=Q(state=ReviewState.FINISHED)),
            abuse=Count("id", filter=Q(special_abuse=True)),
        )
        .order_by("department__name")
    )
    return [
        {
            "department": r["department_id"],
            "department_name": r["department__name"],
            "drawn": r["drawn"],
            "finished": r["finished"],
            "average": round(float(r["average"]), 1) if r["average"] is not None else None,
            "abuse": r["abuse"],
        }
        for r in rows
    ]


def special_abuse(*, reviews: QuerySet[FileReview]) -> list[dict]:
    """特殊环节滥用, listed apart: each finished review whose special-step item was
    marked down, with what was found."""
    out = []
    for r in reviews.filter(special_abuse=True).order_by("department__name", "case__number"):
        found = [
            f.note or f.system_note
            for f in r.findings.filter(item__prefill=Check.SPECIAL_STEPS).select_related("item")
        ]
        out.append({"review": r, "note": "；".join(n for n in found if n)})
    return out


def department_scores(*, start: dt.date, end: dt.date) -> dict[int, float]:
    """The evaluation's file-review score: per department id, the average score
    (0–100) of the finished reviews of the months from ``start``'s month to ``end``."""
    rows = (
        FileReview.objects.filter(
            state=ReviewState.FINISHED,
            draw__month__gte=month_start(start),
            draw__month__lte=end,
        )
        .values("department_id")
        .annotate(average=Avg("score"))
    )
    return {r["department_id"]: round(float(r["average"]), 1) for r in rows}


# --------------------------------------------------------------------------- inspections


def record_inspection(
    *,
    actor,
    kind: str,
    department: Department,
    inspected_on: dt.date,
    inspector: str,
    findings: str,
    problem: str = "",
    window: Window | None = None,
    photos=(),
) -> Inspection:
    """登记 a 现场巡查 or 窗口自查 (:func:`may_record`): a problem found
    (``problem``) opens it for 整改 (待整改); none: 未发现问题."""
    if kind not in InspectionKind.values:
        raise ValidationFailed("检查类型不正确", code="invalid_choice", fields={"kind": ["无效"]})
    if not may_record(actor, kind=kind, department=department):
        raise PermissionDenied(
            "现场巡查由电子监察人员或中心管理员登记；部门首席代表只能登记本部门的窗口自查"
        )
    if inspected_on > clock.today():
        raise ValidationFailed(
            "检查日期不能晚于今天", code="future_date", fields={"inspected_on": ["晚于今天"]}
        )
    if window is not None and window.department_id not in (None, department.pk):
        raise ValidationFailed(
            "该窗口不属于被检查部门", code="window_mismatch", fields={"window": ["不属于该部门"]}
        )
    inspector = _text(inspector, "inspector", "检查人", limit=50)
    findings = _text(findings, "findings", "检查情况")
    problem = _text(problem, "problem", "发现问题", required=False)
    files = _photos(photos)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            kind=kind,
            department=department,
            window=window,
            inspector=inspector,
            inspected_on=inspected_on,
            findings=findings,
            problem=problem,
            state=InspectionState.OPEN if problem else InspectionState.PASSED,
            recorded_by=permissions.staff_of(actor),
            recorded_at=clock.now(),
        )
        _save_photos(inspection, files)
        audit.record(
            actor=actor,
            action=RECORD_INSPECTION,
            obj=inspection,
            changes={"state": [None, inspection.state], "photos": len(files)},
            reason=problem[:200],
        )
    return inspection


def _load_inspection(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


def fix_inspection(*, actor, inspection: Inspection, fix: str, photos=()) -> Inspection:
    """The department's 首席代表 replies how the problem was put right (待整改 →
    待复查), with photos."""
    with transaction.atomic():
        inspection = _load_inspection(inspection)
        if not may_fix(actor, inspection):
            raise PermissionDenied("只有被检查部门的首席代表可以回复整改")
        if inspection.state != InspectionState.OPEN:
            raise Conflict(
                f"该记录{inspection.get_state_display()}，不能回复整改", code="wrong_state"
            )
        fix = _text(fix, "fix", "整改情况")
        files = _photos(photos)
        inspection.fix = fix
        inspection.fixed_by = permissions.staff_of(actor)
        inspection.fixed_at = clock.now()
        inspection.state = InspectionState.FIXED
        inspection.save()
        _save_photos(inspection, files)
        audit.record(
            actor=actor,
            action=FIX_INSPECTION,
            obj=inspection,
            changes={"state": [InspectionState.OPEN, InspectionState.FIXED], "photos": len(files)},
            reason=fix[:200],
        )
    return inspection


def check_inspection(
    *, actor, inspection: Inspection, passed: bool, opinion: str = ""
) -> Inspection:
    """复查 by the office: passed → 已整改; not passed (opinion required) → 待整改
    again."""
    with transaction.atomic():
        inspection = _load_inspection(inspection)
        _require_manager(actor)
        if inspection.state != InspectionState.FIXED:
            raise Conflict(
                f"该记录{inspection.get_state_display()}，没有待复查的整改", code="wrong_state"
            )
        opinion = _text(opinion, "opinion", "复查意见", required=not passed)
        before = inspection.state
        inspection.check_opinion = opinion
        inspection.checked_by = permissions.staff_of(actor)
        inspection.checked_at = clock.now()
        if passed:
            inspection.state = InspectionState.CLOSED
        else:
            inspection.state = InspectionState.OPEN
            inspection.returns += 1
        inspection.save()
        audit.record(
            actor=actor,
            action=CHECK_INSPECTION,
            obj=inspection,
            changes={"state": [before, inspection.state]},
            reason=opinion,
        )
    return inspection


def _decimal_score(value, name: str = "score") -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            "得分应为数字", code="invalid_number", fields={name: ["应为数字"]}
        ) from None
    if not score.is_finite() or not Decimal(0) <= score <= Decimal(100):
        raise ValidationFailed(
            "得分应在 0 到 100 之间", code="out_of_range", fields={name: ["0–100"]}
        )
    return score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def record_third_party(
    *,
    actor,
    department: Department,
    period_start: dt.date,
    period_end: dt.date,
    score,
    source: str,
    note: str = "",
) -> ThirdPartyScore:
    """录入 a 第三方评估 score (0–100) of a department for a period."""
    _require_manager(actor)
    if period_end < period_start:
        raise ValidationFailed(
            "评估期止不能早于评估期起", code="invalid_period", fields={"period_end": ["早于起始"]}
        )
    value = _decimal_score(score)
    source = _text(source, "source", "评估机构", limit=100)
    note = _text(note, "note", "说明", required=False)
    with transaction.atomic():
        row = ThirdPartyScore.objects.create(
            department=department,
            period_start=period_start,
            period_end=period_end,
            score=value,
            source=source,
            note=note,
            entered_by=permissions.staff_of(actor),
            entered_at=clock.now(),
        )
        audit.record(
            actor=actor,
            action=RECORD_THIRD_PARTY,
            obj=row,
            changes={"score": [None, str(value)], "period": [None, f"{period_start}–{period_end}"]},
            reason=source,
        )
    return row


def inspection_scores(*, start: dt.date, end: dt.date) -> dict[int, float]:
    """The evaluation's inspection score, 0–100 per department id, from two parts:

    * **inspections** (现场巡查 and 窗口自查 dated ``start``–``end``):
      ``100 − 5 × problems found − 10 × problems not yet put right`` (待整改 or 待复查
      now), not below 0;
    * **third-party scores** whose period overlaps ``start``–``end``: their average.

    The score is the average of the parts a department has (both: half each); a
    department with neither is absent."""
    parts: dict[int, list[float]] = defaultdict(list)
    rows = (
        Inspection.objects.filter(inspected_on__gte=start, inspected_on__lte=end)
        .values("department_id")
        .annotate(
            problems=Count("id", filter=~Q(state=InspectionState.PASSED)),
            still_open=Count("id", filter=Q(state__in=OPEN_INSPECTION_STATES)),
        )
    )
    for r in rows:
        value = 100 - PROBLEM_PENALTY * r["problems"] - OPEN_PROBLEM_PENALTY * r["still_open"]
        parts[r["department_id"]].append(float(max(0, value)))
    third = (
        ThirdPartyScore.objects.filter(period_start__lte=end, period_end__gte=start)
        .values("department_id")
        .annotate(average=Avg("score"))
    )
    for r in third:
        parts[r["department_id"]].append(float(r["average"]))
    return {dept: round(sum(v) / len(v), 1) for dept, v in parts.items()}


def get_review(*, user, pk: int) -> FileReview:
    review = visible_reviews(user=user).filter(pk=pk).first()
    if review is None:
        raise NotFound("没有该评查记录，或您无权查看")
    return review


def get_inspection(*, user, pk: int) -> Inspection:
    inspection = visible_inspections(user=user).filter(pk=pk).first()
    if inspection is None:
        raise NotFound("没有该巡查记录，或您无权查看")
    return inspection
