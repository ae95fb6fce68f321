"""What the apps above cases say about an applicant at 受理 (registered at start-up,
``cases`` imports none of them):

* :func:`tolerance_barrier` — ``fn(case) -> str | None``: why this applicant may not
  have 容缺受理 (the licences app: a subject on the 警示信息库, standards.md 容缺受理).
  ``guards.tolerance_allowed`` refuses with the first reason given, on every channel.

The window's warning when accepting any case of such a subject is a case page section
of the app that knows (``cases.sections``).
"""

from __future__ import annotations

from collections.abc import Callable

Barrier = Callable[..., str | None]
_TOLERANCE: list[Barrier] = []


def tolerance_barrier(fn: Barrier) -> Barrier:
    if fn not in _TOLERANCE:
        _TOLERANCE.append(fn)
    return fn


def tolerance_barred(case) -> str | None:
    """The first registered reason why ``case``'s applicant gets no 容缺受理."""
    for fn in _TOLERANCE:
        reason = fn(case)
        if reason:
            return reason
    return None
