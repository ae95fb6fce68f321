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
