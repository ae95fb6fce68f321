"""The finder's evaluation set (``evaluation.tsv``) and how it is scored.

Each row is a query as a citizen or a company's clerk would type it, the item(s) that
answer it (best first) and its kind (spoken, colloquial, typo, pinyin, english,
company, name — or ``none``: nothing in the catalogue answers it, and the right answer
is to say so). ``make bench`` (bench/bench_finder.py) prints the scores of the finder
beside today's substring search; ``tests/test_evaluation.py`` holds a floor.

top-1: the first result answers the query; top-5: one of the first five does. Both
over the answerable rows. ``none`` rows count as right when nothing is shown.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PATH = Path(__file__).with_name("evaluation.tsv")


@dataclass(frozen=True)
class Case:
    query: str
    answers: tuple[str, ...]  # item names; empty: nothing answers it
    kind: str


def load(path: Path = PATH) -> list[Case]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [
        Case(
            query=r["query"],
            answers=() if r["answers"].strip() == "-" else tuple(r["answers"].split("|")),
            kind=r["kind"].strip(),
        )
        for r in rows
    ]


@dataclass
class Score:
    answerable: int = 0
    top1: int = 0
    top5: int = 0
    none_rows: int = 0
    none_right: int = 0
    seconds: list[float] = field(default_factory=list)
    misses: list[tuple[Case, list[str]]] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind → [rows, top1, top5]

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.answerable if self.answerable else 0.0

    @property
    def top5_rate(self) -> float:
        return self.top5 / self.answerable if self.answerable else 0.0

    @property
    def none_rate(self) -> float:
        return self.none_right / self.none_rows if self.none_rows else 0.0

    def p95_ms(self) -> float:
        if not self.seconds:
            return 0.0
        ordered = sorted(self.seconds)
        return 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def score(cases: list[Case], search: Callable[[str], list[str]]) -> Score:
    """Run ``search`` (query → item names, best first) over ``cases``."""
    result = Score()
    for case in cases:
        started = time.perf_counter()
        names = search(case.query)
        result.seconds.append(time.perf_counter() - started)
        counts = result.by_kind.setdefault(case.kind, [0, 0, 0])
        counts[0] += 1
        if not case.answers:
            result.none_rows += 1
            if not names:
                result.none_right += 1
                counts[1] += 1
                counts[2] += 1
            else:
                result.misses.append((case, names[:3]))
            continue
        result.answerable += 1
        first = bool(names) and names[0] in case.answers
        five = any(n in case.answers for n in names[:5])
        result.top1 += first
        result.top5 += five
        counts[1] += first
        counts[2] += five
        if not first:
            result.misses.append((case, names[:3]))
    return result


def finder_search(**options) -> Callable[[str], list[str]]:
    from . import selectors

    def search(query: str) -> list[str]:
        return [h.version.name for h in selectors.find(q=query, log=False, **options).hits]

    return search


def substring_search(query: str) -> list[str]:
    """Today's search (before the finder): every word a substring of the search text."""
    from govhall.catalog import selectors as catalog_selectors

    return list(catalog_selectors.search_items(q=query[:100]).values_list("name", flat=True)[:10])


def meaning_search(query: str) -> list[str]:
    """The model alone: the guides by cosine similarity, no words, no threshold (to
    compare models with each other, not a way the finder answers)."""
    import numpy as np

    from . import embedding, index, text

    built = index.current()
    similarity = built.matrix @ embedding.encode_query(text.with_english(text.normalise(query)))
    return [built.names[i] for i in np.argsort(-similarity, kind="stable")[:5]]
