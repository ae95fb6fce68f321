"""Shared material and step templates, so each demo item states only what is its own.

Wording follows the national guide standard (办事指南要素) and avoids the catch-alls
publish validation refuses (“其他材料”“有关部门”… R-CAT-8).
"""

from __future__ import annotations

# --- 申请材料 ----------------------------------------------------------------------


def m(
    name: str,
    originals: int = 1,
    copies: int = 0,
    form: str = "paper",
    *,
    sample: str = "",
    mistakes: str = "",
    source: str = "申请人自备",
    required: bool = True,
    tolerance: bool = False,
    notes: str = "",
) -> dict:
    """One 申请材料 row in the shape ``catalog.services.save_draft`` takes."""
    return {
        "name": name,
        "originals": originals,
        "copies": copies,
        "form": form,
        "sample_form": sample,
        "common_mistakes": mistakes,
        "source": source,
        "required": required,
        "tolerance_allowed": tolerance,
        "notes": notes,
    }


def form(title: str, **kw) -> dict:
    """The item's own application form (申请表/申请书) with its blank sample."""
    kw.setdefault("sample", f"《{title}》空白表格及填写示例")
    kw.setdefault("mistakes", "漏填联系电话、通讯地址；申请人未签字或未加盖公章")
    kw.setdefault("source", "政务服务中心窗口领取或网上下载")
    return m(f"《{title}》", 1, 0, "both", **kw)


def tolerable(material: dict) -> dict:
    """The same material, marked 可容缺 (补齐期限不超过承诺时限)."""
    return {**material, "tolerance_allowed": True, "notes": "可容缺受理，申请人签署承诺书后补齐"}


ID_CARD = m(
    "申请人居民身份证",
    1,
    1,
    "both",
    source="公安机关核发（可调取电子证照）",
    mistakes="证件已过有效期；复印件未复印正反两面",
)
HUKOU = m("居民户口簿", 1, 1, source="公安机关核发", mistakes="未提供户主页和本人页")
PHOTO = m(
    "近期免冠彩色证件照片（2寸）",
    2,
    0,
    notes="白色背景，不得佩戴帽子和有色眼镜",
    mistakes="使用生活照或翻拍照片",
)
BUSINESS_LICENCE = m(
    "营业执照",
    0,
    1,
    "both",
    source="市场监管部门核发（可调取电子证照）",
    notes="已领取电子营业执照的，窗口在线核验，无需提交纸质复印件",
)
LEGAL_REP_ID = m("法定代表人（负责人）居民身份证", 0, 1, "both", source="公安机关核发")
AGENT = m(
    "授权委托书及受托人居民身份证（委托他人代办时提交）",
    1,
    1,
    required=False,
    sample="《授权委托书》示范文本",
    mistakes="委托书未写明委托事项和委托期限；委托人未签字或未盖章",
)
BANK_CARD = m(
    "本人社会保障卡或银行账户信息",
    0,
    1,
    "both",
    mistakes="提供他人账户；账户已销户或冻结",
    notes="用于待遇发放，须为申请人本人账户",
)
SITE_PLAN = m(
    "经营场所平面布局图",
    1,
    0,
    sample="《经营场所平面布局图》绘制示例",
    mistakes="未标注功能分区、面积和设备位置",
)
PROPERTY_PROOF = m(
    "场所使用证明（不动产权证书或租赁合同）",
    0,
    1,
    "both",
    mistakes="租赁合同已过期；出租人与产权人不一致且未附授权",
)
LAND_PROOF = m("建设用地批准文件或不动产权证书", 0, 1, "both", source="自然资源部门核发")
SAFETY_RULES = m(
    "安全管理制度和岗位操作规程",
    1,
    0,
    mistakes="照搬模板，未结合本单位实际岗位",
)


# --- 办理环节 (审查 → 审核 → 决定) --------------------------------------------------

_KIND_NAMES = {"examine": "审查", "verify": "审核", "decide": "决定"}
_PATTERN_KINDS = {
    "simple": ["decide"],
    "general": ["examine", "decide"],
    "complex": ["examine", "verify", "decide"],
    "special": ["examine", "decide"],
}


def steps(pattern: str, days: int, *, points: str, licensing: bool, instant: bool) -> list[dict]:
    """Ordered steps for a procedure pattern, the promised days split across them.

    The review rules (审查内容、标准、要点、注意事项, R-CAT-10) are shared text plus the
    item's own ``points``.
    """
    kinds = _PATTERN_KINDS[pattern]
    if instant:
        kinds = ["decide"]
    n = len(kinds)
    share = [0] * n if instant else [max(days // (n + 1), 1)] * n
    if not instant:
        share[0] = max(days - sum(share[1:]), 1)
    notice = (
        "材料不齐全或不符合法定形式的，当场或5个工作日内一次性告知需补正的全部内容（行政许可法第三十二条）"
        if licensing
        else "材料不齐全的，一次性告知需补正的全部内容，不得多次要求补正"
    )
    texts = {
        "examine": (
            "申请材料是否齐全、是否符合法定形式，证照信息与电子证照库、共享数据是否一致",
            "申请材料齐全、内容真实完整、前后一致，符合设定依据规定的申请条件",
            notice,
        ),
        "verify": (
            "复核审查意见、特殊环节结论和拟办意见",
            "审查意见明确，适用依据准确，程序合法",
            "审核人与审查人不得为同一人；发现问题退回审查环节并写明理由",
        ),
        "decide": (
            "根据审查（审核）意见作出准予或不予的决定",
            "事实清楚、证据充分、适用依据正确、程序合法",
            "准予的，自决定之日起10个工作日内颁发、送达结果（行政许可法第四十四条）；"
            "不予的，书面说明理由并告知依法申请行政复议或提起行政诉讼的权利"
            if licensing
            else "不予办理的，书面说明理由并告知救济途径",
        ),
    }
    if instant:
        texts["decide"] = (
            "当场核验申请材料并办结",
            "材料齐全、符合法定形式、信息核验一致的当场办结",
            "不能当场办结的，说明理由并转为承诺件办理",
        )
    result = []
    for order, (kind, limit) in enumerate(zip(kinds, share, strict=True), start=1):
        content, standard, cautions = texts[kind]
        name = "受理即办" if instant else _KIND_NAMES[kind]
        result.append(
            {
                "order": order,
                "kind": kind,
                "name": name,
                "time_limit_days": limit,
                "review_content": content,
                "review_standard": standard,
                "review_points": points,
                "cautions": cautions,
            }
        )
    return result


# --- 特殊环节 (行政许可法第四十五条: 听证、检验、检测、专家评审等不计入时限) -----------


def special(kind: str, name: str, days: int, basis: str, *, counted: bool, fee: str = "") -> dict:
    return {
        "kind": kind,
        "name": name,
        "time_limit_days": days,
        "basis": basis,
        "counted_in_limit": counted,
        "has_fee": bool(fee),
        "fee_note": fee,
    }


SITE_CHECK = "site_inspection"
EXPERT = "expert_review"
ANNOUNCE = "announcement"
HEARING = "hearing"
INVESTIGATE = "investigation"
TESTING = "testing"
MEETING = "meeting"
