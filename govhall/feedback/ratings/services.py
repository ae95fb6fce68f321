"""好差评 writes (issue 12 §1): rating, the 差评 loop, 申诉复核. Rules in docs/ratings.md.

Entry points (keyword-only):

* :func:`rate_with_token` — the SMS link (channel 短信): the signed token names the
  case, the applicant needs no login; the token is used once (``tokens``).
* :func:`rate_with_progress` — portal and QR (网上 / 扫码): the progress query's pair
  (受理编号 + last 4 digits of the applicant's phone) proves the case is theirs.
* :func:`rate_as_staff` — the window's evaluator screen opened by staff (窗口评价器)
  and a rating told on the phone and entered by staff (电话).
* :func:`advance` — one step of the 差评 loop (``loop.STEPS``);
  :func:`complete_ledger` — a 整改台账 entry done;
* :func:`file_appeal` / :func:`decide_appeal` — 申诉复核.
* :func:`send_invitation` (the task after 办结) and :func:`remind_due` (daily).

All of them check the rule, change, audit with the real actor and queue what is told
in one transaction; a refusal changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from govhall.cases.models import Case, State
from govhall.core import actors, audit, clock, policy
from govhall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from govhall.core.files import check_attachments
from govhall.core.validators import clean_text
from govhall.notifications.models import Channel
from govhall.notifications.services import Message, Recipient, notify
from govhall.org import permissions
from govhall.org.models import Role, Staff

from . import loop, rollups, selectors, tokens
from .models import (
    BAD_LEVELS,
    OPEN_BAD_REVIEW_STATES,
    Appeal,
    AppealAttachment,
    AppealState,
    BadReview,
    BadReviewState,
    Callback,
    ContactMethod,
    LedgerEntry,
    Level,
    Rating,
    RatingChannel,
)

RATE = audit.Action("ratings.rating.create", "好差评")
LEDGER_DONE = audit.Action("ratings.ledger.complete", "整改台账销号")
APPEAL_FILE = audit.Action("ratings.appeal.file", "差评申诉")
APPEAL_UPHOLD = audit.Action("ratings.appeal.uphold", "差评申诉成立")
APPEAL_REJECT = audit.Action("ratings.appeal.reject", "差评申诉不成立")

TEXT_MAX = 500  # 文字评价
LONG_TEXT_MAX = 2000  # 回访内容, 核实情况, 整改措施, 申诉理由 …
NAME_MAX = 100
PHONE_MAX = 20

RATED_STATES = (State.COMPLETED, State.ARCHIVED)
APPLICANT_CHANNELS = (RatingChannel.PORTAL, RatingChannel.QR)
STAFF_CHANNELS = (RatingChannel.WINDOW, RatingChannel.PHONE)

NOT_FOUND_MESSAGE = "未找到该办件，请核对受理编号和手机号后四位"


# --------------------------------------------------------------------------- inputs


def _text(value, field: str, label: str, *, required: bool, limit: int = LONG_TEXT_MAX) -> str:
    return clean_text(value, field=field, label=label, limit=limit, required=required)


def _level(value) -> int:
    if isinstance(value, bool) or value not in Level.values:
        raise ValidationFailed(
            "请选择评价等级（非常满意 5 … 非常不满意 1）",
            code="invalid_level",
            fields={"level": ["取值为 1–5"]},
        )
    return int(value)


def reason_choices() -> dict[str, str]:
    """差评原因 of the policy (code → label)."""
    return dict(policy.get("RATINGS_BAD_REASONS"))


def _reasons(values, level: int) -> list[str]:
    known = reason_choices()
    values = list(values or [])
    if len(values) > len(known):
        raise ValidationFailed("差评原因过多", code="unknown_reason", fields={"reasons": ["过多"]})
    bad = [v for v in values if not isinstance(v, str) or v not in known]
    if bad:
        raise ValidationFailed(
            "差评原因不在标准列表中：" + "、".join(str(v)[:20] for v in bad[:5]),
            code="unknown_reason",
            fields={"reasons": ["不在标准列表中"]},
        )
    if level in BAD_LEVELS and not values:
        raise ValidationFailed(
            "不满意或非常不满意的评价请至少选择一项原因",
            code="reasons_required",
            fields={"reasons": ["差评至少选择一项原因"]},
        )
    return list(dict.fromkeys(values))


# --------------------------------------------------------------------------- rating


# What a rating reads of its case and the case's handler (the rest of the 46 columns of
# a case are not read: building and converting them was a fifth of a rating's cost).
CASE_FIELDS_TO_RATE = (
    "id",
    "number",
    "state",
    "completed_at",
    "item_id",
    "bundle_id",
    "centre_id",
    "department_id",
    "applicant_name",
    "applicant_phone",
    "responsible__id",
    "responsible__user_id",
    "responsible__name",
    "responsible__window_id",
    "responsible__department_id",
    "responsible__is_active",
)


def _rated(case: Case) -> list[tuple[str, int, bool, dt.datetime | None]]:
    """``(channel, round, is_bad, rectified_at)`` of every rating of ``case``: a few
    rows from the case's index, read once for both the round and the one-per-channel
    check; the 差评's rectification is read only when there is a 差评."""
    rows = list(Rating.objects.filter(case=case).values_list("pk", "channel", "round", "is_bad"))
    bad = [pk for pk, _channel, _round, is_bad in rows if is_bad]
    rectified = (
        dict(BadReview.objects.filter(rating_id__in=bad).values_list("rating_id", "rectified_at"))
        if bad
        else {}
    )
    return [(channel, r, is_bad, rectified.get(pk)) for pk, channel, r, is_bad in rows]


def _round_of(case: Case, rated) -> tuple[int, dt.datetime | None]:
    rectified = [(r, at) for _channel, r, bad, at in rated if bad and at is not None]
    if rectified:
        last = max(rectified, key=lambda pair: (pair[0], pair[1]))
        return last[0] + 1, last[1]
    return 1, case.completed_at


def current_round(case: Case) -> tuple[int, dt.datetime | None]:
    """The round a new rating of ``case`` goes into, and when its period started:
    round 1 from 办结; after a 差评 of round *r* was rectified, round *r*+1 from the
    rectification."""
    return _round_of(case, _rated(case))


def _check_ratable(case: Case, channel: str, token: tokens.Token | None = None) -> int:
    """The round a rating of ``case`` on ``channel`` goes into now, or why it cannot be
    given: not yet 办结, the period is over, the SMS token was for an earlier round
    (used up by it), or this channel already rated the round."""
    if case.state not in RATED_STATES or case.completed_at is None:
        raise Conflict("办件尚未办结，办结后方可评价", code="not_completed")
    # The locking read says whether the case has any rating (``has_ratings``): the first
    # rating of a case, by far the most common, then reads nothing more.
    rated = _rated(case) if getattr(case, "has_ratings", True) else []
    round_, start = _round_of(case, rated)
    days = int(policy.get("RATINGS_PERIOD_DAYS"))
    if clock.now() > start + dt.timedelta(days=days):
        raise Conflict(f"已超过评价期限（办结后 {days} 日内可评价）", code="period_over")
    if token is not None and token.round != round_:
        raise Conflict(tokens.USED_MESSAGE, code="token_used")
    if any(c == channel and r == round_ for c, r, _bad, _at in rated):
        raise Conflict("该办件已在此渠道评价过，不能重复评价", code="already_rated")
    return round_


def _create(
    *,
    actor,
    case: Case | None = None,
    number: str = "",
    check=None,
    channel: str,
    level,
    reasons=(),
    text="",
    real_name: bool = False,
    rater_name: str = "",
    rater_phone: str = "",
    entered_by: Staff | None = None,
    token: tokens.Token | None = None,
) -> Rating:
    """The one place a rating is recorded. The case is ``case``, or the one numbered
    ``number`` (``case_not_found`` if none), found by the same query that locks it;
    ``check(locked_case)`` is the caller's permission rule, asked under the lock."""
    level = _level(level)
    reasons = _reasons(reasons, level)
    text = _text(text, "text", "文字评价", required=False, limit=TEXT_MAX)
    real_name = bool(real_name)
    if real_name:
        rater_name = _text(rater_name, "rater_name", "评价人", required=False, limit=NAME_MAX)
        rater_phone = _text(rater_phone, "rater_phone", "联系电话", required=False, limit=PHONE_MAX)
    else:
        rater_name = rater_phone = ""
    where = {"pk": case.pk} if case is not None else {"number": number}
    now = clock.now()
    try:
        with transaction.atomic():
            # The case row is locked so that two ratings of one case take their round
            # one after the other; its handler comes in the same query.
            try:
                locked = (
                    Case.objects.select_for_update(of=("self",))
                    .select_related("responsible")
                    .only(*CASE_FIELDS_TO_RATE)
                    .annotate(has_ratings=Exists(Rating.objects.filter(case=OuterRef("pk"))))
                    .get(**where)
                )
            except Case.DoesNotExist:
                raise NotFound("没有该受理编号的办件", code="case_not_found") from None
            if check is not None:
                check(locked)
            if real_name:
                rater_name = rater_name or locked.applicant_name
                rater_phone = rater_phone or locked.applicant_phone
            round_ = _check_ratable(locked, channel, token)
            staff = locked.responsible
            rating = Rating.objects.create(
                case=locked,
                channel=channel,
                round=round_,
                level=level,
                is_bad=level in BAD_LEVELS,
                reasons=reasons,
                text=text,
                real_name=real_name,
                rater_name=rater_name,
                rater_phone=rater_phone,
                item_id=locked.item_id,
                bundle_id=locked.bundle_id,
                department_id=locked.department_id,
                window_id=staff.window_id if staff is not None else None,
                staff=staff,
                entered_by=entered_by,
                rated_at=now,
                rated_on=clock.today(),
                token_nonce=token.nonce if token is not None else None,
            )
            audit.record(
                actor=actor,
                action=RATE,
                obj=rating,
                changes={
                    "channel": [None, channel],
                    "round": [None, round_],
                    "level": [None, level],
                    "reasons": [None, reasons],
                    "real_name": [None, real_name],
                },
            )
            rollups.add(rating=rating, delta=1)
            if rating.is_bad:
                _assign(rating, locked)
            return rating
    except IntegrityError:
        # Two submissions at once: the database's constraints decided.
        if token is not None and Rating.objects.filter(token_nonce=token.nonce).exists():
            raise Conflict(tokens.USED_MESSAGE, code="token_used") from None
        raise Conflict("该办件已在此渠道评价过，不能重复评价", code="already_rated") from None


def _applicant_actor(case: Case, real_name: bool):
    """The audit names the applicant of a 实名 rating, and nobody for an anonymous one."""
    return actors.Applicant(name=case.applicant_name if real_name else "（匿名评价）")


def rate_with_token(*, token: str, level, reasons=(), text="", real_name=False, **who) -> Rating:
    """短信评价: the link's token names the case; a used, forged or expired token is
    refused (``tokens``) and nothing is recorded."""
    parsed = tokens.read(token)
    if Rating.objects.filter(token_nonce=parsed.nonce).exists():
        raise Conflict(tokens.USED_MESSAGE, code="token_used")
    case = Case.objects.filter(pk=parsed.case_id).first()
    if case is None:
        raise ValidationFailed(tokens.INVALID_MESSAGE, code="token_invalid")
    return _create(
        actor=_applicant_actor(case, real_name),
        case=case,
        channel=RatingChannel.SMS,
        level=level,
        reasons=reasons,
        text=text,
        real_name=real_name,
        token=parsed,
        **who,
    )


def case_for_progress(*, number: str, phone_tail: str) -> Case:
    """The case of the progress query's pair, or the one :class:`NotFound` whatever
    was wrong (as ``cases.selectors.public_progress``)."""
    number = (number or "").strip() if isinstance(number, str) else ""
    tail = (phone_tail or "").strip() if isinstance(phone_tail, str) else ""
    case = None
    if number and "\x00" not in number and len(number) <= 40:
        case = Case.objects.filter(number=number).first()
    if (
        case is None
        or len(tail) != 4
        or not tail.isdigit()
        or not case.applicant_phone.endswith(tail)
    ):
        raise NotFound(NOT_FOUND_MESSAGE, code="case_not_found")
    return case


def rate_with_progress(
    *, number: str, phone_tail: str, channel: str = RatingChannel.PORTAL, level, **rest
) -> Rating:
    """网上 / 扫码评价 with the progress query's pair (受理编号 + 手机号后四位)."""
    if channel not in APPLICANT_CHANNELS:
        raise ValidationFailed(
            "评价渠道不正确", code="invalid_channel", fields={"channel": ["应为 portal 或 qr"]}
        )
    case = case_for_progress(number=number, phone_tail=phone_tail)
    return _create(
        actor=_applicant_actor(case, rest.get("real_name", False)),
        case=case,
        channel=channel,
        level=level,
        **rest,
    )


def may_enter(user, case: Case) -> bool:
    """May ``user`` open the evaluator screen for ``case`` or enter a phone rating:
    active staff of the case's centre or department, or the centre administrator."""
    if permissions.is_centre_admin(user):
        return True
    staff = permissions.active_staff(user)
    return staff is not None and (
        staff.centre_id == case.centre_id or staff.department_id == case.department_id
    )


def rate_as_staff(
    *, actor, case: Case | None = None, number: str = "", channel: str, level, **rest
) -> Rating:
    """窗口评价器 (the applicant presses the button on the screen staff opened for
    the case) or 电话 (staff enter what the applicant said on the phone). Staff of
    the case's centre or department only; a phone rating about oneself is refused.
    The case is ``case`` or the one numbered ``number`` (the API's ``case`` field)."""
    if channel not in STAFF_CHANNELS:
        raise ValidationFailed(
            "评价渠道不正确", code="invalid_channel", fields={"channel": ["应为 window 或 phone"]}
        )
    if case is None and not (isinstance(number, str) and 0 < len(number) <= 40):
        raise NotFound("没有该受理编号的办件", code="case_not_found")
    staff = permissions.active_staff(actor)

    def may_rate(c: Case) -> None:
        if not may_enter(actor, c):
            raise PermissionDenied("只有本中心或办理部门的工作人员可以录入该办件的评价")
        if channel == RatingChannel.PHONE and staff is not None and staff.pk == c.responsible_id:
            raise PermissionDenied("不能录入对本人承办办件的电话评价", code="self_rating")

    return _create(
        actor=actor,
        case=case,
        number=number,
        check=may_rate,
        channel=channel,
        level=level,
        entered_by=staff,
        **rest,
    )


# --------------------------------------------------------------------------- 差评 loop


def _due(start: dt.date) -> dt.date:
    from govhall.calendar import selectors as calendar

    return calendar.add_workdays(start=start, days=int(policy.get("BAD_REVIEW_DEADLINE_DAYS"))).date


def _assign(rating: Rating, case: Case) -> BadReview:
    """A 差评 is assigned at once to the handling department, and it is told."""
    bad = BadReview.objects.create(
        rating=rating,
        department_id=rating.department_id,
        assigned_at=rating.rated_at,
        due_on=_due(rating.rated_on),
    )
    _tell_department(
        bad, case=case, event="新差评交办", detail=f"请于 {bad.due_on} 前完成回访整改并反馈"
    )
    return bad


def _people(department_id: int, staff: Staff | None):
    people = dict(
        Staff.objects.filter(
            department_id=department_id, role=Role.CHIEF_REP, is_active=True, user__is_active=True
        ).values_list("user_id", "name")
    )
    if staff is not None and staff.is_active:
        people.setdefault(staff.user_id, staff.name)
    return people


def _tell_department(bad: BadReview, *, case: Case, event: str, detail: str) -> int:
    rating = bad.rating
    url = reverse("ratings:bad_review", args=[bad.pk])
    messages = [
        Message(
            channel=Channel.INBOX,
            template="ratings/bad_review",
            to=Recipient(name=name, user_id=user_id),
            context={
                "number": case.number,
                "level": rating.get_level_display(),
                "reasons": "、".join(reason_choices().get(r, r) for r in rating.reasons),
                "event": event,
                "detail": detail,
            },
            url=url,
            key=f"ratings.badreview:{bad.pk}:{event}:{bad.due_on}:u{user_id}",
            ref=f"ratings.badreview:{bad.pk}",
        )
        for user_id, name in _people(bad.department_id, rating.staff).items()
    ]
    if messages:
        notify(messages=messages, group=f"ratings.badreview:{bad.pk}:{event}")
    return len(messages)


def may_act(user, bad: BadReview) -> bool:
    """The responsible department's staff and the centre administrator."""
    if permissions.is_centre_admin(user):
        return True
    staff = permissions.active_staff(user)
    return staff is not None and staff.department_id == bad.department_id


def _datetime(value, field: str, label: str, *, not_before: dt.datetime) -> dt.datetime:
    if value in (None, ""):
        return clock.now()
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(
                f"{label}格式不正确", code="invalid", fields={field: ["格式不正确"]}
            ) from None
    if not isinstance(value, dt.datetime):
        raise ValidationFailed(f"{label}格式不正确", code="invalid", fields={field: ["格式不正确"]})
    if value.tzinfo is None:
        from django.utils import timezone

        value = timezone.make_aware(value)
    if value > clock.now():
        raise ValidationFailed(
            f"{label}不能晚于现在", code="future_date", fields={field: ["晚于现在"]}
        )
    if value < not_before:
        raise ValidationFailed(
            f"{label}不能早于评价时间", code="invalid", fields={field: ["早于评价时间"]}
        )
    return value


def _method(value, bad: BadReview) -> str:
    if value not in ContactMethod.values:
        raise ValidationFailed(
            "请选择方式", code="invalid_method", fields={"method": ["取值不正确"]}
        )
    if value == ContactMethod.ANONYMOUS and bad.rating.real_name:
        raise ValidationFailed(
            "实名差评应与评价人联系，不能记为匿名无法回访",
            code="invalid_method",
            fields={"method": ["实名差评不能选择此项"]},
        )
    return value


def _effect(bad: BadReview, step: loop.Step, staff: Staff | None, inputs: dict) -> dict:
    """What ``step`` writes; returns the audit's changes beyond the state."""
    now = clock.now()
    a = step.action
    if a == "callback":
        record = Callback.objects.create(
            bad_review=bad,
            by=staff,
            at=_datetime(inputs.get("at"), "at", "回访时间", not_before=bad.rating.rated_at),
            method=_method(inputs.get("method"), bad),
            contact=_text(
                inputs.get("contact"), "contact", "回访对象", required=False, limit=NAME_MAX
            ),
            content=_text(inputs.get("content"), "content", "回访内容", required=True),
            recorded_at=now,
        )
        return {"callback": [None, record.pk], "method": [None, record.method]}
    if a == "verify":
        bad.finding = _text(inputs.get("finding"), "finding", "核实情况", required=True)
        return {"finding": [None, bad.finding[:200]]}
    if a in ("rectify", "ledger"):
        bad.measures = _text(inputs.get("measures"), "measures", "整改措施", required=True)
        if a == "rectify":
            bad.rectified_at = now
            return {"measures": [None, bad.measures[:200]], "rectified_at": [None, now.isoformat()]}
        due = inputs.get("due_on")
        if isinstance(due, str):
            try:
                due = dt.date.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(due, dt.date) or isinstance(due, dt.datetime):
            raise ValidationFailed("请填写整改期限", code="required", fields={"due_on": ["必填"]})
        if due < clock.today():
            raise ValidationFailed(
                "整改期限不能早于今天", code="invalid_date", fields={"due_on": ["早于今天"]}
            )
        problem = _text(inputs.get("problem"), "problem", "问题", required=False) or bad.finding
        LedgerEntry.objects.create(
            bad_review=bad,
            department_id=bad.department_id,
            problem=problem or "（见核实情况）",
            measures=bad.measures,
            due_on=due,
            created_at=now,
        )
        return {"measures": [None, bad.measures[:200]], "ledger_due_on": [None, due.isoformat()]}
    if a == "explain":
        bad.explanation = _text(inputs.get("explanation"), "explanation", "解释说明", required=True)
        return {"explanation": [None, bad.explanation[:200]]}
    if a == "feedback":
        bad.feedback_method = _method(inputs.get("method"), bad)
        bad.feedback = _text(inputs.get("content"), "content", "反馈内容", required=True)
        bad.fed_back_at = now
        return {"feedback_method": [None, bad.feedback_method]}
    if a == "close":
        bad.closed_at = now
        bad.closed_by = staff
        return {"closed_at": [None, now.isoformat()]}
    if a == "void":
        bad.closed_at = now
        bad.closed_by = staff
        return {}
    raise AssertionError(a)  # pragma: no cover - every row of loop.STEPS is handled


def advance(
    *,
    actor,
    bad_review: BadReview,
    action: str,
    expected_version: int | None = None,
    reason: str = "",
    **inputs,
) -> BadReview:
    """One step of the 差评 loop, as ``loop.STEPS`` says: on the locked row, the
    actor's right, the source state, the guard, the effect, the audit row."""
    with transaction.atomic():
        bad = BadReview.objects.select_for_update().select_related("rating").get(pk=bad_review.pk)
        if expected_version is not None and bad.version != expected_version:
            raise Conflict("差评整改已被他人更新，请刷新后重试", code="stale")
        step = loop.step_for(action, bad.state)
        if step.who == loop.DEPARTMENT and not may_act(actor, bad):
            raise PermissionDenied("只有责任部门的工作人员和中心管理员可以办理该差评")
        if step.who == loop.REVIEWER and not inputs.pop("_by_appeal", False):
            raise PermissionDenied("申诉成立只能由申诉复核作出", code="appeal_only")
        staff = permissions.staff_of(actor)
        if step.action in ("callback",) and staff is None:
            raise PermissionDenied("回访记录须由工作人员填写")
        if step.guard is not None:
            step.guard(bad)
        before = bad.state
        changes = _effect(bad, step, staff, inputs)
        if step.target is not None:
            bad.state = step.target
        bad.version += 1
        bad.save()
        changes["state"] = [before, bad.state]
        audit.record(actor=actor, action=step.audit_action, obj=bad, changes=changes, reason=reason)
        if step.action == "close" and rollups.is_done(bad):
            rollups.add_done(rating=bad.rating, delta=1)
        if step.action == "rectify":
            queue_next_round_invitation(bad)
        return bad


def complete_ledger(*, actor, entry: LedgerEntry, result: str) -> LedgerEntry:
    """整改台账销号: the problem is fixed; the 差评 now counts as rectified (the
    applicant may rate again, ``current_round``)."""
    with transaction.atomic():
        entry = (
            LedgerEntry.objects.select_for_update().select_related("bad_review").get(pk=entry.pk)
        )
        if not may_act(actor, entry.bad_review):
            raise PermissionDenied("只有责任部门的工作人员和中心管理员可以销号")
        if entry.done_at is not None:
            raise Conflict("该整改台账已销号", code="wrong_state")
        entry.result = _text(result, "result", "整改结果", required=True)
        now = clock.now()
        entry.done_at = now
        entry.done_by = permissions.staff_of(actor)
        entry.save()
        bad = entry.bad_review
        was_done = rollups.is_done(bad)
        if bad.rectified_at is None:
            bad.rectified_at = now
            bad.version += 1
            bad.save(update_fields=["rectified_at", "version"])
            queue_next_round_invitation(bad)  # rectified now: the next round's SMS link
        if not was_done and rollups.is_done(bad):
            rollups.add_done(rating=bad.rating, delta=1)
        audit.record(
            actor=actor,
            action=LEDGER_DONE,
            obj=entry,
            changes={"done_at": [None, now.isoformat()]},
            reason=entry.result[:200],
        )
        return entry


# --------------------------------------------------------------------------- 申诉复核


def may_appeal(user, rating: Rating) -> bool:
    """The staff member the 差评 is about, or their department's 首席代表."""
    staff = permissions.active_staff(user)
    if staff is None:
        return False
    if rating.staff_id is not None and staff.pk == rating.staff_id:
        return True
    return staff.role == Role.CHIEF_REP and staff.department_id == rating.department_id


MAX_APPEAL_FILES = 10


def file_appeal(*, actor, rating: Rating, reason: str, files=()) -> Appeal:
    """申诉: a 差评 thought mistaken or malicious, with evidence, within
    ``RATINGS_APPEAL_DAYS`` working days of the rating; once per rating."""
    from govhall.calendar import selectors as calendar

    if not may_appeal(actor, rating):
        raise PermissionDenied("只有被评价的工作人员或其部门首席代表可以申诉")
    if not rating.is_bad:
        raise Conflict("只有差评可以申诉", code="not_bad")
    last = calendar.add_workdays(start=rating.rated_on, days=int(policy.get("RATINGS_APPEAL_DAYS")))
    if clock.today() > last.date:
        raise Conflict(f"已超过申诉期限（{last.date}）", code="appeal_period_over")
    reason = _text(reason, "reason", "申诉理由", required=True)
    files = check_attachments(files, limit=MAX_APPEAL_FILES)
    now = clock.now()
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                rating=rating, appellant=permissions.staff_of(actor), reason=reason, filed_at=now
            )
            for f in files:
                AppealAttachment.objects.create(
                    appeal=appeal,
                    name=(getattr(f, "name", "") or "附件")[:200],
                    file=f,
                    uploaded_at=now,
                )
            audit.record(
                actor=actor,
                action=APPEAL_FILE,
                obj=appeal,
                changes={"rating": [None, rating.pk], "attachments": len(files)},
                reason=reason[:200],
            )
            _tell_reviewers(appeal)
            return appeal
    except IntegrityError:
        raise Conflict("该差评已申诉过", code="already_appealed") from None


def _tell_reviewers(appeal: Appeal) -> None:
    centre = appeal.rating.case.centre_id
    people = Staff.objects.filter(
        centre_id=centre,
        role__in=[Role.SUPERVISOR, Role.CENTRE_ADMIN],
        is_active=True,
        user__is_active=True,
    ).values_list("user_id", "name")
    messages = [
        Message(
            channel=Channel.INBOX,
            template="ratings/appeal",
            to=Recipient(name=name, user_id=user_id),
            context={
                "number": appeal.rating.case.number,
                "event": "待复核",
                "detail": appeal.reason[:100],
            },
            url=reverse("ratings:appeal", args=[appeal.pk]),
            key=f"ratings.appeal:{appeal.pk}:filed:u{user_id}",
            ref=f"ratings.appeal:{appeal.pk}",
        )
        for user_id, name in people
    ]
    if messages:
        notify(messages=messages, group=f"ratings.appeal:{appeal.pk}:filed")


def decide_appeal(*, actor, appeal: Appeal, upheld: bool, opinion: str) -> Appeal:
    """复核: the supervision office or the centre administrator upholds (the rating
    stays on record, out of the statistics; its open 差评 loop ends 申诉成立) or
    rejects. Not by the appellant."""
    if not selectors.is_reviewer(actor):
        raise PermissionDenied("只有电子监察人员和中心管理员可以复核申诉")
    opinion = _text(opinion, "opinion", "复核意见", required=True)
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().select_related("rating").get(pk=appeal.pk)
        reviewer = permissions.staff_of(actor)
        if reviewer is not None and reviewer.pk == appeal.appellant_id:
            raise PermissionDenied("申诉人不能复核本人的申诉", code="own_appeal")
        if appeal.state != AppealState.PENDING:
            raise Conflict(f"申诉{appeal.get_state_display()}，不能再次复核", code="wrong_state")
        now = clock.now()
        appeal.state = AppealState.UPHELD if upheld else AppealState.REJECTED
        appeal.reviewer, appeal.opinion, appeal.decided_at = reviewer, opinion, now
        appeal.save()
        rating = appeal.rating
        if upheld and not rating.excluded:
            bad = BadReview.objects.filter(rating=rating).first()
            rollups.add(rating=rating, delta=-1, done=bad is not None and rollups.is_done(bad))
        if upheld:
            Rating.objects.filter(pk=rating.pk).update(excluded=True, excluded_at=now)
            rating.excluded, rating.excluded_at = True, now
            bad = BadReview.objects.filter(rating=rating).first()
            if bad is not None and bad.is_open:
                advance(actor=actor, bad_review=bad, action="void", reason=opinion, _by_appeal=True)
        audit.record(
            actor=actor,
            action=APPEAL_UPHOLD if upheld else APPEAL_REJECT,
            obj=appeal,
            changes={
                "state": [AppealState.PENDING, appeal.state],
                "excluded": [False, bool(upheld)],
            },
            reason=opinion[:200],
        )
        if appeal.appellant.is_active:
            notify(
                messages=[
                    Message(
                        channel=Channel.INBOX,
                        template="ratings/appeal",
                        to=Recipient(name=appeal.appellant.name, user_id=appeal.appellant.user_id),
                        context={
                            "number": rating.case.number,
                            "event": appeal.get_state_display(),
                            "detail": opinion[:100],
                        },
                        url=reverse("ratings:appeal", args=[appeal.pk]),
                        key=f"ratings.appeal:{appeal.pk}:decided",
                        ref=f"ratings.appeal:{appeal.pk}",
                    )
                ],
                group=f"ratings.appeal:{appeal.pk}:decided",
            )
        return appeal


# --------------------------------------------------------------------------- telling


def rating_link(token: str) -> str:
    return (
        f"{settings.GOVHALL_PUBLIC_URL.rstrip('/')}{reverse('ratings_public:token', args=[token])}"
    )


def send_invitation(*, case_id: int) -> int:
    """The SMS with the rating link after 办结 (the task of ``tasks``). A case with
    no phone, not completed, or already rated on SMS this round sends nothing."""
    case = Case.objects.select_related("item_version", "bundle").filter(pk=case_id).first()
    if case is None or case.state not in RATED_STATES or not case.applicant_phone:
        return 0
    round_, _start = current_round(case)
    if Rating.objects.filter(case=case, channel=RatingChannel.SMS, round=round_).exists():
        return 0
    token = tokens.make(case_id=case.pk, round=round_)
    item = (
        case.item_version.name
        if case.item_version_id
        else (case.bundle.name if case.bundle_id else "")
    )
    return notify(
        messages=[
            Message(
                channel=Channel.SMS,
                template="ratings/invite",
                to=Recipient(name=case.applicant_name, phone=case.applicant_phone),
                context={
                    "number": case.number,
                    "item": item,
                    "link": rating_link(token),
                    "days": int(policy.get("RATINGS_TOKEN_DAYS")),
                },
                key=f"ratings.invite:{case.pk}:r{round_}",
            )
        ],
        group=f"ratings.invite:{case.pk}:r{round_}",
        ref=f"cases.case:{case.pk}",
        centre_id=case.centre_id,
    )


def remind_due(*, today: dt.date | None = None) -> int:
    """回访整改 due today or on the next working day: the department is reminded,
    once per 差评 and deadline (the message's key holds the deadline). Returns the
    number of 差评 reminded."""
    from govhall.calendar import selectors as calendar

    today = today or clock.today()
    tomorrow = calendar.add_workdays(start=today, days=1).date
    due = (
        BadReview.objects.filter(
            state__in=OPEN_BAD_REVIEW_STATES,
            due_on__gte=today,
            due_on__lte=tomorrow,
        )
        .select_related("rating__case", "rating__staff")
        .order_by("due_on", "id")
    )
    from govhall.notifications.models import Notification

    event = "回访整改到期提醒"
    count = 0
    for bad in due:
        told = Notification.objects.filter(
            ref=f"ratings.badreview:{bad.pk}",
            dedupe_key__startswith=f"ratings.badreview:{bad.pk}:{event}:{bad.due_on}:",
        )
        if told.exists():
            continue
        when = "今日" if bad.due_on == today else "明日"
        pending = "尚未回访，" if bad.state == BadReviewState.ASSIGNED else ""
        detail = f"{pending}整改期限{when}（{bad.due_on}）到期，请按时回访整改并反馈"
        with transaction.atomic():
            count += (
                1
                if _tell_department(
                    bad, case=bad.rating.case, event="回访整改到期提醒", detail=detail
                )
                else 0
            )
    return count


def queue_next_round_invitation(bad: BadReview) -> None:
    """A rectified 差评 opens the next round (``current_round``): its SMS rating link
    is queued once the transaction commits (``receivers.invite_next_round``, the
    task path of the link after 办结; one delivery a case and round)."""
    from functools import partial

    from . import receivers

    transaction.on_commit(
        partial(receivers.invite_next_round, case_id=bad.rating.case_id, round=bad.rating.round + 1)
    )
