"""The tasks of the notifier (``core.tasks``: delivery id, retries with back-off, dead
letters): the drain of the outbox, and a notification's own task once a send failed."""

from __future__ import annotations

from govhall.core.tasks import reliable_task

from . import services

MAX_ATTEMPTS = 5


@reliable_task(max_attempts=MAX_ATTEMPTS)
def drain_notifications(*, delivery_id: str) -> dict:
    """Send a batch of queued notifications (``services.drain``)."""
    return services.drain()


@reliable_task(max_attempts=MAX_ATTEMPTS, on_failure=services.note_failure)
def send_notifications(*, delivery_id: str, ids: list[int]) -> dict:
    """Send notifications a drain could not send (``services.deliver``)."""
    return services.deliver(ids=ids)
