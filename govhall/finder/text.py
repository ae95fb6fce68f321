"""Text of the finder: what a query becomes before it is matched, what a guide
becomes before it is encoded, and the pinyin of the words people type in Latin letters.
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import lazy_pinyin

QUERY_MAX = 100  # characters a query may have (the box says so; the API refuses more)

_SPACE = re.compile(r"\s+")
# Punctuation and symbols between words: they carry no meaning for the match.
_PUNCT = re.compile(r"[\s!-/:-@\[-`{-~，。、；：？！…—·“”‘’（）《》【】「」『』〈〉～]+")
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}[0-9]{7}[0-9Xx]")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_LONG_DIGITS = re.compile(r"[0-9]{6,}")
_CODE = re.compile(r"^[0-9A-Z]{8,32}$")
_LATIN = re.compile(r"[a-z]+")
_HAN = re.compile(r"[\u3400-\u9fff]")


def normalise(value: str) -> str:
    """A query as it is matched: full-width letters and digits folded (ＳＢＫ → sbk),
    lower case, punctuation made a space, runs of spaces collapsed."""
    value = unicodedata.normalize("NFKC", value or "").lower()
    return _SPACE.sub(" ", _PUNCT.sub(" ", value)).strip()


def redact(value: str) -> str:
    """The query as it is logged: 身份证号, 手机号 and any other run of six or more
    digits become ＊ (a person may type their number to look up a case; the log
    keeps what they looked for, not who they are)."""
    value = _ID_NUMBER.sub("＊", value)
    value = _MOBILE.sub("＊", value)
    return _LONG_DIGITS.sub("＊", value)


def shared_words(query: str, value: str, *, limit: int = 3) -> list[str]:
    """The longest pieces (two characters or more) of ``query`` found in ``value``,
    none inside another: 我家小孩出生证明找不到了 / 出生证 出生证明 → [出生证明]."""
    found: list[str] = []
    for size in range(min(len(query), 12), 1, -1):
        for start in range(len(query) - size + 1):
            piece = query[start : start + size]
            if piece in value and not any(piece in f for f in found):
                found.append(piece)
                if len(found) >= limit:
                    return found
    return found


def compact(value: str) -> str:
    """Without spaces: the form substrings are looked up in."""
    return value.replace(" ", "")


def code_like(value: str) -> str:
    """The query as a 实施编码 / 基本编码 when it looks like one, else ''."""
    candidate = compact(value).upper()
    return candidate if _CODE.fullmatch(candidate) and any(c.isdigit() for c in candidate) else ""


def latin_words(value: str) -> list[str]:
    """Runs of Latin letters (pinyin such as hukou, sbk, or English words)."""
    return _LATIN.findall(value)


def has_han(value: str) -> bool:
    return bool(_HAN.search(value))


def pinyin_forms(term: str) -> tuple[str, str]:
    """全拼 and 首字母 of a Chinese term: 社保卡 → ("shebaoka", "sbk"). Characters
    that are not Chinese are kept as they are (lower case)."""
    syllables = [s.lower() for s in lazy_pinyin(term, errors="default") if s.strip()]
    syllables = [re.sub(r"[^a-z0-9]", "", s) for s in syllables]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


def name_parts(name: str) -> list[str]:
    """The name and, when it has a bracketed part, the name before it and the part:
    户口注销（死亡） → [户口注销（死亡）, 户口注销, 死亡] — people type either."""
    parts = [name]
    match = re.match(r"^(.*?)[（(](.+?)[）)]\s*$", name)
    if match:
        parts += [match.group(1).strip(), match.group(2).strip()]
    return [p for p in parts if len(p) >= 2]


# The guide fields a passage is made of, in the order they are written, with the
# label a hit shows ("申请材料含 营业执照").
FIELD_LABELS = {
    "name": "事项名称",
    "keywords": "俗称/关键词",
    "result": "办理结果",
    "life_events": "主题",
    "department": "实施部门",
    "conditions": "申请条件",
    "materials": "申请材料",
}
# Characters of a passage (about 250 model tokens); longer conditions are cut, which
# keeps the index of 10,000 guides within the time the issue sets.
PASSAGE_LIMIT = 320


def guide_fields(
    *, name, keywords, result, life_events, department, conditions, materials
) -> dict[str, str]:
    """The guide as the finder encodes it, field by field."""
    return {
        "name": name,
        "keywords": " ".join((keywords or "").split()),
        "result": result or "",
        "life_events": " ".join(life_events),
        "department": department or "",
        "conditions": (conditions or "")[:160],
        "materials": "；".join(materials)[:160],
    }


def passage(fields: dict[str, str]) -> str:
    """One text for the model: labelled fields, the name first (it weighs most)."""
    text = "；".join(f"{FIELD_LABELS[k]}：{v}" for k, v in fields.items() if v)
    return text[:PASSAGE_LIMIT]


def terms(*, name: str, keywords: str, result: str) -> list[list[str]]:
    """The lexical terms of a guide, with their pinyin: [term, field, 全拼, 首字母]."""
    seen: set[str] = set()
    out = []
    candidates = [(compact(normalise(p)), "name") for p in name_parts(name.strip())]
    candidates += [(k, "keywords") for k in normalise(keywords).split()]
    if result:
        candidates.append((compact(normalise(result)), "result"))
    for term, field in candidates:
        if len(term) < 2 or term in seen:
            continue
        seen.add(term)
        full, initials = pinyin_forms(term) if has_han(term) else ("", "")
        out.append([term, field, full, initials])
    return out
