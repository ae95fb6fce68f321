"""Signals of the working-day calendar.

``schedule_changed`` is sent with ``years=[...]`` after a year's schedule is entered
or a day is edited, inside the same transaction (so the recomputed deadlines commit or
roll back with the calendar change), so the cases app can recompute every deadline
that was computed provisionally (推算) or on the old schedule.
"""

import django.dispatch

schedule_changed = django.dispatch.Signal()  # kwargs: years: list[int]
