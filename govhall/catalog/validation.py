"""Publish-time validation of a guide (办事指南).

Returns every failure at once, keyed by field, each a Chinese message naming the
field, so the staff page can show them beside the fields and an import can report
them per row and column. ``validate_guide`` works on plain dicts so that the Excel
import checks rows before anything touches the database.
"""

from __future__ import annotations

from govhall.core import policy
from govhall.core.errors import ValidationFailed
from govhall.core.validators import parse_implementation_code, validate_basic_code

from .models import (
    GUIDE_CHILDREN,
    GUIDE_FIELDS,
    PATTERN_STEP_COUNT,
    CaseType,
    ItemType,
    ItemVersion,
    ProcedurePattern,
)

REQUIRED_GUIDE_FIELDS = [
    "name",
    "legal_basis",
    "conditions",
    "result_name",
    "consult_contact",
    "complaint_contact",
]


def label(model, field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def vague_wordings_in(text: str) -> list[str]:
    text = text or ""
    return [w for w in policy.get("VAGUE_WORDINGS") if w in text]


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def validate_codes(*, basic_code: str, implementation_code: str, department_code: str) -> dict:
    errors: dict[str, list[str]] = {}
    try:
        validate_basic_code(basic_code)
    except ValidationFailed as exc:
        _add(errors, "basic_code", f"基本编码：{exc.message}")
        return errors
    try:
        parts = parse_implementation_code(implementation_code)
    except ValidationFailed as exc:
        _add(errors, "implementation_code", f"实施编码：{exc.message}")
        return errors
    if parts.basic_code != basic_code:
        _add(errors, "implementation_code", "实施编码：第19-30位应与基本编码一致")
    if department_code and parts.uscc != department_code.upper():
        _add(errors, "implementation_code", "实施编码：前18位应为实施部门的统一社会信用代码")
    return errors


def validate_negative_list(
    *, on_negative_list: bool, is_stationed: bool, negative_list_reason: str
) -> dict[str, list[str]]:
    """The 负面清单 rule, one for every channel (staff page, Excel import,
    ``services.import_items``): an item on the negative list is not stationed in the
    centre, and its 不进驻理由 says why (涉密、场地限制 …) for the public list."""
    errors: dict[str, list[str]] = {}
    if not on_negative_list:
        return errors
    if is_stationed:
        _add(errors, "is_stationed", "列入负面清单的事项不能进驻中心")
    if not (negative_list_reason or "").strip():
        _add(errors, "negative_list_reason", "列入负面清单必须说明不进驻理由（如涉密、场地限制）")
    return errors


def validate_filing_kind(*, item_type: str, filing_kind: str) -> dict[str, list[str]]:
    """The 备案类别 rule (seed 4 备案 第四条): a 行政备案 item says whether it is 事后告知类
    (即来即备) or 确认类, so it can be put on the 备案清单 and filed; no other type of item
    has a 备案类别."""
    errors: dict[str, list[str]] = {}
    if item_type == ItemType.FILING and not filing_kind:
        _add(errors, "filing_kind", "备案类别：行政备案事项必须选择事后告知类或确认类")
    elif item_type != ItemType.FILING and filing_kind:
        _add(errors, "filing_kind", "备案类别：只有行政备案事项才填写备案类别")
    return errors


def validate_guide(
    *, guide: dict, materials: list[dict], steps: list[dict], special_steps: list[dict]
) -> dict[str, list[str]]:
    """All publish failures of a guide given as dicts. Keys: guide field names, or
    ``materials.N.field`` / ``steps.N.field`` / ``special_steps.N.field`` (N from 0)."""
    errors: dict[str, list[str]] = {}
    for field in REQUIRED_GUIDE_FIELDS:
        if not str(guide.get(field) or "").strip():
            _add(errors, field, f"{label(ItemVersion, field)}：必须填写")

    case_type = guide.get("case_type")
    legal, promised = guide.get("legal_limit_days"), guide.get("promised_limit_days")
    if promised is None:
        _add(errors, "promised_limit_days", "承诺时限：必须填写（即办件填0）")
    if case_type == CaseType.PROMISED:
        if legal is None:
            _add(errors, "legal_limit_days", "法定时限：承诺件必须填写")
        if promised is not None and promised < 1:
            _add(errors, "promised_limit_days", "承诺时限：承诺件至少为1个工作日")
    elif case_type == CaseType.INSTANT and promised not in (None, 0):
        _add(errors, "promised_limit_days", "承诺时限：即办件应为0（当场办结）")
    if legal is not None and promised is not None and promised > legal:
        _add(errors, "promised_limit_days", f"承诺时限：不得超过法定时限（{legal}个工作日）")

    if guide.get("has_fee"):
        for field in ("fee_standard", "fee_basis"):
            if not str(guide.get(field) or "").strip():
                _add(errors, field, f"{label(ItemVersion, field)}：收费事项必须填写")
    if guide.get("intermediary_service") and not str(guide.get("intermediary_note") or "").strip():
        _add(errors, "intermediary_note", "中介服务说明：涉及中介服务时必须填写")

    if not any(
        guide.get(f) for f in ("accept_at_county", "accept_at_township", "accept_at_village")
    ):
        _add(errors, "accept_at_county", "受理层级：至少选择一个可受理层级")

    for field in ("conditions", "legal_basis", "result_name"):
        for word in vague_wordings_in(guide.get(field)):
            _add(
                errors,
                field,
                f"{label(ItemVersion, field)}：含有兜底性表述“{word}”，请列明具体内容",
            )

    if not materials and not guide.get("needs_no_materials"):
        _add(errors, "materials", "申请材料：至少列明一项材料（确无材料的请勾选“无需申请材料”）")
    has_tolerance = False
    for index, material in enumerate(materials):
        prefix = f"materials.{index}"
        name = str(material.get("name") or "").strip()
        if not name:
            _add(errors, f"{prefix}.name", f"第{index + 1}项材料：材料名称必须填写")
        for field in ("name", "notes"):
            for word in vague_wordings_in(material.get(field)):
                _add(
                    errors,
                    f"{prefix}.{field}",
                    f"第{index + 1}项材料“{name}”：含有兜底性表述“{word}”",
                )
        if material.get("tolerance_allowed"):
            has_tolerance = True
    if has_tolerance and not guide.get("allows_tolerance"):
        _add(errors, "allows_tolerance", "容缺受理：有材料标为可容缺，事项须开启容缺受理")
    if guide.get("allows_tolerance") and not has_tolerance:
        _add(errors, "allows_tolerance", "容缺受理：开启容缺受理的事项至少要有一项可容缺材料")

    pattern = guide.get("procedure_pattern")
    needed = PATTERN_STEP_COUNT.get(pattern)
    if needed is None:
        _add(errors, "procedure_pattern", "审批环节模式：取值无效")
    elif guide.get("case_type") != CaseType.INSTANT or steps:
        if pattern == ProcedurePattern.SPECIAL:
            if len(steps) < needed:
                _add(errors, "steps", "办理环节：特别程序至少需要审查、决定两个环节")
            if not special_steps:
                _add(errors, "special_steps", "特殊环节：特别程序至少需要一个特殊环节")
        elif len(steps) != needed:
            _add(
                errors,
                "steps",
                f"办理环节：{ProcedurePattern(pattern).label}应有{needed}个审批环节，现有{len(steps)}个",
            )
    for index, step in enumerate(steps):
        if not str(step.get("name") or "").strip():
            _add(errors, f"steps.{index}.name", f"第{index + 1}个办理环节：环节名称必须填写")
        if not str(step.get("review_standard") or "").strip():
            _add(
                errors,
                f"steps.{index}.review_standard",
                f"第{index + 1}个办理环节：审查标准必须填写",
            )
    if case_type == CaseType.PROMISED and promised is not None and steps:
        step_days = sum(int(step.get("time_limit_days") or 0) for step in steps)
        counted = [s for s in special_steps if s.get("counted_in_limit")]
        special_days = sum(int(s.get("time_limit_days") or 0) for s in counted)
        if step_days + special_days > promised:
            parts = f"办理环节合计{step_days}个工作日"
            if counted:
                parts += f"，计入时限的特殊环节{special_days}个工作日"
            _add(
                errors,
                "promised_limit_days",
                f"承诺时限：{parts}，共{step_days + special_days}个工作日，"
                f"超过承诺时限{promised}个工作日",
            )
    for index, special in enumerate(special_steps):
        if not str(special.get("name") or "").strip():
            _add(errors, f"special_steps.{index}.name", f"第{index + 1}个特殊环节：名称必须填写")
        if not str(special.get("basis") or "").strip():
            _add(
                errors, f"special_steps.{index}.basis", f"第{index + 1}个特殊环节：设定依据必须填写"
            )
    return errors


def version_as_dicts(version: ItemVersion) -> tuple[dict, list[dict], list[dict], list[dict]]:
    """A saved version as the plain dicts :func:`validate_guide` takes."""
    guide = {f: getattr(version, f) for f in GUIDE_FIELDS}
    materials, steps, specials = (
        [{f: getattr(row, f) for f in fields} for row in getattr(version, related).all()]
        for related, _model, fields in GUIDE_CHILDREN
    )
    return guide, materials, steps, specials


def fee_line_faults(version: ItemVersion) -> dict[str, list[str]]:
    """The 收费清单 at 发布: every line names its 收费项目 and has a standard or an
    amount; a guide that says 不收费 lists no fee. (A 收费 guide may list none: its
    收费标准 text stands alone, as before the fee list existed.)"""
    errors: dict[str, list[str]] = {}
    lines = list(version.fee_lines.all())
    if lines and not version.has_fee:
        _add(errors, "has_fee", "是否收费：列有收费项目的事项须勾选“是否收费”")
    for index, line in enumerate(lines):
        if not line.name.strip():
            _add(errors, f"fee_lines.{index}.name", f"第{index + 1}个收费项目：名称必须填写")
        if line.amount is None and not line.standard.strip():
            _add(
                errors,
                f"fee_lines.{index}.standard",
                f"第{index + 1}个收费项目：收费标准或金额至少填写一项",
            )
    return errors


def validate_version(version: ItemVersion) -> dict[str, list[str]]:
    guide, materials, steps, specials = version_as_dicts(version)
    errors = validate_guide(guide=guide, materials=materials, steps=steps, special_steps=specials)
    item = version.item
    for field, messages in validate_codes(
        basic_code=item.basic_code,
        implementation_code=item.implementation_code,
        department_code=item.department.code,
    ).items():
        errors.setdefault(field, []).extend(messages)
    for field, messages in fee_line_faults(version).items():
        errors.setdefault(field, []).extend(messages)
    for field, messages in validate_filing_kind(
        item_type=item.type, filing_kind=version.filing_kind
    ).items():
        errors.setdefault(field, []).extend(messages)
    from .files import missing_files  # files → services → validation

    for field, messages in missing_files(version).items():
        errors.setdefault(field, []).extend(messages)
    return errors
