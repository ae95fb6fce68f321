"""Writes of the lists (issue 13 §3, R-CAT-17).

* :func:`publish` — 公布: snapshot each list whose rows changed since its last
  publication (a row's identity per list is ``ListSpec.identity``), numbered per list,
  with what was added, removed and changed. The centre administrator publishes from
  the staff page; the morning run (``tasks.py``) publishes whatever changed as
  ``SYSTEM``.
* :func:`save_power` / :func:`save_supervision` — 权责清单 / 监管事项清单 entries,
  created or updated by their code, checked field by field (every fault at once, in
  ``fields``), audited with before/after; saving what is already there changes
  nothing (no audit row), so that re-importing a workbook is a no-op.
* :func:`retire` — 撤销 an entry (it leaves the list; its history stays).

The Excel import of those two lists (``excel.import_entries``) writes through the
same two functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from govhall.catalog.models import Item
from govhall.core import actors, audit, clock
from govhall.core.errors import Conflict, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.core.validators import clean_text
from govhall.org.models import Department

from . import permissions, registry, selectors
from .models import ListPublication, PowerEntry, PowerKind, SupervisionMatter

PUBLISH = audit.Action("lists.publication.publish", "公布清单")
POWER_CREATE = audit.Action("lists.power.create", "新增权责清单事项")
POWER_UPDATE = audit.Action("lists.power.update", "修改权责清单事项")
POWER_RETIRE = audit.Action("lists.power.retire", "撤销权责清单事项")
MATTER_CREATE = audit.Action("lists.supervision_matter.create", "新增监管事项")
MATTER_UPDATE = audit.Action("lists.supervision_matter.update", "修改监管事项")
MATTER_RETIRE = audit.Action("lists.supervision_matter.retire", "撤销监管事项")

NOTE_MAX = 200
TEXT_MAX = 2000
CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-_.]*$")
CODE_SPLIT = re.compile(r"[\s,，、;；]+")
ITEMS_MAX = 50  # approval items one 监管事项 names


# --------------------------------------------------------------------------- publish


def _keys(keys) -> list[str]:
    if keys is None:
        return list(registry.KEYS)
    keys = list(dict.fromkeys(keys))
    unknown = [k for k in keys if k not in registry.REGISTRY]
    if unknown or not keys:
        raise ValidationFailed(
            "请选择要公布的清单" if not keys else f"没有清单 {'、'.join(map(str, unknown))[:60]}",
            code="list_not_found" if keys else "required",
            fields={"keys": ["无效" if keys else "必选"]},
        )
    return keys


@transaction.atomic
def publish(*, actor, keys=None, note: str = "") -> list[ListPublication]:
    """公布 the lists ``keys`` (default: all) whose rows differ from their latest
    publication (or that were never published); the others are left as they are.
    Returns the new publications (empty when nothing changed)."""
    if actor is None:
        raise TypeError("publish needs an actor")
    permissions.require_publisher(actor)
    keys = _keys(keys)
    note = clean_text(note, field="note", label="说明", limit=NOTE_MAX, required=False)
    now, today = clock.now(), clock.today()
    latest = selectors.latest_publications(keys=keys)
    made = []
    for key in keys:
        spec = registry.REGISTRY[key]
        rows = spec.rows(on=today)
        previous = latest.get(key)
        counts = {"added": len(rows), "removed": 0, "changed": 0}
        changes = {}
        if previous is not None:
            diff = selectors.diff_rows(spec=spec, old=previous.rows, new=rows)
            if diff.empty:
                continue
            counts = {
                "added": len(diff.added),
                "removed": len(diff.removed),
                "changed": len(diff.changed),
            }
            changes = diff.stored()
        made.append(
            ListPublication(
                key=key,
                sequence=previous.sequence + 1 if previous else 1,
                published_at=now,
                published_on=today,
                actor=actors.actor_user(actor),
                actor_name=actors.actor_name(actor)[:100],
                note=note,
                rows=rows,
                row_count=len(rows),
                changes=changes,
                **counts,
            )
        )
    try:
        with transaction.atomic():
            ListPublication.objects.bulk_create(made)
    except IntegrityError:
        raise Conflict("清单正在由他人公布，请刷新后重试", code="publish_conflict") from None
    if made and made[0].pk is None:  # SQLite before 3.35 gives no ids back
        ids = dict(
            ListPublication.objects.filter(
                key__in=[p.key for p in made], published_at=now
            ).values_list("key", "pk")
        )
        for p in made:
            p.pk = ids[p.key]
    AuditEntry.objects.bulk_create(
        [
            audit.record(
                actor=actor,
                action=PUBLISH,
                obj=p,
                changes={
                    "row_count": [None, p.row_count],
                    "added": [None, p.added],
                    "removed": [None, p.removed],
                    "changed": [None, p.changed],
                },
                reason=note,
                save=False,
            )
            for p in made
        ]
    )
    return made


# --------------------------------------------------------------------------- entries


class _Faults:
    """Field faults collected while checking one entry (all reported at once)."""

    def __init__(self):
        self.fields: dict[str, list[str]] = {}

    def text(self, value, field, label, limit, required=True) -> str:
        try:
            return clean_text(value, field=field, label=label, limit=limit, required=required)
        except ValidationFailed as exc:
            self.add(field, exc.fields.get(field, [exc.message])[0])
            return ""

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self, what: str) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ValidationFailed(
                f"{what}填写有误：{first}", code="invalid_entry", fields=self.fields
            )


def _code(faults: _Faults, value, label: str) -> str:
    code = faults.text(value, "code", label, 40)
    if code and not CODE_PATTERN.match(code):
        faults.add("code", "只能包含字母、数字、“-”“_”“.”")
    return code.upper()


def _department(faults: _Faults, department) -> Department | None:
    if not isinstance(department, Department):
        faults.add("department", "请选择部门")
        return None
    if not department.is_active:
        faults.add("department", f"{department.name}已停用")
    return department


def item_codes(value) -> list[str]:
    """``"A、B, C"`` or a list of codes → codes, upper case, each once, in order."""
    if value is None:
        return []
    parts = value if isinstance(value, list | tuple) else CODE_SPLIT.split(str(value))
    return list(dict.fromkeys(str(p).strip().upper() for p in parts if str(p).strip()))


def _items(faults: _Faults, codes: list[str], field: str) -> list[Item]:
    if len(codes) > ITEMS_MAX:
        faults.add(field, f"至多 {ITEMS_MAX} 个事项")
        return []
    if any(len(c) > 32 or "\x00" in c for c in codes):
        faults.add(field, "实施编码不正确")
        return []
    found = {i.implementation_code: i for i in Item.objects.filter(implementation_code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        faults.add(field, f"没有实施编码为 {'、'.join(missing[:5])} 的事项")
    return [found[c] for c in codes if c in found]


def _kind(faults: _Faults, value) -> str:
    text = str(value or "").strip()
    for choice, label in PowerKind.choices:
        if text in (choice, label):
            return choice
    faults.add("kind", "请选择权力类型（" + "、".join(PowerKind.labels) + "）")
    return ""


@dataclass
class Saved:
    entry: PowerEntry | SupervisionMatter
    created: bool
    changed: bool


def _require(actor, *departments) -> None:
    if actor is None:
        raise TypeError("an entry needs an actor")
    for department in departments:
        permissions.require_maintainer(actor, department)


def _write(*, actor, model, code, values, m2m=None, reason, actions) -> Saved:
    """Create or update the entry ``code`` of ``model`` with ``values`` (and the
    many-to-many ``m2m``: {name: [objects]}); nothing happens when nothing differs."""
    create, update = actions
    entry = model.objects.select_for_update().filter(code=code).first()
    if entry is not None:
        _require(actor, entry.department)
    m2m = m2m or {}
    if entry is None:
        entry = model(code=code, **values, updated_at=clock.now())
        entry.save()
        for name, objs in m2m.items():
            getattr(entry, name).set(objs)
        after = audit.snapshot(entry)
        after.update({name: sorted(o.pk for o in objs) for name, objs in m2m.items()})
        audit.record(
            actor=actor, action=create, obj=entry, changes=audit.diff({}, after), reason=reason
        )
        return Saved(entry, True, True)
    before = audit.snapshot(entry, fields=[*values, "is_active"])
    before_m2m = {name: sorted(getattr(entry, name).values_list("pk", flat=True)) for name in m2m}
    for name, value in values.items():
        setattr(entry, name, value)
    entry.is_active = True
    after = audit.snapshot(entry, fields=[*values, "is_active"])
    after_m2m = {name: sorted(o.pk for o in objs) for name, objs in m2m.items()}
    changes = audit.diff({**before, **before_m2m}, {**after, **after_m2m})
    if not changes:
        return Saved(entry, False, False)
    entry.updated_at = clock.now()
    entry.save()
    for name, objs in m2m.items():
        if before_m2m[name] != after_m2m[name]:
            getattr(entry, name).set(objs)
    audit.record(actor=actor, action=update, obj=entry, changes=changes, reason=reason)
    return Saved(entry, False, True)


def check_power(
    *,
    code,
    name,
    kind,
    department,
    basis,
    responsibilities,
    accountability="",
    item="",
) -> tuple[str, dict]:
    """A 权责清单 entry's fields, cleaned: (code, values), or ``ValidationFailed``
    ``invalid_entry`` with every fault in ``fields``."""
    faults = _Faults()
    code = _code(faults, code, "权力编码")
    values = {
        "name": faults.text(name, "name", "权力名称", 200),
        "kind": _kind(faults, kind),
        "department": _department(faults, department),
        "basis": faults.text(basis, "basis", "设定依据", TEXT_MAX),
        "responsibilities": faults.text(responsibilities, "responsibilities", "责任事项", TEXT_MAX),
        "accountability": faults.text(
            accountability, "accountability", "追责情形", TEXT_MAX, required=False
        ),
    }
    codes = item_codes(item)
    if len(codes) > 1:
        faults.add("item", "只能填写一个事项的实施编码")
    items = _items(faults, codes[:1], "item")
    values["item"] = items[0] if items else None
    faults.raise_if_any("权责清单事项")
    return code, values


def check_supervision(
    *, code, name, department, target, basis, method, items=""
) -> tuple[str, dict, list[Item]]:
    """A 监管事项's fields, cleaned: (code, values, approval items)."""
    faults = _Faults()
    code = _code(faults, code, "监管事项编码")
    values = {
        "name": faults.text(name, "name", "监管事项名称", 200),
        "department": _department(faults, department),
        "target": faults.text(target, "target", "监管对象", TEXT_MAX),
        "basis": faults.text(basis, "basis", "监管依据", TEXT_MAX),
        "method": faults.text(method, "method", "监管方式", TEXT_MAX),
    }
    approval_items = _items(faults, item_codes(items), "items")
    faults.raise_if_any("监管事项")
    return code, values, approval_items


@transaction.atomic
def save_power(*, actor, reason: str = "", **fields) -> Saved:
    """新增/修改 a 权责清单 entry by its code (fields as :func:`check_power`)."""
    code, values = check_power(**fields)
    _require(actor, values["department"])
    return _write(
        actor=actor,
        model=PowerEntry,
        code=code,
        values=values,
        reason=reason,
        actions=(POWER_CREATE, POWER_UPDATE),
    )


@transaction.atomic
def save_supervision(*, actor, reason: str = "", **fields) -> Saved:
    """新增/修改 a 监管事项 by its code (fields as :func:`check_supervision`)."""
    code, values, items = check_supervision(**fields)
    _require(actor, values["department"])
    return _write(
        actor=actor,
        model=SupervisionMatter,
        code=code,
        values=values,
        m2m={"items": items},
        reason=reason,
        actions=(MATTER_CREATE, MATTER_UPDATE),
    )


@transaction.atomic
def retire(*, actor, entry: PowerEntry | SupervisionMatter, reason: str) -> None:
    """撤销 an entry: it leaves its list from the next publication; kept for history."""
    _require(actor, entry.department)
    reason = clean_text(reason, field="reason", label="撤销理由", limit=NOTE_MAX)
    entry = type(entry).objects.select_for_update().get(pk=entry.pk)
    if not entry.is_active:
        raise Conflict("该事项已撤销", code="already_retired")
    entry.is_active = False
    entry.updated_at = clock.now()
    entry.save(update_fields=["is_active", "updated_at"])
    action = POWER_RETIRE if isinstance(entry, PowerEntry) else MATTER_RETIRE
    audit.record(
        actor=actor, action=action, obj=entry, changes={"is_active": [True, False]}, reason=reason
    )
