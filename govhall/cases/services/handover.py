"""划转移交: the open cases of an item moved to another department go with it
(内蒙古 二(一): "将所涉及的政策文件、证照文书、档案资料等一并移交"; R-CAT-19).

:func:`hand_over_open_cases` is called by the catalogue's governance (an approved 划转
request, ``govhall.governance``) inside its transaction. Each open case of the item
changes department — its state, clock and guide version stay as they are — and gets
a case event (``hand_over``, 划转移交, naming the real actor and the handover) and an
audit row; its version goes up, so a page opened before the transfer is stale. The
承办人 becomes the new department's 首席代表 (the old department's staff no longer see
the case). Written in bulk: a fixed number of statements whatever the number of cases.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from govhall.core import audit, clock
from govhall.core.actors import actor_name, actor_user
from govhall.core.models import AuditEntry
from govhall.org.models import Role, Staff

from .. import workflow
from ..models import OPEN_STATES, Case, CaseEvent


@transaction.atomic
def hand_over_open_cases(*, actor, item, to_department, reason: str) -> list[str]:
    """Move the open cases of ``item`` to ``to_department``; their 受理编号, in order."""
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .filter(item=item, state__in=OPEN_STATES)
        .exclude(department=to_department)
        .select_related("department")
        .order_by("number")
    )
    if not cases:
        return []
    chief = (
        Staff.objects.filter(department=to_department, role=Role.CHIEF_REP, is_active=True)
        .order_by("pk")
        .first()
    )
    pks = [c.pk for c in cases]
    for start in range(0, len(pks), 1000):
        Case.objects.filter(pk__in=pks[start : start + 1000]).update(
            department=to_department, responsible=chief, version=F("version") + 1
        )
    now, user, name = clock.now(), actor_user(actor), actor_name(actor)[:100]
    events, entries = [], []
    for case in cases:
        data = {"from": case.department.name, "to": to_department.name}
        events.append(
            CaseEvent(
                case=case,
                action="hand_over",
                from_state=case.state,
                to_state=case.state,
                actor=user,
                actor_name=name,
                at=now,
                opinion=reason,
                data=data,
            )
        )
        entry = audit.record(
            actor=actor,
            action=workflow.HAND_OVER,
            obj=case,
            changes={"department": [case.department.name, to_department.name]},
            reason=reason,
            save=False,
        )
        entries.append(entry)
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    return [c.number for c in cases]
