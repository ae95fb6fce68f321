"""Staff pages of case handling (/staff/cases/): 综合受理 window desk, the approver
inbox (待办, by urgency with lights), the case page with the actions the user may
take, the notices (文书) and the archive (一卷一档).

Every change goes through ``cases.services``; every read through ``cases.selectors``.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import Item
from govhall.core import clock, web
from govhall.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from govhall.core.selectors import history_for
from govhall.core.validators import mask_id_number, mask_phone
from govhall.finder import pages as finder_pages
from govhall.finder import selectors as finder_selectors
from govhall.org import permissions as org_permissions
from govhall.org import selectors as org_selectors
from govhall.org.models import Role

from . import archive as case_archive
from . import deadlines, documents, roles, selectors, services, workflow
from . import desk as desk_sources
from . import sections as case_sections
from .forms import (
    ActionForm,
    ApplicantForm,
    BundleDeskActionForm,
    BundleForm,
    DeskActionForm,
    DeskMaterialsForm,
    ItemSearchForm,
    place_applicant_errors,
)
from .models import OPEN_STATES, CaseDocument, Channel, DocumentKind, Light, State
from .services import intake


def _staff(request):
    return org_permissions.active_staff(request.user)


@web.dashboard_panel(order=5)
def _work_panel(request):
    """Each role's own work on the home page (工作台): the window's intake for a clerk,
    the department's pending / yellow / red / overdue cases for its chief and
    approvers (with their own), the whole centre's warnings for the supervisor."""
    staff = _staff(request)
    if staff is None:
        return None
    inbox = reverse("cases:inbox")
    count = functools.partial(selectors.case_list, user=request.user)
    if staff.role == Role.WINDOW_CLERK:
        today = clock.today()
        counts = [
            ("待受理", count(states=[State.SUBMITTED]).count(), f"{inbox}?state=submitted"),
            (
                "待补正",
                count(states=[State.AWAITING_CORRECTION]).count(),
                f"{inbox}?state=awaiting_correction",
            ),
            ("今日收件", count(received_from=today, received_to=today).count(), inbox),
        ]
        return {
            "title": f"综合受理 · {staff.centre.name}",
            "counts": counts,
            "links": [("综合受理（收件）", reverse("cases:desk")), ("待办", inbox)],
        }
    department = staff.department if staff.department_id else None
    lights = [
        ("黄灯预警", Light.YELLOW),
        ("红灯（今日到期）", Light.RED),
        ("超期", Light.OVERDUE),
    ]
    counts = [("在办", count(department=department, states=list(OPEN_STATES)).count(), inbox)]
    counts += [
        (label, count(department=department, light=light).count(), f"{inbox}?light={light}")
        for label, light in lights
    ]
    if staff.role == Role.SUPERVISOR:
        return {
            "title": "电子监察 · 全中心预警",
            "counts": counts[1:],
            "links": [("全部在办", inbox)],
        }
    if department is None:  # the centre administrator
        # deadlines resting on a 推算 year (暂定) until its schedule is entered
        provisional = count(states=list(OPEN_STATES)).filter(deadline_provisional=True).count()
        if provisional:
            counts.append(("期限暂定", provisional, reverse("calendar:index")))
        return {"title": "全中心办件", "counts": counts, "links": [("待办", inbox)]}
    counts.append(
        (
            "我承办的",
            count(department=department, states=list(OPEN_STATES), responsible=staff).count(),
            f"{inbox}?mine=1",
        )
    )
    return {
        "title": f"本部门办件 · {department.name}",
        "counts": counts,
        "links": [("待办", inbox), ("综合受理", reverse("cases:desk"))],
    }


# --------------------------------------------------------------------------- window desk


@web.staff_page
def desk(request):
    """Screen 1: find the item in the current catalogue (accepting only)."""
    _centre_of(request)
    form = ItemSearchForm(request.GET or None)
    versions, found_bundles, query_error = [], [], ""
    q = request.GET.get("q", "").strip()
    if q:
        # the finder (the portal's and the kiosk's answer too), accepting items only;
        # each version carries why it matched (``match_reasons``)
        try:
            finding = finder_selectors.find(q=q, channel="desk", accepting_only=True, limit=30)
        except ValidationFailed as exc:
            query_error = exc.message
        else:
            for hit in finding.hits:
                hit.version.match_reasons = finder_pages.reason_lines(hit.reasons)
                versions.append(hit.version)
        q = q[:100]
        found_bundles = list(selectors.search_bundles(q=q)[:10])
    found = desk_sources.lookup(request)
    prefill = found[1] if found else None
    suggested = []
    if prefill is not None and prefill.item_ids and not q:
        items = Item.objects.filter(pk__in=prefill.item_ids[:30]).select_related("department")
        suggested = [v for i in items if (v := catalog_selectors.current_version(item=i))]
    return render(
        request,
        "cases/desk_search.html",
        {
            "form": form,
            "versions": versions or suggested,
            "suggested": bool(suggested) and not versions,
            "bundles": found_bundles,
            "q": q,
            "query_error": query_error,
            "prefill": prefill,
        },
    )


def _centre_of(request, *, department=None):
    """The centre the desk registers at — and, before any form is shown, whether this
    user may register applications there at all (the service's own rule,
    ``intake.check_submitter``): a supervisor sees 403, not a form refused on submit."""
    staff = _staff(request)
    if staff is None:
        raise NotFound("您不是中心工作人员，不能录入申请")
    intake.check_submitter(
        request.user,
        centre=staff.centre,
        department=department or staff.department,
        channel=Channel.WINDOW,
    )
    return staff.centre


@web.staff_page
def desk_apply(request, item_id: int):
    """Screen 2: applicant, materials ticked against the version's list, and the
    decision of 收件 — 受理 / 一次性告知补正 / 容缺受理 / 不予受理 — in one post.

    Application and decision are one transaction: if the decision is refused by a
    rule, nothing is registered and the clerk corrects the form."""
    item = Item.objects.select_related("department").filter(pk=item_id).first()
    version = catalog_selectors.current_version(item=item) if item else None
    if version is None:
        raise NotFound("该事项没有现行有效的办事指南")
    centre = _centre_of(request, department=item.department)
    data = request.POST or None
    files = request.FILES or None
    found = desk_sources.lookup(request)  # the person the window called (取号叫号)
    prefill = found[1] if found else None
    applicant = ApplicantForm(
        data, files, prefix="a", initial=prefill.applicant if prefill else None
    )
    materials = DeskMaterialsForm(data, files, version=version, prefix="m")
    action = DeskActionForm(
        data, prefix="x", allow_tolerance=version.allows_tolerance, department=item.department
    )
    errors: list[str] = []
    if request.method == "POST" and all(
        [applicant.is_valid(), materials.is_valid(), action.is_valid()]
    ):
        try:
            with transaction.atomic():
                case = _receive(request, item, centre, applicant, materials, action)
                if found is not None:
                    found[0].received(request, prefill.ref, case)
        except (ValidationFailed, Conflict) as exc:
            errors = place_applicant_errors(exc, applicant)
        else:
            doc = case.documents.order_by("-id").first()
            if doc is None:
                return redirect("cases:detail", number=case.number)
            url = reverse("cases:notice", kwargs={"number": case.number, "doc": doc.number})
            return redirect(f"{url}?from=desk")
    return render(
        request,
        "cases/desk_apply.html",
        {
            "item": item,
            "version": version,
            "applicant": applicant,
            "materials": materials,
            "action": action,
            "errors": errors,
            "prefill": prefill,
        },
    )


def _desk_decision(request, applicant, action) -> dict:
    """What both window desks pass to their intake service: who acts, the applicant
    and agent, and the decision with its reason, 承诺书 and catch-up days."""
    d = action.cleaned_data
    return {
        "actor": request.user,
        "applicant": applicant.applicant(),
        "agent": applicant.agent(),
        "decision": d["action"],
        "commitment": d.get("commitment") or "",
        "catch_up_days": d.get("catch_up_days"),
        "reason": d.get("reason") or "",
    }


def _receive(request, item, centre, applicant, materials, action):
    """The window's 收件 and decision, in one service call (the rules live there)."""
    return services.receive_at_window(
        item=item,
        centre=centre,
        materials=materials.submitted(),
        responsible=selectors.staff_member(pk=action.cleaned_data.get("responsible")),
        corrections=materials.corrections(),
        tolerated=materials.tolerated(),
        **_desk_decision(request, applicant, action),
    )


@web.staff_page
def notice(request, number: str, doc: str):
    """Screen 3 (and any notice): the printable 文书 page with a 打印 button."""
    case = selectors.case_by_number(number=number, user=request.user)
    document = case.documents.select_related("event").filter(number=doc).first()
    if document is None:
        raise Http404
    if document.kind == DocumentKind.BUNDLE_NOTICE:
        return redirect("cases:bundle_notice", number=case.number)
    return render(
        request,
        "cases/notice.html",
        {
            "case": case,
            "document": document,
            "c": documents.content(document),
            "qr": documents.qr_data_uri(documents.progress_url(case.number, request, via="qr")),
            # 第3步 of the window desk (收件 → 决定 → 文书): only when the desk sent here.
            "from_desk": request.GET.get("from") == "desk",
            "alerts": case_sections.alerts_for(request, case),
        },
    )


@web.staff_page
def notice_pdf(request, number: str, doc: str):
    case = selectors.case_by_number(number=number, user=request.user)
    document = case.documents.select_related("event").filter(number=doc).first()
    if document is None:
        raise Http404
    pdf = documents.render_pdf(document, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    return response


# --------------------------------------------------------------------------- inbox


LIGHT_BADGES = {
    Light.NORMAL: "success",
    Light.YELLOW: "warning",
    Light.RED: "danger",
    Light.OVERDUE: "dark",
    Light.PAUSED: "secondary",
}


@web.staff_page
def inbox(request):
    """待办: the department's open cases, most urgent first, with lights."""
    staff = _staff(request)
    state = request.GET.get("state", "")
    light = request.GET.get("light", "")
    states = [state] if state in State.values else None
    light = light if light in Light.values and light else None
    mine = request.GET.get("mine") == "1" and staff is not None
    qs = selectors.case_list(
        user=request.user,
        department=staff.department if staff is not None and staff.department_id else None,
        states=states or list(OPEN_STATES),
        light=light,
        responsible=staff if mine else None,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    remaining: dict = {}
    for case in page:
        if case.due_date not in remaining:
            remaining[case.due_date] = deadlines.remaining_workdays(case)
        case.remaining = remaining[case.due_date]
        case.badge = LIGHT_BADGES.get(case.light, "light")
        case.light_label = Light(case.light).label if case.light else ""
    return render(
        request,
        "cases/inbox.html",
        {
            "page": page,
            "states": [(v, label) for v, label in State.choices if v in OPEN_STATES],
            "lights": [(v, label) for v, label in Light.choices if v],
            "state": state,
            "light": light or "",
            "mine": mine,
            "may_be_responsible": staff is not None and staff.department_id is not None,
        },
    )


# --------------------------------------------------------------------------- case page


def _bundle_context(case) -> dict:
    """一件事: on the parent each child with its state and light, a refused/denied/
    ended child flagged; on a child the link back to its parent."""
    if not case.is_bundle_parent:
        return {"children": None}
    children = list(selectors.bundle_children(parent=case))
    failed = {c.pk for c in selectors.failed_children(parent=case)}
    for child in children:
        child.failed = child.pk in failed
        child.badge = LIGHT_BADGES.get(child.light, "light")
        child.light_label = Light(child.light).label if child.light else ""
        child.remaining = deadlines.remaining_workdays(child) if child.is_open else None
    done = sum(1 for c in children if c.state not in OPEN_STATES)
    return {"children": children, "children_done": done, "children_failed": len(failed)}


def _case_context(request, case, forms_by_action=None, errors=None):
    actions = workflow.available_actions(request.user, case)
    forms_by_action = forms_by_action or {}
    panels = []
    for t in actions:
        form = forms_by_action.get(t.action) or ActionForm(
            initial={"expected_version": case.version}, case=case, action=t.action
        )
        panels.append({"action": t.action, "label": t.label, "form": form})
    history = list(selectors.case_history(case=case, user=request.user))
    for event in history:
        event.label = workflow.event_label(event.action)
    return {
        "case": case,
        "masked_id": mask_id_number(case.applicant_id_number),
        "masked_phone": mask_phone(case.applicant_phone),
        "light": deadlines.light_of(case),
        "light_label": Light(deadlines.light_of(case)).label,
        "badge": LIGHT_BADGES.get(deadlines.light_of(case), "light"),
        "remaining": deadlines.remaining_workdays(case),
        "history": history,
        "materials": selectors.material_lines(case=case),
        "required": case.item_version.materials.all() if case.item_version else [],
        "special_runs": case.special_runs.all(),
        "documents": case.documents.all(),
        "panels": panels,
        "sections": case_sections.sections_for(request, case),
        "alerts": case_sections.alerts_for(request, case),
        "errors": errors or {},
        **_bundle_context(case),
    }


@web.staff_page
def detail(request, number: str):
    case = selectors.case_by_number(number=number, user=request.user)
    return render(request, "cases/detail.html", _case_context(request, case))


@web.staff_page
def act(request, number: str, action: str):
    """POST one action of the case page to the one transition service."""
    case = selectors.case_by_number(number=number, user=request.user)
    if request.method != "POST" or action not in workflow.TABLE:
        return redirect("cases:detail", number=case.number)
    form = ActionForm(request.POST, request.FILES, case=case, action=action)
    if form.is_valid():
        try:
            services.transition(
                actor=request.user,
                case=case,
                action=action,
                expected_version=form.cleaned_data["expected_version"],
                **selectors.resolve_inputs(case=case, action=action, data=form.to_inputs()),
            )
        except DomainError as exc:
            if exc.http_status == 403 or exc.http_status == 404:
                raise
            web.apply_errors(exc, form=form)
        else:
            messages.success(request, f"已{workflow.TABLE[action].label}")
            return redirect("cases:detail", number=case.number)
    ctx = _case_context(request, case, {action: form}, errors={action: True})
    return render(request, "cases/detail.html", ctx, status=400)


# --------------------------------------------------------------------------- archive


@web.staff_page
def archive_view(request, number: str):
    case = selectors.case_by_number(number=number, user=request.user)
    return render(
        request,
        "cases/archive.html",
        {"case": case, "a": case_archive.build(case=case, user=request.user)},
    )


@web.staff_page
def archive_zip(request, number: str):
    case = selectors.case_by_number(number=number, user=request.user)
    data = case_archive.export_zip(case=case, user=request.user, request=request)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{case.number}.zip"'
    return response


# --------------------------------------------------------------------------- 一件事 desk


def _bundle_forms(request, parts):
    data = request.POST or None
    files = request.FILES or None
    groups: list[dict] = []
    supplied = selectors.bundle_supplies(parts=parts)
    for part in parts:
        form = DeskMaterialsForm(
            data,
            files,
            version=part["version"],
            prefix=f"i{part['item'].pk}",
            supplied=supplied.get(part["item"].pk),
        )
        part["form"] = form
        if not groups or groups[-1]["department"] != part["department"]:
            groups.append({"department": part["department"], "parts": []})
        groups[-1]["parts"].append(part)
    return groups


@web.staff_page
def desk_bundle(request, bundle_id: int):
    """一件事一次办 at the window: the applicant once, each item's materials grouped
    by department, one decision for the whole bundle (R-BUNDLE-1). Application and
    decision are one transaction; the clerk then prints ONE notice (一件事告知单)."""
    bundle = selectors.get_bundle(pk=bundle_id)
    if not bundle.is_active:
        raise NotFound("该一件事已停用")
    parts = selectors.bundle_parts(bundle=bundle)
    unavailable = [p["item"] for p in parts if p["version"] is None]
    if unavailable:
        raise NotFound("该一件事中有事项没有现行有效的办事指南，暂不能受理")
    centre = _centre_of(request)
    applicant = ApplicantForm(request.POST or None, request.FILES or None, prefix="a")
    groups = _bundle_forms(request, parts)
    action = BundleDeskActionForm(request.POST or None, prefix="x")
    errors: list[str] = []
    forms_ok = request.method == "POST" and all(
        [applicant.is_valid(), action.is_valid(), *[p["form"].is_valid() for p in parts]]
    )
    if forms_ok:
        try:
            parent = _receive_bundle(request, bundle, centre, applicant, parts, action)
        except (ValidationFailed, Conflict) as exc:
            errors.extend(place_applicant_errors(exc, applicant))
        else:
            return redirect("cases:bundle_notice", number=parent.number)
    return render(
        request,
        "cases/desk_bundle.html",
        {
            "bundle": bundle,
            "groups": groups,
            "applicant": applicant,
            "action": action,
            "errors": errors,
        },
    )


def _receive_bundle(request, bundle, centre, applicant, parts, action):
    """The window's 一件事 收件 and decision, in one service call."""
    return services.receive_bundle_at_window(
        bundle=bundle,
        centre=centre,
        materials={p["item"].pk: p["form"].submitted() for p in parts},
        corrections={p["item"].pk: p["form"].corrections() for p in parts},
        tolerated={p["item"].pk: p["form"].tolerated() for p in parts},
        **_desk_decision(request, applicant, action),
    )


@web.staff_page
def bundle_notice(request, number: str):
    """一件事告知单: ONE printable page (and ONE PDF) for the applicant covering every
    item of the bundle — the children table, the parent's notice (受理/不予受理) or the
    一件事告知单 issued when the window decided child by child, and each child's
    receipt-stage notice (受理通知书 incl. 容缺, 一次性告知书), with one 受理编号 and
    QR code (the parent's). Content shared with the PDF (``documents.bundle_content``)."""
    case = selectors.case_by_number(number=number, user=request.user)
    if not case.is_bundle_parent:
        raise NotFound("该办件不是一件事主件")
    document = documents.bundle_notice_of(case)
    if document is not None:
        c = documents.bundle_content(document)
    else:  # received but not yet decided (e.g. through the API): children as they stand
        c = documents.bundle_content(
            CaseDocument(case=case, kind=DocumentKind.BUNDLE_NOTICE, number="", data={})
        )
        c["issued_on"] = f"{clock.today():%Y年%m月%d日}"
    return render(
        request,
        "cases/bundle_notice.html",
        {
            "case": case,
            "document": document,
            "c": c,
            "qr": documents.qr_data_uri(documents.progress_url(case.number, request, via="qr")),
        },
    )


# --------------------------------------------------------------------------- 一件事 definitions


@web.staff_page
def bundle_list(request):
    return render(
        request,
        "cases/bundle_list.html",
        {
            "bundles": selectors.bundle_list(),
            "can_edit": roles.may_define_bundles(request.user),
        },
    )


def _bundle_form(request, bundle=None):
    initial = None
    if bundle is not None:
        initial = {
            "code": bundle.code,
            "name": bundle.name,
            "lead_department": bundle.lead_department_id,
            "description": bundle.description,
            "is_active": bundle.is_active,
            "items": [bi.item_id for bi in bundle.bundle_items.all()],
        }
    return BundleForm(
        request.POST or None,
        initial=initial,
        departments=org_selectors.department_list().filter(is_active=True),
        items=selectors.bundle_item_choices(),
        editing=bundle is not None,
    )


@web.staff_page
def bundle_edit(request, pk: int | None = None):
    """Create or change a 一件事 (centre administrator only; every change audited)."""
    roles.require_bundle_definer(request.user)
    bundle = selectors.get_bundle(pk=pk) if pk is not None else None
    form = _bundle_form(request, bundle)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        lead = org_selectors.department_list().filter(pk=d["lead_department"]).first()
        common = dict(
            actor=request.user,
            name=d["name"],
            lead_department=lead,
            items=d["items"],
            description=d.get("description") or "",
            is_active=bool(d.get("is_active")),
            reason=d.get("reason") or "",
        )
        try:
            if bundle is None:
                bundle = services.create_bundle(code=d["code"], **common)
            else:
                bundle = services.update_bundle(bundle=bundle, **common)
        except (ValidationFailed, Conflict) as exc:
            web.apply_errors(exc, form=form)
        else:
            messages.success(request, f"已保存一件事“{bundle.name}”")
            return redirect("cases:bundle_edit", pk=bundle.pk)
    history = web.history_rows(history_for(obj=bundle)) if bundle is not None else []
    return render(
        request,
        "cases/bundle_edit.html",
        {"form": form, "bundle": bundle, "history": history},
    )
