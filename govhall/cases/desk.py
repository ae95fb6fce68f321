"""Where the window desk's applicant can come from (取号叫号 → 收件).

An app above ``cases`` (the hall's queue) registers a :class:`DeskSource`: when the
window calls a person and opens the desk for them, the desk URLs carry
``?<param>=<id>`` and the desk asks the source for the person's data (the applicant
form's initial values, the items they came for) and tells it which case was
registered. ``cases`` knows no source by name; a source answers ``None`` for an id the
user may not use (not their window's ticket), so nothing leaks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.http import urlencode

from govhall.core.web import query_int


@dataclass(frozen=True)
class Prefill:
    """What the desk shows for a source's record: a banner, the applicant form's
    initial values, the ids of the items the person came for."""

    param: str
    ref: int
    label: str
    applicant: dict
    item_ids: tuple[int, ...] = ()

    @property
    def query(self) -> str:
        return "?" + urlencode({self.param: self.ref})


@dataclass(frozen=True)
class DeskSource:
    param: str
    prefill: Callable  # (request, ref: int) -> Prefill | None
    received: Callable  # (request, ref: int, case) -> None, in the 收件's transaction


_SOURCES: list[DeskSource] = []


def register(source: DeskSource) -> DeskSource:
    if source.param not in [s.param for s in _SOURCES]:
        _SOURCES.append(source)
    return source


def lookup(request) -> tuple[DeskSource, Prefill] | None:
    for source in _SOURCES:
        ref = query_int(request.GET.get(source.param))
        if ref is None:
            continue
        prefill = source.prefill(request, ref)
        if prefill is not None:
            return source, prefill
    return None
