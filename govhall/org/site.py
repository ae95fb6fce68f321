"""The site's name, from the data: the county centre's (issue 8 §5).

Registered with ``core.context_processors.site_names_from`` in ``OrgConfig.ready``.
"""

from __future__ import annotations

from .models import Centre, Level


def county_centre_name() -> str | None:
    """The name of the active county-level centre (the root of the tree), or None."""
    return (
        Centre.objects.filter(level=Level.COUNTY, parent__isnull=True, is_active=True)
        .order_by("code")
        .values_list("name", flat=True)
        .first()
    )


def county_centre_phone() -> str:
    """The 咨询电话 of the active county-level centre ("" when none): what the finder's
    pages offer when a search finds nothing."""
    return (
        Centre.objects.filter(level=Level.COUNTY, parent__isnull=True, is_active=True)
        .order_by("code")
        .values_list("phone", flat=True)
        .first()
        or ""
    )


CENTRE_SUFFIXES = ("政务服务中心", "行政审批服务中心", "便民服务中心")


def county_name() -> str | None:
    """The county (旗/县/区) the installation serves, from its county centre's name
    (乌审旗政务服务中心 → 乌审旗): notices name its 人民政府 and 人民法院."""
    name = county_centre_name()
    if not name:
        return None
    for suffix in CENTRE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return None
