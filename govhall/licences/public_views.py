"""Public pages of the licence registry (/licences/, docs/portal.md):

* ``query`` — 证照查询: a licence by its number shows what the law publishes
  (``selectors.public_licence``: status, validity, issuer, the holder — a natural
  person's name masked, no ID number — and the 电子证照标识). Throttled per client
  address with the API's ``licences/public/{number}/`` (one counter,
  ``GOVHALL_LICENCE_QUERY_RATE_PER_ADDRESS``, default 60 per 10 minutes): past it the
  page answers 429 and looks nothing up.
* ``results`` — 审批结果公开 (``selectors.public_results``: nothing of a secret item,
  of an item not published, or of a decision kept in the 副卷), searchable by text,
  department and date, 20 a page; ``results_export`` — the same filtered list as an
  Excel workbook, at most ``excel.EXPORT_MAX`` (10,000) rows, the workbook says when
  more matched.

Every input is bounded: the number to 60 characters, the search to 100, the
department to an id, the dates to ``YYYY-MM-DD`` (a malformed one is named and left out).
"""

from __future__ import annotations

import io

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from govhall.core import clock, web
from govhall.org.models import Department

from . import excel, selectors
from .api import THROTTLED_CODE, THROTTLED_MESSAGE, public_throttled

NUMBER_MAX = 60
Q_MAX = 100
PAGE_SIZE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def query(request):
    raw = request.GET.get("number")
    number = (raw or "").strip()
    context = {"number": number[:NUMBER_MAX], "number_max": NUMBER_MAX}
    status = 200
    if raw is not None:
        if not number:
            context["error"] = "请输入证照编号"
        elif len(number) > NUMBER_MAX or "\x00" in number:
            context["error"] = f"证照编号不超过 {NUMBER_MAX} 个字符，请核对后重新输入"
        elif public_throttled(request):
            context["throttled"], context["throttled_code"] = THROTTLED_MESSAGE, THROTTLED_CODE
            status = 429
        else:
            licence = selectors.public_licence(number)
            context["licence"] = licence
            context["not_found"] = licence is None
    return render(request, "licences/public_query.html", context, status=status)


def _filters(request) -> dict:
    """The filters of 审批结果公开 from the query string, bounded; ``errors`` names the
    ones left out."""
    errors: list[str] = []
    q = request.GET.get("q", "").replace("\x00", "").strip()[:Q_MAX]
    pk = web.query_int(request.GET.get("department"))
    department = Department.objects.filter(pk=pk).first() if pk else None
    since = web.query_date(request.GET.get("since"), errors=errors, label="起始日期")
    until = web.query_date(request.GET.get("until"), errors=errors, label="截止日期")
    if since and until and since > until:
        errors.append("起始日期晚于截止日期，已交换")
        since, until = until, since
    return {"q": q, "department": department, "since": since, "until": until, "errors": errors}


def _results(f: dict):
    return selectors.public_results(
        q=f["q"], department=f["department"], since=f["since"], until=f["until"]
    )


def _keep(f: dict) -> str:
    from django.http import QueryDict

    keep = QueryDict(mutable=True)
    if f["q"]:
        keep["q"] = f["q"]
    if f["department"]:
        keep["department"] = str(f["department"].pk)
    if f["since"]:
        keep["since"] = f["since"].isoformat()
    if f["until"]:
        keep["until"] = f["until"].isoformat()
    return keep.urlencode()


def results(request):
    f = _filters(request)
    page = Paginator(_results(f), PAGE_SIZE).get_page(web.query_int(request.GET.get("page")))
    return render(
        request,
        "licences/public_results.html",
        {
            **f,
            "page": page,
            "rows": [selectors.public_result_row(licence) for licence in page],
            "departments": selectors.public_result_departments(),
            "keep": _keep(f),
            "export_max": excel.EXPORT_MAX,
            "q_max": Q_MAX,
        },
    )


def results_export(request):
    f = _filters(request)
    licences = _results(f)
    shown = [
        ("关键词", f["q"]),
        ("审批部门", f["department"].name if f["department"] else ""),
        ("起始日期", f["since"].isoformat() if f["since"] else ""),
        ("截止日期", f["until"].isoformat() if f["until"] else ""),
    ]
    stream = io.BytesIO()
    excel.write_results(
        stream=stream,
        licences=licences,
        total=licences.count(),
        filters=[(k, v) for k, v in shown if v],
    )
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=excel.filename(clock.today())
    )
    return response
