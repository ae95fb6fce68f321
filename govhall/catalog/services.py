"""Writes to the catalogue: items, drafts, publishing and list flags.

Every function is one transaction and leaves an audit row (who, when, before/after,
why). Published versions are never edited: a change is a new draft, published as a
new version that closes the previous one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import chain

from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from govhall.core import actors, audit, clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.org import permissions
from govhall.org.models import Department

from . import selectors
from .models import (
    FEE_AMOUNT_MAX,
    FEE_LINE_FIELDS,
    GUIDE_CHILDREN,
    GUIDE_FIELDS,
    MATERIAL_FIELDS,
    SPECIAL_STEP_FIELDS,
    STEP_FIELDS,
    VERSION_CHILDREN,
    FeeLine,
    Item,
    ItemStatus,
    ItemVersion,
    LifeEvent,
    Material,
    SpecialStep,
    Step,
    VersionStatus,
)
from .selectors import guide_children_key
from .signals import announce_published
from .validation import (
    validate_codes,
    validate_filing_kind,
    validate_negative_list,
    validate_version,
)

# Audit actions written here (labels as shown in the 变更记录 of an item's page).
CREATE_ITEM = audit.Action("catalog.item.create", "新增")
START_DRAFT = audit.Action("catalog.version.start_draft", "开始修订")
SAVE_DRAFT = audit.Action("catalog.version.save_draft", "保存草稿")
PUBLISH = audit.Action("catalog.version.publish", "发布")
CHANGE_FLAGS = audit.Action("catalog.item.change_flags", "变更状态/清单")
CREATE_LIFE_EVENT = audit.Action("catalog.life_event.create", "新增")
SET_LIFE_EVENTS = audit.Action("catalog.item.set_life_events", "调整主题")
IMPORT_CREATE = audit.Action("catalog.item.import_create", "Excel导入新增")
IMPORT_UPDATE = audit.Action("catalog.item.import_update", "Excel导入更新")
TRANSFER = audit.Action("catalog.item.transfer", "划转")

GOVERNED_MESSAGE = (
    "事项的发布、取消、暂停、恢复、划转和负面清单调整须通过“事项调整申请”办理："
    "请在草稿页点击“提交调整申请”（或在“事项调整”中新建申请），经中心审核后生效"
)


def build_search_text(
    *, name: str, keywords: str = "", department_name: str = "", result_name: str = ""
) -> str:
    """Lower-cased text the catalogue search matches substrings in (works for 2-char
    Chinese queries such as 户口, 社保, which word tokenizers miss)."""
    return " ".join(p for p in (name, keywords, department_name, result_name) if p).lower()


def may_change_directly(actor) -> bool:
    """May ``actor`` publish and change the governed flags without a request (the
    pages show the 发布 form, or the way to 调整申请)?"""
    return actor is actors.SYSTEM or permissions.is_centre_admin(actor)


def require_governed_change(*, actor) -> None:
    """R-CAT-15/16 (乌审旗 动态管理 §3–§4, 负面清单 §6): what the public sees of the
    catalogue — a published guide, an item's status, its department, its stationing and
    the 负面清单 — changes only through an approved adjustment request
    (``govhall.governance``): the centre administrator (applying the request, or
    importing the centre's catalogue) and the system may; department staff, who may
    still create items and edit drafts, are pointed to 调整申请."""
    if may_change_directly(actor):
        return
    raise PermissionDenied(GOVERNED_MESSAGE, code="adjustment_request_required")


def not_editor_message(department: Department) -> str:
    return f"您无权维护“{department.name}”的事项"


def require_item_editor(*, user, department: Department) -> None:
    """Items of ``department`` are kept by its chief representative, its approvers or
    the centre administrator (the rule: ``org.permissions.can_edit_department_data``)."""
    permissions.require(
        permissions.can_edit_department_data(user, department), not_editor_message(department)
    )


@transaction.atomic
def create_item(
    *,
    actor,
    department: Department,
    basic_code: str,
    implementation_code: str,
    type: str,
    name: str,
    reason: str = "",
    **guide,
) -> Item:
    """新增事项: the item and its first draft guide."""
    require_item_editor(user=actor, department=department)
    errors = validate_codes(
        basic_code=basic_code,
        implementation_code=implementation_code,
        department_code=department.code,
    )
    if errors:
        raise ValidationFailed("事项编码不正确", code="invalid_code", fields=errors)
    if Item.objects.filter(implementation_code=implementation_code.upper()).exists():
        raise Conflict(f"实施编码 {implementation_code} 已存在", code="duplicate_item")
    item = Item.objects.create(
        basic_code=basic_code,
        implementation_code=implementation_code.upper(),
        department=department,
        type=type,
        created_at=clock.now(),
    )
    draft = ItemVersion(
        item=item, name=name, **{k: v for k, v in guide.items() if k in GUIDE_FIELDS}
    )
    draft.search_text = build_search_text(
        name=name, keywords=draft.keywords, department_name=department.name
    )
    draft.save()
    audit.record(
        actor=actor,
        action=CREATE_ITEM,
        obj=item,
        changes=audit.diff({}, audit.snapshot(item)),
        reason=reason,
    )
    return item


def _copy_children(source: ItemVersion, target: ItemVersion) -> None:
    for related, model, fields in VERSION_CHILDREN:
        model.objects.bulk_create(
            model(version=target, **{f: getattr(row, f) for f in fields})
            for row in getattr(source, related).all()
        )


@transaction.atomic
def start_draft(*, actor, item: Item) -> ItemVersion:
    """修订: open a draft copied from the latest published version (or return the
    existing draft — there is at most one)."""
    require_item_editor(user=actor, department=item.department)
    existing = item.versions.filter(status=VersionStatus.DRAFT).first()
    if existing is not None:
        return existing
    latest = item.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
    if latest is None:
        raise Conflict("该事项没有已发布版本，也没有草稿", code="no_version")
    draft = ItemVersion(item=item, status=VersionStatus.DRAFT)
    for field in GUIDE_FIELDS + ["search_text"]:
        setattr(draft, field, getattr(latest, field))
    try:
        draft.save()
    except IntegrityError:
        raise Conflict("该事项已有草稿正在编辑", code="draft_exists")
    _copy_children(latest, draft)
    audit.record(
        actor=actor, action=START_DRAFT, obj=item, changes={"from_version": [None, latest.number]}
    )
    return draft


def _replace_children(model, version: ItemVersion, rows: list[dict], fields: list[str]) -> None:
    model.objects.filter(version=version).delete()
    objs = []
    for index, row in enumerate(rows):
        data = {f: row[f] for f in fields if f in row and row[f] is not None}
        data.setdefault("order", index + 1)
        objs.append(model(version=version, **data))
    model.objects.bulk_create(objs)


def _children_snapshot(version: ItemVersion) -> dict:
    return {
        "materials": [m.name for m in version.materials.all()],
        "steps": [s.name for s in version.steps.all()],
        "special_steps": [s.name for s in version.special_steps.all()],
        "fee_lines": [f.name for f in version.fee_lines.all()],
    }


def check_fee_lines(rows: list[dict]) -> None:
    """收费清单 rows a draft may hold: an amount, when given, is a whole number of fen
    within ``FEE_AMOUNT_MAX`` (the name and the rest are checked at 发布)."""
    for index, row in enumerate(rows):
        amount = row.get("amount")
        if amount is None:
            continue
        if (
            isinstance(amount, bool)
            or not isinstance(amount, int)
            or not 0 < amount <= FEE_AMOUNT_MAX
        ):
            raise ValidationFailed(
                f"第{index + 1}个收费项目：金额应大于 0 元且不超过 {FEE_AMOUNT_MAX // 100} 元",
                code="invalid_fee_amount",
                fields={
                    f"fee_lines.{index}.amount": [f"应大于 0 元且不超过 {FEE_AMOUNT_MAX // 100} 元"]
                },
            )


@transaction.atomic
def save_draft(
    *,
    actor,
    version: ItemVersion,
    guide: dict | None = None,
    materials: list[dict] | None = None,
    steps: list[dict] | None = None,
    special_steps: list[dict] | None = None,
    fee_lines: list[dict] | None = None,
    edit_token: int | None = None,
    reason: str = "",
) -> ItemVersion:
    """Edit a draft. Lists given replace the old ones; ``None`` leaves them.

    ``edit_token`` is the token the editor loaded; if someone saved in between the
    save is refused (optimistic locking) rather than silently overwriting.
    """
    require_item_editor(user=actor, department=version.item.department)
    version = (
        ItemVersion.objects.select_for_update()
        .select_related("item__department")
        .get(pk=version.pk)
    )
    if not version.is_draft:
        raise Conflict("已发布的版本不能修改，请先创建修订草稿", code="version_immutable")
    if edit_token is not None and edit_token != version.edit_token:
        raise Conflict("该草稿已被他人修改，请刷新后重新编辑", code="stale_edit")
    before = {**audit.snapshot(version, GUIDE_FIELDS), **_children_snapshot(version)}
    for field, value in (guide or {}).items():
        if field not in GUIDE_FIELDS:
            raise ValidationFailed(f"未知字段：{field}", code="unknown_field")
        setattr(version, field, value)
    if materials is not None:
        _replace_children(Material, version, materials, MATERIAL_FIELDS)
    if steps is not None:
        _replace_children(Step, version, steps, STEP_FIELDS)
    if special_steps is not None:
        _replace_children(SpecialStep, version, special_steps, SPECIAL_STEP_FIELDS)
    if fee_lines is not None:
        check_fee_lines(fee_lines)
        _replace_children(FeeLine, version, fee_lines, FEE_LINE_FIELDS)
    version.search_text = build_search_text(
        name=version.name,
        keywords=version.keywords,
        department_name=version.item.department.name,
        result_name=version.result_name,
    )
    version.edit_token += 1
    version.save()
    after = {**audit.snapshot(version, GUIDE_FIELDS), **_children_snapshot(version)}
    audit.record(
        actor=actor,
        action=SAVE_DRAFT,
        obj=version.item,
        changes=audit.diff(before, after),
        reason=reason,
    )
    return version


def succession_faults(*, open_version: ItemVersion | None, valid_from: dt.date) -> list[str]:
    """Why a new published version may not take effect on ``valid_from`` (发布 and the
    import alike): not before the open version took effect, so that closing it on
    that day leaves no inverted validity period."""
    if open_version is not None and valid_from < open_version.valid_from:
        return [f"生效日期不能早于现行版本的生效日期（{open_version.valid_from}）"]
    return []


def succeed(
    *, open_version: ItemVersion | None, max_number: int | None, valid_from: dt.date
) -> int:
    """How a new published version takes over, one rule for :func:`publish` and
    :func:`import_items`: the open version ends the day the new one takes effect
    (``valid_to = valid_from``, set here and saved by the caller, one row or in
    bulk), and the new one is numbered after the item's highest number. Returns
    that number."""
    if open_version is not None:
        open_version.valid_to = valid_from
    return (max_number or 0) + 1


@transaction.atomic
def publish(
    *, actor, version: ItemVersion, valid_from: dt.date | None = None, change_note: str = ""
) -> ItemVersion:
    """发布: validate the draft, number it, and close the previous version. Every
    version says what changed (``change_note``, 修订说明, R-CAT-4): the portal lists it.

    Raises ``ValidationFailed`` with ``fields`` holding every failure (nothing changes).
    """
    item = Item.objects.select_for_update().select_related("department").get(pk=version.item_id)
    require_item_editor(user=actor, department=item.department)
    require_governed_change(actor=actor)
    version = ItemVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise Conflict("该版本已经发布", code="already_published")
    if item.status == ItemStatus.CANCELLED:
        raise Conflict("已取消的事项不能发布新版本", code="item_cancelled")
    today = clock.today()
    valid_from = valid_from or today
    if valid_from < today:
        raise ValidationFailed(
            "生效日期不能早于今天",
            code="invalid_valid_from",
            fields={"valid_from": ["不能早于今天"]},
        )
    errors = validate_version(version)
    change_note = (change_note or "").strip()
    if not change_note:
        errors.setdefault("change_note", []).append("修订说明：必须填写（本版改了什么、为什么）")
    previous = item.versions.filter(status=VersionStatus.PUBLISHED, valid_to__isnull=True).first()
    faults = succession_faults(open_version=previous, valid_from=valid_from)
    if faults:
        errors.setdefault("valid_from", []).extend(faults)
    if errors:
        raise ValidationFailed(
            "办事指南未通过发布校验，请按提示修改", code="publish_validation", fields=errors
        )
    number = succeed(
        open_version=previous,
        max_number=item.versions.aggregate(m=Max("number"))["m"],
        valid_from=valid_from,
    )
    if previous is not None:
        previous.save(update_fields=["valid_to"])
    version.number = number
    version.status = VersionStatus.PUBLISHED
    version.valid_from = valid_from
    version.published_at = clock.now()
    version.published_by = actors.actor_user(actor)
    version.change_note = change_note
    version.save()
    audit.record(
        actor=actor,
        action=PUBLISH,
        obj=item,
        changes={
            "version": [previous.number if previous else None, number],
            "valid_from": [None, valid_from.isoformat()],
        },
        reason=change_note,
    )
    announce_published([version.pk])
    return version


def _first(errors: dict[str, list[str]]) -> str:
    return next(m for messages in errors.values() for m in messages)


_GOVERNED_FLAGS = {
    "status",
    "is_stationed",
    "on_negative_list",
    "negative_list_reason",
    "negative_list_category",
}
_FLAG_FIELDS = _GOVERNED_FLAGS | {"on_two_priority_list"}


@transaction.atomic
def change_item_flags(*, actor, item: Item, reason: str, **flags) -> Item:
    """暂停 / 取消 / 恢复, 进驻, 负面清单: list memberships, with a reason each time."""
    require_item_editor(user=actor, department=item.department)
    unknown = set(flags) - _FLAG_FIELDS
    if unknown:
        raise ValidationFailed(f"未知字段：{', '.join(sorted(unknown))}", code="unknown_field")
    if not (reason or "").strip():
        raise ValidationFailed(
            "变更事项状态必须填写理由", code="reason_required", fields={"reason": ["必填"]}
        )
    item = Item.objects.select_for_update().get(pk=item.pk)
    if any(getattr(item, key) != value for key, value in flags.items() if key in _GOVERNED_FLAGS):
        require_governed_change(actor=actor)
    before = audit.snapshot(item)
    for key, value in flags.items():
        setattr(item, key, value)
    if "status" in flags and item.status != before.get("status"):
        # 暂停 / 取消 say why in public (the guide and the application page); 恢复 clears it.
        item.status_reason = "" if item.status == ItemStatus.ACTIVE else reason.strip()
    if item.on_negative_list:
        item.is_stationed = False  # 列入负面清单 takes the item out of the centre
    errors = validate_negative_list(
        on_negative_list=item.on_negative_list,
        is_stationed=item.is_stationed,
        negative_list_reason=item.negative_list_reason,
    )
    if errors:
        raise ValidationFailed(_first(errors), code="reason_required", fields=errors)
    item.save()
    audit.record(
        actor=actor,
        action=CHANGE_FLAGS,
        obj=item,
        changes=audit.diff(before, audit.snapshot(item)),
        reason=reason,
    )
    return item


@transaction.atomic
def transfer_item(*, actor, item: Item, department: Department, reason: str) -> Item:
    """划转: the item moves to ``department`` (内蒙古 二(一)); governed like 发布 (the
    centre applies an approved 划转 request, which hands over the open cases itself).
    Its 实施编码 takes the new 实施主体's code (the first 18 characters, R-CAT-13), so
    its next guide passes the same checks as any other."""
    require_governed_change(actor=actor)
    item = Item.objects.select_for_update().select_related("department").get(pk=item.pk)
    if item.department_id == department.pk:
        raise Conflict(f"事项已属于{department.name}", code="same_department")
    code = department.code.upper() + item.implementation_code[18:]
    if Item.objects.filter(implementation_code=code).exclude(pk=item.pk).exists():
        raise Conflict(f"{department.name}已有实施编码为 {code} 的事项", code="duplicate_item")
    before, old_code = item.department, item.implementation_code
    item.department, item.implementation_code = department, code
    item.save(update_fields=["department", "implementation_code"])
    audit.record(
        actor=actor,
        action=TRANSFER,
        obj=item,
        changes={
            "department": [before.name, department.name],
            "implementation_code": [old_code, code],
        },
        reason=reason,
    )
    return item


# --- 主题 (life events) -------------------------------------------------------------


@transaction.atomic
def create_life_event(
    *, actor, code: str, name: str, audience: str, order: int = 0, reason: str = ""
) -> LifeEvent:
    """新增主题: a portal browse entry shared by every department, so only the centre
    administrator adds one."""
    permissions.require(permissions.is_centre_admin(actor), "只有中心管理员可以维护主题")
    if audience not in LifeEvent.Audience.values:
        raise ValidationFailed("主题对象应为个人或法人", fields={"audience": ["取值无效"]})
    if LifeEvent.objects.filter(code=code).exists():
        raise Conflict(
            f"主题编码 {code} 已存在", code="duplicate_life_event", fields={"code": ["已存在"]}
        )
    event = LifeEvent.objects.create(code=code, name=name, audience=audience, order=order)
    audit.record(
        actor=actor,
        action=CREATE_LIFE_EVENT,
        obj=event,
        changes=audit.diff({}, audit.snapshot(event)),
        reason=reason,
    )
    return event


@transaction.atomic
def set_item_life_events(*, actor, item: Item, life_events, reason: str = "") -> Item:
    """调整主题: the life events under which the portal lists an item (one audit row
    with the codes before and after; nothing is written when they are the same)."""
    require_item_editor(user=actor, department=item.department)
    events = list(life_events)
    before = sorted(item.life_events.values_list("code", flat=True))
    after = sorted(e.code for e in events)
    if before != after:
        item.life_events.set(events)
        audit.record(
            actor=actor,
            action=SET_LIFE_EVENTS,
            obj=item,
            changes={"life_events": [before, after]},
            reason=reason,
        )
    return item


# --- Excel 导入 (catalog.excel) ---------------------------------------------------

ITEM_IMPORT_FIELDS = ["type", "status", "is_stationed", "on_negative_list", "negative_list_reason"]


@dataclass
class ItemImport:
    """One checked row of the 事项 sheet with its children (plain values, no DB)."""

    implementation_code: str
    basic_code: str
    department: Department
    type: str
    status: str
    is_stationed: bool
    on_negative_list: bool
    negative_list_reason: str
    life_event_ids: frozenset[int]
    guide: dict
    materials: list[dict]
    steps: list[dict]
    special_steps: list[dict]
    valid_from: dt.date | None = None


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_versions: int = 0


def _guide_key(guide: dict, materials, steps, specials) -> tuple:
    return (
        tuple(guide[f] for f in GUIDE_FIELDS),
        (
            guide_children_key(materials, MATERIAL_FIELDS),
            guide_children_key(steps, STEP_FIELDS),
            guide_children_key(specials, SPECIAL_STEP_FIELDS),
        ),
    )


def _version_key(version: ItemVersion, base) -> tuple:
    return (
        tuple(getattr(version, f) for f in GUIDE_FIELDS),
        base.children.get(version.pk, ((), (), ())),
    )


def _insert_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert rows of plain, already-prepared values with one prepared statement.

    An import writes tens of thousands of versions, materials and steps: building
    model instances for ``bulk_create`` (capped at 999 parameters per statement on
    SQLite) costs far more than the database does.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(f).column for f in fields]
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
    )
    one = "({})".format(", ".join(["%s"] * len(columns)))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # executemany loops in C, in-process
            cursor.executemany(head + one, rows)
            return
        if connection.vendor == "postgresql":  # COPY: one stream, no SQL to parse
            table = "{} ({})".format(
                quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
            )
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        per = max(1, 20000 // len(columns))  # multi-row VALUES: few round trips
        for start in range(0, len(rows), per):
            batch = rows[start : start + per]
            cursor.execute(head + ", ".join([one] * len(batch)), list(chain(*batch)))


def _carry_fee_lines(successors: dict[int, int]) -> None:
    """The workbook has no 收费清单 sheet: a version an import publishes keeps the fee
    list of the version it succeeds (``successors``: old version id → new), one read
    and one insert for the whole import."""
    if not successors:
        return
    rows = FeeLine.objects.filter(version_id__in=list(successors)).values_list(
        "version_id", *FEE_LINE_FIELDS
    )
    _insert_rows(
        FeeLine,
        ["version", *FEE_LINE_FIELDS],
        [(successors[version_id], *rest) for version_id, *rest in rows],
    )


def _import_refused(faults: dict[str, list[str]]) -> ValidationFailed:
    code, messages = next(iter(faults.items()))
    count = sum(len(m) for m in faults.values())
    more = f"（共 {count} 处错误）" if count > 1 else ""
    return ValidationFailed(
        f"导入失败，未导入任何数据：实施编码 {code}：{messages[0]}{more}",
        code="import_refused",
        fields=faults,
    )


@transaction.atomic
def import_items(
    *, actor, rows: list[ItemImport], reason: str = "Excel导入", progress=None
) -> ImportCounts:
    """导入事项目录: upsert by 实施编码, in one transaction with bulk writes.

    A new code becomes an item with published version 1. An existing item whose
    guide (fields and children) differs from both its current and its open version
    gets a new published version that closes the open one (:func:`succeed`, as in
    :func:`publish`);
    an identical guide changes nothing, so re-importing a file adds no versions.
    Item-level fields (类型, 状态, 进驻, 负面清单, 主题) are updated in place. Each
    created or updated item gets one audit row.

    Every row is held to the rules of the staff pages: the 负面清单 rule
    (``validation.validate_negative_list``), the 备案类别 rule
    (``validation.validate_filing_kind``), and those that depend on the database
    (a cancelled item cannot get a new version; a 生效日期 before the open version's).
    Any fault raises ``ValidationFailed`` with code ``import_refused``, a message
    naming the first fault and ``fields`` keyed by 实施编码; nothing is written then.
    """
    for department in {row.department for row in rows}:
        require_item_editor(user=actor, department=department)
    if rows:
        require_governed_change(actor=actor)  # an import publishes versions and statuses
    today, now = clock.today(), clock.now()
    base = selectors.import_baseline(on=today)
    faults: dict[str, list[str]] = {}
    new_items: list[Item] = []
    new_rows: list[ItemImport] = []
    changed_items: list[tuple[Item, dict, ItemImport]] = []  # item, before, row
    event_changes: dict[int, frozenset[int]] = {}
    versions: list[tuple[ItemImport, int, dt.date, ItemVersion | None]] = []
    counts = ImportCounts()

    for row in rows:
        for messages in validate_negative_list(
            on_negative_list=row.on_negative_list,
            is_stationed=row.is_stationed,
            negative_list_reason=row.negative_list_reason,
        ).values():
            faults.setdefault(row.implementation_code, []).extend(messages)
        for messages in validate_filing_kind(
            item_type=row.type, filing_kind=row.guide.get("filing_kind", "")
        ).values():
            faults.setdefault(row.implementation_code, []).extend(messages)
        item = base.items.get(row.implementation_code)
        if item is None:
            new_items.append(
                Item(
                    basic_code=row.basic_code,
                    implementation_code=row.implementation_code,
                    department=row.department,
                    created_at=now,
                    **{f: getattr(row, f) for f in ITEM_IMPORT_FIELDS},
                )
            )
            new_rows.append(row)
            continue
        before = audit.snapshot(item, ITEM_IMPORT_FIELDS)
        before["life_events"] = sorted(base.life_events.get(item.pk, frozenset()))
        for f in ITEM_IMPORT_FIELDS:
            setattr(item, f, getattr(row, f))
        item_changed = audit.snapshot(item, ITEM_IMPORT_FIELDS) != {
            k: v for k, v in before.items() if k != "life_events"
        }
        if sorted(row.life_event_ids) != before["life_events"]:
            event_changes[item.pk] = row.life_event_ids
            item_changed = True
        key = _guide_key(row.guide, row.materials, row.steps, row.special_steps)
        current, open_ = base.current.get(item.pk), base.open.get(item.pk)
        same = any(v is not None and _version_key(v, base) == key for v in (current, open_))
        if not same:
            if row.status == ItemStatus.CANCELLED:
                faults.setdefault(row.implementation_code, []).append(
                    "已取消的事项不能发布新版本（办事指南与现行版本不同）"
                )
            valid_from = max(row.valid_from or today, today)
            for message in succession_faults(open_version=open_, valid_from=valid_from):
                faults.setdefault(row.implementation_code, []).append(message)
            versions.append((row, item.pk, valid_from, open_))
        if item_changed or not same:
            changed_items.append((item, before, row))
            counts.updated += 1
        else:
            counts.unchanged += 1
    if faults:
        raise _import_refused(faults)

    Item.objects.bulk_create(new_items, batch_size=1000)
    counts.created = len(new_items)
    for item, row in zip(new_items, new_rows, strict=True):
        versions.append((row, item.pk, row.valid_from or today, None))
        if row.life_event_ids:
            event_changes[item.pk] = row.life_event_ids
    if progress:
        progress(len(new_items) // 3)
    if changed_items:
        Item.objects.bulk_update(
            [item for item, _, _ in changed_items], ITEM_IMPORT_FIELDS, batch_size=500
        )
    numbers: dict[int, int] = {}
    for _, item_id, valid_from, open_ in versions:
        numbers[item_id] = succeed(
            open_version=open_, max_number=base.max_number.get(item_id), valid_from=valid_from
        )
    closing = [open_ for _, _, _, open_ in versions if open_ is not None]
    ItemVersion.objects.bulk_update(closing, ["valid_to"], batch_size=500)

    version_rows = []
    published_at = ItemVersion._meta.get_field("published_at").get_db_prep_save(now, connection)
    date_field, dates = ItemVersion._meta.get_field("valid_from"), {}
    published_by = getattr(actors.actor_user(actor), "pk", None)
    for row, item_id, valid_from, _ in versions:
        if valid_from not in dates:
            dates[valid_from] = date_field.get_db_prep_save(valid_from, connection)
        guide = row.guide
        search_text = build_search_text(
            name=guide["name"],
            keywords=guide["keywords"],
            department_name=row.department.name,
            result_name=guide["result_name"],
        )
        version_rows.append(
            (
                item_id,
                numbers[item_id],
                VersionStatus.PUBLISHED.value,
                dates[valid_from],
                published_at,
                published_by,
                reason,
                0,
                search_text,
                *(guide[f] for f in GUIDE_FIELDS),
            )
        )
    _insert_rows(
        ItemVersion,
        [
            "item",
            "number",
            "status",
            "valid_from",
            "published_at",
            "published_by",
            "change_note",
            "edit_token",
            "search_text",
            *GUIDE_FIELDS,
        ],
        version_rows,
    )
    version_pks = {
        (item_id, number): pk
        for item_id, number, pk in ItemVersion.objects.filter(
            status=VersionStatus.PUBLISHED, published_at=now
        ).values_list("item_id", "number", "pk")
    }
    version_objs = [version_pks[(item_id, numbers[item_id])] for _, item_id, _, _ in versions]
    counts.new_versions = len(version_objs)
    if progress:
        progress(len(new_items) // 3)
    for attr, model, fields in GUIDE_CHILDREN:
        _insert_rows(
            model,
            ["version", *fields],
            [
                (version_pk, *(child[f] for f in fields))
                for (row, _, _, _), version_pk in zip(versions, version_objs, strict=True)
                for child in getattr(row, attr)
            ],
        )
    _carry_fee_lines(
        {
            open_.pk: version_pk
            for (row, _, _, open_), version_pk in zip(versions, version_objs, strict=True)
            if open_ is not None and row.guide.get("has_fee")
        }
    )

    through = Item.life_events.through
    new_ids = {item.pk for item in new_items}
    changed_ids = [pk for pk in event_changes if pk not in new_ids]
    for start in range(0, len(changed_ids), 500):
        through.objects.filter(item_id__in=changed_ids[start : start + 500]).delete()
    through.objects.bulk_create(
        [
            through(item_id=item_id, lifeevent_id=event_id)
            for item_id, ids in event_changes.items()
            for event_id in sorted(ids)
        ],
        batch_size=2000,
    )

    entries = []
    for item in new_items:
        changes = audit.diff({}, audit.snapshot(item))
        changes["version"] = [None, 1]
        entries.append(
            audit.record(
                actor=actor,
                action=IMPORT_CREATE,
                obj=item,
                changes=changes,
                reason=reason,
                save=False,
            )
        )
    for item, before, row in changed_items:
        after = audit.snapshot(item, ITEM_IMPORT_FIELDS)
        after["life_events"] = sorted(row.life_event_ids)
        changes = audit.diff(before, after)
        if item.pk in numbers:
            changes["version"] = [base.max_number.get(item.pk), numbers[item.pk]]
        entries.append(
            audit.record(
                actor=actor,
                action=IMPORT_UPDATE,
                obj=item,
                changes=changes,
                reason=reason,
                save=False,
            )
        )
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    announce_published(version_objs)
    if progress:
        progress(len(new_items) - 2 * (len(new_items) // 3))
    return counts
