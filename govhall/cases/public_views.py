"""Public pages (/cases/): 办件进度查询 and 网上申请.

Progress needs the 受理编号 and the last 4 digits of the applicant's phone; a wrong
tail gets exactly the same "未找到" answer as an unknown number, and the page shows
nothing personal beyond a masked name (``selectors.public_progress``).

The query is throttled (issue 8 §2), so the 10,000 tails of a number cannot be walked:
per client address every query counts (``GOVHALL_PROGRESS_RATE_PER_ADDRESS``, default
20 per 10 minutes), per 受理编号 every wrong tail (``GOVHALL_PROGRESS_WRONG_TAILS_PER_NUMBER``,
default 5 an hour). Past either limit the page answers 429 with the same message
whether the tail was right or not, and does not look the case up. The counters are
django-ratelimit's, in the default cache (shared Redis when several server processes
run, docs/security.md).
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django_ratelimit.core import get_usage

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import Item
from govhall.core import security, web
from govhall.core.errors import DomainError, NotFound

from . import sections, selectors, services
from .forms import ApplicantForm, DeskMaterialsForm, ProgressForm, place_applicant_errors

THROTTLED_CODE = "progress_throttled"
THROTTLED_MESSAGE = (
    "查询过于频繁，请稍后再试。如需帮助，请携带身份证件到服务中心窗口或拨打咨询电话查询。"
)


def _address_key(group, request) -> str:
    return security.client_address(request)


def _number_key(number: str):
    return lambda group, request: number


def _address_usage(request, *, increment: bool):
    return get_usage(
        request,
        group="cases.progress.address",
        key=_address_key,
        rate=settings.GOVHALL_PROGRESS_RATE_PER_ADDRESS,
        increment=increment,
    )


def _wrong_tail_usage(request, number: str, *, increment: bool):
    return get_usage(
        request,
        group="cases.progress.wrong_tail",
        key=_number_key(number),
        rate=settings.GOVHALL_PROGRESS_WRONG_TAILS_PER_NUMBER,
        increment=increment,
    )


def _exhausted(usage) -> bool:
    """The count already reached the limit (``None``: throttling switched off)."""
    return usage is not None and usage["count"] >= usage["limit"]


def progress(request):
    form = ProgressForm(
        request.GET if "phone_tail" in request.GET else None,
        initial={"number": request.GET.get("number", "")},
    )
    result = None
    not_found = False
    throttled = False
    if form.is_bound:
        address = _address_usage(request, increment=True)
        throttled = address is not None and address["should_limit"]
    if form.is_bound and not throttled and form.is_valid():
        number = form.cleaned_data["number"].strip()
        if _exhausted(_wrong_tail_usage(request, number, increment=False)):
            throttled = True
        else:
            tail = form.cleaned_data["phone_tail"]
            try:
                result = selectors.public_progress(number=number, phone_tail=tail)
            except NotFound:
                # Another app's number (备案编号 …), registered with web.progress_source.
                result = web.progress_from_sources(number=number, phone_tail=tail)
            if result is None:
                _wrong_tail_usage(request, number, increment=True)
                not_found = True
    elif form.is_bound and not throttled:
        not_found = True
    return render(
        request,
        "cases/public_progress.html",
        {
            "form": form,
            "result": result,
            "not_found": not_found,
            "throttled": throttled and THROTTLED_MESSAGE,
            "throttled_code": THROTTLED_CODE,
            "sections": sections.progress_sections_for(request, result) if result else [],
            "via": "qr" if request.GET.get("via") == "qr" else "",
        },
        status=429 if throttled else 200,
    )


def apply(request, item_id: int):
    """网上申请: applicant data + uploads → ``services.apply_online`` (the service
    decides whether the item is offered online and at which centre)."""
    item = Item.objects.select_related("department").filter(pk=item_id).first()
    version = services.online_version(item=item)
    if version is None:
        notice = catalog_selectors.not_accepted_notice(item) if item is not None else ""
        return render(
            request,
            "cases/public_apply.html",
            {"item": item, "closed": True, "notice": notice},
            status=404,
        )
    data, files = request.POST or None, request.FILES or None
    applicant = ApplicantForm(data, files, prefix="a")
    materials = DeskMaterialsForm(data, files, version=version, prefix="m")
    errors: list[str] = []
    if request.method == "POST" and applicant.is_valid() and materials.is_valid():
        try:
            case = services.apply_online(
                item=item,
                applicant=applicant.applicant(),
                agent=applicant.agent(),
                materials=materials.submitted(),
            )
        except DomainError as exc:
            errors.extend(place_applicant_errors(exc, applicant))
        else:
            request.session["applied_case"] = case.number
            return redirect("cases_public:applied", number=case.number)
    return render(
        request,
        "cases/public_apply.html",
        {
            "item": item,
            "version": version,
            "applicant": applicant,
            "materials": materials,
            "errors": errors,
        },
    )


def apply_bundle(request, code: str):
    """一件事 网上申请: the applicant once, each item's materials (grouped by item), one
    submission → ``services.apply_bundle_online``; the same 受理编号 confirmation."""
    try:
        bundle = selectors.get_bundle(code=code)
    except NotFound:
        bundle = None
    versions = services.bundle_online_versions(bundle=bundle) if bundle else None
    if versions is None:
        return render(
            request,
            "cases/public_apply_bundle.html",
            {"bundle": bundle, "closed": True},
            status=404,
        )
    data, files = request.POST or None, request.FILES or None
    applicant = ApplicantForm(data, files, prefix="a")
    parts = [{"item": bi.item, "version": versions[bi.item_id]} for bi in bundle.bundle_items.all()]
    supplied = selectors.bundle_supplies(parts=parts)
    for p in parts:
        p["form"] = DeskMaterialsForm(
            data,
            files,
            version=p["version"],
            prefix=f"i{p['item'].pk}",
            supplied=supplied.get(p["item"].pk),
        )
    errors: list[str] = []
    valid = request.method == "POST" and all(
        [applicant.is_valid(), *[p["form"].is_valid() for p in parts]]
    )
    if valid:
        try:
            parent = services.apply_bundle_online(
                bundle=bundle,
                applicant=applicant.applicant(),
                agent=applicant.agent(),
                materials={p["item"].pk: p["form"].submitted() for p in parts},
            )
        except DomainError as exc:
            errors.extend(place_applicant_errors(exc, applicant))
        else:
            request.session["applied_case"] = parent.number
            return redirect("cases_public:applied", number=parent.number)
    return render(
        request,
        "cases/public_apply_bundle.html",
        {"bundle": bundle, "applicant": applicant, "parts": parts, "errors": errors},
    )


def applied(request, number: str):
    """Confirmation with the 受理编号 — only for the browser that applied."""
    if request.session.get("applied_case") != number:
        return redirect("cases_public:progress")
    return render(request, "cases/public_applied.html", {"number": number})
