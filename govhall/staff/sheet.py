"""年终表现鉴定表 (内乡县 §31 "年终对进驻窗口工作人员出具表现情况鉴定…反馈给派出单位"):
an A4 PDF per person and year, rendered like the other documents
(``cases.documents.pdf``: reportlab with the embedded CJK font, WenQuanYi Zen Hei)."""

from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from govhall.cases.documents.pdf import _p, font_name
from govhall.core import clock

TITLE = "进驻窗口工作人员年度表现情况鉴定表"


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def figure_rows(f: dict) -> list[tuple[str, str]]:
    """(label, value) of the figures, shared by the page and the sheet."""
    a, leave, t = f.get("attendance", {}), f.get("leave", {}), f.get("training", {})
    c, r = f.get("cases", {}), f.get("ratings", {})
    k, w = f.get("complaints", {}), f.get("warnings", {})
    h = f.get("hall", {})
    kinds = "，".join(f"{name} {days} 天" for name, days in leave.get("by_kind", {}).items())
    attendance = (
        f"应出勤 {a.get('expected', 0)} 天，出勤 {a.get('present', 0)} 天，"
        f"缺勤 {a.get('absent', 0)} 天；迟到 {a.get('late', 0)} 次，早退 {a.get('early', 0)} 次，"
        f"未签退 {a.get('no_sign_out', 0)} 次"
        if a.get("at_window")
        else "本年度未派驻窗口或尚无考勤记录，不统计窗口考勤"
    )
    return [
        ("考勤", attendance),
        ("请假", f"共 {leave.get('days', 0)} 个工作日" + (f"（{kinds}）" if kinds else "")),
        (
            "学习培训",
            f"认定学时 {t.get('hours', '0.0')} 小时；参加 {t.get('sessions', 0)} 次，"
            f"完成签到签退 {t.get('completed', 0)} 次",
        ),
        (
            "办件",
            f"经办 {c.get('handled', 0)} 件；办结 {c.get('completed', 0)} 件，"
            f"按期 {c.get('on_time', 0)} 件，按期办结率 {_pct(c.get('on_time_rate'))}",
        ),
        (
            "窗口服务",
            f"叫号办理 {h.get('served', 0)} 人次"
            + (f"，平均办理 {h['service_avg']} 分钟" if h.get("service_avg") is not None else ""),
        ),
        (
            "好差评",
            f"评价 {r.get('total', 0)} 次，好评 {r.get('good', 0)} 次，差评 {r.get('bad', 0)} 次，"
            f"满意率 {_pct(r.get('satisfaction'))}",
        ),
        (
            "投诉举报",
            f"涉及本人 {k.get('total', 0)} 件，已办结 {k.get('closed', 0)} 件，"
            f"核查属实（含部分属实）{k.get('upheld', 0)} 件",
        ),
        ("电子监察预警", f"{w.get('total', 0)} 次，其中红色 {w.get('red', 0)} 次"),
    ]


def render(*, appraisal, figures: dict, centre_name: str) -> bytes:
    font = font_name()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=26, alignment=TA_CENTER)
    cell = ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=15)
    head = ParagraphStyle("head", fontName=font, fontSize=10.5, leading=15, alignment=TA_CENTER)
    right = ParagraphStyle("right", fontName=font, fontSize=11, leading=18, alignment=TA_RIGHT)
    small = ParagraphStyle("small", fontName=font, fontSize=9, leading=13)
    staff = appraisal.staff
    department = (
        appraisal.department.name if appraisal.department else "政务服务中心（中心自有人员）"
    )
    draft = appraisal.state != "final"
    basics = [
        [_p("姓名", head), _p(staff.name, cell), _p("年度", head), _p(f"{appraisal.year}年", cell)],
        [
            _p("派出单位", head),
            _p(department, cell),
            _p("岗位", head),
            _p(staff.get_role_display(), cell),
        ],
        [
            _p("窗口", head),
            _p(f"{staff.window.number} {staff.window.name}" if staff.window else "—", cell),
            _p("统计截至", head),
            _p(figures.get("as_of", ""), cell),
        ],
    ]
    rows = [[_p(label, head), _p(value, cell), "", ""] for label, value in figure_rows(figures)]
    score = "—" if appraisal.score is None else f"{appraisal.score} 分"
    rows += [
        [
            _p("中心评分", head),
            _p(score, cell),
            _p("鉴定等次", head),
            _p(appraisal.get_grade_display() or "—", cell),
        ],
        [_p("鉴定意见", head), _p(appraisal.comments or "—", cell), "", ""],
    ]
    widths = [28 * mm, 74 * mm, 24 * mm, 54 * mm]
    table = Table(basics + rows, colWidths=widths)
    spans = [("SPAN", (1, i), (3, i)) for i in range(len(basics), len(basics) + len(rows) - 2)]
    spans.append(("SPAN", (1, len(basics) + len(rows) - 1), (3, len(basics) + len(rows) - 1)))
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                *spans,
            ]
        )
    )
    flow = [
        _p(TITLE + ("（草稿）" if draft else ""), title),
        Spacer(1, 6 * mm),
        _p(f"{department}：", cell),
        _p(
            f"根据《运行管理办法》关于对进驻窗口工作人员实行双重管理、年终出具表现情况鉴定的规定，"
            f"现将贵单位派驻{centre_name}的{staff.name}同志{appraisal.year}年度表现情况鉴定如下，"
            "请在年度考核时参考。",
            cell,
        ),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 12 * mm),
        _p(f"{centre_name}（盖章）", right),
        _p(
            f"{timezone.localtime(appraisal.finalised_at or clock.now()):%Y年%m月%d日}",
            right,
        ),
        Spacer(1, 6 * mm),
        _p(
            "数据来源：本系统考勤、请假、培训签到签退、办件记录、好差评、诉求工单和电子监察预警"
            "（考勤、培训和服务质量效率评价作为年度考核依据）。",
            small,
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{TITLE} {appraisal.year} {staff.name}",
        author=centre_name,
    ).build(flow)
    return buffer.getvalue()
