"""Public pages (/cases/): 办件进度查询 and 网上申请.

Progress needs the 受理编号 and the last 4 digits of the applicant's phone; a wrong
tail gets exactly the same "未找到" answer as an unknown number, and the page shows
nothing personal beyond a masked name (``selectors.public_progress``).
"""

from __future__ import annotations

from django.shortcuts import redirect, render

from govhall.catalog.models import Item
from govhall.core.errors import DomainError, NotFound

from . import selectors, services
from .forms import ApplicantForm, DeskMaterialsForm, ProgressForm, place_applicant_errors


def progress(request):
    form = ProgressForm(
        request.GET if "phone_tail" in request.GET else None,
        initial={"number": request.GET.get("number", "")},
    )
    result = None
    not_found = False
    if form.is_bound and form.is_valid():
        try:
            result = selectors.public_progress(
                number=form.cleaned_data["number"], phone_tail=form.cleaned_data["phone_tail"]
            )
        except NotFound:
            not_found = True
    elif form.is_bound:
        not_found = True
    return render(
        request,
        "cases/public_progress.html",
        {"form": form, "result": result, "not_found": not_found},
    )


def apply(request, item_id: int):
    """网上申请: applicant data + uploads → ``services.apply_online`` (the service
    decides whether the item is offered online and at which centre)."""
    item = Item.objects.select_related("department").filter(pk=item_id).first()
    version = services.online_version(item=item)
    if version is None:
        return render(
            request, "cases/public_apply.html", {"item": item, "closed": True}, status=404
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


def applied(request, number: str):
    """Confirmation with the 受理编号 — only for the browser that applied."""
    if request.session.get("applied_case") != number:
        return redirect("cases_public:progress")
    return render(request, "cases/public_applied.html", {"number": number})
