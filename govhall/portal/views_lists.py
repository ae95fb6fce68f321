"""公开清单 on the portal (issue 13 §3): ``/lists/`` — every list with the date of the
version in force; ``/lists/<key>/`` — one list as last published (or, with
``?date=YYYY-MM-DD``, as published then), its changes since the publication before,
the history of its publications (entries added and removed each time), a search box;
``/lists/<key>/excel/`` — the same as an Excel workbook. Read-only; no personal data
(the lists name items, departments and laws). Reads are ``lists.selectors``."""

from __future__ import annotations

import datetime as dt
import io

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from govhall.core import clock
from govhall.core.errors import NotFound
from govhall.lists import excel, registry, selectors

from .views import not_found

PAGE_SIZE = 50
HISTORY_NAMES = 10  # entries named per publication in the history (then “等N项”)
ITEM_LISTS = {s.key for s in registry.SPECS if s.columns[0] == registry.CODE}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def _shown(key: str, value: str | None):
    """(spec, publication, rows, day) of the list as shown: the publication in force
    on ``day`` (default today); the catalogue as it is when nothing was published yet."""
    spec = registry.get(key)
    day = _day(value)
    publication = selectors.published_on(key=key, day=day or clock.today())
    if publication is not None:
        return spec, publication, publication.rows, day
    return spec, None, ([] if day else spec.rows(on=clock.today())), day


def list_index(request):
    return render(request, "portal/lists_index.html", {"lists": selectors.index()})


def _named(spec, rows: list, limit: int = HISTORY_NAMES) -> dict:
    return {"names": [spec.label_of(r) for r in rows[:limit]], "more": max(0, len(rows) - limit)}


def list_page(request, key: str):
    try:
        spec, publication, rows, day = _shown(key, request.GET.get("date"))
    except NotFound as exc:
        return not_found(request, exc.message)
    q = request.GET.get("q", "").strip()[:100]
    found = selectors.search(rows, q)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    history = []
    for p in selectors.publications(key=key)[:50]:
        changes = p.changes or {}
        history.append(
            {
                "p": p,
                "added": _named(spec, changes.get("added", [])),
                "removed": _named(spec, changes.get("removed", [])),
                "changed": _named(spec, [c["after"] for c in changes.get("changed", [])]),
            }
        )
    changes = (publication.changes or {}) if publication else {}
    since = {}
    if spec.dated and publication is not None:
        dates = selectors.entry_dates(publication=publication)
        since = {id(row): dates.get(spec.identity_of(row)) for row in page}
    return render(
        request,
        "portal/list_page.html",
        {
            "spec": spec,
            "publication": publication,
            "day": day,
            "page": page,
            "page_rows": [(row, since.get(id(row))) for row in page],
            "dated": spec.dated and publication is not None,
            "q": q,
            "keep": keep.urlencode(),
            "total": len(rows),
            "found": len(found),
            "history": history,
            "added": changes.get("added", []),
            "removed": changes.get("removed", []),
            "changed": changes.get("changed", []),
            "link": "item" if key in ITEM_LISTS else ("bundle" if key == "bundles" else ""),
        },
    )


def list_excel(request, key: str):
    try:
        spec, publication, rows, _day_shown = _shown(key, request.GET.get("date"))
    except NotFound as exc:
        return not_found(request, exc.message)
    stream = io.BytesIO()
    excel.write_list(stream=stream, spec=spec, rows=rows, publication=publication)
    day = publication.published_on if publication else clock.today()
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=excel.filename(spec, day)
    )
    return response
