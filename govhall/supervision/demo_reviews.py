"""Demo 卷宗评查, 巡查 / 自查 and 第三方评估 (issue 11 §3), through the services as
``supervisor``: last month's sample (two files of each department that completed
any, seed = the month as YYYYMM), half of them reviewed (the pre-filled findings
kept; the first drawn file with a special step, if any, has it marked down as
abuse), inspections in every state each with a photo (a small PNG made here), and
third-party scores. Nothing when the demo already has a sample."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from govhall.core import clock

from . import reviews
from .models import Check, InspectionKind, QuotaKind, ReviewDraw

PER_DEPARTMENT = 2


def _png(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 120), (235, 238, 242))
    pen = ImageDraw.Draw(image)
    pen.rectangle((20, 30, 140, 100), fill=colour)
    pen.rectangle((40, 10, 120, 30), fill=(90, 90, 90))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def load_demo_reviews() -> dict[str, int]:
    """One transaction for the lot (the services' own become savepoints): fast."""
    with transaction.atomic():
        return _load()


def _load() -> dict[str, int]:
    from govhall.org.models import Department, Role, Staff

    if ReviewDraw.objects.exists():
        return {}
    office = (
        Staff.objects.filter(role=Role.SUPERVISOR, is_active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if office is None:
        return {}
    today = clock.today()
    month = reviews.month_start(reviews.month_start(today) - dt.timedelta(days=1))
    departments = list(Department.objects.order_by("pk"))
    quotas = [
        {"department": d, "kind": QuotaKind.COUNT, "value": PER_DEPARTMENT}
        for d in departments
        if reviews.completed_cases(department_id=d.pk, month=month).exists()
    ]
    files = finished = 0
    abuse = False
    if quotas:
        draw = reviews.draw_sample(
            actor=office.user, month=month, quotas=quotas, seed=int(f"{month:%Y%m}")
        )
        rows = list(draw.reviews.select_related("case").order_by("department_id", "id"))
        files = len(rows)
        for i, review in enumerate(rows):
            if i % 2 == 1:  # half left open (待评查)
                continue
            findings = []
            if not abuse and review.case.special_runs.exists():
                # a special step without a written reason: 特殊环节滥用
                item = review.findings.filter(item__prefill=Check.SPECIAL_STEPS).first()
                if item is not None:
                    findings.append(
                        {"item": item.item_id, "awarded": 0, "note": "特殊环节启动理由未写明"}
                    )
                    abuse = True
            reviews.finish_review(
                actor=office.user,
                review=review,
                findings=findings,
                summary="卷宗基本规范" if not findings else "特殊环节启动不规范，已通报部门",
            )
            finished += 1
    chiefs = {
        s.department_id: s
        for s in Staff.objects.filter(role=Role.CHIEF_REP, is_active=True).select_related("user")
    }
    with_chief = [d for d in departments if d.pk in chiefs]
    inspections = _inspections(office, with_chief, chiefs, today) if with_chief else 0
    third = 0
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter_end = quarter_start - dt.timedelta(days=1)
    last_quarter_start = dt.date(
        last_quarter_end.year, 3 * ((last_quarter_end.month - 1) // 3) + 1, 1
    )
    for d, score in zip(
        departments[:6], ("92.5", "88.0", "95.0", "79.5", "90.0", "84.5"), strict=False
    ):
        reviews.record_third_party(
            actor=office.user,
            department=d,
            period_start=last_quarter_start,
            period_end=last_quarter_end,
            score=score,
            source="乌审旗社情民意调查中心",
            note="窗口服务满意度第三方测评",
        )
        third += 1
    return {
        "file_reviews": files,
        "file_reviews_done": finished,
        "inspections": inspections,
        "third_party_scores": third,
    }


def _inspections(office, departments, chiefs, today) -> int:
    from govhall.org.models import Window

    def window_of(dept):
        return Window.objects.filter(department=dept, is_active=True).order_by("pk").first()

    def day(n):
        return today - dt.timedelta(days=n)

    plans = [
        # (kind, problem, then)
        (InspectionKind.PATROL, "", None),
        (InspectionKind.PATROL, "窗口工作人员离岗未放置去向牌", None),  # 待整改
        (InspectionKind.SELF_CHECK, "一次性告知单未在窗口公示", "fixed"),  # 待复查
        (InspectionKind.PATROL, "窗口台账登记不全，缺少 11 月 3 日记录", "closed"),  # 已整改
        (InspectionKind.SELF_CHECK, "叫号系统故障期间未手工登记", "returned"),  # 复查未通过
    ]
    count = 0
    for i, (kind, problem, then) in enumerate(plans):
        dept = departments[i % len(departments)]
        chief = chiefs[dept.pk]
        inspection = reviews.record_inspection(
            actor=office.user,
            kind=kind,
            department=dept,
            window=window_of(dept),
            inspected_on=day(12 - 2 * i),
            inspector=office.name if kind == InspectionKind.PATROL else chief.name,
            findings=(
                "上午 9 时至 10 时现场巡查窗口在岗、着装、服务用语"
                if kind == InspectionKind.PATROL
                else "部门按月自查窗口服务规范执行情况"
            ),
            problem=problem,
            photos=[_png(f"现场照片{i + 1}.png", (200, 60 + 30 * i, 60))],
        )
        count += 1
        if then is None:
            continue
        inspection = reviews.fix_inspection(
            actor=chief.user,
            inspection=inspection,
            fix="已当场整改，并在部门例会上通报",
            photos=[_png(f"整改照片{i + 1}.png", (60, 160, 90))],
        )
        if then == "closed":
            reviews.check_inspection(actor=office.user, inspection=inspection, passed=True)
        elif then == "returned":
            reviews.check_inspection(
                actor=office.user,
                inspection=inspection,
                passed=False,
                opinion="整改措施未落实到人，请明确责任人",
            )
    return count
