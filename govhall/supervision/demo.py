"""Demo warnings (issue 11 §1): the daily warning run over the demo cases, as of
today, their inbox messages delivered; then five 督办 orders, one in each state
(§2). The counts are returned for the load_demo summary.

Every kind of warning shows open (the demo cases are handled so that each rule
fires: ``cases.demo`` leaves one case to the §32 daily job, ``demo.history``
migrates two files without a 送达 record, ``_showcase`` and ``_demo_fees`` here),
and a few show cleared, with why (``_cleared``). Every warning is raised and cleared
by ``services``; none is written here."""

from __future__ import annotations

from govhall.core import clock

from . import drain, rollups, rules, services
from .models import Kind, Warning


def load_demo_warnings() -> dict[str, int]:
    """The warnings raised by this load (none when the demo is loaded again)."""
    from django.test import override_settings

    from govhall.notifications import services as notifier

    drain.drain_all()  # the cases noted while the demo loaded (no worker runs meanwhile)
    shown = _showcase() + _demo_fees()
    done = services.daily_run(today=clock.today())
    shown += _migrated() + _cleared()
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
        "cleared_warnings": Warning.objects.filter(cleared_at__isnull=False).count(),
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
        .exclude(deemed_accepted_s32=True)  # not accepted the day after receipt
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


def _migrated() -> int:
    """历史办件迁移核查: the morning run reads the open cases and those closed in the
    last week, never the migrated files (closed months ago). The ones closed without
    a 送达 record (``demo.history``: the former system kept none) are read once
    through the rules (``services.evaluate_cases``) and show as 办结无送达记录; the
    rest of the migrated year is counted in the rollups, not warned of today.
    Nothing when loaded before."""
    from govhall.cases.models import Case

    if Warning.objects.filter(kind=Kind.NO_SERVICE_RECORD).exists():
        return 0
    ids = list(
        Case.objects.filter(state__in=rules.COMPLETED_STATES, bundle__isnull=True)
        .exclude(events__action="deliver")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    out = services.evaluate_cases(case_ids=ids, today=clock.today())
    services.tell(warnings=out.raised)
    return len(out.raised)


def _cleared() -> int:
    """Warnings of the morning run cleared as the day goes on (a warning is cleared,
    with why, once its condition ends): the first case whose 审查 step ran over its
    limit has that step done (its next step starts: 预警条件已消除), the first case
    due today (红灯; on a day off, when nothing is due, the first yellow one) is
    finished — 审查, 决定, 制证, 送达, 办结 (办件已办结). Each only while another warning
    of its kind stays open (the demo shows every kind open). Through the case
    services; the rules clear the warnings (``services``). Nothing when the demo has
    cleared warnings."""
    from django.db import transaction

    from govhall.cases import guards
    from govhall.cases.models import State
    from govhall.core.errors import DomainError

    if Warning.objects.filter(cleared_at__isnull=False).exists():
        return 0
    done = set()

    def first(kind, states, handle) -> bool:
        if Warning.objects.filter(kind=kind, cleared_at__isnull=True).count() < 2:
            return False
        for w in (
            Warning.objects.filter(kind=kind, cleared_at__isnull=True, case__state__in=states)
            .exclude(case_id__in=done)
            .select_related("case__item_version")
            .order_by("id")
        ):
            chief = _chief(w.case)
            if chief is None:
                continue
            try:
                with transaction.atomic():  # all of its steps, or none
                    acted = handle(w.case, chief.user)
            except DomainError:
                continue
            if acted:
                done.add(w.case_id)
                return True
        return False

    def review(case, actor) -> bool:
        if not guards.has_open_review_step(case):
            return False
        _act(case, "review", actor, opinion="材料齐全，符合要求，同意进入下一环节")
        return True

    def finish(case, actor) -> bool:
        while case.state == State.IN_REVIEW and guards.has_open_review_step(case):
            case = _act(case, "review", actor, opinion="材料齐全，符合要求")
        if case.state == State.IN_REVIEW:
            case = _act(case, "decide", actor, result="approved", opinion="符合法定条件")
        if case.state == State.DECIDED and guards.is_approved(case):
            case = _act(case, "certify", actor, result_number=f"DEMO-R{case.pk:05d}")
        if case.state in (State.DECIDED, State.CERTIFIED):
            case = _act(case, "deliver", actor, method="window")
        _act(case, "complete", actor)
        return True

    first(Kind.REVIEW_STEP_OVERDUE, [State.IN_REVIEW], review)
    unfinished = [State.IN_REVIEW, State.DECIDED, State.CERTIFIED, State.DELIVERED]
    first(Kind.RED_LIGHT, unfinished, finish) or first(Kind.YELLOW_LIGHT, unfinished, finish)
    if not done:
        return 0
    # What the drain of changed cases does once the load commits (the demo loads in
    # one transaction: the cases are noted for the drain only then).
    out = services.evaluate_cases(case_ids=sorted(done), today=clock.today())
    services.tell(warnings=out.raised)
    return len(out.cleared)
