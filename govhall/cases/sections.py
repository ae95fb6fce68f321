"""Sections the apps above cases add to the case page (电子监察预警, 督办 …) and to
the public progress page (评价本次服务).

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


# --------------------------------------------------------------------------- alerts

_ALERTS: list[tuple[int, CaseSection]] = []


def case_alert(order: int = 100):
    """Register ``fn(request, case) -> {"id", "template", "context"} | None``: a warning
    the staff must not miss, shown at the top of the case page and on the window desk's
    notice screen (第3步, not printed) — the 警示信息库 of an applicant (licences)."""

    def register(fn: CaseSection) -> CaseSection:
        if fn not in [f for _, f in _ALERTS]:
            _ALERTS.append((order, fn))
            _ALERTS.sort(key=lambda s: s[0])
        return fn

    return register


def alerts_for(request, case) -> list[dict]:
    return [s for _, fn in _ALERTS if (s := fn(request, case)) is not None]


# --------------------------------------------------------------------------- progress page

_PROGRESS: list[tuple[int, CaseSection]] = []


def progress_page_section(order: int = 100):
    """Register ``fn(request, progress) -> {"id", "title", "template", "context"} |
    None`` for the public 办件进度 page, shown once the applicant has proved the case
    is theirs (受理编号 + phone tail). ``progress`` is what the page shows
    (``selectors.public_progress``: nothing personal); ``request.GET`` holds ``via``
    (``qr`` when the QR code of a notice brought the applicant)."""

    def register(fn: CaseSection) -> CaseSection:
        if fn not in [f for _, f in _PROGRESS]:
            _PROGRESS.append((order, fn))
            _PROGRESS.sort(key=lambda s: s[0])
        return fn

    return register


def progress_sections_for(request, progress: dict) -> list[dict]:
    return [s for _, fn in _PROGRESS if (s := fn(request, progress)) is not None]
