"""Public pages (/filings/): the 备案清单 items that can be filed online, 网上备案 (the
form; the 备案编号 and the 备案回执 at once for 事后告知类, the 申报编号 and the
confirmation limit for 确认类), the receipt download and the filer's 补正.

The filer is identified by the form, as an online application is (``Applicant(name)``,
the ID number checked with ``core.validators``). Only the browser that filed, or that
proved the filing is its own on the progress page (编号 + the phone's last 4 digits),
may download the receipt. Submitting is throttled per client address
(``GOVHALL_FILING_RATE_PER_ADDRESS``, default 30 an hour), every attempt counting.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django_ratelimit.core import get_usage

from govhall.catalog.models import Item
from govhall.core import security, web
from govhall.core.errors import DomainError, NotFound

from . import progress, receipt, selectors, services
from .forms import FilingForm, ResubmitForm
from .models import Filing
from .views import pdf_response

DEFAULT_RATE = "30/h"
THROTTLED_MESSAGE = "提交过于频繁，请稍后再试，或到政务服务中心综合受理窗口办理备案。"
SESSION_KEY = "filings_filed"


def _throttled(request) -> bool:
    usage = get_usage(
        request,
        group="filings.submit.address",
        key=lambda group, req: security.client_address(req),
        rate=getattr(settings, "GOVHALL_FILING_RATE_PER_ADDRESS", DEFAULT_RATE),
        increment=True,
    )
    return usage is not None and usage["should_limit"]


def filing_items(request):
    """备案清单中可网上备案的事项."""
    versions = list(selectors.filing_list().prefetch_related("fee_lines"))
    rows = [{"v": v, "fileable": not v.has_fee and not list(v.fee_lines.all())} for v in versions]
    return render(request, "filings/public_items.html", {"rows": rows})


def file(request, item_id: int):
    item = Item.objects.select_related("department").filter(pk=item_id).first()
    try:
        version = services.fileable_version(item=item)
    except DomainError as exc:
        return render(
            request, "filings/public_file.html", {"item": item, "closed": exc.message}, status=404
        )
    form = FilingForm(request.POST or None, request.FILES or None, version=version)
    error, status = "", 200
    if request.method == "POST":
        if _throttled(request):
            error, status = THROTTLED_MESSAGE, 429
        elif form.is_valid():
            try:
                filing = services.file_online(
                    item=item, files=form.cleaned_data["files"], **form.filer()
                )
            except DomainError as exc:
                error = "；".join(web.apply_errors(exc, form=form)) or exc.message
                status = 400
            else:
                request.session[SESSION_KEY] = filing.tracking
                if filing.number:
                    progress.allow_receipt(request, filing.number)
                return redirect("filings_public:filed")
        else:
            error, status = "请检查填写的内容", 400
    return render(
        request,
        "filings/public_file.html",
        {"item": item, "version": version, "form": form, "error": error},
        status=status,
    )


def filed(request):
    tracking = request.session.get(SESSION_KEY)
    filing = (
        Filing.objects.select_related("item_version", "department")
        .filter(tracking=tracking)
        .first()
        if tracking
        else None
    )
    if filing is None:
        return redirect("filings_public:items")
    return render(
        request,
        "filings/public_filed.html",
        {
            "f": filing,
            "not_blocking": progress.NOT_BLOCKING,
            "progress_url": reverse("cases_public:progress") + f"?number={filing.ref}",
        },
    )


def receipt_pdf(request, ref: str):
    ref = (ref or "").upper()[:20]
    filing = (
        Filing.objects.select_related("item_version", "department", "centre")
        .filter(number=ref)
        .first()
    )
    if filing is None or not progress.may_download(request, ref):
        return web.error_page(
            request,
            NotFound("请先凭备案编号和手机号后四位在办件查询中查到该备案，再下载备案回执"),
        )
    return pdf_response(receipt.render_receipt(filing, request=request), filing)


def resubmit(request):
    form = ResubmitForm(
        request.POST or None, request.FILES or None, initial={"ref": request.GET.get("ref", "")}
    )
    error, status, done = "", 200, None
    if request.method == "POST":
        if _throttled(request):
            error, status = THROTTLED_MESSAGE, 429
        elif form.is_valid():
            d = form.cleaned_data
            try:
                done = services.resubmit_online(
                    ref=d["ref"],
                    phone_tail=d["phone_tail"],
                    filer_id=d["filer_id"],
                    note=d["note"],
                    files=d["files"],
                )
            except DomainError as exc:
                error = "；".join(web.apply_errors(exc, form=form)) or exc.message
                status = 400
        else:
            error, status = "请检查填写的内容", 400
    return render(
        request,
        "filings/public_resubmit.html",
        {"form": form, "error": error, "done": done},
        status=status,
    )
