"""Files and submitted materials (提交的材料): the checks every channel shares."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.backends.base.operations import BaseDatabaseOperations

from govhall.core import clock
from govhall.core.errors import ValidationFailed

from ..models import SubmittedMaterial, validate_case_file


def check_file(f, field: str) -> None:
    """An uploaded file is a PDF/JPG/PNG/OFD by extension and magic bytes, within the
    size limit (``models.validate_case_file``); ``field`` names it in the error."""
    if not f:
        return
    try:
        validate_case_file(f)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="invalid_file", fields={field: exc.messages})


_NAME_MAX = SubmittedMaterial._meta.get_field("name").max_length
# The column's range on PostgreSQL (smallint: 32767), from Django's own table.
_COPIES_MAX = BaseDatabaseOperations.integer_field_ranges[
    SubmittedMaterial._meta.get_field("copies").get_internal_type()
][1]


def _copies(entry, field: str) -> int:
    """份数: a whole number the column holds (a smallint: 0 … 32767). PostgreSQL with
    server-side binding would otherwise store 65541 as 5."""
    copies = entry.get("copies", 1)
    if copies is None:
        return 1
    if isinstance(copies, bool) or not isinstance(copies, int) or not 0 <= copies <= _COPIES_MAX:
        raise ValidationFailed(
            f"份数应为 0 至 {_COPIES_MAX} 之间的整数",
            code="invalid_copies",
            fields={field: [f"应为 0 至 {_COPIES_MAX} 之间的整数"]},
        )
    return copies


def add_materials(case, version, materials, *, field: str = "materials") -> list:
    """Rows of 提交的材料 (:func:`new_materials`), written with one INSERT."""
    rows = new_materials(case, version, materials, field=field)
    return SubmittedMaterial.objects.bulk_create(rows) if rows else rows


def new_materials(case, version, materials, *, field: str = "materials") -> list:
    """Rows of 提交的材料, checked, not yet written. A catalogue material belongs to
    exactly one version, so "in this version's 申请材料目录" is ``version_id`` (no read)."""
    version_id = version.pk if version else None
    rows = []
    now = clock.now()
    for index, entry in enumerate(materials or ()):
        material = entry.get("material")
        if material is not None and (
            version_id is None or getattr(material, "version_id", None) != version_id
        ):
            raise ValidationFailed(
                "提交的材料不属于该事项的申请材料目录",
                code="unknown_material",
                fields={f"{field}.{index}.material": ["不属于本事项"]},
            )
        check_file(entry.get("file"), f"{field}.{index}.file")
        given = entry.get("name") or ""
        if len(given) > _NAME_MAX or "\x00" in given:
            raise ValidationFailed(
                f"材料名称不能超过 {_NAME_MAX} 个字符，且不能包含空字符",
                code="invalid_material_name",
                fields={f"{field}.{index}.name": [f"不能超过 {_NAME_MAX} 个字符"]},
            )
        name = (given or (material.name if material else ""))[:_NAME_MAX]
        if not name:
            raise ValidationFailed(
                "补充材料须填写名称",
                code="material_name_required",
                fields={f"{field}.{index}.name": ["必填"]},
            )
        rows.append(
            SubmittedMaterial(
                case=case,
                material=material,
                name=name,
                file=entry.get("file") or "",
                is_original=bool(entry.get("is_original")),
                copies=_copies(entry, f"{field}.{index}.copies"),
                submitted_at=now,
            )
        )
    return rows
