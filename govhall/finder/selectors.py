"""The finder (说说您要办什么): from a citizen's own words to the guides that answer them.

One function, :func:`find`, for every channel — the portal's search box, the window
desk's item search, the ticket kiosk and the API — so an answer is the same wherever
it is asked (R-FIND-1). Ranking is hybrid (R-FIND-2):

1. **Words.** A code, a name, a 俗称/keyword or a result name found in the query (or
   the query found in a name) scores by how much of the query it covers: typing the
   name or the keyword exactly puts that item first; a generic word inside a long
   sentence (户口 in 老人过世了户口怎么办) only nudges.
2. **Pinyin.** Latin letters are read as 全拼 (hukou, shebaoka, also a prefix of four
   letters or more) or 首字母 (sbk, three letters or more) of names and keywords.
3. **Meaning.** The query's embedding against each guide's (name, keywords, result,
   主题, department, conditions, materials), scaled so that unrelated guides score 0.

A guide is shown when its words match or its meaning is close enough (``SIM_SHOWN``),
and near the best (``BAND``). When nothing qualifies the answer says so and offers the
consultation phone and 12345 (R-FIND-3) instead of unrelated items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Prefetch

from govhall.catalog.models import ItemVersion, LifeEvent
from govhall.catalog.selectors import ACCEPTING
from govhall.core.errors import ValidationFailed

from . import embedding, text
from .index import Index, bm25_scores, current, pinyin_prefixed

# Weights of a word hit that covers the whole query (a partial one scales down with
# coverage ** COVERAGE_POWER). Above 1: an exact hit outranks any meaning-only hit.
WEIGHTS = {
    "code": 3.0,
    "name": 2.4,
    "stem": 2.1,
    "keywords": 2.0,
    "result": 1.5,
    "pinyin": 1.8,
    "sound": 1.4,
}
COVERAGE_POWER = 2.0
NAME_CONTAINS = 2.0  # the query is part of a name (食品经营 → 食品经营许可)
SIMILAR_NAME = 0.9  # most of a short query's character pairs are in a name (typos)
# Cosine similarity of e5 → a 0..1 meaning score: below SIM_FLOOR counts as 0.
SIM_FLOOR = 0.80
SIM_CEILING = 0.92
SIM_SHOWN = 0.845  # a meaning-only hit must reach this to be shown at all
WORDS_SHOWN = 0.25  # a word hit below this (a generic word in a sentence) needs meaning
BAND = 0.45  # shown only within this of the best score
LIMIT_MAX = 50
BM25_WEIGHT = 0.3  # the guide's own words (conditions, materials too), best row = 1


@dataclass(frozen=True)
class Reason:
    """Why a guide matched: ``field`` (code, name, keywords, result, pinyin, similar,
    meaning), its Chinese label and the words."""

    field: str
    label: str
    words: str = ""

    def __str__(self):
        return f"{self.label}：{self.words}" if self.words else self.label


@dataclass
class Hit:
    version: ItemVersion
    score: float
    similarity: float
    reasons: list[Reason]

    @property
    def item(self):
        return self.version.item

    @property
    def life_events(self) -> list[LifeEvent]:
        return list(self.version.item.life_events.all())


@dataclass
class Finding:
    query: str
    hits: list[Hit] = field(default_factory=list)
    search_id: int | None = None

    @property
    def found(self) -> bool:
        return bool(self.hits)

    @property
    def life_events(self) -> list[LifeEvent]:
        """主题 of the first hits, the most shared first: what the page offers."""
        counts: Counter = Counter()
        events = {}
        for hit in self.hits[:5]:
            for event in hit.life_events:
                counts[event.pk] += 1
                events[event.pk] = event
        return [events[pk] for pk, _ in counts.most_common(3)]


LABELS = {
    "code": "事项编码",
    "name": "事项名称",
    "stem": "事项名称",
    "keywords": "俗称/关键词",
    "result": "办理结果",
    "pinyin": "拼音",
    "similar": "名称相近",
    "sound": "读音相近",
    "meaning": "意思相近",
}


def clean_query(q) -> str:
    """The query as typed, bounded: more than ``QUERY_MAX`` characters is refused with
    ``query_too_long`` (the boxes have maxlength; the API says so)."""
    if q is None:
        return ""
    if not isinstance(q, str):
        raise ValidationFailed("检索内容格式不正确", code="invalid", fields={"q": ["格式不正确"]})
    q = q.replace("\x00", "").strip()
    if len(q) > text.QUERY_MAX:
        raise ValidationFailed(
            f"检索内容最多{text.QUERY_MAX}个字，请说得简短些",
            code="query_too_long",
            fields={"q": [f"最多{text.QUERY_MAX}个字"]},
        )
    return q


def _word_hits(index: Index, query: str) -> dict[int, list[tuple[float, Reason]]]:
    hits: dict[int, list[tuple[float, Reason]]] = defaultdict(list)
    compact = text.compact(query)
    length = len(compact)
    if not length:
        return hits

    def cover(matched: int) -> float:
        return min(1.0, matched / length) ** COVERAGE_POWER

    code = text.code_like(query)
    for row in index.codes_map.get(code, []) if code else []:
        hits[row].append((WEIGHTS["code"], Reason("code", LABELS["code"], code)))
    # terms found in the query (every substring of two characters or more)
    for size in range(min(length, 40), 1, -1):
        for start in range(length - size + 1):
            for row, kind in index.terms.get(compact[start : start + size], ()):
                sub = compact[start : start + size]
                hits[row].append((WEIGHTS[kind] * cover(size), Reason(kind, LABELS[kind], sub)))
    if text.has_han(compact) and length >= 2:
        grams = [compact[i : i + 2] for i in range(length - 1)]
        postings = [index.name_bigrams.get(g, []) for g in set(grams)]
        # the query inside a name
        if all(postings):
            for row in set.intersection(*(set(p) for p in postings)):
                name = index.compact_names[row]
                if compact in name and compact != name:
                    weight = NAME_CONTAINS * (0.5 + 0.5 * length / len(name))
                    hits[row].append((weight, Reason("name", LABELS["name"], compact)))
        # most of a short query's pairs in one name: a typo (营业执招, 结昏登记)
        if 3 <= length <= 8:
            counts: Counter = Counter()
            unique = set(grams)
            for gram in unique:
                rows = index.name_bigrams.get(gram, [])
                if len(rows) <= 1000:
                    counts.update(rows)
            need = max(2, int(0.6 * len(unique) + 0.999))
            for row, shared in counts.items():
                if shared >= need and compact not in index.names[row]:
                    weight = SIMILAR_NAME * shared / len(unique)
                    hits[row].append((weight, Reason("similar", LABELS["similar"], "")))
    latin = text.latin_words(query)
    if latin:
        _pinyin_hits(index, hits, latin)
    if text.has_han(compact):
        _homophone_hits(index, hits, compact)
    return hits


def _pinyin_hits(index: Index, hits, latin: list[str]) -> None:
    """Latin letters as pinyin: a term's 全拼 (or its first four letters or more), a
    term's 首字母 (three letters or more), or a piece of a name's 全拼 / 首字母."""
    letters = sum(len(w) for w in latin)
    words = set(latin)
    if len(latin) > 1:
        words.add("".join(latin))  # she bao ka → shebaoka
    weight_of = WEIGHTS["pinyin"]
    for word in words:
        share = min(1.0, len(word) / letters)
        found: dict[int, tuple[float, str]] = {}

        def keep(row, weight, term, found=found):
            if weight > found.get(row, (0.0, ""))[0]:
                found[row] = (weight, term)

        if len(word) >= 2:
            for pinyin, row, term in pinyin_prefixed(index, word):
                if pinyin == word:
                    keep(row, weight_of * share, term)
                elif len(word) >= 4:
                    keep(row, weight_of * share * 0.8 * (len(word) / len(pinyin)) ** 0.5, term)
        if len(word) >= 3:
            for row, term in index.pinyin_initials.get(word, ()):
                keep(row, weight_of * share * 0.9, term)
            for row, (full, initials) in enumerate(index.name_pinyin):
                if len(word) >= 4 and word in full:
                    keep(row, weight_of * share * 0.85, index.names[row])
                elif word in initials:
                    keep(row, weight_of * share * 0.75, index.names[row])
        for row, (weight, term) in found.items():
            hits[row].append((weight, Reason("pinyin", LABELS["pinyin"], term)))


def _homophone_hits(index: Index, hits, compact: str) -> None:
    """同音错字: pieces of the query read in pinyin that sound like a term or a name
    (社保咔 → 社保卡, 身分证 → 身份证, 结昏登记 → 内地居民结婚登记). Three characters or
    more (two when that is the whole query); a piece spelt right is already a word hit."""
    sounds = text.syllables(compact)
    length = len(compact)
    shortest = 2 if length <= 3 else 3
    for size in range(min(length, 8), shortest - 1, -1):
        for start in range(length - size + 1):
            piece = compact[start : start + size]
            if piece in index.terms:
                continue
            spoken = "".join(sounds[start : start + size])
            for row, term, kind in index.pinyin_exact.get(spoken, ()):
                if term != piece:
                    weight = WEIGHTS["sound"] * min(1.0, size / length) ** COVERAGE_POWER
                    weight *= WEIGHTS[kind] / WEIGHTS["name"] if kind in ("name", "stem") else 1
                    hits[row].append((weight, Reason("sound", LABELS["sound"], term)))
    if 3 <= length <= 8:
        spoken = "".join(sounds)
        for row, (full, _initials) in enumerate(index.name_pinyin):
            if spoken in full and compact not in index.names[row]:
                hits[row].append(
                    (WEIGHTS["sound"] * 0.9, Reason("sound", LABELS["sound"], index.names[row]))
                )


def _meaning_reason(fields: dict, query: str) -> Reason:
    """Which guide field shares the longest pieces of the query, and which pieces."""
    compact = text.compact(query)
    best, best_words = "", []
    for key in ("name", "keywords", "result", "life_events", "conditions", "materials"):
        words = text.shared_words(compact, fields.get(key) or "")
        if sum(map(len, words)) > sum(map(len, best_words)):
            best, best_words = key, words
    if not best:
        return Reason("meaning", LABELS["meaning"], "")
    return Reason(
        "meaning", LABELS["meaning"], f"{text.FIELD_LABELS[best]}含“{'、'.join(best_words)}”"
    )


@dataclass
class Ranking:
    """The rows shown for a query, best first, as (row, score, cosine); the reasons are
    worked out only for the rows a caller keeps (:meth:`reasons`)."""

    query: str
    rows: list[tuple[int, float, float]]
    words: dict[int, list[tuple[float, Reason]]]
    meaning: np.ndarray
    fields: list[dict]

    def reasons(self, row: int) -> list[Reason]:
        reasons: list[Reason] = []
        for _, reason in sorted(self.words.get(row, []), key=lambda x: -x[0]):
            # 出生证 after 出生证明 of the same field says nothing new
            if not any(r.label == reason.label and reason.words in r.words for r in reasons):
                reasons.append(reason)
        if self.meaning[row] > 0.25 and len(reasons) < 3:
            reasons.append(_meaning_reason(self.fields[row], self.query))
        return reasons[:3]


def rank(index: Index, query: str, *, use_meaning: bool = True) -> Ranking:
    """The rows shown for ``query``, best first (at most ``LIMIT_MAX``)."""
    empty = Ranking(query, [], {}, np.zeros(0), [])
    if not index.size:
        return empty
    words = _word_hits(index, query)
    if use_meaning and index.has_vector.any():
        similarity = index.matrix @ embedding.encode_query(query)
    else:
        similarity = np.zeros(index.size, dtype=np.float32)
    meaning = np.clip((similarity - SIM_FLOOR) / (SIM_CEILING - SIM_FLOOR), 0.0, 1.0)
    lexical = np.zeros(index.size)
    for row, found in words.items():
        weights = sorted((w for w, _ in found), reverse=True)
        lexical[row] = weights[0] + 0.1 * min(1.0, sum(weights[1:]))
    scores = meaning + lexical + BM25_WEIGHT * bm25_scores(index, query)
    eligible = (lexical >= WORDS_SHOWN) | (similarity >= SIM_SHOWN)
    if not eligible.any():
        return empty
    scores = np.where(eligible, scores, -1.0)
    count = min(LIMIT_MAX, int(eligible.sum()))
    top = np.argpartition(-scores, count - 1)[:count]
    # best first; equal scores in catalogue order, so every database gives one order
    order = top[np.lexsort((top, -scores[top]))]
    best = scores[order[0]]
    rows = [
        (int(row), float(scores[row]), float(similarity[row]))
        for row in order
        if scores[row] >= best - BAND
    ]
    return Ranking(query, rows, words, meaning, index.fields)


def find(
    *,
    q,
    channel: str = "api",
    limit: int = 10,
    accepting_only: bool = False,
    log: bool = True,
    use_meaning: bool = True,
) -> Finding:
    """The guides in force that answer ``q`` (at most ``limit``), best first, each
    with its score and reasons; logged as a :class:`~govhall.finder.models.Search`
    (without personal data) unless ``log`` is False. ``accepting_only``: only items
    the hall accepts now (the window desk)."""
    from . import services

    raw = clean_query(q)
    query = text.with_english(text.normalise(raw))
    limit = max(1, min(int(limit), LIMIT_MAX))
    finding = Finding(query=raw)
    if not query:
        return finding
    index = current()
    ranking = rank(index, query, use_meaning=use_meaning)
    wanted = [int(index.version_ids[row]) for row, *_ in ranking.rows]
    versions = ItemVersion.objects.filter(pk__in=wanted).select_related("item__department")
    if accepting_only:
        versions = versions.filter(ACCEPTING)
    versions = versions.prefetch_related(
        Prefetch("item__life_events", queryset=LifeEvent.objects.order_by("audience", "order"))
    )
    by_id = {v.pk: v for v in versions}
    for row, score, similarity in ranking.rows:
        version = by_id.get(int(index.version_ids[row]))
        if version is not None:
            reasons = ranking.reasons(row)
            finding.hits.append(Hit(version, round(score, 4), round(similarity, 4), reasons))
        if len(finding.hits) >= limit:
            break
    if log:
        top = finding.hits[0].score if finding.hits else None
        search = services.log_search(
            query=raw,
            channel=channel,
            hits=[h.item.implementation_code for h in finding.hits],
            top_score=top,
        )
        finding.search_id = search.pk
    return finding
