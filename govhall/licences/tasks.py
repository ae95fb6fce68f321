"""Background work of 审管联动 (reliable tasks, ``core.tasks``; docs/tasks.md):

* :func:`deliver_push` — POST one 审批结果推送 to the supervising department's system,
  signed (``webhooks.sign``), the delivery id as ``Idempotency-Key``; any answer but
  2xx (or no answer) raises, so the attempt is retried with back-off and, after
  ``MAX_ATTEMPTS``, is a dead letter on 后台任务. Enqueued by ``services.push_decision``
  in the decision's transaction, delivery id ``licences:push:<case>:<department>``.
* :func:`run_daily` — the morning run (``services.run_daily``), queued once a day when
  the cases' daily rules are done (delivery ``licences:daily:<day>``).
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.error
import urllib.request

from govhall.core import clock
from govhall.core import tasks as core_tasks

from . import webhooks

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # 1+2+4+…+64 minutes of back-off: about two hours before a dead letter
TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    """The department's system did not take the push (its answer is in the message)."""


@core_tasks.reliable_task(max_attempts=MAX_ATTEMPTS)
def deliver_push(*, delivery_id: str, push_id: int):
    """推送审批结果至监管部门系统 (see the module docstring)."""
    from .models import Endpoint, ResultPush

    push = ResultPush.objects.select_related("department").get(pk=push_id)
    if push.delivered_at is not None:
        return {"status": "already delivered"}
    endpoint = Endpoint.objects.filter(department=push.department_id, is_active=True).first()
    if endpoint is None:
        return {"status": "no endpoint"}
    body = webhooks.body_of(push.payload)
    headers = webhooks.headers(secret=endpoint.secret, delivery_id=delivery_id, body=body)
    request = urllib.request.Request(endpoint.url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"{endpoint.url} 答复 HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryFailed(f"{endpoint.url} 无法连接：{exc}") from None
    if not 200 <= status < 300:
        raise DeliveryFailed(f"{endpoint.url} 答复 HTTP {status}")
    push.delivered_at = clock.now()
    push.save(update_fields=["delivered_at"])
    return {"status": status}


@core_tasks.reliable_task(max_attempts=5)
def run_daily(*, delivery_id: str, day: str):
    """审管联动 morning run for ``day`` (ISO date)."""
    from . import services

    return services.run_daily(day=dt.date.fromisoformat(day))


def enqueue_daily(*, day: dt.date) -> None:
    core_tasks.enqueue(
        run_daily, delivery_id=f"licences:daily:{day.isoformat()}", day=day.isoformat()
    )
