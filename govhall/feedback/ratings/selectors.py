"""好差评 reads: who sees which ratings, 差评 and appeals; statistics; the export.

Visibility follows the organisation (govhall.org.permissions): the supervision
office (电子监察人员), the centre administrator and the superuser see all; a
department's staff see their department's; a staff member without a department (综合
窗口) sees the ratings of the cases they handled; anyone else nothing. Rater names and
phones are shown masked (:func:`shown_name`, :func:`shown_phone`).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from govhall.cases.selectors import mask_name
from govhall.core import policy
from govhall.core.validators import mask_phone
from govhall.org import permissions
from govhall.org.models import Department, Role

from .models import BAD_LEVELS, Appeal, BadReview, BadReviewState, Level, Rating


def sees_all(user) -> bool:
    return permissions.is_centre_admin(user) or (
        permissions.active_staff(user, Role.SUPERVISOR) is not None
    )


def is_reviewer(user) -> bool:
    """申诉复核 is decided by the supervision office or the centre administrator."""
    return sees_all(user)


def visible_ratings(*, user) -> QuerySet[Rating]:
    qs = Rating.objects.select_related(
        "case", "case__item_version", "department", "item", "bundle", "window", "staff"
    )
    if sees_all(user):
        return qs
    staff = permissions.active_staff(user)
    if staff is None:
        return qs.none()
    if staff.department_id is None:
        return qs.filter(staff=staff)
    return qs.filter(department_id=staff.department_id)


def visible_bad_reviews(*, user) -> QuerySet[BadReview]:
    qs = BadReview.objects.select_related(
        "rating", "rating__case", "rating__staff", "department", "closed_by"
    )
    if sees_all(user):
        return qs
    staff = permissions.active_staff(user)
    if staff is None:
        return qs.none()
    if staff.department_id is None:
        return qs.filter(rating__staff=staff)
    return qs.filter(department_id=staff.department_id)


def visible_appeals(*, user) -> QuerySet[Appeal]:
    qs = Appeal.objects.select_related("rating", "rating__case", "appellant", "reviewer")
    if sees_all(user):
        return qs
    staff = permissions.active_staff(user)
    if staff is None:
        return qs.none()
    if staff.department_id is None:
        return qs.filter(appellant=staff)
    return qs.filter(rating__department_id=staff.department_id)


def shown_name(rating: Rating) -> str:
    return mask_name(rating.rater_name) if rating.real_name else "匿名"


def shown_phone(rating: Rating) -> str:
    return mask_phone(rating.rater_phone) if rating.real_name else ""


def reason_labels(rating: Rating) -> list[str]:
    labels = dict(policy.get("RATINGS_BAD_REASONS"))
    return [labels.get(code, code) for code in rating.reasons]


def item_name(rating: Rating) -> str:
    """The guide's name the case was applied under, or the 一件事's."""
    if rating.case.item_version_id:
        return rating.case.item_version.name
    return rating.bundle.name if rating.bundle_id else ""


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _real_name_done(real_bad: QuerySet[Rating]) -> int:
    return (
        real_bad.filter(bad_review__callbacks__isnull=False)
        .filter(
            Q(bad_review__state=BadReviewState.CLOSED)
            & (Q(bad_review__rectified_at__isnull=False) | ~Q(bad_review__explanation=""))
        )
        .distinct()
        .count()
    )


def _figures(by_level: dict[int, int], real_total: int, done: int, excluded: int) -> dict:
    total = sum(by_level.values())
    bad = sum(by_level.get(int(level), 0) for level in BAD_LEVELS)
    score_sum = sum(level * n for level, n in by_level.items())
    return {
        "total": total,
        "by_level": {str(level.value): by_level.get(level.value, 0) for level in Level},
        "satisfied_rate": _rate(total - bad, total),
        "bad": bad,
        "bad_rate": _rate(bad, total),
        "average": round(score_sum / total, 2) if total else None,
        "real_name_bad": real_total,
        "real_name_bad_rectified": done,
        "real_name_rectification_rate": _rate(done, real_total),
        "excluded": excluded,
    }


def statistics(qs: QuerySet[Rating]) -> dict:
    """满意度 of ``qs`` without the ratings taken out by an upheld appeal: counts by
    level, 满意率 (非常满意 + 满意 + 基本满意 over all), 差评率, and 实名差评回访整改率
    (real-name 差评 whose loop has a 回访 record and has been rectified or explained and
    closed, over all real-name 差评: it must reach 100 %). Counts the rating rows:
    for any filter; :func:`satisfaction` reads the daily rollup instead."""
    counted = qs.filter(excluded=False)
    by_level = dict(counted.values_list("level").annotate(n=Count("id")).order_by())
    real_bad = counted.filter(is_bad=True, real_name=True)
    real_total = real_bad.count()
    done = _real_name_done(real_bad) if real_total else 0
    return _figures(by_level, real_total, done, qs.filter(excluded=True).count())


def satisfaction(
    *,
    user,
    department: int | None = None,
    channel: str = "",
    level: int | None = None,
    start=None,
    end=None,
) -> dict:
    """The figures of :func:`statistics` for what ``user`` may see, by department,
    channel, level and rating day: the counts from the daily rollup
    (``rollups.RatingDay``, a few rows a day, real-name 差评 and their 回访整改 there
    too), the excluded ones from their partial index. A staff member without a department (who sees
    the ratings of their own cases) is counted from the rows."""
    from . import rollups

    if sees_all(user):
        departments = None
    else:
        staff = permissions.active_staff(user)
        if staff is None:
            return statistics(Rating.objects.none())
        if staff.department_id is None:
            qs = visible_ratings(user=user)
            return statistics(
                filter_ratings(
                    qs, department=department, channel=channel, level=level, start=start, end=end
                )
            )
        departments = [staff.department_id]
    if department:
        departments = [d for d in (departments or [department]) if d == department]
    by_level, real_total, done = rollups.totals(
        department_ids=departments, channel=channel, level=level, start=start, end=end
    )
    rows = filter_ratings(Rating.objects.all(), channel=channel, level=level, start=start, end=end)
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    return _figures(by_level, real_total, done, rows.filter(excluded=True).count())


# --------------------------------------------------------------------------- pages


def filter_ratings(
    qs: QuerySet[Rating],
    *,
    department: int | None = None,
    channel: str = "",
    level: int | None = None,
    bad: bool | None = None,
    number: str = "",
    start=None,
    end=None,
) -> QuerySet[Rating]:
    """The 评价列表's filters (those of ``GET ratings/``) on ``qs``."""
    if department:
        qs = qs.filter(department_id=department)
    if channel:
        qs = qs.filter(channel=channel)
    if level:
        qs = qs.filter(level=level)
    if bad is not None:
        qs = qs.filter(is_bad=bad)
    if number:
        qs = qs.filter(case__number=number)
    if start:
        qs = qs.filter(rated_on__gte=start)
    if end:
        qs = qs.filter(rated_on__lte=end)
    return qs


def rating_list(*, user, **filters) -> QuerySet[Rating]:
    """评价列表: what ``user`` may see, filtered, newest first; each row with its case,
    department, item, 承办人, window and 差评 in the one query (no N+1)."""
    qs = filter_ratings(visible_ratings(user=user), **filters)
    return qs.select_related("bad_review").order_by("-rated_at", "-id")


def rating_departments(*, user) -> QuerySet[Department]:
    """The departments ``user`` may filter ratings by: all for whoever sees all, one's
    own for a department's staff, none otherwise."""
    if sees_all(user):
        return Department.objects.order_by("name")
    staff = permissions.active_staff(user)
    if staff is None or staff.department_id is None:
        return Department.objects.none()
    return Department.objects.filter(pk=staff.department_id)


def may_see_statistics(user) -> bool:
    """满意度统计: the supervision office and the centre administrator (all); a
    department's 首席代表 and 审批人员 (their department)."""
    if sees_all(user):
        return True
    staff = permissions.active_staff(user, Role.CHIEF_REP, Role.APPROVER)
    return staff is not None and staff.department_id is not None


def statistics_departments(user) -> list[int] | None:
    """The departments the statistics of ``user`` cover: ``None`` for all."""
    if sees_all(user):
        return None
    staff = permissions.active_staff(user, Role.CHIEF_REP, Role.APPROVER)
    return [staff.department_id] if staff is not None and staff.department_id else []


def _row_figures(rows: list[dict]) -> dict:
    by_level: dict[int, int] = {}
    real = done = 0
    for r in rows:
        by_level[r["level"]] = by_level.get(r["level"], 0) + (r["n"] or 0)
        real += r["real"] or 0
        done += r["done"] or 0
    return _figures({k: v for k, v in by_level.items() if v}, real, done, 0)


def satisfaction_breakdown(*, user, start=None, end=None) -> dict:
    """满意度 of what ``user`` may see (:func:`may_see_statistics`) over ``start`` …
    ``end`` by department, by channel and by day, from the daily rollup (three
    grouped reads of ``RatingDay``): ``{"departments": [{"department", "name",
    **figures}], "channels": [{"channel", "label", **figures}], "days": [{"day",
    "total", "bad"}]}``. Only what has ratings is listed."""
    from .models import RatingChannel, RatingDay

    rows = RatingDay.objects.all()
    departments = statistics_departments(user)
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    if start:
        rows = rows.filter(day__gte=start)
    if end:
        rows = rows.filter(day__lte=end)

    def grouped(*keys):
        out: dict = {}
        for r in (
            rows.values(*keys, "level")
            .annotate(n=Sum("count"), real=Sum("real_bad"), done=Sum("real_bad_done"))
            .order_by()
        ):
            out.setdefault(tuple(r[k] for k in keys), []).append(r)
        return out

    names = dict(Department.objects.values_list("pk", "name"))
    by_department = [
        {"department": key[0], "name": names.get(key[0], ""), **_row_figures(rs)}
        for key, rs in grouped("department_id").items()
    ]
    by_department = [d for d in by_department if d["total"]]
    by_department.sort(key=lambda d: (-d["total"], d["name"]))
    labels = dict(RatingChannel.choices)
    by_channel = [
        {"channel": key[0], "label": labels.get(key[0], key[0]), **_row_figures(rs)}
        for key, rs in grouped("channel").items()
    ]
    order = list(labels)
    by_channel = sorted(
        (c for c in by_channel if c["total"]),
        key=lambda c: order.index(c["channel"]) if c["channel"] in order else len(order),
    )
    days = []
    for key, rs in sorted(grouped("day").items()):
        figures = _row_figures(rs)
        if figures["total"]:
            days.append({"day": key[0], "total": figures["total"], "bad": figures["bad"]})
    return {"departments": by_department, "channels": by_channel, "days": days}


def satisfaction_by_staff(*, user, start=None, end=None) -> list[dict]:
    """满意度 by window and 承办人 over ``start`` … ``end`` (the window and 承办人 the
    rating was tied to when given): one grouped read of the counted ratings on the
    ``rating_staff_day`` / ``rating_dept_day`` indexes, largest first."""
    qs = Rating.objects.filter(excluded=False)
    departments = statistics_departments(user)
    if departments is not None:
        qs = qs.filter(department_id__in=departments)
    if start:
        qs = qs.filter(rated_on__gte=start)
    if end:
        qs = qs.filter(rated_on__lte=end)
    rows = (
        qs.values(
            "staff_id",
            "staff__name",
            "window_id",
            "window__number",
            "window__name",
            "department__name",
        )
        .annotate(n=Count("id"), bad=Count("id", filter=Q(is_bad=True)))
        .order_by("-n", "staff__name", "window__number")
    )
    return [
        {
            "staff": r["staff__name"] or "—",
            "window": (
                f"{r['window__number']} {r['window__name']}".strip() if r["window_id"] else "—"
            ),
            "department": r["department__name"],
            "total": r["n"],
            "bad": r["bad"],
            "satisfied_rate": _rate(r["n"] - r["bad"], r["n"]),
        }
        for r in rows
    ]


# --------------------------------------------------------------------------- export

# GB/T 39735 评价数据 → our field (docs/ratings.md "导出" has the table). The 评价渠道
# codes follow the national 好差评 channel list: 1 PC端, 2 移动端, 3 二维码, 4 政务
# 大厅平板电脑, 5 政务大厅其他终端, 6 电话, 7 短信.
CHANNEL_CODES = {"portal": "1", "qr": "3", "window": "4", "phone": "6", "sms": "7"}
BAD_REVIEW_STATUS = {
    BadReviewState.CLOSED: "已整改",
    BadReviewState.VOIDED: "申诉成立",
}


EXPORT_FIELDS = (
    "评价编号",
    "办件编号",
    "事项编码",
    "事项名称",
    "一件事",
    "实施主体",
    "实施主体编码",
    "服务机构",
    "窗口",
    "工作人员",
    "评价渠道",
    "评价渠道名称",
    "评价等级",
    "评价等级名称",
    "差评原因",
    "文字评价",
    "是否实名",
    "评价人",
    "联系电话",
    "评价时间",
    "评价轮次",
    "整改状态",
    "整改期限",
    "整改反馈",
    "反馈时间",
    "计入统计",
)


def export_rows(qs: QuerySet[Rating]) -> list[dict]:
    """One dict a rating, in the order of GB/T 39735's 评价数据 items (keys: the item's
    Chinese name). The rater's name and phone are masked: the upper platform gets the
    rating, not the contact (the department calls back from its own records)."""
    qs = qs.select_related(
        "case",
        "case__centre",
        "case__item_version",
        "item",
        "bundle",
        "department",
        "window",
        "staff",
    ).prefetch_related("bad_review")
    labels = dict(policy.get("RATINGS_BAD_REASONS"))
    rows = []
    for r in qs.order_by("rated_at", "id"):
        bad = getattr(r, "bad_review", None) if r.is_bad else None
        rows.append(
            {
                "评价编号": f"{r.case.number}-{r.channel}-{r.round}",
                "办件编号": r.case.number,
                "事项编码": r.item.implementation_code if r.item_id else "",
                "事项名称": item_name(r),
                "一件事": r.bundle.name if r.bundle_id else "",
                "实施主体": r.department.name,
                "实施主体编码": r.department.code,
                "服务机构": r.case.centre.name,
                "窗口": str(r.window) if r.window_id else "",
                "工作人员": r.staff.name if r.staff_id else "",
                "评价渠道": CHANNEL_CODES[r.channel],
                "评价渠道名称": r.get_channel_display(),
                "评价等级": r.level,
                "评价等级名称": r.get_level_display(),
                "差评原因": [labels.get(c, c) for c in r.reasons],
                "文字评价": r.text,
                "是否实名": "1" if r.real_name else "0",
                "评价人": shown_name(r),
                "联系电话": shown_phone(r),
                "评价时间": r.rated_at.isoformat(),
                "评价轮次": r.round,
                "整改状态": (
                    BAD_REVIEW_STATUS.get(bad.state, bad.get_state_display()) if bad else ""
                ),
                "整改期限": bad.due_on.isoformat() if bad else "",
                "整改反馈": bad.feedback if bad else "",
                "反馈时间": bad.fed_back_at.isoformat() if bad and bad.fed_back_at else "",
                "计入统计": "0" if r.excluded else "1",
            }
        )
    return rows
