"""Staff page 检索记录 (/staff/finder/): what people searched for on the portal, at
the window desk and on the ticket machine, what found nothing (the most frequent
first), how often a result was opened; the Excel export; and 补充关键词 — a word
people use, put into an item's draft, to be published through the normal flow.

Thin: the rules and reads are in ``pages``; the write is ``services.add_keyword``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from govhall.core import clock, web
from govhall.core.errors import DomainError

from . import pages, services
from .models import Channel

PAGE_SIZE = 50
EXPORT_MAX = 50000


@web.staff_page
def search_list(request):
    """检索记录: the filtered log (paged), the unfound summary and the rates."""
    pages.require_viewer(request.user)
    errors: list[str] = []
    filters = pages.parse_filters(request.GET, errors=errors)
    page = Paginator(pages.searches(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = rows = list(page.object_list)
    names = pages.hit_names(rows)
    for row in rows:
        row.first_hit = names.get(row.hits[0], row.hits[0]) if row.hits else ""
        short = not row.found and len(row.text) <= services.KEYWORD_MAX and " " not in row.text
        row.keyword_hint = row.text if short else ""
    keep = urlencode(filters.query())
    return render(
        request,
        "finder/searches.html",
        {
            "page": page,
            "filters": filters,
            "errors": errors,
            "channels": Channel.choices,
            "summary": pages.unfound_summary(filters),
            "rates": pages.rates(filters),
            "keep": keep,
            "export_url": reverse("finder:export") + (f"?{keep}" if keep else ""),
            "may_add_keyword": pages.may_add_keyword(request.user),
            "here": request.get_full_path(),
        },
    )


COLUMNS = [
    ("检索时间", 20),
    ("渠道", 10),
    ("检索内容", 40),
    ("有结果", 8),
    ("最高分", 8),
    ("结果（实施编码，前五个）", 60),
    ("打开的事项", 30),
    ("打开时间", 20),
    ("补充的关键词", 14),
    ("处理人", 12),
    ("处理时间", 20),
]


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


@web.staff_page
def export(request):
    """The filtered searches as an Excel workbook (检索记录 and 无结果检索汇总)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    pages.require_viewer(request.user)
    filters = pages.parse_filters(request.GET)
    rows = list(pages.searches(filters)[:EXPORT_MAX])
    wb = Workbook()
    ws = wb.active
    ws.title = "检索记录"
    ws.append([c for c, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for index, (_, width) in enumerate(COLUMNS):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.freeze_panes = "A2"
    for s in rows:
        ws.append(
            [
                _local(s.created_at),
                s.get_channel_display(),
                s.text,
                "是" if s.found else "否",
                s.top_score,
                " ".join(s.hits or []),
                s.opened_item.implementation_code if s.opened_item else "",
                _local(s.opened_at),
                s.keyword_added,
                getattr(getattr(s.handled_by, "staff", None), "name", "")
                or (s.handled_by.get_username() if s.handled_by else ""),
                _local(s.handled_at),
            ]
        )
    summary = wb.create_sheet("无结果检索汇总")
    summary.append(["检索内容", "次数", "最近一次", "已补充关键词"])
    for cell in summary[1]:
        cell.font = Font(bold=True)
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["C"].width = 20
    for row in pages.unfound_summary(filters, limit=1000):
        summary.append([row["text"], row["count"], _local(row["last"]), row["handled"]])
    meta = wb.create_sheet("说明")
    rate = pages.rates(filters)
    meta.append(["导出时间", _local(clock.now())])
    meta.append(["筛选", "；".join(f"{k}={v}" for k, v in filters.query().items()) or "全部"])
    meta.append(["检索次数", rate["total"]])
    meta.append(["有结果", rate["found"]])
    meta.append(["打开了办事指南", rate["opened"]])
    meta.append(
        ["说明", "检索内容中的身份证号、手机号等已替换为＊；打开率 = 打开次数 ÷ 有结果次数"]
    )
    meta.column_dimensions["A"].width = 16
    meta.column_dimensions["B"].width = 70
    return web.xlsx_response(wb, filename=f"finder-searches-{clock.today():%Y%m%d}.xlsx")


@web.staff_page
@require_POST
def add_keyword(request, pk: int):
    """补充关键词 from a search row: the item (实施编码 or name) and the word; the
    word goes into the item's draft, published through the normal flow."""
    pages.require_viewer(request.user)
    search = services.get_search(pk=pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or reverse("finder:list")
    keyword = request.POST.get("keyword", "")
    try:
        item = pages.item_named(request.POST.get("item", ""))
        draft = services.add_keyword(actor=request.user, search=search, item=item, keyword=keyword)
    except DomainError as exc:
        messages.error(request, f"补充关键词未完成：{exc.message}")
        return redirect(back)
    url = reverse("catalog:detail", args=[item.implementation_code])
    messages.success(
        request,
        format_html(
            "已把关键词“{}”加入“{}”的草稿（检索记录“{}”）。草稿须按正常流程审核发布后，"
            '群众才能用这个词找到该事项：<a href="{}">到事项页查看并发布</a>',
            keyword.strip(),
            draft.name,
            search.text,
            url,
        ),
    )
    return redirect(back)
