"""The demo's dead letter (死信, issue 9 §1): one background task that failed every
attempt, for the staff page 后台任务 (/staff/org/tasks/) to show.

It is made by the real mechanism: :func:`push_to_supervision` is a reliable task that
POSTs a decision to a supervising department's platform; the demo's endpoint does not
answer (nothing listens on the discard port), so each attempt fails with the real
connection error, the delivery is retried with the real back-off (the demo clock
steps over each wait) and is dead after its last attempt. ``manage.py load_demo``
calls :func:`load_demo_dead_letter` (govhall/demo/loaders.py).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

from . import clock, tasks
from .models import TaskDelivery

UNREACHABLE = "http://127.0.0.1:9/api/supervision/results"  # port 9: nothing answers


@tasks.reliable_task(max_attempts=5)
def push_to_supervision(
    *, delivery_id: str, endpoint: str, case_number: str, department: str, result: str
):
    """推送办理结果至监管平台: POST the decision of a case to the supervising
    department's endpoint (JSON, the delivery id as the idempotency key)."""
    body = json.dumps(
        {"case_number": case_number, "department": department, "result": result},
        ensure_ascii=False,
    ).encode()
    request = urllib.request.Request(
        endpoint,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": delivery_id},
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (http on purpose)
        return {"status": response.status}


def load_demo_dead_letter(
    *, case_number: str = "演示办件", department: str = "市场监督管理局", result: str = "准予许可"
) -> int:
    """Make the demo's one dead delivery (a push of ``case_number``'s decision that
    never got through); 1 if made now, 0 if it was there already."""
    delivery_id = f"demo:supervision-push:{case_number}"
    if TaskDelivery.objects.filter(delivery_id=delivery_id).exists():
        return 0
    spec = tasks.spec_of(push_to_supervision)
    with clock.frozen(clock.now() - sum_of_waits(spec.max_attempts)):
        tasks.enqueue(
            push_to_supervision,
            delivery_id=delivery_id,
            endpoint=UNREACHABLE,
            case_number=case_number,
            department=department,
            result=result,
        )
        # What a worker would do over the next quarter of an hour, now: each attempt
        # as the worker runs it, after the wait the back-off sets (the task rows a
        # database worker finds later see the delivery dead and do nothing).
        for number in range(1, spec.max_attempts + 1):
            outcome = tasks.attempt(spec, delivery_id, retry_task=None)
            if outcome.state != TaskDelivery.State.PENDING:
                break
            clock.advance(seconds=tasks.retry_delay(number).total_seconds())
    return 1


def sum_of_waits(attempts: int) -> dt.timedelta:
    """The back-off waits between ``attempts`` attempts, added up."""
    return sum((tasks.retry_delay(n) for n in range(1, attempts)), dt.timedelta())
