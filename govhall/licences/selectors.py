"""Reads of 审管联动 and the registries: who supervises an item, who a department's
liaison is, the inbox, the registries, the warnings, the public views.

Visibility has one rule, ``roles.visible_departments``: every list here that a page
or an endpoint shows takes the ``user`` and applies it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet

from govhall.catalog.models import NegativeListReason
from govhall.core import clock
from govhall.lists import selectors as lists
from govhall.org.models import Department, Role, Staff

from . import roles
from .models import (
    IN_FORCE,
    CancellationObligation,
    HolderKind,
    ItemLinkage,
    Licence,
    MonthlyLetter,
    ResultPush,
    SupervisionReport,
    WarningEntry,
)

# Items whose results are not published: 涉密, 商业秘密, 个人隐私 (负面清单 reasons).
SECRET_CATEGORIES = (
    NegativeListReason.SECRET,
    NegativeListReason.COMMERCIAL,
    NegativeListReason.PRIVACY,
)


def linkage_of(item) -> ItemLinkage | None:
    return ItemLinkage.objects.filter(item=item).first()


def item_with_linkage(item_id: int):
    """``(item, linkage or None)`` in one query (a 决定 / 制证 reads both)."""
    from govhall.catalog.models import Item

    item = Item.objects.select_related("linkage").get(pk=item_id)
    try:
        return item, item.linkage
    except ItemLinkage.DoesNotExist:
        return item, None


UNREAD = object()  # an argument the caller did not read (``supervisors_of``)


def supervisors_of(item, *, linkage=UNREAD) -> list[Department]:
    """监管部门 of ``item``: the departments of the 监管事项清单 that name it, else those
    of its 事项联动设置 (``linkage``, when the caller read it). Empty: nobody supervises
    it (``items_without_supervisor``). Each with its system (``endpoint``) and its
    named liaison read in the same query (the push needs both)."""
    found = list(
        lists.supervising_departments(item=item).select_related("endpoint", "liaison__staff")
    )
    if found:
        return found
    if linkage is UNREAD:
        linkage = linkage_of(item)
    if linkage is None:
        return []
    return list(
        linkage.supervisors.filter(is_active=True)
        .select_related("endpoint", "liaison__staff")
        .order_by("name")
    )


def endpoint_in_use(department):
    """The department's system when it takes pushes (read with it by
    :func:`supervisors_of`), else ``None``."""
    try:
        endpoint = department.endpoint
    except Department.endpoint.RelatedObjectDoesNotExist:
        return None
    return endpoint if endpoint.is_active else None


def liaison_of(department) -> Staff | None:
    """联络员 of ``department``: the one named, while in post; else its active 首席代表."""
    try:
        liaison = department.liaison if department.pk else None
    except Department.liaison.RelatedObjectDoesNotExist:
        liaison = None
    if liaison is not None and liaison.staff.is_active:
        return liaison.staff
    return (
        Staff.objects.filter(department=department, role=Role.CHIEF_REP, is_active=True)
        .order_by("pk")
        .first()
    )


def _scoped(qs: QuerySet, user, *fields: str) -> QuerySet:
    visible = roles.visible_departments(user)
    if visible is None:
        return qs
    if not visible:
        return qs.none()
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__in": visible})
    return qs.filter(q)


# --------------------------------------------------------------------------- pushes


def pushes(
    *, user, state: str = "", department=None, q: str = "", since=None, until=None
) -> QuerySet[ResultPush]:
    """审批结果推送 that ``user`` sees (sent to or by their department); ``state``:
    ``pending`` (待签收), ``overdue`` (逾期未签收), ``acknowledged`` (已签收)."""
    qs = _scoped(
        ResultPush.objects.select_related("department", "approval_department", "case"),
        user,
        "department",
        "approval_department",
    )
    today = clock.today()
    if state == "pending":
        qs = qs.filter(acknowledged_at__isnull=True)
    elif state == "overdue":
        qs = qs.filter(acknowledged_at__isnull=True, ack_due__lt=today)
    elif state == "acknowledged":
        qs = qs.filter(acknowledged_at__isnull=False)
    if department is not None:
        qs = qs.filter(department=department)
    if q:
        qs = qs.filter(
            Q(payload__case_number__icontains=q)
            | Q(payload__holder__icontains=q)
            | Q(payload__licence_number__icontains=q)
        )
    if since:
        qs = qs.filter(decided_on__gte=since)
    if until:
        qs = qs.filter(decided_on__lte=until)
    return qs.order_by("-pushed_at", "-pk")


def overdue_pushes(*, day: dt.date | None = None) -> list[ResultPush]:
    """预警: pushes not acknowledged by their 签收期限 (3 working days)."""
    day = day or clock.today()
    return list(
        ResultPush.objects.filter(acknowledged_at__isnull=True, ack_due__lt=day)
        .select_related("department")
        .order_by("ack_due", "pk")
    )


def push_counts(*, user) -> dict:
    qs = pushes(user=user)
    today = clock.today()
    return {
        "pending": qs.filter(acknowledged_at__isnull=True).count(),
        "overdue": qs.filter(acknowledged_at__isnull=True, ack_due__lt=today).count(),
        "acknowledged": qs.filter(acknowledged_at__isnull=False).count(),
    }


# --------------------------------------------------------------------------- licences


def licence_by_number(number: str) -> Licence | None:
    """The licence of that number (the newest if two issuers used one number)."""
    return (
        Licence.objects.select_related("issuer", "item")
        .filter(number=number.strip()[:60])
        .order_by("-issued_on", "-pk")
        .first()
    )


def licences(*, user, status: str = "", q: str = "", issuer=None) -> QuerySet[Licence]:
    """证照库 as ``user`` sees it: the administrator and supervision all licences; a
    department the licences it issued and those of the items it supervises."""
    qs = Licence.objects.select_related("issuer", "item")
    visible = roles.visible_departments(user)
    if visible is not None:
        if not visible:
            return qs.none()
        supervised = ResultPush.objects.filter(department__in=visible).values("case_id")
        qs = qs.filter(Q(issuer__in=visible) | Q(case_id__in=supervised))
    if status == "in_force":
        qs = qs.filter(status__in=IN_FORCE)
    elif status:
        qs = qs.filter(status=status)
    if issuer is not None:
        qs = qs.filter(issuer=issuer)
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(holder_name__icontains=q) | Q(holder_code=q.upper())
        )
    return qs.order_by("-issued_on", "-pk")


def can_view_licence(user, licence: Licence) -> bool:
    return licences(user=user).filter(pk=licence.pk).exists()


def expiring(*, within_days: int = 30, day: dt.date | None = None) -> QuerySet[Licence]:
    day = day or clock.today()
    return Licence.objects.filter(
        status__in=IN_FORCE,
        valid_until__gte=day,
        valid_until__lte=day + dt.timedelta(days=within_days),
    ).order_by("valid_until")


def public_licence(number: str) -> dict | None:
    """证照查询 on the portal: what the law publishes of a licence — its number, name,
    status, validity, issuer and, for an organisation, the holder; a natural person's
    name masked, no ID number."""
    licence = licence_by_number(number) if number else None
    if licence is None:
        return None
    return {
        "number": licence.number,
        "identifier": licence.identifier,
        "name": licence.name,
        "status": licence.status,
        "status_label": licence.get_status_display(),
        "in_force": licence.in_force,
        "holder": public_holder(licence.holder_kind, licence.holder_name),
        "issuer": licence.issuer.name,
        "issued_on": licence.issued_on,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
    }


def public_holder(kind: str, name: str) -> str:
    """A natural person's name masked to its first character (张**)."""
    if kind == HolderKind.ORGANISATION:
        return name
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


# --------------------------------------------------------------------------- results


def public_results(*, q: str = "", department=None, since=None, until=None) -> QuerySet:
    """审批结果公开: decisions made (one row per case that pushed a decision, i.e. every
    decision of an item with a supervising department, and every licence), except the
    items kept private (涉密/商业秘密/个人隐私, or 不公开 in the item's 联动设置) and
    the cases whose decision is in the 副卷. Rows are the case's first push payload
    or its licence."""
    hidden_items = Q(item__negative_list_category__in=SECRET_CATEGORIES) | Q(
        item__linkage__publish_results=False
    )
    qs = (
        Licence.objects.select_related("issuer", "item", "case")
        .exclude(hidden_items)
        .exclude(case__events__action="certify", case__events__restricted=True)
        .exclude(case__events__action="decide", case__events__restricted=True)
    )
    if department is not None:
        qs = qs.filter(issuer=department)
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(name__icontains=q)
            | Q(item_name__icontains=q)
            | Q(holder_name__icontains=q, holder_kind=HolderKind.ORGANISATION)
        )
    if since:
        qs = qs.filter(issued_on__gte=since)
    if until:
        qs = qs.filter(issued_on__lte=until)
    return qs.order_by("-issued_on", "-pk")


def public_result_row(licence: Licence) -> dict:
    return {
        "item": licence.item_name,
        "holder": licence.holder_name
        if licence.holder_kind == HolderKind.ORGANISATION
        else public_holder(licence.holder_kind, licence.holder_name),
        "result": "准予许可",
        "licence_number": licence.number,
        "licence_name": licence.name,
        "department": licence.issuer.name,
        "date": licence.issued_on,
    }


# --------------------------------------------------------------------------- reports


def reports(*, user, kind: str = "", q: str = "") -> QuerySet[SupervisionReport]:
    """监管反馈 that ``user`` sees: those of their department, and those about the
    licences (or the subjects of the licences) their department issued."""
    qs = SupervisionReport.objects.select_related("department", "licence", "licence__issuer")
    visible = roles.visible_departments(user)
    if visible is not None:
        if not visible:
            return qs.none()
        holders = Licence.objects.filter(issuer__in=visible).values("holder_code")
        qs = qs.filter(
            Q(department__in=visible) | Q(licence__issuer__in=visible) | Q(subject_code__in=holders)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(subject_name__icontains=q))
    return qs.order_by("-received_at", "-pk")


def obligations(*, user, open_only: bool = False) -> QuerySet[CancellationObligation]:
    qs = _scoped(
        CancellationObligation.objects.select_related("licence", "department", "report"),
        user,
        "department",
        "report__department",
    )
    if open_only:
        qs = qs.filter(fulfilled_at__isnull=True)
    # Open ones first on every database (PostgreSQL sorts NULL last by default).
    return qs.order_by(F("fulfilled_at").asc(nulls_first=True), "due_on", "pk")


def late_obligations(*, day: dt.date | None = None) -> list[CancellationObligation]:
    """预警: revocations whose licence was not cancelled (注销) in time."""
    day = day or clock.today()
    return list(
        CancellationObligation.objects.filter(fulfilled_at__isnull=True, due_on__lt=day)
        .select_related("licence", "department")
        .order_by("due_on", "pk")
    )


# --------------------------------------------------------------------------- warnings


def active_warnings(*, code: str, day: dt.date | None = None) -> list[WarningEntry]:
    """警示信息 in force on ``day`` for the subject with ``code`` (ID or USCC)."""
    if not code:
        return []
    day = day or clock.today()
    return list(
        WarningEntry.objects.filter(
            subject_code=code.strip().upper(), lifted_at__isnull=True, starts_on__lte=day
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("source")
        .order_by("-starts_on", "-pk")
    )


def warning_entries(*, q: str = "", active: bool | None = None) -> QuerySet[WarningEntry]:
    qs = WarningEntry.objects.select_related("source", "report")
    today = clock.today()
    in_force = Q(lifted_at__isnull=True, starts_on__lte=today) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    if active is True:
        qs = qs.filter(in_force)
    elif active is False:
        qs = qs.exclude(in_force)
    if q:
        qs = qs.filter(Q(subject_name__icontains=q) | Q(subject_code=q.strip().upper()))
    return qs.order_by("-starts_on", "-pk")


def letters(*, user) -> QuerySet[MonthlyLetter]:
    return _scoped(MonthlyLetter.objects.select_related("department"), user, "department").defer(
        "pdf"
    )


def items_without_supervisor():
    """Approval items with cases but no supervising department: their decisions are
    pushed to nobody (shown on the settings page to be fixed)."""
    from govhall.catalog.models import Item, ItemStatus, ItemType

    return (
        Item.objects.filter(type=ItemType.LICENSING, status=ItemStatus.ACTIVE)
        .exclude(supervision_matters__is_active=True)
        .exclude(linkage__supervisors__isnull=False)
        .distinct()
        .select_related("department")
        .order_by("department__name", "implementation_code")
    )


# --- staff pages (issue 14: inbox, registries, reports, settings)

PK_MAX = 2**63 - 1


def _pk(value) -> int | None:
    return value if isinstance(value, int) and 0 < value <= PK_MAX else None


def _text_key(value: str, limit: int) -> str:
    """A number typed in a URL or a form: stripped; "" (names nothing) when it holds a
    NUL character or is longer than the column."""
    value = (value or "").strip()
    return "" if "\x00" in value or len(value) > limit else value


def licence_for(*, user, pk: int) -> Licence:
    """One licence of the registry as ``user`` sees it (:func:`licences`), else
    ``NotFound``."""
    from govhall.core.errors import NotFound

    found = licences(user=user).filter(pk=_pk(pk)).first() if _pk(pk) else None
    if found is None:
        raise NotFound("证照不存在或您无权查看", code="licence_not_found")
    return found


def reports_about(*, user, licence: Licence) -> QuerySet[SupervisionReport]:
    return reports(user=user).filter(licence=licence)


def obligations_of(*, user, licence: Licence) -> QuerySet[CancellationObligation]:
    return obligations(user=user).filter(licence=licence)


def report_for(*, user, number: str) -> SupervisionReport:
    """One 监管反馈 by its number as ``user`` sees it (:func:`reports`), else
    ``NotFound``."""
    from govhall.core.errors import NotFound

    number = _text_key(number, 20)
    found = (
        reports(user=user).select_related("recorded_by").filter(number=number).first()
        if number
        else None
    )
    if found is None:
        raise NotFound("监管反馈不存在或您无权查看", code="report_not_found")
    return found


def report_recipients(report: SupervisionReport) -> set[int]:
    """The approval departments a report is told to (the licence's issuer, else the
    issuers of the subject's licences), the reporting department left out — those
    who 查收 it."""
    if report.licence_id:
        ids = {report.licence.issuer_id}
    else:
        ids = set(
            Licence.objects.filter(holder_code=report.subject_code).values_list(
                "issuer_id", flat=True
            )
        )
    ids.discard(report.department_id)
    return ids


def letter_for(*, user, pk: int) -> MonthlyLetter:
    """One 书面函告 with its PDF, when its department is visible to ``user``."""
    from govhall.core.errors import NotFound

    found = (
        _scoped(MonthlyLetter.objects.select_related("department"), user, "department")
        .filter(pk=_pk(pk))
        .first()
        if _pk(pk)
        else None
    )
    if found is None:
        raise NotFound("函件不存在或您无权查看", code="letter_not_found")
    return found


def warning_entry(pk: int) -> WarningEntry:
    from govhall.core.errors import NotFound

    found = WarningEntry.objects.filter(pk=_pk(pk)).first() if _pk(pk) else None
    if found is None:
        raise NotFound("警示信息不存在", code="warning_not_found")
    return found


def reporting_departments() -> QuerySet[Department]:
    """Departments a 监管反馈 may be registered for (the administrator's form)."""
    return Department.objects.filter(is_active=True, is_supervising=True).order_by("name")


def active_departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).order_by("name")


def department_settings() -> list[dict]:
    """The settings page's rows: each active department with its liaison (named, or
    the 首席代表 by default) and its endpoint (the secret never leaves here)."""
    from .models import Endpoint, Liaison

    named = {row.department_id: row for row in Liaison.objects.select_related("staff").order_by()}
    endpoints = {row.department_id: row for row in Endpoint.objects.order_by()}
    rows = []
    for department in active_departments():
        liaison = named.get(department.pk)
        endpoint = endpoints.get(department.pk)
        person = liaison_of(department)
        rows.append(
            {
                "department": department,
                "liaison": person,
                "named": liaison is not None
                and person is not None
                and person.pk == liaison.staff_id,
                "since": liaison.since if liaison else None,
                "note": liaison.note if liaison else "",
                "endpoint_url": endpoint.url if endpoint else "",
                "endpoint_active": bool(endpoint and endpoint.is_active),
                "has_secret": bool(endpoint and endpoint.secret),
            }
        )
    return rows


def liaison_candidates(department) -> QuerySet[Staff]:
    """Who may be named 联络员 of ``department``: its staff on duty."""
    return Staff.objects.filter(department=department, is_active=True).order_by("role", "name")


def endpoint_of(department):
    from .models import Endpoint

    return Endpoint.objects.filter(department=department).first()


def linkage_items():
    """行政许可 items in use, each with ``current_list`` (its guide in force) and its
    事项联动设置, for the settings page."""
    from govhall.catalog import selectors as catalog
    from govhall.catalog.models import Item, ItemStatus, ItemType

    return catalog.items_with_current(
        items=Item.objects.filter(type=ItemType.LICENSING, status=ItemStatus.ACTIVE)
        .select_related("department", "linkage")
        .prefetch_related("linkage__supervisors")
        .order_by("department__name", "implementation_code")
    )


# --- api and public pages (helper "api")


def push_state(push: ResultPush, *, day: dt.date | None = None) -> str:
    """``acknowledged`` (已签收), ``overdue`` (逾期未签收) or ``pending`` (待签收), as the
    ``state`` filter of :func:`pushes` reads them."""
    if push.acknowledged_at is not None:
        return "acknowledged"
    return "overdue" if push.ack_due < (day or clock.today()) else "pending"


def warning_in_force(entry: WarningEntry, *, day: dt.date | None = None) -> bool:
    """The entry bars 容缺受理 on ``day`` (as :func:`active_warnings` reads it)."""
    day = day or clock.today()
    return (
        entry.lifted_at is None
        and entry.starts_on <= day
        and (entry.ends_on is None or entry.ends_on >= day)
    )


def public_result_departments() -> QuerySet[Department]:
    """The departments with a published result: the department filter of 审批结果公开."""
    return Department.objects.filter(pk__in=public_results().values("issuer_id")).order_by("name")
