"""公众门户 (政务服务网) pages: home, 事项目录, 办事指南 (the lists, 负面清单 among
them, are ``views_lists``).

Public and read-only: no login, no writes. Views parse the query string, ask
``portal.selectors`` and render; a missing item or version renders the Chinese
404 page instead of Django's English one.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render

from govhall.catalog import files as catalog_files
from govhall.catalog.models import ItemType
from govhall.core.errors import NotFound, ValidationFailed
from govhall.finder import services as finder_services
from govhall.finder import throttle as finder_throttle
from govhall.org import selectors as org_selectors
from govhall.org.models import Level

from . import selectors

PAGE_SIZE = 20


def not_found(request, message: str = "您访问的页面不存在。"):
    return render(request, "portal/404.html", {"message": message}, status=404)


def home(request):
    """首页: search box and the three ways to browse (部门, 事项类型, 主题)."""
    return render(
        request,
        "portal/home.html",
        {
            "departments": selectors.department_facets(),
            "types": selectors.type_facets(),
            "life_events": selectors.life_event_facets(),
            "negative_count": selectors.negative_list_count(),
        },
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def item_list(request):
    """事项目录: with ``q``, the finder's answer (说说您要办什么) — each hit with why it
    matched and its 主题, and the consultation phone and 12345 (alone when nothing matches)
    instead of unrelated items; without ``q``, the catalogue browsed. The department
    / type / life event / level filters apply to both."""
    params = request.GET
    q = params.get("q", "").strip()
    department_id = _int_or_none(params.get("department"))
    type_ = params.get("type", "")
    type_ = type_ if type_ in ItemType.values else ""
    level = params.get("level", "")
    level = level if level in Level.values else ""
    life_event = params.get("life_event", "")[:50]
    filters = {"department_id": department_id, "type": type_, "life_event": life_event}
    filters["level"] = level
    found, error, page = None, "", None
    if q and finder_throttle.exceeded(request):
        error = finder_throttle.MESSAGE
    elif q:
        try:
            found = selectors.find_items(q=q, **filters)
        except ValidationFailed as exc:
            error = exc.message
    else:
        versions = selectors.catalogue(**filters)
        page = Paginator(versions, PAGE_SIZE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/item_list.html",
        {
            "page": page,
            "found": found,
            "error": error,
            "q": q,
            "phone": selectors.consultation_phone() if found else "",
            "filters": {
                "department": department_id,
                "type": type_,
                "life_event": life_event,
                "level": level,
            },
            "departments": org_selectors.department_list(),
            "types": ItemType.choices,
            "levels": Level.choices,
            "life_events": selectors.life_event_choices(),
            "querystring": query.urlencode(),
        },
    )


def item_detail(request, code: str, number: int | None = None):
    """办事指南: the current version, or (``/v/<n>/``) an older one with a notice."""
    try:
        guide = selectors.guide(code=code, number=number)
    except NotFound as exc:
        return not_found(request, exc.message)
    if request.GET.get("fq"):  # opened from the finder's results: the search log says so
        finder_services.record_opened(search_id=request.GET["fq"], item=guide.item)
    return render(request, "portal/item_detail.html", {"guide": guide, "v": guide.version})


def catalog_file(request, key: str):
    """示范文本 / 空白表格 / 结果样本 of a published guide, as a download."""
    try:
        stored = catalog_files.public_file(key=key)
    except NotFound as exc:
        return not_found(request, exc.message)
    return FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.name,
        content_type=stored.content_type,
    )


def bundle_list(request):
    """一件事一次办: the bundles a citizen can apply for in one go."""
    return render(request, "portal/bundle_list.html", {"bundles": selectors.bundles()})


def bundle_detail(request, code: str):
    try:
        guide = selectors.bundle_guide(code=code)
    except NotFound as exc:
        return not_found(request, exc.message)
    return render(request, "portal/bundle_detail.html", {"g": guide})
