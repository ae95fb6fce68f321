"""Reads of the lists: today's rows, the publications, the list as published on a
date, and the difference of two dates (added / removed / changed).

``supervising_departments(item=…)`` is the read issue 14 (licences) uses to know who
supervises an approval item after it is granted (审管联动)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from govhall.catalog.models import Item
from govhall.core import clock
from govhall.core.errors import NotFound, ValidationFailed
from govhall.org.models import Department

from . import registry
from .models import ListPublication, PowerEntry, SupervisionMatter
from .registry import ListSpec, Row

# A publication keeps at most this many rows of each kind of change (the counts are
# exact); the dates' comparison reads the full rows of both publications instead.
CHANGES_KEPT = 100


@dataclass
class Changed:
    before: Row
    after: Row
    columns: list[str]  # the keys whose values differ


@dataclass
class Diff:
    added: list[Row] = field(default_factory=list)
    removed: list[Row] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def stored(self) -> dict:
        """The bounded sample a publication keeps (``ListPublication.changes``)."""
        return {
            "added": self.added[:CHANGES_KEPT],
            "removed": self.removed[:CHANGES_KEPT],
            "changed": [
                {"before": c.before, "after": c.after, "columns": c.columns}
                for c in self.changed[:CHANGES_KEPT]
            ],
        }


def _keyed(spec: ListSpec, rows: list[Row]) -> dict[tuple, Row]:
    """Rows by identity; a repeated identity (two fees of one name) is told apart by
    its occurrence, so that no row is lost."""
    keyed: dict[tuple, Row] = {}
    for row in rows:
        identity = spec.identity_of(row)
        n = 1
        while (identity, n) in keyed:
            n += 1
        keyed[(identity, n)] = row
    return keyed


def diff_rows(*, spec: ListSpec, old: list[Row], new: list[Row]) -> Diff:
    """What changed from ``old`` to ``new``: rows whose identity is new (added), gone
    (removed), or kept with other values (changed, before and after). The order of
    rows is no change."""
    before, after = _keyed(spec, old), _keyed(spec, new)
    keys = [c.key for c in spec.columns]
    diff = Diff()
    for identity, row in after.items():
        previous = before.get(identity)
        if previous is None:
            diff.added.append(row)
        elif previous != row:
            columns = [k for k in keys if previous.get(k) != row.get(k)]
            diff.changed.append(Changed(previous, row, columns))
    diff.removed = [row for identity, row in before.items() if identity not in after]
    return diff


def current_rows(*, key: str, on: dt.date | None = None) -> list[Row]:
    """The list as the catalogue (and the entries kept here) make it today."""
    return registry.get(key).rows(on=on)


def latest_publications(*, keys=None, rows: bool = True) -> dict[str, ListPublication]:
    """The newest publication of each list (its frozen rows only if ``rows``), in one
    query."""
    newest = (
        ListPublication.objects.filter(key=OuterRef("key"))
        .values("key")
        .annotate(m=Max("sequence"))
        .values("m")
    )
    qs = ListPublication.objects.filter(sequence=Subquery(newest))
    if not rows:
        qs = qs.defer("rows", "changes")
    if keys is not None:
        qs = qs.filter(key__in=list(keys))
    return {p.key: p for p in qs}


def latest(*, key: str) -> ListPublication | None:
    registry.get(key)
    return ListPublication.objects.filter(key=key).order_by("-sequence").first()


def published_on(*, key: str, day: dt.date) -> ListPublication | None:
    """The list as published on ``day``: the last publication of that day or before
    (``None`` if it had not been published yet)."""
    registry.get(key)
    return (
        ListPublication.objects.filter(key=key, published_on__lte=day).order_by("-sequence").first()
    )


def publication(*, key: str, sequence: int) -> ListPublication:
    found = ListPublication.objects.filter(key=key, sequence=sequence).first()
    if found is None:
        raise NotFound(f"该清单没有第{sequence}次公布", code="publication_not_found")
    return found


def entry_dates(*, publication: ListPublication) -> dict[tuple, dt.date]:
    """When each entry of ``publication`` joined its list: the date of the first
    publication since which it has been on it without a break (an entry removed and
    added again counts from its return). Reads the rows of every publication up to
    this one (one query): meant for the short lists (负面清单), ``ListSpec.dated``."""
    spec = registry.get(publication.key)
    since: dict[tuple, dt.date] = {}
    history = (
        ListPublication.objects.filter(key=publication.key, sequence__lte=publication.sequence)
        .order_by("sequence")
        .values_list("published_on", "rows")
    )
    for day, rows in history:
        now = {spec.identity_of(row) for row in rows}
        since = {identity: since.get(identity, day) for identity in now}
    return since


def publications(*, key: str) -> QuerySet[ListPublication]:
    """The history of a list, newest first, without the frozen rows (the change
    sample and the counts are enough for a history)."""
    registry.get(key)
    return ListPublication.objects.filter(key=key).defer("rows").order_by("-sequence")


def index() -> list[dict]:
    """Every list with its latest publication, without their rows (1 query)."""
    latest_by_key = latest_publications(rows=False)
    return [{"spec": spec, "publication": latest_by_key.get(spec.key)} for spec in registry.SPECS]


@dataclass
class Comparison:
    spec: ListSpec
    start: dt.date
    end: dt.date
    before: ListPublication | None
    after: ListPublication | None
    diff: Diff


def compare(*, key: str, start: dt.date, end: dt.date) -> Comparison:
    """The list as published on ``start`` against the list as published on ``end``:
    added / removed / changed (a list not yet published on a date is empty then)."""
    spec = registry.get(key)
    if start > end:
        raise ValidationFailed(
            "起始日期不能晚于截止日期", code="invalid_range", fields={"from": ["晚于截止日期"]}
        )
    before = published_on(key=key, day=start)
    after = published_on(key=key, day=end)
    diff = diff_rows(spec=spec, old=before.rows if before else [], new=after.rows if after else [])
    return Comparison(spec, start, end, before, after, diff)


def search(rows: list[Row], q: str) -> list[Row]:
    """Rows with every word of ``q`` somewhere in their cells (substring, so 两个字的
    中文词 find what they should)."""
    words = (q or "").lower().split()
    if not words:
        return rows
    found = []
    for row in rows:
        text = " ".join(str(v) for v in row.values() if v is not None).lower()
        if all(w in text for w in words):
            found.append(row)
    return found


def today() -> dt.date:
    return clock.today()


# --------------------------------------------------------------------------- entries


def _entries(qs: QuerySet, *, q: str, department, active: bool | None) -> QuerySet:
    """权责 / 监管事项 entries for the staff pages: active or retired (``None``: both),
    of one department, every word of ``q`` in the name or the code."""
    if active is not None:
        qs = qs.filter(is_active=active)
    if department is not None:
        qs = qs.filter(department=department)
    for word in (q or "").split():
        qs = qs.filter(Q(name__icontains=word) | Q(code__icontains=word))
    return qs.order_by("department__name", "code")


def power_entries(*, q: str = "", department=None, active: bool | None = True):
    qs = PowerEntry.objects.select_related("department", "item")
    return _entries(qs, q=q, department=department, active=active)


def supervision_matters(*, q: str = "", department=None, active: bool | None = True):
    qs = SupervisionMatter.objects.select_related("department").prefetch_related("items")
    return _entries(qs, q=q, department=department, active=active)


def supervising_departments(*, item: Item) -> QuerySet[Department]:
    """监管部门 of an approval item (审管联动, for issue 14's licences): the departments
    of the active 监管事项 that name ``item``, each once, by name. Empty when no
    监管事项 names it — the caller decides what that means (e.g. the item's own
    department supervises). One query."""
    return (
        Department.objects.filter(
            supervision_matters__items=item, supervision_matters__is_active=True
        )
        .distinct()
        .order_by("name")
    )
