"""What a filing tells whom (queued in the write's transaction, sent after commit by
the notifier's drain, ``notifications.services.notify``):

* a 确认类 filing submitted or refiled → the inbox of its department's 首席代表 and
  审批人员, with the confirmation limit;
* confirmed → an SMS to the filer with the 备案编号; returned → an SMS with the reasons.

A 事后告知类 filing tells nobody: the filer has the number and the receipt on the spot.
"""

from __future__ import annotations

from django.urls import reverse

from govhall.notifications.models import Channel
from govhall.notifications.services import Message, Recipient, notify
from govhall.org.models import Staff

from .models import Filing
from .roles import DEPARTMENT_ROLES


def _ref(f: Filing) -> str:
    return f"filings.filing:{f.pk}"


def tell_department(f: Filing, *, event: str) -> int:
    people = Staff.objects.filter(
        is_active=True, department=f.department_id, role__in=DEPARTMENT_ROLES
    ).values_list("user_id", "name")
    messages = [
        Message(
            channel=Channel.INBOX,
            template="filings/to_confirm",
            to=Recipient(name=name, user_id=user_id),
            context={
                "tracking": f.tracking,
                "item": f.item_version.name,
                "filer": f.filer_name,
                "event": event,
                "due_date": f.due_date.isoformat() if f.due_date else "",
            },
            url=reverse("filings:detail", args=[f.ref]),
            key=f"{_ref(f)}:{f.version}:to_confirm:u{user_id}",
        )
        for user_id, name in people
    ]
    if not messages:
        return 0
    return notify(
        messages=messages, group=f"{_ref(f)}:{f.version}", ref=_ref(f), centre_id=f.centre_id
    )


def tell_filer(f: Filing, *, template: str, **context) -> int:
    return notify(
        messages=[
            Message(
                channel=Channel.SMS,
                template=f"filings/{template}",
                to=Recipient(name=f.filer_name, phone=f.phone),
                context={
                    "tracking": f.tracking,
                    "number": f.number or "",
                    "item": f.item_version.name,
                    "department": f.department.name,
                    **context,
                },
            )
        ],
        group=f"{_ref(f)}:{f.version}:{template}",
        ref=_ref(f),
        centre_id=f.centre_id,
    )


def after(f: Filing, *, action: str, inputs: dict) -> None:
    """What each step tells (``action``: submit, file, or a row of the table)."""
    if action == "submit":
        tell_department(f, event="已提交")
    elif action == "resubmit":
        tell_department(f, event="已补正并重新提交")
    elif action == "confirm":
        tell_filer(f, template="confirmed")
    elif action == "return":
        tell_filer(f, template="returned", reason=inputs.get("reason", "")[:200])
