"""What the people of a case are told, and when (告知与提醒; issue 9 §2).

``enqueue_for`` is called by ``services.events.announce`` for every event of a case
(申请, every transition, 视为受理), *inside* the transaction that writes it: the
messages it enqueues are committed or rolled back with the change, and sent after
commit by the notifier's task (``govhall.notifications``, docs/notifications.md).

The applicant (SMS to the phone on the application) hears of:

* 受理 / 容缺受理 / 视为受理 (§32): the 受理编号, the legal deadline and the public
  progress-query link;
* 一次性告知补正: what to correct;
* 不予受理, and the 决定 (准予 / 不予许可, 退件);
* the result ready: 制证 (the licence may be picked up at the window), 送达 by post
  or electronically (a 送达 at the window needs no message: they are there).

Staff (the inbox) hear of a case assigned to them (承办人 named at 受理 by someone
else) and, from the daily rules, of a case of theirs turning yellow or red
(:func:`announce_lights`). A 一件事 child moved by its parent's cascade tells the
applicant nothing: the parent's own message covers it.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from govhall.notifications import services as notifier
from govhall.notifications.models import Channel, Notification
from govhall.notifications.services import Message, Recipient
from govhall.org.models import Role, Staff

from . import deadlines
from .documents.content import result_words
from .models import Case, DeliveryMethod, Light, Result

_APPLICANT_EVENTS = {"deemed_acceptance"}


def ref_of(case) -> str:
    """How a case is named on its notifications (``Notification.ref``)."""
    return f"cases.case:{case.pk}"


def _day(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


@functools.cache
def _progress_path() -> str:
    return reverse("cases_public:progress")


@functools.cache
def _detail_prefix() -> str:
    return reverse("cases:detail", args=["0"])[:-2]


def progress_url(case) -> str:
    """The public progress query, with the 受理编号 filled in."""
    return f"{settings.GOVHALL_PUBLIC_URL.rstrip('/')}{_progress_path()}?number={case.number}"


def staff_url(case) -> str:
    return f"{_detail_prefix()}{case.number}/"


def _item_name(case) -> str:
    if case.item_version_id:
        return case.item_version.name
    return case.bundle.name if case.bundle_id else ""


def _applicant(case, template: str, **context) -> Message:
    return Message(
        channel=Channel.SMS,
        template=f"cases/{template}",
        to=Recipient(name=case.applicant_name, phone=case.applicant_phone),
        context={"number": case.number, "item": _item_name(case), **context},
    )


def _accepted(case, event) -> list[Message]:
    data = event.data or {}
    messages = [
        _applicant(
            case,
            "accepted",
            accepted_on=_day(case.accepted_on),
            due_date=_day(case.due_date),
            provisional=case.deadline_provisional,
            deemed=event.action == "deemed_acceptance",
            tolerated=list(data.get("tolerated") or []),
            catch_up_due=_day(case.tolerance_due),
            progress_url=progress_url(case),
        )
    ]
    staff = case.responsible if case.responsible_id else None
    if staff is not None and staff.user_id != event.actor_id:
        messages.append(
            Message(
                channel=Channel.INBOX,
                template="cases/assigned",
                to=Recipient(name=staff.name, user_id=staff.user_id),
                context={
                    "number": case.number,
                    "item": _item_name(case),
                    "applicant": case.applicant_name,
                    "due_date": _day(case.due_date),
                },
                url=staff_url(case),
            )
        )
    return messages


def _correction(case, event) -> list[Message]:
    listed = (event.data or {}).get("corrections") or []
    corrections = [f"{c.get('name')}（{c.get('problem')}）" for c in listed]
    return [
        _applicant(case, "correction", corrections=corrections, progress_url=progress_url(case))
    ]


def _refused(case, event) -> list[Message]:
    return [_applicant(case, "refused", reason=case.result_reason)]


def _decided(case, event) -> list[Message]:
    return [
        _applicant(
            case,
            "decided",
            # in the words of the item's type: 准予行政许可, 予以确认, 依法征收 …
            result=result_words(case.item.type if case.item_id else "", case.result),
            result_name=case.item_version.result_name if case.item_version_id else "",
            approved=case.result == Result.APPROVED,
            reason=case.result_reason,
            progress_url=progress_url(case),
        )
    ]


def _ready(case, event) -> list[Message]:
    return [_applicant(case, "ready", result_number=case.result_number)]


_DELIVERED_BY = {DeliveryMethod.POST: "通过邮寄送达", DeliveryMethod.ELECTRONIC: "电子送达"}


def _delivered(case, event) -> list[Message]:
    method = _DELIVERED_BY.get(case.delivery_method)
    if method is None:  # at the window: handed over in person
        return []
    return [_applicant(case, "delivered", method=method, tracking_number=case.tracking_number)]


_BUILDERS = {
    "accept": _accepted,
    "accept_with_tolerance": _accepted,
    "deemed_acceptance": _accepted,
    "request_correction": _correction,
    "refuse": _refused,
    "decide": _decided,
    "certify": _ready,
    "deliver": _delivered,
}


def enqueue_for(*, case, event) -> None:
    """Queue the notifications ``event`` causes (inside its transaction): one bulk
    insert and one send task per event that tells anybody, nothing otherwise."""
    build = _BUILDERS.get(event.action)
    if build is None:
        return
    if (
        case.parent_id is not None
        and event.actor_id is None
        and event.action not in (_APPLICANT_EVENTS)
    ):
        return  # a 一件事 cascade: the parent's message covers the child
    messages = build(case, event)
    if messages:
        notifier.notify(
            messages=messages,
            ref=ref_of(case),
            group=f"cases.event:{event.pk}",
            centre_id=case.centre_id,
        )


# --------------------------------------------------------------------------- lights


def announce_lights(*, today: dt.date) -> list[str]:
    """Tell staff of each case that is yellow (黄灯预警) or red (今日到期) on ``today``
    (``deadlines.light_filter``): its 承办人, or the department's 首席代表 when it has
    none. Each case's light is told once per due date (``dedupe_key``), so a second
    run the same day tells nobody again. Returns the 受理编号 told about."""
    lit = deadlines.light_filter(Light.YELLOW, today) | deadlines.light_filter(Light.RED, today)
    rows = list(
        Case.objects.filter(lit, bundle__isnull=True)
        .values(
            "pk",
            "number",
            "centre_id",
            "department_id",
            "due_date",
            "item_version__name",
            "responsible__user_id",
            "responsible__name",
        )
        .order_by("due_date", "number")
    )
    notifier.kick_if_stranded()
    if not rows:
        return []
    chiefs: dict[int, list[tuple[int, str]]] = {}
    need_chiefs = {r["department_id"] for r in rows if not r["responsible__user_id"]}
    if need_chiefs:
        for dept, user_id, name in Staff.objects.filter(
            department__in=need_chiefs, role=Role.CHIEF_REP, is_active=True, user__is_active=True
        ).values_list("department_id", "user_id", "name"):
            chiefs.setdefault(dept, []).append((user_id, name))
    planned: list[tuple[dict, Message]] = []
    for r in rows:
        red = r["due_date"] == today
        light = Light.RED if red else Light.YELLOW
        if r["responsible__user_id"]:
            people = [(r["responsible__user_id"], r["responsible__name"])]
        else:
            people = chiefs.get(r["department_id"], [])
        for user_id, name in people:
            key = f"cases.case:{r['pk']}:light:{light}:{r['due_date']:%Y%m%d}:u{user_id}"
            planned.append(
                (
                    r,
                    Message(
                        channel=Channel.INBOX,
                        template="cases/light",
                        to=Recipient(name=name, user_id=user_id),
                        context={
                            "number": r["number"],
                            "item": r["item_version__name"] or "",
                            "light": "红灯（今日到期）" if red else "黄灯预警",
                            "red": red,
                            "due_date": _day(r["due_date"]),
                            "remaining": _remaining(today, r["due_date"]),
                        },
                        url=f"{_detail_prefix()}{r['number']}/",
                        key=key,
                        ref=f"cases.case:{r['pk']}",
                    ),
                )
            )
    existing = set(
        Notification.objects.filter(dedupe_key__in=[m.key for _, m in planned]).values_list(
            "dedupe_key", flat=True
        )
    )
    new = [(r, m) for r, m in planned if m.key not in existing]
    if not new:
        return []
    # One group (one insert, one task) per run: the staff inbox names no centre.
    group = f"cases.lights:{today.isoformat()}:{uuid.uuid4().hex[:12]}"
    with transaction.atomic():
        notifier.notify(messages=[m for _, m in new], group=group)
    return sorted({r["number"] for r, _ in new})


def _remaining(today: dt.date, due: dt.date) -> int:
    from govhall.calendar import selectors as calendar

    return calendar.workdays_between(start=today, end=due).count
