"""The send task (发送任务): one reliable task per group of notifications
(``core.tasks``: delivery id, retries with back-off, dead letters)."""

from __future__ import annotations

from govhall.core.tasks import reliable_task

from . import services

MAX_ATTEMPTS = 5


@reliable_task(max_attempts=MAX_ATTEMPTS, on_failure=services.note_failure)
def send_notifications(*, delivery_id: str, group: str, ids: list[int] | None = None) -> dict:
    """Send the queued notifications of ``group`` (``services.deliver``)."""
    return services.deliver(group=group, ids=ids)
