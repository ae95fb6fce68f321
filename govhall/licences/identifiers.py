"""电子证照标识 after GB/T 36904-2018 (电子证照 标识规范).

The identifier is an object identifier under China's arc for electronic licences,
``1.2.156.3005.2``, followed by the licence type code (证照类型代码, from the 电子证照目录,
``ItemLinkage.type_code``), the issuing authority's 统一社会信用代码, a sequence number
and a check character::

    1.2.156.3005.2.<证照类型代码>.<颁发机构代码>.<顺序号, 7 digits>.<校验位>

The check character is ISO/IEC 7064 MOD 37,36 over the characters of the parts after
the arc (dots left out), the hybrid system GB/T 17710 describes. A province's 电子证照库
may prescribe its own sequence or check: issue the identifiers there and store them
here instead (docs/licences.md "Identifiers").
"""

from __future__ import annotations

ARC = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GENERIC_TYPE = "0000"  # an item whose linkage names no licence type code


def check_character(text: str) -> str:
    """ISO/IEC 7064 MOD 37,36 (hybrid): one character of ``ALPHABET`` such that the
    string with it appended checks out. ``text`` holds digits and capital letters."""
    m = 36
    product = m
    for char in text:
        value = ALPHABET.index(char)
        total = (product + value) % m or m
        product = (total * 2) % (m + 1)
    return ALPHABET[(m + 1 - product) % m]


def is_valid(text: str) -> bool:
    """``text`` (without dots) ends with its own check character."""
    return len(text) > 1 and check_character(text[:-1]) == text[-1]


def make(*, type_code: str, issuer_code: str, sequence: int) -> str:
    type_code = "".join(c for c in (type_code or GENERIC_TYPE).upper() if c in ALPHABET)
    issuer_code = issuer_code.upper()
    serial = f"{sequence:07d}"
    check = check_character(type_code + issuer_code + serial)
    return f"{ARC}.{type_code or GENERIC_TYPE}.{issuer_code}.{serial}.{check}"


def verify(identifier: str) -> bool:
    """An identifier made by :func:`make` (or of the same structure) checks out."""
    if not identifier.startswith(ARC + "."):
        return False
    parts = identifier[len(ARC) + 1 :].split(".")
    if len(parts) != 4 or any(not p for p in parts):
        return False
    body = "".join(parts)
    return all(c in ALPHABET for c in body) and is_valid(body)
