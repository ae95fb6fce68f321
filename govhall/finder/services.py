"""Writes of the finder: encoding published guides, the search log, and the keyword
the centre adds to an item from a search that found nothing.

A guide is encoded when it is published (``receivers``: the catalogue's
``guides_published`` signal queues :func:`index_versions` as a task), by the morning
run for any version still without a vector (:func:`index_missing`), and all at once
by ``manage.py reindex_finder`` when the model changes (:func:`reindex`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Prefetch

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog import services as catalog_services
from govhall.catalog.models import Item, ItemVersion, LifeEvent, Material, VersionStatus
from govhall.core import actors, audit, clock
from govhall.core.errors import NotFound, ValidationFailed
from govhall.core.validators import clean_text

from . import embedding, text
from .models import Channel, GuideVector, Search

ADD_KEYWORD = audit.Action("finder.search.add_keyword", "补充检索关键词")
KEYWORD_MAX = 20


def _versions(ids: Iterable[int]):
    return (
        ItemVersion.objects.filter(pk__in=list(ids), status=VersionStatus.PUBLISHED)
        .select_related("item__department")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("order", "pk")),
            Prefetch("item__life_events", queryset=LifeEvent.objects.order_by("order")),
        )
    )


def fields_of(version: ItemVersion) -> dict[str, str]:
    """The guide fields the finder encodes for ``version``."""
    return text.guide_fields(
        name=version.name,
        keywords=version.keywords,
        result=version.result_name,
        life_events=[e.name for e in version.item.life_events.all()],
        department=version.item.department.name,
        conditions=version.conditions,
        materials=[m.name for m in version.materials.all()],
    )


def _encode(versions: list[ItemVersion]) -> list[GuideVector]:
    fields = [fields_of(v) for v in versions]
    vectors = embedding.encode_passages([text.passage(f) for f in fields])
    now = clock.now()
    return [
        GuideVector(
            version=v,
            item_id=v.item_id,
            model=embedding.MODEL_NAME,
            vector=embedding.to_bytes(vector),
            fields=f,
            terms=text.terms(name=v.name, keywords=v.keywords, result=v.result_name),
            encoded_at=now,
        )
        for v, f, vector in zip(versions, fields, vectors, strict=True)
    ]


def index_versions(*, version_ids: Iterable[int], batch: int = 256, again: bool = False) -> int:
    """Encode the published versions among ``version_ids`` that have no vector of the
    current model yet (a second call is a no-op), or all of them when ``again``; each
    batch's old vectors are replaced in the transaction that writes the new ones.
    Returns how many were encoded."""
    ids = set(version_ids)
    done = set()
    if not again:
        done = set(
            GuideVector.objects.filter(version_id__in=ids, model=embedding.MODEL_NAME).values_list(
                "version_id", flat=True
            )
        )
    todo = sorted(ids - done)
    count = 0
    for start in range(0, len(todo), batch):
        chunk = list(_versions(todo[start : start + batch]))
        rows = _encode(chunk)
        with transaction.atomic():
            GuideVector.objects.filter(version_id__in=[r.version_id for r in rows]).delete()
            GuideVector.objects.bulk_create(rows, batch_size=500)
        count += len(rows)
    return count


def index_missing() -> int:
    """Encode every published version without a vector of the current model (the
    morning run, and the end of the demo load)."""
    have = GuideVector.objects.filter(model=embedding.MODEL_NAME).values("version_id")
    ids = ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).exclude(pk__in=have)
    return index_versions(version_ids=ids.values_list("pk", flat=True))


def reindex(
    *, only_current: bool = False, progress: Callable[[int, int], None] | None = None
) -> dict:
    """重建索引: encode every published version again (all, or those in force), e.g.
    after a model change. Old vectors are replaced batch by batch, so the finder keeps
    answering meanwhile. Returns counts and seconds."""
    started = time.monotonic()
    versions = ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
    if only_current:
        versions = catalog_selectors.current_versions()
    ids = list(versions.order_by("pk").values_list("pk", flat=True))
    GuideVector.objects.exclude(model=embedding.MODEL_NAME).delete()
    done = 0
    for start in range(0, len(ids), 256):
        done += index_versions(version_ids=ids[start : start + 256], again=True)
        if progress:
            progress(done, len(ids))
    return {"encoded": done, "seconds": round(time.monotonic() - started, 1)}


def log_search(*, query: str, channel: str, hits: list[str], top_score: float | None) -> Search:
    """检索记录: the query without personal data, the first five hits."""
    return Search.objects.create(
        text=text.redact(query)[: text.QUERY_MAX],
        channel=channel if channel in Channel.values else Channel.API,
        created_at=clock.now(),
        found=bool(hits),
        hits=hits[:5],
        top_score=None if top_score is None else round(float(top_score), 4),
    )


def record_opened(*, search_id, item: Item) -> None:
    """The person opened ``item``'s guide from search ``search_id`` (the first one
    opened counts; an unknown or foreign id is ignored: it came from a URL)."""
    try:
        search_id = int(search_id)
    except (TypeError, ValueError):
        return
    if not 0 < search_id < 2**63:
        return
    Search.objects.filter(pk=search_id, opened_item__isnull=True).update(
        opened_item=item, opened_at=clock.now()
    )


@transaction.atomic
def add_keyword(*, actor, search: Search, item: Item, keyword: str) -> ItemVersion:
    """补充关键词: put ``keyword`` into ``item``'s draft (started from the version in
    force when there is none), so the next 发布 — through the normal review — makes
    the item findable by it. The search is marked handled. Returns the draft."""
    keyword = clean_text(keyword, field="keyword", label="关键词", limit=KEYWORD_MAX)
    if " " in keyword:
        raise ValidationFailed(
            "关键词中不能有空格（一次补充一个词）",
            code="invalid_keyword",
            fields={"keyword": ["不能有空格"]},
        )
    draft = item.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        draft = catalog_services.start_draft(actor=actor, item=item)
    words = draft.keywords.split()
    if keyword not in words:
        joined = " ".join([*words, keyword])
        limit = ItemVersion._meta.get_field("keywords").max_length
        if len(joined) > limit:
            raise ValidationFailed(
                f"该事项的检索关键词已满（最多{limit}字），请先在草稿中精简",
                code="keywords_full",
                fields={"keyword": ["关键词已满"]},
            )
        draft = catalog_services.save_draft(
            actor=actor,
            version=draft,
            guide={"keywords": joined},
            reason=f"检索记录“{search.text}”：补充关键词“{keyword}”",
        )
    search = Search.objects.select_for_update().get(pk=search.pk)
    search.keyword_added = keyword
    search.handled_by = actors.actor_user(actor)
    search.handled_at = clock.now()
    search.save(update_fields=["keyword_added", "handled_by", "handled_at"])
    audit.record(
        actor=actor,
        action=ADD_KEYWORD,
        obj=item,
        changes={"keywords": [" ".join(words), draft.keywords]},
        reason=f"检索记录 #{search.pk}：{search.text}",
    )
    return draft


def get_search(*, pk) -> Search:
    try:
        return Search.objects.get(pk=int(pk))
    except (Search.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound("检索记录不存在", code="search_not_found")
