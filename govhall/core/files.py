"""Uploaded files are what their names say (上传文件校验).

Every upload is checked by extension, by its first bytes, and by parsing it: a PDF
header followed by an executable starts with the right bytes and is no PDF. Used for
case materials (``validate_case_file``) and the catalogue's 示范文本 / 结果样本
(``validate_catalog_file``, which also takes Word and Excel forms); a service that
takes attachments (督办回复, 诉求, 申诉) checks them with :func:`check_attachments`.
"""

from __future__ import annotations

import io
import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

from .errors import ValidationFailed

CASE_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".ofd"}
CATALOG_EXTENSIONS = CASE_EXTENSIONS | {".docx", ".xlsx"}
_MAGIC = {
    ".pdf": [b"%PDF"],
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
    ".png": [b"\x89PNG\r\n\x1a\n"],
    ".ofd": [b"PK\x03\x04"],  # OFD (GB/T 33190) is a zip container
    ".docx": [b"PK\x03\x04"],  # Office Open XML: a zip container too
    ".xlsx": [b"PK\x03\x04"],
}
_LABELS = {
    ".pdf": "PDF",
    ".jpg": "JPG",
    ".jpeg": "JPG",
    ".png": "PNG",
    ".ofd": "OFD",
    ".docx": "DOCX",
    ".xlsx": "XLSX",
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "GOVHALL_MAX_UPLOAD_MB", 20)) * 1024 * 1024


def read_all(f) -> bytes:
    pos = f.tell() if hasattr(f, "tell") else None
    try:
        if hasattr(f, "seek"):
            f.seek(0)
        data = f.read()
    finally:
        if pos is not None and hasattr(f, "seek"):
            f.seek(pos)
    return data.encode() if isinstance(data, str) else data


def _zip_with(data: bytes, member: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return member in archive.namelist() and archive.testzip() is None
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def parses(ext: str, data: bytes) -> bool:
    """Does the content really parse as its format? pypdf must read a PDF's
    cross-reference table and pages; Pillow must decode an image; an OFD is a zip with
    ``OFD.xml`` at its root, a DOCX/XLSX one with ``[Content_Types].xml``."""
    if ext == ".pdf":
        import pypdf

        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            return len(reader.pages) >= 1
        except Exception:  # pypdf raises many kinds on a broken file
            return False
    if ext in (".jpg", ".jpeg", ".png"):
        from PIL import Image

        try:
            with Image.open(io.BytesIO(data)) as image:
                expected = "PNG" if ext == ".png" else "JPEG"
                if image.format != expected:
                    return False
                image.verify()
            return True
        except Exception:  # Pillow's errors for truncated/corrupt data vary
            return False
    if ext == ".ofd":
        return _zip_with(data, "OFD.xml")
    if ext in (".docx", ".xlsx"):
        return _zip_with(data, "[Content_Types].xml")
    return False


def _validate(f, allowed: set[str]) -> None:
    name = getattr(f, "name", "") or ""
    ext = os.path.splitext(name)[1].lower()
    kinds = "、".join(dict.fromkeys(_LABELS[e] for e in sorted(allowed, key=list(_LABELS).index)))
    if ext not in allowed:
        raise ValidationError(f"只接受 {kinds} 格式的文件", code="file_type")
    size = getattr(f, "size", None)
    if size is not None and size > max_upload_bytes():
        raise ValidationError(
            f"文件不能超过 {max_upload_bytes() // (1024 * 1024)} MB", code="file_size"
        )
    data = read_all(f)
    if not any(data.startswith(m) for m in _MAGIC[ext]):
        raise ValidationError("文件内容与扩展名不符", code="file_content")
    if not parses(ext, data):
        raise ValidationError(f"文件已损坏或不是有效的 {kinds} 文件", code="file_corrupt")


def validate_case_file(f) -> None:
    """PDF/JPG/PNG/OFD only (extension, magic bytes, parsed content), size limit.

    Raises django ``ValidationError`` (forms/serializers use it); services turn it
    into ``ValidationFailed``."""
    _validate(f, CASE_EXTENSIONS)


def validate_catalog_file(f) -> None:
    """示范文本 / 空白表格 / 结果样本: also Word (DOCX) and Excel (XLSX) forms."""
    _validate(f, CATALOG_EXTENSIONS)


def check_attachments(files, *, limit: int | None = None) -> list:
    """A service's attachments (``files``), each a case file (:func:`validate_case_file`)
    and at most ``limit`` of them: the list, or a Chinese ``ValidationFailed`` on
    ``files`` (``too_many_files``, ``invalid_file``) before anything is saved."""
    files = list(files or ())
    if limit is not None and len(files) > limit:
        raise ValidationFailed(
            f"附件不超过 {limit} 个", code="too_many_files", fields={"files": ["过多"]}
        )
    for f in files:
        try:
            validate_case_file(f)
        except ValidationError as exc:
            raise ValidationFailed(
                "附件不符合要求：" + "；".join(exc.messages),
                code="invalid_file",
                fields={"files": exc.messages},
            ) from exc
    return files
