"""Demo warnings (issue 11 §1): the daily warning run over the demo cases, as of
today, their inbox messages delivered; then five 督办 orders, one in each state
(§2). The counts are returned for the load_demo summary."""

from __future__ import annotations

from govhall.core import clock

from . import drain, rollups, services
from .models import Kind, Warning


def load_demo_warnings() -> dict[str, int]:
    """The warnings raised by this load (none when the demo is loaded again)."""
    from django.test import override_settings

    from govhall.notifications import services as notifier

    drain.drain_all()  # the cases noted while the demo loaded (no worker runs meanwhile)
    shown = _showcase() + _demo_fees()
    done = services.daily_run(today=clock.today())
    orders = _demo_orders()
    drain.drain_all()
    rollups.rebuild()  # every demo day counted (the drains counted the days they saw)
    # The inbox messages of the new warnings are delivered at once, as the demo's
    # other messages (no worker runs during load_demo).
    with override_settings(GOVHALL_SMS_BACKEND="govhall.notifications.sms.FileBackend"):
        notifier.send_all()
    reviewed = _reviews()
    if not (done["raised"] or shown or orders):
        return {"warnings": 0, **reviewed}
    open_rows = Warning.objects.filter(cleared_at__isnull=True)
    kinds = set(open_rows.values_list("kind", flat=True))
    return {
        "warnings": open_rows.count(),
        "warning_kinds": len(kinds & set(Kind.values)),
        "orders": orders,
        **reviewed,
    }


def _reviews() -> dict[str, int]:
    """卷宗评查, 巡查 and 第三方评估 (issue 11 §3): ``demo_reviews``."""
    from .demo_reviews import load_demo_reviews

    return load_demo_reviews()


def _demo_orders() -> int:
    """督办 (issue 11 §2): five orders on open warnings of five demo cases, one in
    each state — 待回复, 已回复, 退回重办, 逾期升级 (issued ten days ago, escalated by
    this morning's run; on a case received over a week ago) and 已办结 — issued by ``supervisor``, replied by each
    department's 首席代表. Nothing when the demo already has orders."""
    import datetime as dt

    from govhall.cases.models import OPEN_STATES, Case
    from govhall.org.models import Role, Staff

    from .models import SupervisionOrder

    if SupervisionOrder.objects.exists():
        return 0
    office = (
        Staff.objects.filter(role=Role.SUPERVISOR, is_active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if office is None:
        return 0
    today = clock.today()
    picked, seen = [], set()
    for w in (
        Warning.objects.filter(cleared_at__isnull=True)
        .select_related("case")
        .order_by("-level", "id")
    ):
        if w.case_id in seen or _chief(w.case) is None:
            continue
        seen.add(w.case_id)
        picked.append(w)
        if len(picked) == 4:
            break
    # The escalated order is on a case received over a week ago, issued (without a
    # warning: the warnings are raised this morning) the day after it was received.
    old = (
        Case.objects.filter(
            state__in=OPEN_STATES,
            bundle__isnull=True,
            received_at__date__lte=today - dt.timedelta(days=9),
        )
        .exclude(pk__in=seen)
        .order_by("-received_at")
    )
    late = next((c for c in old if _chief(c) is not None), None)
    if len(picked) < 4 or late is None:
        return 0
    issued, replied, returned, accepted = picked

    def order(w):
        return services.issue_order(
            actor=office.user,
            case=w.case,
            warning=w,
            subject=f"{w.get_kind_display()}：{w.detail}。请核查原因，说明情况并提出整改措施。",
        )

    def reply(o, measures="已督促承办人当日办理，并在科室例会上通报"):
        return services.reply_order(
            actor=_chief(o.case).user,
            order=o,
            explanation="经核查，承办人对办理时限把握不严，未及时推进",
            measures=measures,
        )

    with clock.frozen(
        dt.datetime.combine(late.received_at.date() + dt.timedelta(days=1), dt.time(10))
    ):
        services.issue_order(
            actor=office.user,
            case=late,
            subject="该件受理后未按环节时限推进，请说明情况并提出整改措施。",
        )
    services.escalate_overdue(today=today)
    order(issued)
    reply(order(replied))
    services.return_reply(
        actor=office.user, order=reply(order(returned)), opinion="整改措施不具体，请列明完成时限"
    )
    services.accept_reply(actor=office.user, order=reply(order(accepted)), opinion="同意办结")
    return 5


def _demo_fees() -> int:
    """收费记录 (the fee rule): on the first open accepted demo case of a 收费 item a fee off
    its 收费清单 (加急制证费: the demo's 收费不在收费清单内 warning), on up to three more
    the fee the list names. Nothing when fees exist."""
    from govhall.cases import services as case_services
    from govhall.cases.models import Case, CaseFee, State

    if CaseFee.objects.exists():
        return 0
    # open cases (the morning run reads them; the demo loads without a drain)
    states = [State.IN_REVIEW, State.SPECIAL_STEP, State.DECIDED, State.CERTIFIED]
    cases = (
        Case.objects.filter(
            state__in=states, bundle__isnull=True, item_version__fee_lines__isnull=False
        )
        .distinct()
        .select_related("item_version")
        .order_by("id")[:4]
    )
    recorded = 0
    for index, case in enumerate(cases):
        chief = _chief(case)
        if chief is None:
            continue
        if index == 0:
            case_services.record_fee(
                actor=chief.user,
                case=case,
                name="加急制证费",
                amount=5000,
                note="申请人要求加急",
            )
        else:
            fee_line = case.item_version.fee_lines.order_by("order", "id").first()
            case_services.record_fee(
                actor=chief.user,
                case=case,
                amount=fee_line.amount or 5000,
                fee_line=fee_line,
                note="窗口现场缴纳",
            )
        recorded += 1
    return recorded


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
