"""Check-character validators for Chinese identifiers.

* 居民身份证号 — GB 11643-1999: 17 digits + ISO 7064 MOD 11-2 check (0-9 or X).
* 统一社会信用代码 — GB 32100-2015: 18 characters from a 31-symbol alphabet with a
  MOD 31 check character.
* 事项基本编码 — GB/T 39554.1-2020: 12 digits.
* 事项实施编码 — govhall's convention (the national segments are not verified here):
  the implementing body's 统一社会信用代码 (18) + the 12-digit 基本编码 + a 2-digit
  业务办理项 number. :func:`parse_implementation_code` is the only parser.

And :func:`clean_text`, the one check of a free-text field from outside (an opinion, a
reason, a complaint's content) before it reaches the database.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from .errors import ValidationFailed

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def is_valid_id_number(value: str) -> bool:
    value = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return id_number_check_char(value[:17]) == value[17]


def validate_id_number(value: str, *, field: str = "id_number") -> str:
    value = (value or "").strip().upper()
    if not is_valid_id_number(value):
        raise ValidationFailed(
            "居民身份证号码格式或校验位不正确（GB 11643）",
            code="invalid_id_number",
            fields={field: ["居民身份证号码格式或校验位不正确"]},
        )
    return value


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    value = (value or "").strip().upper()
    if len(value) != 18 or any(c not in _USCC_ALPHABET for c in value):
        return False
    return uscc_check_char(value[:17]) == value[17]


def validate_uscc(value: str, *, field: str = "uscc") -> str:
    value = (value or "").strip().upper()
    if not is_valid_uscc(value):
        raise ValidationFailed(
            "统一社会信用代码格式或校验位不正确（GB 32100）",
            code="invalid_uscc",
            fields={field: ["统一社会信用代码格式或校验位不正确"]},
        )
    return value


BASIC_CODE_RE = re.compile(r"^\d{12}$")


def validate_basic_code(value: str, *, field: str = "basic_code") -> str:
    value = (value or "").strip()
    if not BASIC_CODE_RE.fullmatch(value):
        raise ValidationFailed(
            "事项基本编码应为12位数字", code="invalid_basic_code", fields={field: ["应为12位数字"]}
        )
    return value


class ImplementationCode(NamedTuple):
    uscc: str
    basic_code: str
    handling_no: str


def parse_implementation_code(
    value: str, *, field: str = "implementation_code"
) -> ImplementationCode:
    """Split and check a 实施编码 (32 characters: USCC + 基本编码 + 2-digit 办理项)."""
    value = (value or "").strip().upper()
    if len(value) != 32:
        raise ValidationFailed(
            "事项实施编码应为32位：统一社会信用代码(18位)+基本编码(12位)+办理项(2位)",
            code="invalid_implementation_code",
            fields={field: ["应为32位"]},
        )
    uscc, basic, handling = value[:18], value[18:30], value[30:]
    if not is_valid_uscc(uscc):
        raise ValidationFailed(
            "事项实施编码中的统一社会信用代码校验不通过",
            code="invalid_implementation_code",
            fields={field: ["前18位不是有效的统一社会信用代码"]},
        )
    if not BASIC_CODE_RE.fullmatch(basic) or not handling.isdigit():
        raise ValidationFailed(
            "事项实施编码第19-32位应为数字（基本编码+办理项）",
            code="invalid_implementation_code",
            fields={field: ["第19-32位应为数字"]},
        )
    return ImplementationCode(uscc, basic, handling)


def make_implementation_code(*, uscc: str, basic_code: str, handling_no: int = 1) -> str:
    return f"{uscc}{basic_code}{handling_no:02d}"


def mask_id_number(value: str | None) -> str:
    """110101********1234 — enough for staff to recognise, not to reuse."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def clean_text(value, *, field: str, label: str, limit: int, required: bool = True) -> str:
    """A free-text field from any channel, stripped and bounded: ``None`` is empty, a
    number is its digits, any other non-string is refused (``invalid``), a NUL
    character is refused (``invalid_text``: PostgreSQL cannot store it), an empty
    required field is ``required``, more than ``limit`` characters ``too_long``. The
    message names the field in Chinese (``label``)."""
    if value is None:
        value = ""
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    elif not isinstance(value, str):
        raise ValidationFailed(f"{label}格式不正确", code="invalid", fields={field: ["格式不正确"]})
    value = value.strip()
    if "\x00" in value:
        raise ValidationFailed(
            f"{label}不能包含空字符", code="invalid_text", fields={field: ["含空字符"]}
        )
    if required and not value:
        raise ValidationFailed(f"请填写{label}", code="required", fields={field: ["必填"]})
    if len(value) > limit:
        raise ValidationFailed(
            f"{label}不超过 {limit} 个字符", code="too_long", fields={field: [f"不超过 {limit} 字"]}
        )
    return value
