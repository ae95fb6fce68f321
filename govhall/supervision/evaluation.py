"""绩效评估 (issue 11 §4): the indicators of a department, window or 承办人 over a
month, a quarter or a year, each scored 0–100 by a stated formula, weighted by the
policy ``EVALUATION_WEIGHTS`` into one score, and ranked.

Reads only, and only aggregates: the case figures come from the rollup table
(``rollups.totals``: one grouped query), the warnings and the 督办单 of the period from
one grouped query each, the file-review and inspection scores from ``reviews`` (when
that module is there); nothing is read per unit, so the year of every department costs
the same handful of statements whatever the number of cases (docs/supervision.md
"绩效评估").

A unit with no case in the period (nothing received, nothing completed) is shown but
not ranked. An indicator without data ("暂无数据") is left out of the weighted score:
the score is Σ(权重 × 指标得分) / Σ(有数据指标的权重).
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from govhall.core import clock, policy
from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.org import permissions
from govhall.org.models import Department, Staff, Window

from . import selectors
from .models import SupervisionOrder, Warning

LEVELS = {"department": "部门", "window": "窗口", "staff": "工作人员"}
KINDS = {"month": "月度", "quarter": "季度", "year": "年度"}
QUARTERS = ["一", "二", "三", "四"]
MIN_YEAR, MAX_YEAR = 2000, 2100

# --------------------------------------------------------------------------- periods


def period_error(value: str, hint: str | None = None) -> ValidationFailed:
    shown = value if len(value) <= 30 else value[:30] + "…"
    return ValidationFailed(
        f"评估期间“{shown}”无效：{hint or '应为 2026-11（月）、2026-Q4（季度）或 2026（年度）'}",
        code="invalid_period",
        fields={"period": [hint or "格式为 YYYY-MM、YYYY-Qn 或 YYYY"]},
    )


@dataclass(frozen=True)
class Period:
    """评估期间: a month, a quarter or a year, both ends included."""

    kind: str  # month / quarter / year
    year: int
    number: int  # month 1–12, quarter 1–4, 0 for a year

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls._checked("month", year, month, 12)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls._checked("quarter", year, quarter, 4)

    @classmethod
    def year_of(cls, year: int) -> Period:
        return cls._checked("year", year, 0, 0)

    @classmethod
    def _checked(cls, kind: str, year: int, number: int, top: int) -> Period:
        if not (MIN_YEAR <= year <= MAX_YEAR):
            raise period_error(str(year), f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间")
        if top and not (1 <= number <= top):
            raise period_error(f"{year}-{number}", "月份应为 1–12，季度应为 1–4")
        return cls(kind, year, number)

    @classmethod
    def parse(cls, value: str) -> Period:
        """``2026-11`` (month), ``2026-Q4`` (quarter), ``2026`` (year); anything else is
        ``ValidationFailed`` with code ``invalid_period``."""
        text = (value or "").strip()
        if "\x00" in text or len(text) > 10:
            raise period_error(text.replace("\x00", "\\0"))
        if m := re.fullmatch(r"(\d{4})", text):
            return cls.year_of(int(m[1]))
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
            return cls.quarter(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            return cls.month(int(m[1]), int(m[2]))
        raise period_error(text)

    @property
    def start(self) -> dt.date:
        if self.kind == "month":
            return dt.date(self.year, self.number, 1)
        if self.kind == "quarter":
            return dt.date(self.year, 3 * self.number - 2, 1)
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        if self.kind == "month":
            last = pycalendar.monthrange(self.year, self.number)[1]
            return dt.date(self.year, self.number, last)
        if self.kind == "quarter":
            month = 3 * self.number
            return dt.date(self.year, month, pycalendar.monthrange(self.year, month)[1])
        return dt.date(self.year, 12, 31)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        if self.kind == "quarter":
            return f"{self.year}年第{QUARTERS[self.number - 1]}季度"
        return f"{self.year}年度"

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    def months(self) -> list[Period]:
        """The months of the period (a month: the months of its year up to it)."""
        first = 1 if self.kind != "quarter" else 3 * self.number - 2
        last = self.end.month
        return [Period.month(self.year, m) for m in range(first, last + 1)]

    def __str__(self) -> str:
        return self.label


# ``Period.year(2026)``, as the benchmark calls it: attached after the class so that the
# dataclass does not take it for the field's default; on an instance the field (the
# number, set by __init__) wins over this non-data descriptor.
Period.year = classmethod(lambda cls, year: cls.year_of(year))  # type: ignore[assignment]


def default_period() -> Period:
    """The current year (年度至今)."""
    return Period.year_of(clock.today().year)


def choices_of_periods(today: dt.date | None = None) -> list[tuple[str, str]]:
    """The period picker: this year and last, their quarters and months up to today."""
    today = today or clock.today()
    out: list[tuple[str, str]] = []
    for year in (today.year, today.year - 1):
        out.append((str(year), f"{year}年度"))
        for q in range(4, 0, -1):
            p = Period.quarter(year, q)
            if p.start <= today:
                out.append((p.code, p.label))
        for m in range(12, 0, -1):
            p = Period.month(year, m)
            if p.start <= today:
                out.append((p.code, p.label))
    return out


# --------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    meaning: str
    formula: str
    levels: tuple[str, ...] = ("department", "window", "staff")


# What each step of the formulas below is worth (docs/supervision.md 绩效评估).
TIME_RATIO_FULL = 0.5  # using half the promised days or less: 100
TIME_RATIO_ZERO = 1.5  # using 1.5 × the promised days or more: 0
DEEMED_PENALTY = 20  # points per §32 deemed acceptance
WARNING_PENALTY = 1  # points per warning per 100 cases received

INDICATORS: list[Indicator] = [
    Indicator(
        "on_time_rate",
        "按时办结率",
        "期间内办结的办件中，在办结期限（含延期）内办结的比例",
        "得分 = 按时办结率 × 100",
    ),
    Indicator(
        "time_used_ratio",
        "平均用时/承诺时限",
        "期间内办结办件实际用时（工作日，不含暂停计时）之和与承诺时限之和的比",
        f"比值 r：r ≤ {TIME_RATIO_FULL} 得 100 分，r ≥ {TIME_RATIO_ZERO} 得 0 分，"
        f"其间线性（得分 = 100 × ({TIME_RATIO_ZERO} - r)）",
    ),
    Indicator(
        "deemed_acceptances",
        "逾期视为受理（第三十二条）",
        "期间内收件后 5 个工作日内既未受理也未一次性告知补正、依法视为受理的办件数",
        f"得分 = 100 - {DEEMED_PENALTY} × 件数（不低于 0）",
    ),
    Indicator(
        "warnings_per_100",
        "每百件预警数",
        "期间内产生的电子监察预警条数（各类、各级别）÷ 期间内收件数 × 100",
        f"得分 = 100 - {WARNING_PENALTY} × 每百件预警数（不低于 0）",
    ),
    Indicator(
        "orders_replied_on_time",
        "督办按时回复率",
        "期间内下达的督办单中，已回复或已逾期升级的，未经逾期升级即回复的比例",
        "得分 = 按时回复率 × 100；期间内未被督办的记 100 分",
    ),
    Indicator(
        "file_review_score",
        "卷宗评查得分",
        "期间内完成评查的卷宗的平均得分（卷宗评查，仅部门）",
        "得分 = 平均评查得分（0–100）",
        ("department",),
    ),
    Indicator(
        "instant_and_online_share",
        "即办件与网办占比",
        "即办件占办结件的比例，与网上收件占收件的比例",
        "得分 = 100 × (即办件占比 + 网办占比) ÷ 2",
    ),
    Indicator(
        "inspection_score",
        "巡查与第三方评估得分",
        "现场巡查、窗口自查与第三方评估的得分（仅部门）",
        "得分 = 巡查与第三方评估得分（0–100）",
        ("department",),
    ),
    Indicator(
        "satisfaction",
        "满意度",
        "期间内群众好差评中“基本满意”及以上评价的比例（申诉复核成立的差评不计）",
        "得分 = 满意率 × 100",
    ),
    Indicator(
        "complaint_handling",
        "诉求办理",
        "期间内受理并派给本部门的诉求（有诉即办、12345）的按时答复率与诉求人满意率（仅部门）",
        "得分 = 100 × (按时答复率 + 满意率) ÷ 2（只有其一时取其一）",
        ("department",),
    ),
    Indicator(
        "adjustment_timeliness",
        "事项调整及时率",
        "期间内首次提交的有申请期限的事项调整申请中，在期限内（3个工作日或两优一个月）提交的比例（仅部门）",
        "得分 = 100 × (1 - 逾期申请数 ÷ 有期限的申请数)",
        ("department",),
    ),
]
INDICATOR_KEYS = [i.key for i in INDICATORS]
NO_DATA = "暂无数据"


def weights() -> dict[str, float]:
    """``EVALUATION_WEIGHTS`` read for every indicator (an unknown key is ignored, a
    missing, negative or non-numeric weight counts 0)."""
    raw = policy.get("EVALUATION_WEIGHTS") or {}
    out = {}
    for key in INDICATOR_KEYS:
        value = raw.get(key, 0) if isinstance(raw, dict) else 0
        try:
            value = float(value)
        except (TypeError, ValueError):
            value = 0.0
        out[key] = value if value > 0 else 0.0
    return out


@dataclass
class Value:
    """One indicator of one unit: the figure shown, its score (``None``: no data)."""

    key: str
    label: str
    shown: str
    score: float | None
    weight: float
    raw: float | None = None

    @property
    def counted(self) -> bool:
        return self.score is not None and self.weight > 0


@dataclass
class Row:
    level: str
    unit_id: int
    name: str
    department_id: int | None
    figures: dict
    values: list[Value]
    score: float | None = None
    rank: int | None = None
    of: int = 0  # how many units were ranked
    extra: dict = field(default_factory=dict)

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    @property
    def has_cases(self) -> bool:
        return bool(self.figures.get("received") or self.figures.get("completed"))

    def value(self, key: str) -> Value:
        return next(v for v in self.values if v.key == key)

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "id": self.unit_id,
            "name": self.name,
            "department": self.department_id,
            "score": None if self.score is None else round(self.score, 1),
            "rank": self.rank,
            "ranked_of": self.of,
            "figures": self.figures,
            "indicators": [
                {
                    "key": v.key,
                    "label": v.label,
                    "value": None if v.raw is None else round(v.raw, 4),
                    "shown": v.shown,
                    "score": None if v.score is None else round(v.score, 1),
                    "weight": v.weight,
                }
                for v in self.values
            ],
        }


FIGURES = (
    "received",
    "received_online",
    "accepted",
    "deemed_accepted",
    "not_accepted",
    "completed",
    "completed_on_time",
    "completed_instant",
    "days_used",
    "days_promised",
)


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, value))


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def score_indicators(
    figures: dict, extra: dict, level: str
) -> list[tuple[str, str, float | None, float | None]]:
    """(key, shown, score, raw value) of every indicator from a unit's figures
    (rollup sums) and ``extra`` (warnings, orders, review and inspection scores)."""
    f = figures
    received, completed = f["received"], f["completed"]
    out = []
    # 按时办结率
    if completed:
        rate = f["completed_on_time"] / completed
        out.append(
            (
                "on_time_rate",
                f"{_pct(rate)}（{f['completed_on_time']}/{completed}）",
                _clamp(100 * rate),
                rate,
            )
        )
    else:
        out.append(("on_time_rate", NO_DATA, None, None))
    # 平均用时/承诺时限
    if completed and f["days_promised"]:
        ratio = f["days_used"] / f["days_promised"]
        shown = (
            f"平均用时 {f['days_used'] / completed:.1f} / 承诺 {f['days_promised'] / completed:.1f}"
            f" 个工作日（{_pct(ratio)}）"
        )
        out.append(("time_used_ratio", shown, _clamp(100 * (TIME_RATIO_ZERO - ratio)), ratio))
    else:
        out.append(("time_used_ratio", NO_DATA, None, None))
    # §32
    deemed = f["deemed_accepted"]
    if received or deemed:
        out.append(
            (
                "deemed_acceptances",
                f"{deemed} 件",
                _clamp(100 - DEEMED_PENALTY * deemed),
                float(deemed),
            )
        )
    else:
        out.append(("deemed_acceptances", NO_DATA, None, None))
    # 每百件预警
    warnings = extra.get("warnings", 0)
    if received:
        per100 = 100 * warnings / received
        out.append(
            (
                "warnings_per_100",
                f"{per100:.1f}（{warnings} 条/{received} 件）",
                _clamp(100 - WARNING_PENALTY * per100),
                per100,
            )
        )
    else:
        out.append(("warnings_per_100", NO_DATA if not warnings else f"{warnings} 条", None, None))
    # 督办按时回复
    counted, on_time = extra.get("orders_counted", 0), extra.get("orders_on_time", 0)
    if counted:
        rate = on_time / counted
        out.append(
            (
                "orders_replied_on_time",
                f"{_pct(rate)}（{on_time}/{counted}）",
                _clamp(100 * rate),
                rate,
            )
        )
    elif received or completed:
        out.append(("orders_replied_on_time", "未被督办", 100.0, None))
    else:
        out.append(("orders_replied_on_time", NO_DATA, None, None))
    # 卷宗评查
    review = extra.get("file_review") if level == "department" else None
    out.append(
        ("file_review_score", NO_DATA, None, None)
        if review is None
        else ("file_review_score", f"{review:.1f} 分", _clamp(review), review)
    )
    # 即办件与网办占比
    shares = []
    parts = []
    if completed:
        shares.append(f["completed_instant"] / completed)
        parts.append(f"即办 {_pct(shares[-1])}")
    if received:
        shares.append(f["received_online"] / received)
        parts.append(f"网办 {_pct(shares[-1])}")
    if shares:
        share = sum(shares) / len(shares)
        out.append(("instant_and_online_share", " · ".join(parts), _clamp(100 * share), share))
    else:
        out.append(("instant_and_online_share", NO_DATA, None, None))
    # 巡查
    inspection = extra.get("inspection") if level == "department" else None
    out.append(
        ("inspection_score", NO_DATA, None, None)
        if inspection is None
        else ("inspection_score", f"{inspection:.1f} 分", _clamp(inspection), inspection)
    )
    # 满意度 (好差评, feedback.ratings)
    rated, satisfied = extra.get("ratings") or (0, 0)
    if rated:
        rate = satisfied / rated
        out.append(
            ("satisfaction", f"{_pct(rate)}（{satisfied}/{rated}）", _clamp(100 * rate), rate)
        )
    else:
        out.append(("satisfaction", NO_DATA, None, None))
    # 诉求办理 (有诉即办 / 12345, feedback.complaints)
    c = extra.get("complaints") if level == "department" else None
    rates = [r for r in (c or {}).get("rates", ()) if r is not None]
    if rates:
        mean = sum(rates) / len(rates) / 100
        out.append(("complaint_handling", c["shown"], _clamp(100 * mean), mean))
    else:
        out.append(("complaint_handling", NO_DATA, None, None))
    # 事项调整及时率 (issue 13 §1, govhall.governance)
    a = extra.get("adjustments") if level == "department" else None
    if a and a["with_deadline"]:
        rate = 1 - a["late"] / a["with_deadline"]
        shown = f"{_pct(rate)}（按期 {a['with_deadline'] - a['late']}/{a['with_deadline']}，逾期 {a['late']}）"
        out.append(("adjustment_timeliness", shown, _clamp(100 * rate), rate))
    else:
        out.append(("adjustment_timeliness", NO_DATA, None, None))
    return out


def weighted(values: list[Value]) -> float | None:
    """Σ(权重 × 得分) / Σ(有数据指标的权重); ``None`` when no weighted indicator has data."""
    total = sum(v.weight for v in values if v.counted)
    if not total:
        return None
    return sum(v.weight * v.score for v in values if v.counted) / total


# --------------------------------------------------------------------------- reading


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min), tz)
    end = timezone.make_aware(
        dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min), tz
    )
    return start, end


def _key(row: dict, level: str):
    for name in (level, f"{level}_id"):
        if name in row:
            return row[name]
    return None


def _rollup_figures(period: Period, level: str, department_id: int | None) -> dict:
    from . import rollups

    rows = rollups.totals(
        start=period.start,
        end=period.end,
        group_by=(level,),
        department_ids=[department_id] if department_id else None,
    )
    out: dict = {}
    for row in rows:
        unit = _key(row, level)
        if unit is None:
            continue
        bucket = out.setdefault(unit, dict.fromkeys(FIGURES, 0))
        for name in FIGURES:
            bucket[name] += int(row.get(name) or 0)
    return out


def _warning_counts(period: Period, level: str, department_id: int | None) -> dict:
    start, end = _bounds(period)
    qs = Warning.objects.filter(raised_at__gte=start, raised_at__lt=end)
    if department_id:
        qs = qs.filter(department_id=department_id)
    column = f"{level}_id"
    return {
        r[column]: r["n"]
        for r in qs.values(column).annotate(n=Count("id")).order_by()
        if r[column] is not None
    }


ORDER_UNIT = {
    "department": "department_id",
    "window": "case__responsible__window_id",
    "staff": "case__responsible_id",
}


def _order_counts(period: Period, level: str, department_id: int | None) -> dict:
    """Per unit: the orders issued in the period that were replied or escalated
    (counted) and those replied without escalation (on time)."""
    start, end = _bounds(period)
    qs = SupervisionOrder.objects.filter(issued_at__gte=start, issued_at__lt=end)
    if department_id:
        qs = qs.filter(department_id=department_id)
    column = ORDER_UNIT[level]
    rows = (
        qs.values(column)
        .annotate(
            counted=Count("id", filter=Q(replied_at__isnull=False) | Q(escalated_at__isnull=False)),
            on_time=Count("id", filter=Q(replied_at__isnull=False, escalated_at__isnull=True)),
        )
        .order_by()
    )
    return {r[column]: (r["counted"], r["on_time"]) for r in rows if r[column] is not None}


SATISFIED_FROM = 3  # 基本满意 (3) and better; 不满意 and 非常不满意 are 差评 (GB/T 39734)


def _rating_counts(period: Period, level: str, department_id: int | None) -> dict:
    """好差评 per unit, by rating day: (ratings, of them 基本满意 or better), without
    those an upheld appeal took out. Departments from the ratings' daily rollup
    (``RatingDay``: a few rows a day whatever the number of ratings); windows and staff
    from the ratings themselves (indexed by staff and day), who rated whom being kept on
    the rating."""
    from django.db.models import Sum

    from govhall.feedback.ratings.models import Rating, RatingDay

    if level == "department":
        qs = RatingDay.objects.filter(day__gte=period.start, day__lte=period.end)
        rows = qs.values("department_id").annotate(
            total=Sum("count"), good=Sum("count", filter=Q(level__gte=SATISFIED_FROM))
        )
        column = "department_id"
    else:
        qs = Rating.objects.filter(
            rated_on__gte=period.start, rated_on__lte=period.end, excluded=False
        )
        if department_id:
            qs = qs.filter(department_id=department_id)
        column = f"{level}_id"
        rows = qs.values(column).annotate(
            total=Count("id"), good=Count("id", filter=Q(level__gte=SATISFIED_FROM))
        )
    return {
        r[column]: (int(r["total"] or 0), int(r["good"] or 0))
        for r in rows.order_by()
        if r[column] is not None and r["total"]
    }


def _complaint_figures(period: Period) -> dict:
    """诉求办理 per department (``complaints.selectors.statistics`` over the complaints
    received in the period: two grouped queries); the centre's own (not assigned, or
    about staff, which never go to the department) are not a department's."""
    from govhall.feedback.complaints import selectors as complaints

    out = {}
    for row in complaints.statistics(start=period.start, end=period.end)["by_department"]:
        if row["department"] is None or not row["total"]:
            continue
        on_time, satisfied = row["on_time_rate"], row["satisfaction_rate"]
        parts = [f"{row['total']} 件"]
        if on_time is not None:
            parts.append(f"按时答复 {on_time:.1f}%")
        if satisfied is not None:
            parts.append(f"满意 {satisfied:.1f}%")
        out[row["department"]] = {"rates": (on_time, satisfied), "shown": " · ".join(parts)}
    return out


def _adjustment_figures(period: Period) -> dict:
    """事项调整 filings per department (``governance.selectors.filing_timeliness``: one
    grouped query over the requests first filed in the period)."""
    from govhall.governance import selectors as governance

    return governance.filing_timeliness(start=period.start, end=period.end)


def _review_scores(period: Period) -> tuple[dict, dict]:
    """卷宗评查 and inspection scores per department (``reviews``; none when that
    module or its selectors are not there)."""
    try:
        from . import reviews
    except ImportError:
        return {}, {}
    files = getattr(reviews, "department_scores", None)
    inspections = getattr(reviews, "inspection_scores", None)
    return (
        files(start=period.start, end=period.end) if files else {},
        inspections(start=period.start, end=period.end) if inspections else {},
    )


def _units(level: str, ids: set, department_id: int | None) -> dict[int, tuple[str, int | None]]:
    """unit id → (name, department id) of the units to show."""
    if level == "department":
        qs = Department.objects.filter(Q(is_active=True) | Q(pk__in=ids))
        if department_id:
            qs = qs.filter(pk=department_id)
        return {d.pk: (d.short_name or d.name, d.pk) for d in qs.order_by("name")}
    if level == "window":
        qs = Window.objects.filter(pk__in=ids)
        if department_id is None:
            qs = Window.objects.filter(Q(is_active=True) | Q(pk__in=ids))
        return {
            w.pk: (f"{w.centre.name} {w.number}号窗口 {w.name}", w.department_id)
            for w in qs.select_related("centre").order_by("centre__name", "number")
        }
    qs = Staff.objects.filter(pk__in=ids)
    if department_id:
        qs = Staff.objects.filter(Q(pk__in=ids) | Q(department_id=department_id, is_active=True))
    return {
        s.pk: (
            f"{s.name}（{getattr(s.department, 'short_name', '') or getattr(s.department, 'name', '')}）"
            if s.department_id
            else s.name,
            s.department_id,
        )
        for s in qs.select_related("department").order_by("name")
    }


def evaluate(
    *, period: Period, level: str = "department", department_id: int | None = None
) -> list[Row]:
    """Every unit of ``level`` with its indicators, weighted score and rank, best first
    (units without cases last, unranked).

    ``department_id``: at the department level the one department's row, ranked among
    all departments; at the window and staff levels the windows and staff of that
    department's cases, ranked among themselves."""
    if level not in LEVELS:
        raise ValidationFailed(
            f"评估层级“{str(level)[:20]}”无效：可选 department（部门）、window（窗口）、staff（工作人员）",
            code="invalid_filter",
            fields={"level": ["可选值为 department、window、staff"]},
        )
    scope = None if level == "department" else department_id
    figures = _rollup_figures(period, level, scope)
    warnings = _warning_counts(period, level, scope)
    orders = _order_counts(period, level, scope)
    ratings = _rating_counts(period, level, scope)
    files, inspections = _review_scores(period) if level == "department" else ({}, {})
    complaints = _complaint_figures(period) if level == "department" else {}
    adjustments = _adjustment_figures(period) if level == "department" else {}
    units = _units(level, set(figures) | set(warnings) | set(orders) | set(ratings), scope)
    w = weights()
    labels = {i.key: i.label for i in INDICATORS}
    rows = []
    for unit, (name, dept) in units.items():
        f = figures.get(unit) or dict.fromkeys(FIGURES, 0)
        counted, on_time = orders.get(unit, (0, 0))
        extra = {
            "warnings": warnings.get(unit, 0),
            "orders_counted": counted,
            "orders_on_time": on_time,
            "file_review": files.get(unit),
            "inspection": inspections.get(unit),
            "ratings": ratings.get(unit),
            "complaints": complaints.get(unit),
            "adjustments": adjustments.get(unit),
        }
        values = [
            Value(key, labels[key], shown, score, w[key], raw)
            for key, shown, score, raw in score_indicators(f, extra, level)
        ]
        row = Row(level, unit, name, dept, dict(f), values, extra=extra)
        row.figures["warnings"] = extra["warnings"]
        row.figures["orders"] = counted
        if row.has_cases:
            row.score = weighted(values)
        rows.append(row)
    _rank(rows)
    if level == "department" and department_id:
        rows = [r for r in rows if r.unit_id == department_id]
    return rows


def _rank(rows: list[Row]) -> None:
    """Best score first; equal scores (to 0.1) share a rank (1, 2, 2, 4); units without
    cases or without a score are not ranked and come last."""
    ranked = [r for r in rows if r.has_cases and r.score is not None]
    ranked.sort(key=lambda r: (-round(r.score, 1), r.name))
    previous, rank = None, 0
    for index, row in enumerate(ranked, start=1):
        key = round(row.score, 1)
        if key != previous:
            rank, previous = index, key
        row.rank, row.of = rank, len(ranked)
    rest = [r for r in rows if r.rank is None]
    rest.sort(key=lambda r: r.name)
    rows[:] = ranked + rest


def trend(*, period: Period, department_id: int | None = None) -> list[tuple[Period, list[Row]]]:
    """Month by month (the months of the period up to today): the department rows
    (all, or the one department's) of each month."""
    today = clock.today()
    return [
        (m, evaluate(period=m, level="department", department_id=department_id))
        for m in period.months()
        if m.start <= today
    ]


# --------------------------------------------------------------------------- who sees


def may_see(user) -> bool:
    """The supervision office and the centre administrator see every unit; a
    department's staff see their own department's figures."""
    return selectors.may_see_warnings(user)


def own_department(user) -> int | None:
    """``None`` for those who see everything, else the user's department id."""
    if selectors.sees_all(user):
        return None
    staff = permissions.active_staff(user)
    if staff is None or staff.department_id is None:
        raise PermissionDenied("只有电子监察人员、中心管理员和部门工作人员可以查看绩效评估")
    return staff.department_id


def scope_for(user, department_id: int | None) -> int | None:
    """The department ``user`` may evaluate: what they asked (the office), or their
    own department (department staff asking for another get PermissionDenied)."""
    own = own_department(user)
    if own is None:
        return department_id
    if department_id and department_id != own:
        raise PermissionDenied("部门工作人员只能查看本部门的绩效评估")
    return own
