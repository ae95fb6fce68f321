"""The thirteen lists (issue 13 §3), one :class:`ListSpec` each: its key, Chinese name,
legal source, columns, the columns that identify a row across publications, and the
function that computes its rows from today's catalogue (the published versions in
force, ``catalog.selectors.current_versions``) — or, for 权责清单 and 监管事项清单, from
this app's own entries.

A row is a dict of plain JSON values (text, or an integer for a column of kind
``int``) keyed by column key: the same dict is stored in a publication, written to
Excel and read back, shown on the portal and returned by the API. Every rows
function runs a fixed number of queries however long the list is (1 to 3).

Cancelled items (取消) are on no list: the day an item is cancelled it leaves every
list it was on, and the next publication shows it as removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import (
    ExerciseLevel,
    FeeLine,
    FilingKind,
    HandlingForm,
    ItemStatus,
    ItemType,
    ItemVersion,
    Material,
    NegativeListReason,
    SpecialStep,
    SpecialStepKind,
)
from govhall.core.errors import NotFound

from .models import PowerEntry, PowerKind, SupervisionMatter

Row = dict[str, str | int | None]

JOIN = "、"  # several values in one cell (监管的审批事项, 一件事的事项)


@dataclass(frozen=True)
class Column:
    """One column: the row key, its Chinese header, the Excel width; ``kind`` ``int``
    for a number of days (``None`` when empty), else text."""

    key: str
    header: str
    width: int = 16
    kind: str = "text"
    nowrap: bool = False  # short values kept on one line on the page (phone numbers)


@dataclass(frozen=True)
class ListSpec:
    key: str
    name: str
    source: str  # 公布依据
    description: str
    columns: tuple[Column, ...]
    identity: tuple[str, ...]  # the columns that say "the same entry" across dates
    rows: Callable[..., list[Row]] = field(compare=False)
    title: str = ""  # the row's name in a change list (default: the name column)
    editable: bool = False  # 权责清单 / 监管事项清单: entries kept here, importable
    dated: bool = False  # the page shows when each entry joined the list (负面清单)

    def identity_of(self, row: Row) -> tuple:
        return tuple(row.get(k) for k in self.identity)

    def label_of(self, row: Row) -> str:
        return str(row.get(self.title or "name") or "")

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


# --------------------------------------------------------------------------- columns

CODE = Column("code", "实施编码", 34)
NAME = Column("name", "事项名称", 30)
DEPT = Column("department", "实施部门", 24)
LEGAL = Column("legal_limit", "法定时限（工作日）", 12, "int")
PROMISED = Column("promised_limit", "承诺时限（工作日）", 12, "int")
BASIS = Column("legal_basis", "设定依据", 40)


def _versions(on: dt.date | None, *conditions: Q) -> QuerySet[ItemVersion]:
    """Current versions of items not cancelled, in the lists' one order (department,
    实施编码)."""
    return (
        catalog_selectors.current_versions(on=on)
        .exclude(item__status=ItemStatus.CANCELLED)
        .filter(*conditions)
        .order_by("item__department__name", "item__implementation_code")
    )


# Rows are read with ``values_list`` and built as plain dicts: no model instance per
# row (a 3,000-item catalogue is read in tens of milliseconds instead of a second).
ITEM = {"code": "item__implementation_code", "name": "name", "department": "item__department__name"}
_LABELS = {
    "type": dict(ItemType.choices),
    "level": dict(ExerciseLevel.choices),
    "status": dict(ItemStatus.choices),
    "category": dict(NegativeListReason.choices),
    "filing_kind": dict(FilingKind.choices),
    "form": dict(HandlingForm.choices),
    "kind": {**dict(SpecialStepKind.choices), **dict(PowerKind.choices)},
}


def _select(qs: QuerySet, columns: dict[str, str], *, labels=(), ints=()) -> list[Row]:
    """``qs`` as rows: ``columns`` maps a row key to a field path; keys in ``labels``
    are stored choices shown by their Chinese label, keys in ``ints`` numbers."""
    keys = list(columns)
    rows = [dict(zip(keys, values, strict=True)) for values in qs.values_list(*columns.values())]
    for row in rows:
        for key in labels:
            value = row[key]
            row[key] = _LABELS[key].get(value, value) if value else ""
        for key in ints:
            row[key] = _int(row[key])
        for key, value in row.items():
            if value is None and key not in ints:
                row[key] = ""
    return rows


def _int(value) -> int | None:
    return None if value is None else int(value)


def _hall(on_negative_list: bool, is_stationed: bool) -> str:
    if on_negative_list:
        return "负面清单（不进驻）"
    return "进驻中心" if is_stationed else "未进驻"


def catalogue_rows(*, on=None) -> list[Row]:
    rows = _select(
        _versions(on),
        {
            **ITEM,
            "type": "item__type",
            "level": "exercise_level",
            "legal_basis": "legal_basis",
            "legal_limit": "legal_limit_days",
            "promised_limit": "promised_limit_days",
            "status": "item__status",
            "hall": "item__on_negative_list",
            "_stationed": "item__is_stationed",
        },
        labels=("type", "level", "status"),
        ints=("legal_limit", "promised_limit"),
    )
    for row in rows:
        row["hall"] = _hall(row["hall"], row.pop("_stationed"))
    return rows


def negative_rows(*, on=None) -> list[Row]:
    return _select(
        _versions(on, Q(item__on_negative_list=True)),
        {
            **ITEM,
            "category": "item__negative_list_category",
            "reason": "item__negative_list_reason",
            "address": "item__department__address",
            "phone": "item__department__phone",
        },
        labels=("category",),
    )


def two_priority_rows(*, on=None) -> list[Row]:
    return _select(
        _versions(on, Q(item__on_two_priority_list=True)),
        {
            **ITEM,
            "type": "item__type",
            "legal_basis": "legal_basis",
            "promised_limit": "promised_limit_days",
        },
        labels=("type",),
        ints=("promised_limit",),
    )


def filing_rows(*, on=None) -> list[Row]:
    return _select(
        _versions(on, catalog_selectors.ON_FILING_LIST),
        {
            **ITEM,
            "filing_kind": "filing_kind",
            "legal_basis": "legal_basis",
            "promised_limit": "promised_limit_days",
        },
        labels=("filing_kind",),
        ints=("promised_limit",),
    )


def _children(model, on, *conditions: Q) -> QuerySet:
    """Rows of a guide list (收费, 材料, 特殊环节) of the current versions."""
    versions = _versions(on, *conditions).values("pk")
    return model.objects.filter(version_id__in=versions).order_by(
        "version__item__department__name", "version__item__implementation_code", "order", "id"
    )


VERSION_ITEM = {key: f"version__{path}" for key, path in ITEM.items()}


def fee_rows(*, on=None) -> list[Row]:
    rows = _select(
        _children(FeeLine, on),
        {
            **VERSION_ITEM,
            "fee": "name",
            "standard": "standard",
            "amount": "amount",
            "basis": "basis",
        },
    )
    for row in rows:  # as FeeLine.amount_yuan: 元, or 按标准 when none is fixed
        row["amount"] = "按标准" if row["amount"] == "" else f"{row['amount'] / 100:.2f}"
    return rows


def _flag_rows(flag: str, columns: dict[str, str], **kinds) -> Callable[..., list[Row]]:
    def rows(*, on=None) -> list[Row]:
        return _select(_versions(on, Q(**{flag: True})), {**ITEM, **columns}, **kinds)

    return rows


intermediary_rows = _flag_rows(
    "intermediary_service", {"note": "intermediary_note", "legal_basis": "legal_basis"}
)
certification_rows = _flag_rows(
    "is_certification", {"result": "result_name", "legal_basis": "legal_basis"}
)
one_visit_rows = _flag_rows(
    "at_most_one_visit",
    {"visits": "visits", "form": "handling_form", "promised_limit": "promised_limit_days"},
    labels=("form",),
    ints=("visits", "promised_limit"),
)


def tolerance_rows(*, on=None) -> list[Row]:
    rows = _select(
        _children(Material, on, Q(allows_tolerance=True)).filter(tolerance_allowed=True),
        {**VERSION_ITEM, "material": "name", "required": "required", "notes": "notes"},
    )
    for row in rows:
        row["required"] = "必要" if row["required"] else "非必要"
    return rows


def special_step_rows(*, on=None) -> list[Row]:
    rows = _select(
        _children(SpecialStep, on),
        {
            **VERSION_ITEM,
            "step": "name",
            "kind": "kind",
            "basis": "basis",
            "step_limit": "time_limit_days",
            "counted": "counted_in_limit",
            "legal_limit": "version__legal_limit_days",
            "promised_limit": "version__promised_limit_days",
        },
        labels=("kind",),
        ints=("step_limit", "legal_limit", "promised_limit"),
    )
    for row in rows:
        row["counted"] = "计入" if row["counted"] else "不计入"
    return rows


def bundle_rows(*, on=None) -> list[Row]:
    """一件事: active bundles, each with its items (their current names) in order."""
    from govhall.cases.models import Bundle, BundleItem

    bundles = _select(
        Bundle.objects.filter(is_active=True).order_by("code"),
        {
            "code": "code",
            "name": "name",
            "department": "lead_department__name",
            "items": "pk",
            "item_count": "pk",
            "description": "description",
        },
    )
    links = (
        BundleItem.objects.filter(bundle__is_active=True)
        .order_by("bundle_id", "order", "id")
        .values_list("bundle_id", "item_id", "item__implementation_code")
    )
    names = dict(
        catalog_selectors.current_versions(on=on)
        .filter(item__bundle_items__bundle__is_active=True)
        .values_list("item_id", "name")
    )
    parts: dict[int, list[str]] = {}
    for bundle_id, item_id, code in links:
        parts.setdefault(bundle_id, []).append(names.get(item_id, code))
    for row in bundles:
        items = parts.get(row["items"], [])
        row["items"], row["item_count"] = JOIN.join(items), len(items)
    return bundles


def power_rows(*, on=None) -> list[Row]:
    return _select(
        PowerEntry.objects.filter(is_active=True).order_by("department__name", "code"),
        {
            "code": "code",
            "name": "name",
            "kind": "kind",
            "department": "department__name",
            "basis": "basis",
            "responsibilities": "responsibilities",
            "accountability": "accountability",
            "item": "item__implementation_code",
        },
        labels=("kind",),
    )


def supervision_rows(*, on=None) -> list[Row]:
    matters = _select(
        SupervisionMatter.objects.filter(is_active=True).order_by("department__name", "code"),
        {
            "code": "code",
            "name": "name",
            "items": "pk",
            "department": "department__name",
            "target": "target",
            "basis": "basis",
            "method": "method",
        },
    )
    codes: dict[int, list[str]] = {}
    for matter_id, code in SupervisionMatter.items.through.objects.filter(
        supervisionmatter__is_active=True
    ).values_list("supervisionmatter_id", "item__implementation_code"):
        codes.setdefault(matter_id, []).append(code)
    for row in matters:
        row["items"] = JOIN.join(sorted(codes.get(row["items"], [])))
    return matters


# --------------------------------------------------------------------------- the specs

_SEED0 = "《乌审旗政务服务中心“三集中三到位”相关管理制度》（乌政务中心发〔2023〕4号）"
_SEED1 = "《内蒙古自治区人民政府办公厅关于深化相对集中行政许可权改革有关事宜的通知》"
_SEED2 = "《内乡县行政审批服务中心运行管理办法（试行）》"
_SEED3 = "《达拉特旗政务服务中心运行管理办法》"
_SEED4 = "《乌审旗政务服务局关于印发“两优”工作制度的通知》（乌政务发〔2023〕12号）"

SPECS: tuple[ListSpec, ...] = (
    ListSpec(
        "catalogue",
        "政务服务事项目录",
        f"{_SEED2}第十一条；{_SEED3}第八条",
        "本县依申请政务服务事项的目录（现行办事指南），含事项类型、设定依据、时限和进驻情况。",
        (
            CODE,
            NAME,
            DEPT,
            Column("type", "事项类型", 12),
            Column("level", "行使层级", 10),
            BASIS,
            LEGAL,
            PROMISED,
            Column("status", "状态", 8),
            Column("hall", "进驻情况", 14),
        ),
        ("code",),
        catalogue_rows,
    ),
    ListSpec(
        "negative",
        "政务服务事项进驻负面清单",
        f"{_SEED0}负面清单管理制度；{_SEED2}第八条",
        "除下列事项外，政务服务事项一律进驻政务服务中心办理（“应进必进”）。下列事项因涉及"
        "国家秘密、商业秘密、个人隐私、属主动服务或受场地限制不进驻大厅，请到实施部门办理。",
        (
            CODE,
            NAME,
            DEPT,
            Column("category", "不进驻理由类别", 12),
            Column("reason", "不进驻理由", 40),
            Column("address", "办理地址", 30),
            Column("phone", "咨询电话", 16, nowrap=True),
        ),
        ("code",),
        negative_rows,
        dated=True,
    ),
    ListSpec(
        "two_priority",
        "“两优”清单",
        _SEED4,
        "优化职能职责、优化工作流程（“两优”）的事项。",
        (CODE, NAME, DEPT, Column("type", "事项类型", 12), BASIS, PROMISED),
        ("code",),
        two_priority_rows,
    ),
    ListSpec(
        "filing",
        "行政备案事项清单",
        f"{_SEED4}行政备案制度第三条",
        "行政备案实行清单管理，清单之外不得实行备案管理；备案不收费，不作为从事活动的前置条件。",
        (CODE, NAME, DEPT, Column("filing_kind", "备案类别", 12), BASIS, PROMISED),
        ("code",),
        filing_rows,
    ),
    ListSpec(
        "fees",
        "政务服务事项收费清单",
        f"{_SEED3}第十六条",
        "依法收取费用的政务服务事项：收费项目、收费标准和法定依据。未列入清单的一律不得收费。",
        (
            CODE,
            NAME,
            DEPT,
            Column("fee", "收费项目", 20),
            Column("standard", "收费标准", 30),
            Column("amount", "金额（元）", 10),
            Column("basis", "收费依据", 40),
        ),
        ("code", "fee"),
        fee_rows,
    ),
    ListSpec(
        "intermediary",
        "中介服务事项清单",
        f"{_SEED3}第十九条",
        "办理时涉及中介服务的事项。",
        (CODE, NAME, DEPT, Column("note", "中介服务", 30), BASIS),
        ("code",),
        intermediary_rows,
    ),
    ListSpec(
        "certification",
        "证明事项清单",
        f"{_SEED3}第十九条",
        "出具证明的政务服务事项及其依据。",
        (CODE, NAME, DEPT, Column("result", "证明名称", 24), BASIS),
        ("code",),
        certification_rows,
    ),
    ListSpec(
        "tolerance",
        "容缺受理事项清单",
        f"{_SEED3}第十九条",
        "实行容缺受理的事项及可以容缺的申请材料：申请人书面承诺限期补齐的，可先行受理。",
        (
            CODE,
            NAME,
            DEPT,
            Column("material", "可容缺材料", 30),
            Column("required", "材料性质", 10),
            Column("notes", "填报须知", 30),
        ),
        ("code", "material"),
        tolerance_rows,
    ),
    ListSpec(
        "special_steps",
        "特殊环节清单",
        f"{_SEED2}第二十三条",
        "办理过程中的听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审等特殊环节，其所需"
        "时间及是否计入办结时限。",
        (
            CODE,
            NAME,
            DEPT,
            Column("step", "特殊环节名称", 20),
            Column("kind", "类型", 10),
            Column("basis", "设定依据", 36),
            Column("step_limit", "环节时限（工作日）", 12, "int"),
            Column("counted", "是否计入办结时限", 10),
            LEGAL,
            PROMISED,
        ),
        ("code", "step"),
        special_step_rows,
        title="step",
    ),
    ListSpec(
        "one_visit",
        "“最多跑一次”事项清单",
        f"{_SEED3}第十九条",
        "申请材料齐全、符合法定形式的，最多到现场一次即可办结的事项。",
        (
            CODE,
            NAME,
            DEPT,
            Column("visits", "到现场次数", 10, "int"),
            Column("form", "办理形式", 16),
            PROMISED,
        ),
        ("code",),
        one_visit_rows,
    ),
    ListSpec(
        "bundles",
        "“一件事一次办”清单",
        f"{_SEED2}第二十条",
        "多个关联事项集成办理的“一件事”，由牵头部门统一受理。",
        (
            Column("code", "一件事编码", 20),
            Column("name", "一件事名称", 24),
            Column("department", "牵头部门", 24),
            Column("items", "包含事项", 50),
            Column("item_count", "事项数", 8, "int"),
            Column("description", "说明", 40),
        ),
        ("code",),
        bundle_rows,
    ),
    ListSpec(
        "powers",
        "权责清单",
        f"{_SEED1}一（三）",
        "行政机关的权力事项、实施部门、设定依据、责任事项和追责情形，实施动态管理。",
        (
            Column("code", "权力编码", 20),
            Column("name", "权力名称", 30),
            Column("kind", "权力类型", 12),
            Column("department", "实施部门", 24),
            Column("basis", "设定依据", 40),
            Column("responsibilities", "责任事项", 40),
            Column("accountability", "追责情形", 40),
            Column("item", "对应政务服务事项（实施编码）", 34),
        ),
        ("code",),
        power_rows,
        editable=True,
    ),
    ListSpec(
        "supervision",
        "监管事项清单",
        f"{_SEED1}一（三）",
        "审批之后由谁监管、监管谁、依据什么、怎样监管（审管联动）。",
        (
            Column("code", "监管事项编码", 20),
            Column("name", "监管事项名称", 30),
            Column("items", "对应审批事项（实施编码）", 40),
            Column("department", "监管部门", 24),
            Column("target", "监管对象", 30),
            Column("basis", "监管依据", 40),
            Column("method", "监管方式", 30),
        ),
        ("code",),
        supervision_rows,
        editable=True,
    ),
)

REGISTRY: dict[str, ListSpec] = {spec.key: spec for spec in SPECS}
KEYS = tuple(REGISTRY)
KEY_MAX_LENGTH = 20
assert all(len(k) <= KEY_MAX_LENGTH for k in KEYS)
assert all(set(s.identity) <= {c.key for c in s.columns} for s in SPECS)


def get(key: str) -> ListSpec:
    """The spec of ``key``, or ``NotFound`` ``list_not_found``."""
    spec = REGISTRY.get(key)
    if spec is None:
        raise NotFound(f"没有清单 {str(key)[:30]}", code="list_not_found")
    return spec
