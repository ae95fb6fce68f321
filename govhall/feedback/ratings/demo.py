"""Demo ratings (issue 12 §1 "Done when"): ratings on every channel of the demo's
completed cases, 差评 open and closed with their 回访, a 整改台账 entry, and two
appeals (one waiting for review, one upheld). Everything goes through ``services``,
each step at a time after the case's 办结 (the clock is moved there), so the
audit log and the deadlines read as if it happened; nothing is written here.

``load_demo_ratings()`` returns the counts for the load_demo summary, and nothing
when ratings exist already (a second load changes nothing). The demo loader
(``govhall/demo/loaders.py``) calls it after the cases.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from govhall.cases.models import Case, State
from govhall.core import clock

from . import services, tokens
from .models import Appeal, BadReview, Rating, RatingChannel

# (channel, level, reasons, real name, what happens to the 差评)
PLAN = [
    (RatingChannel.WINDOW, 5, [], False, None),
    (RatingChannel.PORTAL, 4, [], True, None),
    (RatingChannel.QR, 5, [], False, None),
    (RatingChannel.SMS, 4, [], False, None),
    (RatingChannel.PHONE, 3, [], True, None),
    (RatingChannel.WINDOW, 2, ["slow"], True, "open"),
    (RatingChannel.PORTAL, 1, ["attitude"], True, "called_back"),
    (RatingChannel.SMS, 2, ["repeat", "unclear"], True, "rectified"),
    (RatingChannel.QR, 1, ["guide"], False, "explained"),
    (RatingChannel.PHONE, 2, ["facility"], True, "ledger"),
    (RatingChannel.WINDOW, 1, ["conduct"], False, "appeal_pending"),
    (RatingChannel.PORTAL, 1, ["fees"], True, "appeal_upheld"),
    (RatingChannel.SMS, 5, [], True, None),
    (RatingChannel.WINDOW, 4, [], False, None),
    (RatingChannel.QR, 3, [], False, None),
]


def _user(username: str):
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _staff_user(case: Case, *, not_handler: bool = False):
    """Someone of the case's department who may act (the 首席代表 first), and who did
    not handle the case when ``not_handler``."""
    from govhall.org.models import Role, Staff

    people = Staff.objects.filter(department_id=case.department_id, is_active=True).order_by(
        "role", "id"
    )
    if not_handler and case.responsible_id:
        people = people.exclude(pk=case.responsible_id)
    chief = people.filter(role=Role.CHIEF_REP).first() or people.first()
    return chief.user if chief is not None else None


def _window_user(case: Case):
    from govhall.org.models import Role, Staff

    clerk = Staff.objects.filter(
        centre_id=case.centre_id, role=Role.WINDOW_CLERK, is_active=True
    ).first()
    return clerk.user if clerk is not None else _staff_user(case)


def _rate(case: Case, channel, level, reasons, real_name) -> Rating | None:
    common = {"level": level, "reasons": reasons, "real_name": real_name}
    if channel == RatingChannel.SMS:
        return services.rate_with_token(token=tokens.make(case_id=case.pk), **common)
    if channel in (RatingChannel.PORTAL, RatingChannel.QR):
        return services.rate_with_progress(
            number=case.number, phone_tail=case.applicant_phone[-4:], channel=channel, **common
        )
    actor = _window_user(case) if channel == RatingChannel.WINDOW else None
    actor = actor or _staff_user(case, not_handler=True)
    if actor is None:
        return None
    return services.rate_as_staff(actor=actor, case=case, channel=channel, **common)


def _loop(bad: BadReview, fate: str, case: Case) -> None:
    user = _staff_user(case)
    if user is None:
        return
    if fate == "open":
        return
    bad = services.advance(
        actor=user,
        bad_review=bad,
        action="callback",
        method="phone",
        contact="申请人本人",
        content="已电话联系申请人，了解不满意的具体情况并致歉",
    )
    if fate == "called_back":
        return
    bad = services.advance(
        actor=user, bad_review=bad, action="verify", finding="经调取窗口记录核实，情况基本属实"
    )
    if fate == "explained":
        bad = services.advance(
            actor=user,
            bad_review=bad,
            action="explain",
            explanation="该材料为法定申请材料，依法不能免交，已向申请人说明依据",
        )
    elif fate == "ledger":
        bad = services.advance(
            actor=user,
            bad_review=bad,
            action="ledger",
            measures="改造大厅无障碍通道和等候区座椅",
            due_on=clock.today() + dt.timedelta(days=60),
        )
    else:
        bad = services.advance(
            actor=user,
            bad_review=bad,
            action="rectify",
            measures="对窗口人员进行一次性告知培训，更新办事指南说明",
        )
    services.advance(
        actor=user,
        bad_review=bad,
        action="feedback",
        method="phone",
        content="已将核实和整改情况告知申请人，申请人表示认可",
    )
    bad = BadReview.objects.get(pk=bad.pk)
    services.advance(actor=user, bad_review=bad, action="close")


def _appeal(rating: Rating, fate: str) -> None:
    staff = rating.staff
    actor = staff.user if staff is not None and staff.is_active else _staff_user(rating.case)
    if actor is None:
        return
    appeal = services.file_appeal(
        actor=actor,
        rating=rating,
        reason="申请人当日并未到本窗口办理，评价与事实不符，附窗口录像截图说明",
    )
    if fate == "appeal_upheld":
        reviewer = _user("supervisor") or _user("admin")
        if reviewer is not None:
            services.decide_appeal(
                actor=reviewer, appeal=appeal, upheld=True, opinion="经核查录像，申诉属实"
            )


def load_demo_ratings() -> dict[str, int]:
    if Rating.objects.exists():
        return {}
    cases = list(
        Case.objects.filter(
            state__in=[State.COMPLETED, State.ARCHIVED],
            completed_at__isnull=False,
            parent__isnull=True,
        )
        .exclude(applicant_phone="")
        .order_by("-completed_at", "-id")[: len(PLAN)]
    )
    now = clock.now()
    for case, (channel, level, reasons, real_name, fate) in zip(cases, PLAN, strict=False):
        # Rated an hour after 办结 (or now, for a case completed this last hour).
        at = min(case.completed_at + dt.timedelta(hours=1), now)
        with clock.frozen(at):
            rating = _rate(case, channel, level, reasons, real_name)
        if rating is None or not fate:
            continue
        with clock.frozen(min(at + dt.timedelta(days=1), now)):
            if fate.startswith("appeal"):
                _appeal(rating, fate)
            else:
                _loop(rating.bad_review, fate, case)
    return {
        "ratings": Rating.objects.count(),
        "rating_channels": Rating.objects.values("channel").distinct().count(),
        "bad_reviews_open": BadReview.objects.exclude(state__in=["closed", "voided"]).count(),
        "bad_reviews_closed": BadReview.objects.filter(state="closed").count(),
        "appeals": Appeal.objects.count(),
    }
