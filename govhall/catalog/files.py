"""示范文本、空白表格、结果样本: files a guide offers for download (R-CAT-20).

A draft names a file by its ``key`` (``Material.sample_file``,
``ItemVersion.result_sample_file``): a plain string, so a revised draft keeps the files
of the version it copies and the Excel workbook carries the reference both ways. The
file itself is uploaded once (``upload``) and never deleted. The portal serves a file
only when a published version names it (``public_file``).
"""

from __future__ import annotations

import hashlib
import mimetypes

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from govhall.core import actors, audit, clock
from govhall.core.errors import Conflict, NotFound, ValidationFailed
from govhall.core.files import read_all, validate_catalog_file

from .models import CatalogFile, ItemVersion, Material, VersionStatus
from .services import require_item_editor

UPLOAD = audit.Action("catalog.file.upload", "上传指南附件")
ATTACH_SAMPLE = audit.Action("catalog.material.attach_sample", "挂接示范文本")
ATTACH_RESULT_SAMPLE = audit.Action("catalog.version.attach_result_sample", "挂接结果样本")

_NAME_MAX = CatalogFile._meta.get_field("name").max_length


def upload(*, actor, file) -> CatalogFile:
    """Store ``file`` once (the same bytes give the same key) and return it."""
    try:
        validate_catalog_file(file)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="invalid_file", fields={"file": exc.messages})
    data = read_all(file)
    key = hashlib.sha256(data).hexdigest()[:16]
    existing = CatalogFile.objects.filter(key=key).first()
    if existing is not None:
        return existing
    name = (getattr(file, "name", "") or "附件")[-_NAME_MAX:]
    stored = CatalogFile(
        key=key,
        name=name,
        # From the checked extension, never from what the browser claimed.
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        size=len(data),
        uploaded_at=clock.now(),
        uploaded_by=actors.actor_user(actor),
    )
    stored.file.save(name, ContentFile(data), save=False)
    stored.save()
    audit.record(actor=actor, action=UPLOAD, obj=stored, changes={"name": [None, name]})
    return stored


def _draft(version: ItemVersion, actor) -> ItemVersion:
    version = (
        ItemVersion.objects.select_for_update()
        .select_related("item__department")
        .get(pk=version.pk)
    )
    require_item_editor(user=actor, department=version.item.department)
    if not version.is_draft:
        raise Conflict("已发布的版本不能修改，请先修订", code="version_immutable")
    return version


@transaction.atomic
def attach_sample(*, actor, version: ItemVersion, material_id: int, file, reason: str = ""):
    """示范文本/空白表格 of one material of a draft."""
    version = _draft(version, actor)
    material = Material.objects.filter(version=version, pk=material_id).first()
    if material is None:
        raise ValidationFailed(
            "该材料不属于本草稿", code="invalid_material", fields={"material": ["不属于本草稿"]}
        )
    stored = upload(actor=actor, file=file)
    before = material.sample_file
    material.sample_file = stored.key
    if not material.sample_form:
        material.sample_form = stored.name
    material.save(update_fields=["sample_file", "sample_form"])
    audit.record(
        actor=actor,
        action=ATTACH_SAMPLE,
        obj=version.item,
        changes={"sample_file": [before or None, f"{material.name}：{stored.name}"]},
        reason=reason,
    )
    return material


@transaction.atomic
def attach_result_sample(*, actor, version: ItemVersion, file, reason: str = ""):
    """结果样本 of a draft."""
    version = _draft(version, actor)
    stored = upload(actor=actor, file=file)
    before = version.result_sample_file
    version.result_sample_file = stored.key
    if not version.result_sample:
        version.result_sample = stored.name
    version.save(update_fields=["result_sample_file", "result_sample"])
    audit.record(
        actor=actor,
        action=ATTACH_RESULT_SAMPLE,
        obj=version.item,
        changes={"result_sample_file": [before or None, stored.name]},
        reason=reason,
    )
    return version


def missing_files(version: ItemVersion) -> dict[str, list[str]]:
    """Publish faults: a file reference that names no uploaded file (e.g. a workbook
    from another installation whose files were not uploaded here)."""
    wanted = {m.order: m.sample_file for m in version.materials.all() if m.sample_file}
    keys = set(wanted.values()) | ({version.result_sample_file} - {""})
    known = set(CatalogFile.objects.filter(key__in=keys).values_list("key", flat=True))
    errors: dict[str, list[str]] = {}
    for index, material in enumerate(version.materials.all()):
        if material.sample_file and material.sample_file not in known:
            errors.setdefault(f"materials.{index}.sample_file", []).append(
                f"第{index + 1}项材料：示范文本文件 {material.sample_file} 未上传"
            )
    if version.result_sample_file and version.result_sample_file not in known:
        errors.setdefault("result_sample_file", []).append(
            f"结果样本文件 {version.result_sample_file} 未上传"
        )
    return errors


def names(keys) -> dict[str, CatalogFile]:
    """The uploaded files among ``keys`` (for a guide page: one query)."""
    keys = {k for k in keys if k}
    return {f.key: f for f in CatalogFile.objects.filter(key__in=keys)} if keys else {}


def public_file(*, key: str) -> CatalogFile:
    """A file the public may download: one that a published version names."""
    if not (isinstance(key, str) and 0 < len(key) <= 16 and key.isalnum()):
        raise NotFound("没有这个文件", code="no_file")
    published = (
        Material.objects.filter(sample_file=key, version__status=VersionStatus.PUBLISHED).exists()
        or ItemVersion.objects.filter(
            result_sample_file=key, status=VersionStatus.PUBLISHED
        ).exists()
    )
    stored = CatalogFile.objects.filter(key=key).first() if published else None
    if stored is None:
        raise NotFound("没有这个文件", code="no_file")
    return stored
