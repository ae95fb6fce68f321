"""The in-memory index the finder ranks in: every guide in force, its vector and its
lexical terms, held per process and rebuilt when the catalogue changes.

At 10,000 guides the matrix is 15 MB and one query's cosine scores take a few
milliseconds with NumPy; the lexical lookups are dictionary reads of the query's
substrings, so a query costs the same whatever the catalogue's size. A version in
force without a vector yet (published a moment ago, the worker not through) is still
found by its words.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Max

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import ItemVersion, VersionStatus
from govhall.core import clock

from . import embedding, text
from .models import GuideVector


@dataclass
class Index:
    key: tuple
    version_ids: np.ndarray
    codes: list[str]
    names: list[str]
    compact_names: list[str]  # normalised, without spaces: what a query is matched in
    matrix: np.ndarray  # n × 384; a zero row for a version without a vector
    has_vector: np.ndarray  # bool per row
    fields: list[dict]
    # lexical: term → [(row, field)]; code → [row]; pinyin (sorted) for prefix lookups
    terms: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    codes_map: dict[str, list[int]] = field(default_factory=dict)
    pinyin_full: list[tuple[str, int, str]] = field(default_factory=list)
    pinyin_initials: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    name_bigrams: dict[str, list[int]] = field(default_factory=dict)
    # 全拼 → [(row, term)] (homophone typos: 社保咔 reads as 社保卡); per row the name's
    # 全拼 and 首字母 (jiehundengji, jhdj are inside 内地居民结婚登记's)
    pinyin_exact: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    name_pinyin: list[tuple[str, str]] = field(default_factory=list)
    # BM25 over character pairs of every field (conditions and materials included):
    # pair → (rows, weights), precomputed; pairs in more than a third of the guides
    # (申请, 登记 …) are left out, they tell nothing apart.
    bm25: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.codes)


_lock = threading.Lock()
_current: Index | None = None


def _key() -> tuple:
    """What the index depends on, in two index-only reads: the last published version
    and the last vector written (a new version, a successor closing the old one, an
    encoding or a re-index all raise one of them), and the day (versions take effect
    on their date)."""
    published = ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
    return (
        clock.today(),
        published.aggregate(last=Max("pk"))["last"],
        GuideVector.objects.aggregate(last=Max("pk"))["last"],
    )


def current() -> Index:
    """The index for now: rebuilt when a version was published or encoded since, or
    the day changed (versions take effect on their date)."""
    global _current
    key = _key()
    index = _current
    if index is None or index.key != key:
        with _lock:
            if _current is None or _current.key != key:
                _current = build(key)
            index = _current
    return index


def clear() -> None:
    global _current
    _current = None


def build(key: tuple | None = None) -> Index:
    rows = list(
        catalog_selectors.current_versions()
        .order_by("pk")
        .values(
            "pk",
            "name",
            "keywords",
            "result_name",
            "item__implementation_code",
            "item__basic_code",
        )
    )
    ids = [r["pk"] for r in rows]
    stored = {}
    for start in range(0, len(ids), 2000):
        for vid, vector, fields, terms, model in GuideVector.objects.filter(
            version_id__in=ids[start : start + 2000]
        ).values_list("version_id", "vector", "fields", "terms", "model"):
            stored[vid] = (vector, fields, terms, model)
    n = len(rows)
    matrix = np.zeros((n, embedding.DIMENSIONS), dtype=np.float32)
    has_vector = np.zeros(n, dtype=bool)
    index = Index(
        key=key or (),
        version_ids=np.array(ids, dtype=np.int64),
        codes=[r["item__implementation_code"] for r in rows],
        names=[r["name"] for r in rows],
        compact_names=[text.compact(text.normalise(r["name"])) for r in rows],
        matrix=matrix,
        has_vector=has_vector,
        fields=[],
    )
    terms = defaultdict(list)
    codes = defaultdict(list)
    initials = defaultdict(list)
    bigrams = defaultdict(list)
    full = []
    exact = defaultdict(list)
    for row, r in enumerate(rows):
        entry = stored.get(r["pk"])
        if entry and entry[3] == embedding.MODEL_NAME:
            matrix[row] = embedding.from_bytes(entry[0])
            has_vector[row] = True
            index.fields.append(entry[1])
            version_terms = entry[2]
        else:
            index.fields.append({"name": r["name"], "keywords": r["keywords"]})
            version_terms = text.terms(
                name=r["name"], keywords=r["keywords"], result=r["result_name"]
            )
        name_pinyin = ("", "")
        for term, kind, pinyin, first in version_terms:
            terms[term].append((row, kind))
            if pinyin:
                full.append((pinyin, row, term))
                exact[pinyin].append((row, term, kind))
                if kind == "name":
                    name_pinyin = (pinyin, first)
            if len(first) >= 3:
                initials[first].append((row, term))
        index.name_pinyin.append(name_pinyin)
        codes[r["item__implementation_code"]].append(row)
        codes[r["item__basic_code"]].append(row)
        name = index.compact_names[row]
        for gram in {name[i : i + 2] for i in range(len(name) - 1)}:
            bigrams[gram].append(row)
    full.sort()
    index.bm25 = _bm25(index.fields)
    index.terms = dict(terms)
    index.codes_map = dict(codes)
    index.pinyin_full = full
    index.pinyin_initials = dict(initials)
    index.pinyin_exact = dict(exact)
    index.name_bigrams = dict(bigrams)
    return index


def pinyin_prefixed(index: Index, prefix: str) -> list[tuple[str, int, str]]:
    """(全拼, row, term) whose 全拼 starts with ``prefix``."""
    start = bisect.bisect_left(index.pinyin_full, (prefix,))
    out = []
    for entry in index.pinyin_full[start:]:
        if not entry[0].startswith(prefix):
            break
        out.append(entry)
        if len(out) > 500:
            break
    return out


BM25_K1 = 1.2
BM25_B = 0.75


def _bm25(fields: list[dict]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    n = len(fields)
    counts: list[dict[str, int]] = []
    lengths = np.zeros(n, dtype=np.float32)
    df: dict[str, int] = defaultdict(int)
    for row, f in enumerate(fields):
        # field by field, in one order (PostgreSQL's jsonb keeps its own key order)
        grams = [g for key in text.FIELD_LABELS for g in text.bigrams(f.get(key) or "")]
        tf: dict[str, int] = defaultdict(int)
        for gram in grams:
            tf[gram] += 1
        counts.append(tf)
        lengths[row] = len(grams)
        for gram in tf:
            df[gram] += 1
    average = float(lengths.mean()) if n else 1.0
    postings: dict[str, tuple[list, list]] = {}
    for row, tf in enumerate(counts):
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[row] / (average or 1.0))
        for gram, f in tf.items():
            if df[gram] > max(3, n / 3):
                continue
            idf = np.log(1 + (n - df[gram] + 0.5) / (df[gram] + 0.5))
            entry = postings.setdefault(gram, ([], []))
            entry[0].append(row)
            entry[1].append(idf * f * (BM25_K1 + 1) / (f + norm))
    return {
        g: (np.array(rows, dtype=np.int32), np.array(w, dtype=np.float32))
        for g, (rows, w) in postings.items()
    }


def bm25_scores(index: Index, query: str) -> np.ndarray:
    """BM25 of the query's character pairs per row, scaled to 0..1 by the best row."""
    entries = [e for g in set(text.bigrams(query)) if (e := index.bm25.get(g)) is not None]
    if not entries or not index.size:
        return np.zeros(index.size, dtype=np.float32)
    scores = np.bincount(
        np.concatenate([e[0] for e in entries]),
        weights=np.concatenate([e[1] for e in entries]),
        minlength=index.size,
    )
    top = float(scores.max())
    return scores / top if top > 0 else scores
