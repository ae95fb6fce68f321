"""What every page may show: the site's names and the signed-in staff member.

The names come from the data (the county centre's name, e.g. 乌审旗政务服务中心 →
portal 乌审旗政务服务网). ``core`` imports no app above it, so ``org`` registers the
function that reads them (:func:`site_names_from`, in ``OrgConfig.ready``); without one,
or without a centre, the generic names below are shown. The read happens only when a
template shows a name (one query).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.functional import SimpleLazyObject

# Shown before the centre exists (a fresh install) or when no app provides the names.
FALLBACK_CENTRE_NAME = "政务服务中心"

_centre_name: Callable[[], str | None] | None = None


def site_names_from(func: Callable[[], str | None]) -> Callable[[], str | None]:
    """Register ``func() -> the centre's name or None`` as the source of the site names."""
    global _centre_name
    _centre_name = func
    return func


def portal_name(centre_name: str | None) -> str:
    """乌审旗政务服务中心 → 乌审旗政务服务网; 某某行政服务中心 → 某某行政服务网."""
    if not centre_name:
        return "政务服务网"
    if centre_name.endswith("中心"):
        return centre_name.removesuffix("中心") + "网"
    return centre_name


def _names() -> dict[str, str]:
    centre = (_centre_name() if _centre_name else None) or FALLBACK_CENTRE_NAME
    return {"centre": centre, "portal": portal_name(centre), "staff": f"{centre}工作平台"}


def govhall(request):
    staff = getattr(request.user, "staff", None) if request.user.is_authenticated else None
    names = SimpleLazyObject(_names)
    return {
        "site_name": SimpleLazyObject(lambda: names["centre"]),
        "site_names": names,
        "current_staff": staff,
        # the nav dropdowns apps register (core.web.staff_nav_menu), built when shown
        "staff_menus": SimpleLazyObject(lambda: _menus(request)),
    }


def _menus(request) -> list[dict]:
    from . import web

    if not request.user.is_authenticated:
        return []
    return web.staff_nav_menus(request.user, request.path)
