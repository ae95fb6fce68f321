"""Demo warnings (issue 11 §1): the daily warning run over the demo cases, as of
today, their inbox messages delivered; the counts are returned for the load_demo
summary."""

from __future__ import annotations

from govhall.core import clock

from . import services
from .models import Kind, Warning


def load_demo_warnings() -> dict[str, int]:
    """The warnings raised by this load (none when the demo is loaded again)."""
    from django.test import override_settings

    from govhall.notifications import services as notifier

    shown = _showcase()
    done = services.daily_run(today=clock.today())
    # The inbox messages of the new warnings are delivered at once, as the demo's
    # other messages (no worker runs during load_demo).
    with override_settings(GOVHALL_SMS_BACKEND="govhall.notifications.sms.FileBackend"):
        notifier.send_all()
    if not (done["raised"] or shown):
        return {"warnings": 0}
    open_rows = Warning.objects.filter(cleared_at__isnull=True)
    kinds = set(open_rows.values_list("kind", flat=True))
    return {"warnings": open_rows.count(), "warning_kinds": len(kinds & set(Kind.values))}


def _chief(case):
    from govhall.org.models import Role, Staff

    return (
        Staff.objects.filter(department=case.department_id, role=Role.CHIEF_REP, is_active=True)
        .select_related("user")
        .first()
    )


def _act(case, action, actor, **inputs):
    from govhall.cases import services as case_services

    return case_services.transition(
        actor=actor, case=case, action=action, expected_version=case.version, **inputs
    )


def _showcase() -> int:
    """Two demo cases waiting for 补正 are handled the way supervision flags: one is
    refused with a thin reason (不予受理：材料不全), the other, once resubmitted, is
    told to correct a second time (breaks 一次性告知)."""
    from govhall.cases.models import Case, State

    if Warning.objects.filter(kind__in=[Kind.WEAK_REASON, Kind.REPEATED_CORRECTION]).exists():
        return 0  # loaded before
    waiting = list(
        Case.objects.filter(state=State.AWAITING_CORRECTION, bundle__isnull=True)
        .select_related("item_version")
        .order_by("id")[:2]
    )
    if len(waiting) < 2:
        return 0
    thin, again = waiting
    chief = _chief(thin)
    if chief is not None:
        _act(thin, "refuse", chief.user, reason="材料不全")
    chief = _chief(again)
    if chief is not None:
        materials = list(again.item_version.materials.all())
        again = _act(again, "resubmit", chief.user, materials=[{"material": m} for m in materials])
        corrections = (
            [{"material": materials[0], "problem": "签字与身份证件不一致"}]
            if materials
            else [{"material": None, "name": "申请书", "problem": "未签字"}]
        )
        _act(again, "request_correction", chief.user, corrections=corrections)
    return 2
