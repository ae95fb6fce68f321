"""The hall's background work (docs/tasks.md): the morning close of yesterday's queue."""

from __future__ import annotations

import datetime as dt

from govhall.core import tasks as core_tasks


@core_tasks.reliable_task(max_attempts=5)
def close_day(*, delivery_id: str, day: str):
    """大厅日结 for ``day`` (ISO date): closes the tickets and appointments left open."""
    from . import services

    return services.close_day(day=dt.date.fromisoformat(day))


def enqueue_close_day(*, day: dt.date) -> None:
    core_tasks.enqueue(close_day, delivery_id=f"hall:close:{day.isoformat()}", day=day.isoformat())
