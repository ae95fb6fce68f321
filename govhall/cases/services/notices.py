"""Notices (文书) issued to the applicant: the rows behind the printed pages and PDFs
(rendered by ``cases.documents``). A notice's data is frozen at issue time, so a
reprint shows what the applicant was told."""

from __future__ import annotations

from django.db import connections, router, transaction

from govhall.core import audit, clock
from govhall.core.errors import Conflict

from ..models import Case, CaseDocument, CaseEvent, DocumentKind

BUNDLE_NOTICE = audit.Action("cases.case.bundle_notice", "出具一件事告知单")

_RECEIPT_KINDS = (DocumentKind.ACCEPTANCE, DocumentKind.CORRECTION, DocumentKind.REFUSAL)


_DOC = CaseDocument._meta
_INSERTED = ("case", "event", "kind", "issued_at", "data")


def numbered_insert(connection, document: CaseDocument, *, event_sql: str | None = None):
    """``INSERT … SELECT … RETURNING id, number`` of ``document`` that numbers it from
    its case's notices in the same statement: ``<受理编号>-<nn>``, nn = their count + 1
    (two digits at least). ``event_sql``: SQL naming the event instead of its id (the
    event written by the same statement, ``writes.write_transition``)."""
    quote = connection.ops.quote_name
    table = quote(_DOC.db_table)
    columns, values, params = [], [], []
    for name in _INSERTED:
        field = _DOC.get_field(name)
        columns.append(quote(field.column))
        if name == "event" and event_sql is not None:
            values.append(event_sql)
            continue
        values.append("%s")
        params.append(field.get_db_prep_save(field.pre_save(document, True), connection))
    number = quote(_DOC.get_field("number").column)
    case_id = quote(_DOC.get_field("case").column)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}, {number}) "
        f"SELECT {', '.join(values)}, %s || CASE WHEN COUNT(*) < 9 THEN '-0' ELSE '-' END "
        f"|| CAST(COUNT(*) + 1 AS VARCHAR(12)) FROM {table} WHERE {case_id} = %s "
        f"RETURNING {quote(_DOC.pk.column)}, {number}"
    )
    return sql, [*params, document.case.number, document.case_id]


def new_document(*, case: Case, kind: str, event: CaseEvent | None, data: dict) -> CaseDocument:
    """A notice not yet written (its number is given by the INSERT)."""
    return CaseDocument(
        case=case, event=event, kind=kind, number="", issued_at=clock.now(), data=data
    )


def issue_document(*, case: Case, kind: str, event: CaseEvent | None, data: dict) -> CaseDocument:
    """Number a notice ``<受理编号>-<nn>`` and store it with its data, in one statement.

    The count is taken by the INSERT itself, under the case's row lock (every notice of
    a case is issued by a transaction that holds it: ``transition``'s locking read,
    ``issue_bundle_notice``'s), so two notices never get one number (and ``number`` is
    unique besides)."""
    connection = connections[router.db_for_write(CaseDocument)]
    document = new_document(case=case, kind=kind, event=event, data=data)
    with connection.cursor() as cursor:
        cursor.execute(*numbered_insert(connection, document))
        document.pk, document.number = cursor.fetchone()
    document._state.adding = False
    document._state.db = connection.alias
    return document


def document_data(case: Case, kind: str, data: dict) -> dict:
    """What every notice shows (编号, 事项, 申请人, 部门) plus what its kind needs."""
    base = {
        "case_number": case.number,
        "item": case.item_version.name if case.item_version else str(case.bundle),
        "applicant": case.applicant_name,
        "department": case.department.name,
    }
    if kind == DocumentKind.ACCEPTANCE:
        base.update(
            responsible=case.responsible.name if case.responsible else "",
            due_date=case.due_date.isoformat() if case.due_date else "",
            accepted_on=case.accepted_on.isoformat() if case.accepted_on else "",
            deemed_accepted_s32=case.deemed_accepted_s32,
        )
    if kind == DocumentKind.EXTENSION:
        base["due_date"] = case.due_date.isoformat()
    return {**base, **data}


def bundle_children_rows(parent: Case) -> list[dict]:
    """Each child of a 一件事 as the applicant is told at issue time (事项, 部门,
    子件编号, 状态, 办结期限) with its own receipt-stage notice — two queries."""
    children = list(parent.children.select_related("item_version", "department").order_by("id"))
    notices: dict = {}
    for case_id, number in (
        CaseDocument.objects.filter(case__parent=parent, kind__in=_RECEIPT_KINDS)
        .order_by("id")
        .values_list("case_id", "number")
    ):
        notices[case_id] = number
    return [
        {
            "number": c.number,
            "item": c.item_version.name if c.item_version else "",
            "department": c.department.name,
            "state": c.state,
            "state_label": c.get_state_display(),
            "result": c.result or "",
            "result_label": c.get_result_display() if c.result else "",
            "due_date": c.due_date.isoformat() if c.due_date else "",
            "tolerance_due": c.tolerance_due.isoformat() if c.tolerance_due else "",
            "notice": notices.get(c.pk, ""),
        }
        for c in children
    ]


def transition_notice(*, case: Case, kind: str, event: CaseEvent, data: dict) -> CaseDocument:
    """The notice of a transition, not yet written (``writes.write_transition`` writes
    it with the event)."""
    return new_document(case=case, kind=kind, event=event, data=document_data(case, kind, data))


def issue_transition_notice(*, case: Case, kind: str, event: CaseEvent, data: dict):
    """The notice of a transition, written now. A 一件事 parent's is the applicant's one
    一件事告知单: it carries the children as they stand after the cascade (R-BUNDLE-2)."""
    payload = document_data(case, kind, data)
    if case.is_bundle_parent:
        payload["children"] = bundle_children_rows(case)
    return issue_document(case=case, kind=kind, event=event, data=payload)


def issue_bundle_notice(*, actor, parent: Case) -> CaseDocument:
    """一件事告知单 (R-BUNDLE-2): when the window decided a 一件事 child by child
    (补正 for some, 受理/容缺受理 for others) the parent itself was not accepted and
    issued nothing, so the applicant would get one notice per child. This issues the
    ONE notice for the whole bundle on the parent, listing every child and pointing
    to the children's own notices (一次性告知书/受理通知书), which it includes when
    printed. Call it after the children's decisions, in the same transaction."""
    with transaction.atomic():
        if parent.parent_id is not None or parent.bundle_id is None:
            raise Conflict("只有一件事主件可以出具一件事告知单", code="not_bundle_parent")
        parent = (
            Case.objects.select_for_update(of=("self",))
            .select_related("department", "bundle")
            .get(pk=parent.pk)
        )
        data = {
            "case_number": parent.number,
            "item": parent.bundle.name,
            "applicant": parent.applicant_name,
            "department": parent.department.name,
            "children": bundle_children_rows(parent),
        }
        document = issue_document(
            case=parent, kind=DocumentKind.BUNDLE_NOTICE, event=None, data=data
        )
        audit.record(
            actor=actor,
            action=BUNDLE_NOTICE,
            obj=parent,
            changes={"document": [None, document.number]},
        )
    return document
