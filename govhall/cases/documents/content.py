"""What each notice says — shared by the HTML page and the PDF."""

from __future__ import annotations

import base64
import datetime as dt
import io
from urllib.parse import urlencode

import qrcode
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from govhall.catalog.models import ItemType
from govhall.org import site

from ..models import CaseDocument, DeliveryMethod, DocumentKind, Result

LICENSING_LAW = "《中华人民共和国行政许可法》"

# What a decision is called for each 事项类型: "准予许可" is right only for a licence
# (行政确认 确认, 行政给付 给付, 行政备案 备案 …).
RESULT_WORDS = {
    ItemType.LICENSING: ("准予行政许可", "不予行政许可"),
    ItemType.CONFIRMATION: ("予以确认", "不予确认"),
    ItemType.PAYMENT: ("准予给付", "不予给付"),
    ItemType.LEVY: ("依法征收", "不予征收"),
    ItemType.REWARD: ("给予奖励", "不予奖励"),
    ItemType.ADJUDICATION: ("作出裁决", "不予裁决"),
    ItemType.FILING: ("予以备案", "不予备案"),
}
DEFAULT_WORDS = ("予以办理", "不予办理")


def result_words(item_type: str, result: str) -> str:
    """The decision in the words of the item's type (准予行政许可, 予以确认 …)."""
    approved, denied = RESULT_WORDS.get(item_type, DEFAULT_WORDS)
    if result == Result.APPROVED:
        return approved
    if result == Result.DENIED:
        return denied
    return Result(result).label if result in Result.values else result


def remedy() -> str:
    """行政复议法 (2023) §20 (60 日) and §24 (the county government reviews its
    departments' acts), 行政诉讼法 §46 (6 个月) and §18 (the court where the organ
    is): every adverse decision names where and by when."""
    county = site.county_name()
    review = f"{county}人民政府" if county else "本级人民政府"
    court = f"{county}人民法院" if county else "有管辖权的人民法院"
    return (
        f"如不服本决定，可以自收到本文书之日起六十日内向{review}申请行政复议，"
        f"或者自知道作出本决定之日起六个月内向{court}提起行政诉讼。"
    )


RIGHTS = [
    "您有权凭受理编号和手机号后四位随时查询办理进度（扫描右上角二维码或登录县政务服务网）。",
    "办理过程中如需补正材料，我们将一次性告知；超过承诺时限未办结的，您可以向中心投诉（12345）。",
    "您有权依法申请撤回申请；对办理结果不服的，可以依法申请行政复议或者提起行政诉讼。",
]


def _date(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def progress_url(case_number: str, request=None, *, via: str = "") -> str:
    """The public progress page of a case (the QR code's target: ``via="qr"``, so
    what the page offers next — 好差评's 扫码 channel — knows how the applicant came)."""
    query = {"number": case_number, **({"via": via} if via else {})}
    path = reverse("cases_public:progress") + "?" + urlencode(query)
    if request is not None:
        return request.build_absolute_uri(path)
    base = getattr(settings, "GOVHALL_PUBLIC_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


def qr_png(url: str) -> bytes:
    image = qrcode.make(url, box_size=4, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(url: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(url)).decode()


def content(document: CaseDocument) -> dict:
    """Title, addressee, paragraphs, an optional table and the rights of one notice."""
    case = document.case
    data = document.data or {}
    event = document.event
    opinion = event.opinion if event is not None else ""
    item = data.get("item") or (case.item_version.name if case.item_version else str(case.bundle))
    department = data.get("department") or case.department.name
    applicant = data.get("applicant") or case.applicant_name
    version = case.item_version
    item_type = case.item.type if case.item_id else ""
    licensing = item_type == ItemType.LICENSING
    basis = (version.legal_basis if version else "").strip().rstrip("。")
    received = _date(case.received_at)
    out = {
        "title": document.get_kind_display(),
        "number": document.number,
        "case_number": case.number,
        "addressee": f"{applicant}：",
        "paragraphs": [],
        "table": None,
        "closing": [],  # paragraphs after the table (they refer to it)
        "rights": [],
        "issuer": department,
        "centre": case.centre.name,
        "issued_on": _date(document.issued_at),
        "receipt": False,
    }
    paras = out["paragraphs"]
    kind = document.kind
    if kind == DocumentKind.ACCEPTANCE:
        if data.get("deemed_accepted_s32"):
            paras.append(
                f"您于{received}提交的“{item}”申请，本机关自收到申请材料之日起五个工作日内"
                "未告知补正，依照《中华人民共和国行政许可法》第三十二条，自收到材料之日起即为受理。"
            )
        elif licensing:
            paras.append(
                f"您于{received}提交的“{item}”申请，经审查，申请材料齐全、符合法定形式，"
                f"依照{LICENSING_LAW}第三十二条，本机关决定予以受理。"
            )
        else:
            paras.append(
                f"您于{received}提交的“{item}”申请，经审查，申请材料齐全、符合法定形式，"
                + (f"依据{basis}，" if basis else "")
                + "本机关决定予以受理。"
            )
        paras.append(f"受理日期：{_date(data.get('accepted_on'))}。")
        paras.append(f"承办人：{data.get('responsible') or '（由承办部门指定）'}。")
        paras.append(
            f"承诺办结期限：{_date(data.get('due_date')) or '（即办）'}"
            "（按工作日计算，法定节假日不计入；依法需要听证、检验、检测、鉴定、专家评审、"
            "公示等特殊环节的时间不计入办理时限，届时另行书面告知）。"
        )
        if data.get("tolerated"):
            paras.append(
                "本件按容缺受理办理，您已签署承诺书。以下材料须于"
                f"{_date(data.get('catch_up_due'))}前补齐，逾期未补齐的，本件将依法终止办理："
            )
            out["table"] = {
                "head": ["序号", "容缺材料"],
                "rows": [[str(i), name] for i, name in enumerate(data["tolerated"], 1)],
            }
        out["rights"] = RIGHTS
    elif kind == DocumentKind.CORRECTION:
        paras.append(
            f"您于{received}提交的“{item}”申请，申请材料不齐全或者不符合法定形式。"
            + (f"依照{LICENSING_LAW}第三十二条，" if licensing else "按照一次性告知制度，")
            + "现将需要补正的全部内容一次性告知如下："
        )
        out["table"] = {
            "head": ["序号", "材料", "需补正的内容及原因"],
            "rows": [
                [str(i), c.get("name", ""), c.get("problem", "")]
                for i, c in enumerate(data.get("corrections") or [], 1)
            ],
        }
        out["closing"].append(
            "请按上述要求一次补齐后重新提交。自收到补正材料之日起，本机关将在五个工作日内作出"
            "是否受理的决定。本告知书所列以外的材料，不再要求您补正。"
        )
        if opinion:
            out["closing"].append(f"说明：{opinion}")
    elif kind == DocumentKind.REFUSAL:
        reason = opinion or case.result_reason
        paras.append(
            f"您于{received}提交的“{item}”申请，经审查，决定不予受理。"
            + (f"依照{LICENSING_LAW}第三十二条，" if licensing else "")
            + "现将理由告知如下："
        )
        paras.append(f"不予受理的理由：{reason}")
        out["rights"] = [remedy()]
    elif kind == DocumentKind.SPECIAL_STEP:
        notice = data.get("notice") or {}
        counted = data.get("counted_in_limit")
        paras.append(
            f"您申请的“{item}”事项，依法需要进行“{data.get('name', '')}”。"
            + (
                "该环节所需时间计入办理时限。"
                if counted
                else "依照《中华人民共和国行政许可法》第四十五条，该环节所需时间不计入办理时限，"
                "期间暂停计时，结束后恢复。"
            )
        )
        if data.get("time_limit_days"):
            paras.append(f"该环节时限：{data['time_limit_days']}个工作日。")
        labels = [
            ("time", "时间"),
            ("place", "地点"),
            ("content", "内容"),
            ("persons", "人员"),
            ("method", "方式"),
        ]
        rows = [[label, str(notice[key])] for key, label in labels if notice.get(key)]
        rows += [[str(k), str(v)] for k, v in notice.items() if k not in dict(labels)]
        if rows:
            out["table"] = {"head": ["项目", "内容"], "rows": rows}
        out["rights"] = ["您有权对该环节的结论陈述意见、申辩；涉及听证的，依法享有申请听证的权利。"]
    elif kind == DocumentKind.EXTENSION:
        paras.append(
            f"您申请的“{item}”事项，因{opinion or '情况复杂'}，不能在原期限内作出决定。"
            "依照《中华人民共和国行政许可法》第四十二条，经本机关负责人批准，办理期限延长"
            f"{data.get('days', '')}个工作日，延长后的办结期限为{_date(data.get('due_date'))}。"
        )
        out["rights"] = RIGHTS[:1]
    elif kind == DocumentKind.DECISION:
        result = data.get("result") or case.result
        words = result_words(item_type, result)
        if licensing and result == Result.APPROVED:
            law = f"依照{basis + '和' if basis else ''}{LICENSING_LAW}第三十八条第一款"
        elif licensing and result == Result.DENIED:
            law = f"依照{LICENSING_LAW}第三十八条第二款"
        else:
            law = f"依据{basis}" if basis else ""
        paras.append(
            f"您于{received}提交的“{item}”申请，本机关经审查，"
            + (f"{law}，" if law else "")
            + f"决定：{words}。"
        )
        if opinion:
            paras.append(f"决定意见：{opinion}")
        if data.get("reason"):
            paras.append(f"理由：{data['reason']}")
        result_name = version.result_name if version else ""
        if result == Result.APPROVED:
            if result_name:
                number = f"（编号 {case.result_number}）" if case.result_number else ""
                paras.append(
                    f"办理结果：{result_name}{number}"
                    + (f"，依照{LICENSING_LAW}第三十九条颁发。" if licensing else "。")
                )
            method = case.delivery_method
            if method in (DeliveryMethod.POST, DeliveryMethod.ELECTRONIC):
                paras.append(f"办理结果将按您选择的方式（{DeliveryMethod(method).label}）送达。")
            else:
                paras.append(
                    f"请凭本决定书和身份证件到{case.centre.name}窗口领取办理结果；"
                    "需要邮寄的，可向窗口申请邮寄送达。"
                )
        else:
            out["rights"] = [remedy()]
    elif kind == DocumentKind.SERVICE_RECEIPT:
        method = data.get("method") or case.delivery_method
        label = DeliveryMethod(method).label if method in DeliveryMethod.values else method
        decision = case.documents.filter(kind=DocumentKind.DECISION).order_by("-id").first()
        rows = [
            ["受送达人", applicant],
            ["送达文书", f"决定书 {decision.number}" if decision else "办理结果"],
            ["证照编号", case.result_number or "—"],
            ["送达方式", label],
        ]
        if data.get("tracking_number"):
            rows.append(["邮寄单号", data["tracking_number"]])
        rows += [["送达时间", _date(document.issued_at)], ["受送达人签收", ""], ["送达人", ""]]
        out["addressee"] = ""
        out["table"] = {"head": ["项目", "内容"], "rows": rows}
        out["receipt"] = True
    elif kind == DocumentKind.BUNDLE_NOTICE:
        paras.append(
            f"您于{received}通过“一件事一次办”一次提交了“{item}”所含"
            f"{len(data.get('children') or [])}个事项的申请。各事项的办理情况一次告知如下，"
            "需补正或容缺补齐的材料见各事项的告知书。凭本告知单的受理编号和手机号后四位"
            "即可查询全部事项的进度。"
        )
        out["table"] = children_table(data.get("children") or [])
        out["rights"] = RIGHTS
    return out


BUNDLE_HEAD = ["序号", "事项", "办理部门", "子件编号", "状态", "办结期限"]


def children_table(children: list[dict]) -> dict:
    """The 一件事告知单's table: every child with item, department, state, deadline."""
    rows = []
    for i, child in enumerate(children, 1):
        state = child.get("state_label", "")
        if child.get("result_label"):
            state += f"（{child['result_label']}）"
        if child.get("tolerance_due"):
            state += f"，容缺材料须于{_date(child['tolerance_due'])}前补齐"
        rows.append(
            [
                str(i),
                child.get("item", ""),
                child.get("department", ""),
                child.get("number", ""),
                state,
                _date(child.get("due_date")) or "—",
            ]
        )
    return {"head": BUNDLE_HEAD, "rows": rows}


def _live_children(parent) -> list[dict]:
    """Children as they stand now (a notice issued before snapshots were kept)."""
    return [
        {
            "number": c.number,
            "item": c.item_version.name if c.item_version else "",
            "department": c.department.name,
            "state_label": c.get_state_display(),
            "result_label": c.get_result_display() if c.result else "",
            "due_date": c.due_date.isoformat() if c.due_date else "",
            "tolerance_due": c.tolerance_due.isoformat() if c.tolerance_due else "",
        }
        for c in parent.children.select_related("item_version", "department").order_by("id")
    ]


BUNDLE_KINDS = (DocumentKind.BUNDLE_NOTICE, DocumentKind.ACCEPTANCE, DocumentKind.REFUSAL)
RECEIPT_KINDS = (DocumentKind.ACCEPTANCE, DocumentKind.CORRECTION, DocumentKind.REFUSAL)


def is_bundle_notice(document: CaseDocument) -> bool:
    """The applicant's one notice of a 一件事: the parent's 一件事告知单, or the parent's
    own 受理通知书/不予受理决定书 when the bundle was decided as a whole."""
    return document.kind in BUNDLE_KINDS and document.case.is_bundle_parent


def bundle_notice_of(parent) -> CaseDocument | None:
    """The latest notice of a 一件事 parent that serves as its 一件事告知单."""
    return (
        parent.documents.filter(kind__in=BUNDLE_KINDS)
        .select_related("event", "case")
        .order_by("-id")
        .first()
    )


def bundle_content(document: CaseDocument) -> dict:
    """The whole 一件事告知单 (one page, one PDF): the parent's 受理编号 and QR code, a
    table of every child, then the receipt-stage notices — the parent's own
    (受理通知书/不予受理决定书) and each child's (受理通知书 incl. 容缺, 一次性告知书) —
    and the applicant's rights once. Two queries besides the children's snapshot."""
    parent = document.case
    data = document.data or {}
    children = data.get("children")
    if children is None:
        children = _live_children(parent)
    out = {
        "title": "一件事告知单",
        "heading": f"“{parent.bundle.name}”一件事告知单",
        "number": document.number,
        "case_number": parent.number,
        "addressee": f"{data.get('applicant') or parent.applicant_name}：",
        "paragraphs": [
            f"您于{_date(parent.received_at)}通过“一件事一次办”一次提交了以下"
            f"{len(children)}个事项的申请。各事项的办理情况及需要您知道的事项一次告知如下。"
            "凭上方受理编号和手机号后四位即可查询全部事项的进度。"
        ],
        "table": children_table(children),
        "sections": [],
        "rights": [],
        "issuer": f"{parent.department.name}（牵头部门）",
        "centre": parent.centre.name,
        "issued_on": _date(document.issued_at),
        "lead_department": parent.department.name,
    }
    rights: list[str] = []
    if document.kind != DocumentKind.BUNDLE_NOTICE:
        c = content(document)
        out["sections"].append(c)
        rights.extend(c["rights"])
    by_case = {}
    notices = CaseDocument.objects.filter(case__parent=parent, kind__in=RECEIPT_KINDS)
    if document.pk is not None:  # what the applicant was told up to this notice
        notices = notices.filter(id__lte=document.pk)
    for doc in notices.select_related(
        "event", "case__item_version", "case__department", "case__centre"
    ).order_by("case_id", "id"):
        by_case[doc.case_id] = doc  # the latest receipt-stage notice of each child
    for doc in by_case.values():
        c = content(doc)
        c["subtitle"] = f"{doc.case.item_version.name}（{doc.case.department.name}）"
        out["sections"].append(c)
        rights.extend(c["rights"])
    if document.kind == DocumentKind.BUNDLE_NOTICE:
        rights.extend(RIGHTS)
    out["rights"] = list(dict.fromkeys(rights))
    return out
