"""What the people of a case are told, and when (告知与提醒; issue 9 §2).

``enqueue_for`` is called by ``services.events.announce`` for every event of a case
(申请, every transition, 视为受理), *inside* the transaction that writes it: the
messages it enqueues are committed or rolled back with the change (docs/notifications.md).
"""

from __future__ import annotations


def enqueue_for(*, case, event) -> None:
    """Enqueue the notifications ``event`` causes (none yet: filled in by the
    notifications slice of issue 9)."""
    return None
