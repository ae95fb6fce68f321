"""The case event (办理记录): insert-only, one per act, naming the real actor."""

from __future__ import annotations

from django.db import transaction

from govhall.core import clock
from govhall.core.actors import Applicant, actor_name, actor_user

from .. import messages, signals
from ..models import Case, CaseAttachment, CaseEvent
from .materials import check_file


def as_actor(actor, case):
    """The actor as it is named on the case's rows: the applicant by the name on the
    application when the page did not give one. ``None`` is refused: every caller
    says who acts (a ``User``, ``Applicant`` or ``SYSTEM``)."""
    if actor is None:
        raise TypeError("actor is required: a User, core.actors.Applicant or core.actors.SYSTEM")
    if isinstance(actor, Applicant) and not actor.name:
        return Applicant(case.applicant_name)
    return actor


def new_event(
    *, case, action, from_state, actor, opinion="", data=None, restricted=False
) -> CaseEvent:
    """One :class:`CaseEvent`, not yet written (``writes.write_transition`` writes it
    with the case and the audit entry)."""
    return CaseEvent(
        case=case,
        action=action,
        from_state=from_state,
        to_state=case.state,
        actor=actor_user(actor),
        actor_name=actor_name(actor)[:100],
        at=clock.now(),
        opinion=opinion or "",
        data=data or {},
        restricted=restricted,
    )


def check_attachments(attachments) -> None:
    """Every attachment is checked like every upload, before anything is written."""
    for attachment in attachments or ():
        check_file(attachment["file"], "attachments")


def write_attachments(event, attachments) -> None:
    """The event's attachments (checked by :func:`check_attachments`)."""
    for attachment in attachments or ():
        CaseAttachment.objects.create(
            event=event,
            name=attachment.get("name") or attachment["file"].name,
            file=attachment["file"],
        )


def write_event(
    *, case, action, from_state, actor, opinion="", data=None, attachments=(), restricted=False
) -> CaseEvent:
    """One :class:`CaseEvent` (and its attachments, checked like every upload)."""
    event = new_event(
        case=case,
        action=action,
        from_state=from_state,
        actor=actor,
        opinion=opinion,
        data=data,
        restricted=restricted,
    )
    event.save(force_insert=True)
    for attachment in attachments or ():
        check_file(attachment["file"], "attachments")
        CaseAttachment.objects.create(
            event=event,
            name=attachment.get("name") or attachment["file"].name,
            file=attachment["file"],
        )
    return event


def announce(*, case, event) -> None:
    """Tell the apps above cases: ``signals.case_event_recorded`` now, inside the
    transaction (their writes join it), and ``signals.case_transitioned`` once it
    commits (nothing is announced that was rolled back). The notifications the event
    causes are enqueued here, inside the transaction (``cases.messages``)."""
    messages.enqueue_for(case=case, event=event)
    signals.case_event_recorded.send(sender=Case, case=case, event=event)
    transaction.on_commit(
        lambda: signals.case_transitioned.send(
            sender=Case, case=case, action=event.action, event=event
        )
    )
