"""The morning run of 人员管理 as a reliable task (``core.tasks``; docs/tasks.md)."""

from __future__ import annotations

import datetime as dt

from govhall.core import tasks as core_tasks


@core_tasks.reliable_task(max_attempts=5)
def run_daily(*, delivery_id: str, day: str):
    """人员管理 morning run for ``day`` (ISO date)."""
    from . import services

    return services.run_daily(day=dt.date.fromisoformat(day))


def enqueue_daily(*, day: dt.date) -> None:
    core_tasks.enqueue(run_daily, delivery_id=f"staff:daily:{day.isoformat()}", day=day.isoformat())
