"""Sections the apps above cases add to the case page (电子监察预警, 督办 …).

``cases`` imports none of them: an app registers ``fn(request, case) -> dict | None``
with :func:`case_page_section` (at start-up, from its ``AppConfig.ready``) and the page
shows what it returns: ``{"id", "title", "template", "context"}`` — the template is
included with ``section`` bound to the context. ``None`` shows nothing (the user may
not see it, or there is nothing to show).
"""

from __future__ import annotations

from collections.abc import Callable

CaseSection = Callable[..., dict | None]
_SECTIONS: list[tuple[int, CaseSection]] = []


def case_page_section(order: int = 100):
    def register(fn: CaseSection) -> CaseSection:
        if fn not in [f for _, f in _SECTIONS]:
            _SECTIONS.append((order, fn))
            _SECTIONS.sort(key=lambda s: s[0])
        return fn

    return register


def sections_for(request, case) -> list[dict]:
    """The registered sections that have something for ``request.user`` on ``case``."""
    return [s for _, fn in _SECTIONS if (s := fn(request, case)) is not None]
