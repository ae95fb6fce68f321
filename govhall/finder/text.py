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


def syllables(value: str) -> list[str]:
    """The 全拼 of each character (a character that is not Chinese: itself)."""
    return [
        re.sub(r"[^a-z0-9]", "", p.lower()) or c
        for c, p in zip(value, lazy_pinyin(list(value)), strict=False)
    ]


# English words as people mix them into a query (ID card丢了, business license), with
# the Chinese the catalogue uses: added to the query before it is matched, so the words
# and the model both see them. Longer phrases first.
ENGLISH = {
    "business license": "营业执照",
    "business licence": "营业执照",
    "id card": "身份证",
    "identity card": "身份证",
    "residence permit": "居住证",
    "no criminal record": "无犯罪记录证明",
    "criminal record": "无犯罪记录证明",
    "teacher certification": "教师资格",
    "teacher certificate": "教师资格",
    "social security card": "社会保障卡",
    "social security": "社保",
    "medical insurance": "医疗保险",
    "driving license": "驾驶证",
    "driver license": "驾驶证",
    "driver's license": "驾驶证",
    "birth certificate": "出生证明",
    "marriage": "结婚登记",
    "coffee shop": "咖啡店 餐饮",
    "milk tea": "奶茶店 餐饮",
    "restaurant": "饭店 餐饮",
    "hotel": "宾馆",
    "pharmacy": "药店",
    "eia": "环评",
    "pension": "养老金",
    "unemployment": "失业",
    "company": "公司",
    "license": "许可证",
    "licence": "许可证",
    "permit": "许可",
    "id": "身份证",
    "wifi": "",
    "app": "",
}
_ENGLISH_RE = re.compile(
    r"(?<![a-z])("
    + "|".join(re.escape(k) for k in sorted(ENGLISH, key=len, reverse=True))
    + r")(?![a-z])"
)


def with_english(value: str) -> str:
    """``value`` with the Chinese of the English words it holds appended (one pass:
    "id card丢了" → "id card丢了 身份证")."""
    added = [ENGLISH[m.group(1)] for m in _ENGLISH_RE.finditer(value)]
    added = [a for a in added if a]
    return f"{value} {' '.join(added)}" if added else value


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
PASSAGE_LIMIT = 200  # characters of a passage at most


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


# The fields the model reads. Conditions, materials and the department are matched by
# their words (BM25 in ``index``) but not encoded: with them a passage is ~126 model
# tokens and 10,000 guides take ~14 minutes to encode on two cores; without them ~46
# tokens and ~4 minutes, for the same top-5 on the evaluation set (docs/finder.md).
ENCODED = ("name", "keywords", "result", "life_events")


def passage(fields: dict[str, str]) -> str:
    """One text for the model: labelled fields, the name first (it weighs most)."""
    keys = list(ENCODED)
    name, result = fields.get("name", ""), fields.get("result", "")
    if result and (name in result or result in name):
        keys.remove("result")  # 食品经营许可证 says nothing 食品经营许可 does not
    text = "；".join(f"{FIELD_LABELS[k]}：{fields[k]}" for k in keys if fields.get(k))
    return text[:PASSAGE_LIMIT]


def bigrams(value: str) -> list[str]:
    """Pairs of adjacent characters within each word (a space or punctuation ends a
    word: 餐饮 饭店 gives 餐饮, 饭店 and not 饮饭)."""
    return [w[i : i + 2] for w in normalise(value).split() for i in range(len(w) - 1)]


def terms(*, name: str, keywords: str, result: str) -> list[list[str]]:
    """The lexical terms of a guide, with their pinyin: [term, field, 全拼, 首字母]."""
    seen: set[str] = set()
    out = []
    # the name itself; its parts (户口注销, 死亡 of 户口注销（死亡）) weigh a little less,
    # so 食品经营许可 puts the item of that name before 食品经营许可（变更）
    parts = name_parts(name.strip())
    candidates = [
        (compact(normalise(p)), "name" if i == 0 else "stem") for i, p in enumerate(parts)
    ]
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
