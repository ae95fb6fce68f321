"""The one way a case changes state (办件流转).

:func:`transition` reads the row of ``workflow.TABLE`` and does, in one transaction,
the same for every action: lock, optimistic version check, role and department,
state, required inputs, guard, effect, event, notice, audit row, clock, and the
cascades of a 一件事. Nothing here knows an action by name.
"""

from __future__ import annotations

from django.db import transaction

from govhall.calendar import selectors as calendar
from govhall.core import audit
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed

from .. import deadlines, roles, workflow
from ..models import Case
from . import bundles, writes
from .events import announce, as_actor, check_attachments, new_event, write_attachments
from .notices import issue_transition_notice, transition_notice

# Rows the transition reads besides the case, joined in the locking read (only the
# case row is locked): the version (guards, 即办件 role, documents) and the department
# (documents). Roles use only the ids of item and centre; ``responsible`` is set from
# the acting staff at 受理 and read lazily otherwise (rarely), so none is joined.
_LOCK_RELATED = ("item_version", "department")
_CASE_COLUMNS = [f for f in Case._meta.concrete_fields if not f.primary_key]


def lock_case(pk) -> Case:
    """The locking read of a transition: the case row (``FOR UPDATE OF case``) with the
    version and department it needs, and nothing else joined or ordered. It also reads
    the working-day calendar's version token (a one-row subquery), so the calendar
    calls of the transaction (受理: §32 check, due date, yellow light) trust the copy in
    memory without a statement of their own when it is current."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related(*_LOCK_RELATED)
        .annotate(calendar_token=calendar.token_expression())
        .order_by()
        .get(pk=pk)
    )
    calendar.note_token(case.calendar_token)
    return case


def _values(case: Case) -> dict:
    return {f.attname: getattr(case, f.attname) for f in _CASE_COLUMNS}


def _changed_fields(case: Case, before: dict) -> list[str]:
    """The columns an effect changed: the UPDATE writes only those (``version``
    always changes, so the list is never empty)."""
    return [f.name for f in _CASE_COLUMNS if getattr(case, f.attname) != before[f.attname]]


def clock_inputs(case: Case) -> tuple:
    """What the due date depends on: recompute only when one of these changes."""
    return (case.accepted_on, case.limit_days, case.paused_days, case.extension_days)


def _check(row, actor, case: Case, expected_version: int, inputs: dict) -> None:
    """Everything that must hold before the effect, in the order a user needs to hear
    it: stale page, permission, 一件事 parent, state, missing inputs, the guard."""
    if case.version != expected_version:
        raise Conflict(
            f"办件 {case.number} 已被他人处理（当前为“{case.get_state_display()}”），请刷新后重试",
            code="stale_case",
        )
    if not roles.roles_for(actor, case, needed=row.roles) & row.roles:
        raise PermissionDenied(f"您无权对办件 {case.number} 执行“{row.label}”")
    if case.is_bundle_parent and not row.bundle_parent:
        raise Conflict(f"一件事主件不能执行“{row.label}”，请在子件上办理", code="bundle_parent")
    if case.state not in row.sources:
        raise Conflict(
            f"办件当前状态为“{case.get_state_display()}”，不能执行“{row.label}”",
            code="invalid_transition",
        )
    missing = workflow.missing_inputs(row, inputs)
    if missing:
        labels = "、".join(spec.label for spec in row.inputs if spec.name in missing)
        raise ValidationFailed(
            f"“{row.label}”缺少必填内容：{labels}", code="missing_input", fields=missing
        )
    if row.guard is not None:
        row.guard(case, inputs)


def transition(
    *,
    actor,
    case: Case,
    action: str,
    expected_version: int,
    attachments=(),
    restricted: bool = False,
    notify: bool = True,
    **inputs,
) -> Case:
    """Take ``action`` on ``case``. See ``workflow.TRANSITIONS`` for the rules.

    ``actor``: a staff ``User``; ``core.actors.Applicant(...)`` for the applicant (the
    calling page has identified them); ``core.actors.SYSTEM`` for jobs and cascades.
    ``inputs``: the row's inputs by name (anything else is a programming error).
    ``attachments`` (``[{"file", "name"}]``) and ``restricted`` (副卷) belong to the
    event; ``notify=False`` is used by a 一件事 cascade whose parent's notice covers
    the child.
    """
    row = workflow.get(action)
    unknown = set(inputs) - row.input_names
    if unknown:
        raise TypeError(f"{action}() got unexpected inputs {sorted(unknown)}")
    with transaction.atomic():
        if case.parent_id is not None:
            # 一件事: always lock the parent before its child. The parent's own actions
            # lock parent → children, so a child's action must not lock child → parent,
            # or two windows working on one bundle could deadlock.
            list(Case.objects.select_for_update().filter(pk=case.parent_id).values_list("pk"))
        case = lock_case(case.pk)
        actor = as_actor(actor, case)
        before = _values(case)
        _check(row, actor, case, expected_version, inputs)
        from_state = case.state
        clock_before = clock_inputs(case)
        data = row.effect(actor, case, inputs)
        if row.target is not None:
            case.state = row.target
        case.version += 1
        clock_changed = clock_inputs(case) != clock_before
        if clock_changed:
            deadlines.recompute(case)
        opinion = str(inputs.get(row.event_text) or "") if row.event_text else ""
        check_attachments(attachments)
        event = new_event(
            case=case,
            action=action,
            from_state=from_state,
            actor=actor,
            opinion=opinion,
            data=data,
            restricted=restricted,
        )
        entry = audit.record(
            actor=actor,
            action=row.audit_action,
            obj=case,
            changes={"state": [from_state, case.state]} if from_state != case.state else {},
            reason=opinion,
            save=False,
        )
        # The notice of an ordinary case is written with the case, event and audit
        # entry (one statement on PostgreSQL); a 一件事 parent's names its children as
        # they stand after the cascade, so it is issued after it.
        notice = row.notice if notify else None
        document = None
        if notice is not None and not case.is_bundle_parent:
            document = transition_notice(case=case, kind=notice, event=event, data=data)
        writes.write_transition(
            case=case,
            fields=_changed_fields(case, before),
            event=event,
            entry=entry,
            document=document,
        )
        write_attachments(event, attachments)
        bundles.after_transition(row=row, case=case, clock_changed=clock_changed)
        if case.is_bundle_parent:
            # The cascade moved the children and the parent's deadline: the caller and
            # the parent's notice (which names the children's deadlines) see them now.
            case.refresh_from_db()
            if notice is not None:
                issue_transition_notice(case=case, kind=notice, event=event, data=data)
        announce(case=case, event=event)
    return case
