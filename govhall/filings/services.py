"""Writes of 行政备案 (seed 4 备案; domain.md §8; docs/filings.md).

* :func:`fileable_version` — the one rule of what may be filed: a 行政备案 item on the
  备案清单 (在用, 进驻, not on the 负面清单, a guide in force naming its 备案类别) whose
  guide lists no fee. Every channel goes through it;
* :func:`file_online` (portal, the filer acts as ``Applicant``), :func:`file_at_window`
  (the centre's clerk) and :func:`file_through_api` (an API client, for a clerk): one
  :func:`submit` each. 事后告知类: the formal check, then 已备案 with its 备案编号 in
  the same transaction (即来即备). 确认类: 待确认, its confirmation limit counted in
  working days from today;
* :func:`transition` — the only code that moves a filing (``workflow.TRANSITIONS``:
  确认备案, 退回补正, 补正提交).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import FilingKind, Item, ItemType, ItemVersion
from govhall.core import actors, audit, clock
from govhall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from govhall.core.files import check_attachments
from govhall.core.validators import clean_text, validate_id_number, validate_uscc
from govhall.org import permissions
from govhall.org.models import Centre, Level

from . import messages, roles, selectors, workflow
from .models import Channel, FilerKind, Filing, FilingAttachment, FilingEvent, State

SUBMIT = workflow.SUBMIT
FILE = workflow.FILE

MAX_FILES = 10
ACTIVITY_MAX = 200
# How far ahead an activity may be dated: filing comes after the activity, as a rule
# (事后备案, seed 4 备案 第五条); a date a little ahead is a 预先报备.
ACTIVITY_AHEAD_DAYS = 366

NOT_ACCEPTING = {
    "cancelled": "该事项已取消",
    "suspended": "该事项暂停办理",
    "negative_list": "该事项列入负面清单，不在中心办理",
    "not_stationed": "该事项未进驻中心",
}


# --------------------------------------------------------------------------- the rule


def fileable_version(*, item: Item | None) -> ItemVersion:
    """The guide version under which ``item`` is filed, or a refusal before anything
    is created: only the 备案清单 may be filed (清单之外不得实行备案管理, seed 4 备案
    第三条), and no filing may cost anything (不得收取任何费用, 第五条)."""
    if item is None:
        raise ValidationFailed("请选择备案事项", code="unknown_item", fields={"item": ["必填"]})
    if item.type != ItemType.FILING:
        raise Conflict(
            f"“{item}”不是行政备案事项，不能备案；行政许可等事项请网上申请或到窗口办理",
            code="not_filing_item",
        )
    why = catalog_selectors.not_accepting(item)
    if why is not None:
        raise Conflict(f"{NOT_ACCEPTING[why]}，不能备案", code="item_not_accepting")
    # The guide in force with what the checks read (materials, fees): three queries.
    version = (
        catalog_selectors.current_versions()
        .filter(item=item)
        .prefetch_related("materials", "fee_lines")
        .first()
    )
    if version is None:
        raise Conflict("该事项没有现行有效的办事指南，不能备案", code="no_current_version")
    if version.filing_kind not in FilingKind.values:
        raise Conflict(
            f"“{version.name}”未列入备案清单（未确定备案类别），不能备案",
            code="not_on_filing_list",
        )
    if version.has_fee or list(version.fee_lines.all()):
        raise Conflict(
            f"“{version.name}”的办事指南列有收费，而行政备案不得收取任何费用"
            "（行政备案制度第五条），暂不能备案，请联系实施部门更正办事指南",
            code="filing_has_fee",
        )
    return version


# --------------------------------------------------------------------------- input


def _text(value, field: str, label: str, *, limit: int, required: bool = True) -> str:
    return clean_text(value, field=field, label=label, limit=limit, required=required)


def check_filer(*, filer_kind: str, filer_name, filer_id, phone) -> tuple[str, str, str]:
    """备案人: a person with a valid 居民身份证号码 (GB 11643) or an organisation with a
    valid 统一社会信用代码 (GB 32100), and a phone to be reached."""
    if filer_kind not in FilerKind.values:
        raise ValidationFailed(
            "备案人类型应为自然人或法人或其他组织",
            code="invalid_filer_kind",
            fields={"filer_kind": ["取值无效"]},
        )
    label = "备案人姓名" if filer_kind == FilerKind.PERSON else "备案单位名称"
    name = _text(filer_name, "filer_name", label, limit=100)
    raw = _text(filer_id, "filer_id", "证件号码", limit=18)
    if filer_kind == FilerKind.PERSON:
        filer_id = validate_id_number(raw, field="filer_id")
    else:
        filer_id = validate_uscc(raw, field="filer_id")
    phone = _text(phone, "phone", "联系电话", limit=20)
    if not (phone.replace("-", "").isdigit() and 7 <= len(phone) <= 20):
        raise ValidationFailed(
            "联系电话应为 7 至 20 位数字", code="invalid_phone", fields={"phone": ["格式不正确"]}
        )
    return name, filer_id, phone


def check_activity(activity, activity_date) -> tuple[str, dt.date]:
    activity = _text(activity, "activity", "备案活动（所从事的活动）", limit=ACTIVITY_MAX)
    if not isinstance(activity_date, dt.date):
        raise ValidationFailed(
            "请填写活动日期（YYYY-MM-DD）", code="required", fields={"activity_date": ["必填"]}
        )
    if activity_date > clock.today() + dt.timedelta(days=ACTIVITY_AHEAD_DAYS):
        raise ValidationFailed(
            "活动日期不能晚于一年以后",
            code="invalid_activity_date",
            fields={"activity_date": ["过晚"]},
        )
    return activity, activity_date


def formal_check(*, version: ItemVersion, files, paper_checked: bool) -> list[str]:
    """形式审查: the guide's 必要 materials come with the filing (uploaded, or at the
    window the papers seen by the clerk). Returns their names for the history."""
    required = [m.name for m in version.materials.all() if m.required]
    if required and not files and not paper_checked:
        raise ValidationFailed(
            "请上传备案材料：" + "、".join(required),
            code="materials_missing",
            fields={"files": ["必须上传：" + "、".join(required)]},
        )
    return required


def online_centre() -> Centre | None:
    """Online filings are registered at the county centre (the root of the tree), as
    online applications are."""
    return Centre.objects.filter(level=Level.COUNTY, parent__isnull=True).order_by("id").first()


# --------------------------------------------------------------------------- intake


def _event(filing, *, action, from_state, actor, text="", data=None) -> FilingEvent:
    return FilingEvent.objects.create(
        filing=filing,
        action=action,
        from_state=from_state,
        to_state=filing.state,
        actor=actors.actor_user(actor),
        actor_name=actors.actor_name(actor)[:100],
        at=clock.now(),
        text=text,
        data=data or {},
    )


def _attach(filing, event, files) -> None:
    now = clock.now()
    for f in files:  # one by one: FileField stores the file on save()
        FilingAttachment.objects.create(
            filing=filing,
            event=event,
            name=(getattr(f, "name", "") or "附件")[:200],
            file=f,
            uploaded_at=now,
        )


def submit(
    *,
    actor,
    channel: str,
    centre: Centre,
    item: Item,
    filer_kind: str,
    filer_name: str,
    filer_id: str,
    phone: str,
    activity: str,
    activity_date: dt.date,
    files=(),
    paper_checked: bool = False,
) -> Filing:
    """One filing through ``channel``: the item checked (:func:`fileable_version`), the
    formal check, then in one transaction the filing, its event, attachments and audit
    row. 事后告知类 leaves 已备案 with its 备案编号 (即来即备); 确认类 leaves 待确认 with
    its confirmation limit. Callers check who may file on their channel."""
    if channel not in Channel.values:
        raise ValidationFailed("备案渠道无效", code="invalid_channel", fields={"channel": ["无效"]})
    version = fileable_version(item=item)
    name, filer_id, phone = check_filer(
        filer_kind=filer_kind, filer_name=filer_name, filer_id=filer_id, phone=phone
    )
    activity, activity_date = check_activity(activity, activity_date)
    files = check_attachments(files, limit=MAX_FILES)
    materials = formal_check(
        version=version, files=files, paper_checked=paper_checked and channel == Channel.WINDOW
    )
    now = clock.now()
    notify = version.filing_kind == FilingKind.NOTIFY
    with transaction.atomic():
        filing = Filing(
            tracking=workflow.numbering.next_number(
                series=workflow.numbering.TRACKING, year=clock.today().year
            ),
            item=item,
            item_version=version,
            kind=version.filing_kind,
            department_id=item.department_id,
            centre=centre,
            channel=channel,
            filer_kind=filer_kind,
            filer_name=name,
            filer_id=filer_id,
            phone=phone,
            activity=activity,
            activity_date=activity_date,
            submitted_at=now,
        )
        if notify:
            filing.state = State.FILED
            workflow.issue_number(filing)
        else:
            filing.state = State.SUBMITTED
            filing.due_date = workflow.due_from(clock.today(), version)
        filing.save()
        data = {"channel": channel, "materials": materials, "files": len(files)}
        if paper_checked and channel == Channel.WINDOW:
            data["paper_checked"] = True
        if notify:
            data["number"] = filing.number
        else:
            data["due_date"] = filing.due_date.isoformat()
        event = _event(
            filing,
            action="file" if notify else "submit",
            from_state="",
            actor=actor,
            text=activity,
            data=data,
        )
        _attach(filing, event, files)
        audit.record(
            actor=actor,
            action=FILE if notify else SUBMIT,
            obj=filing,
            changes={
                "state": [None, filing.state],
                "number": [None, filing.number],
                "channel": [None, channel],
            },
            reason=version.name,
        )
        messages.after(filing, action="file" if notify else "submit", inputs={})
    return filing


FILER_FIELDS = ("filer_kind", "filer_name", "filer_id", "phone", "activity", "activity_date")


def file_online(*, item: Item, files=(), **filer) -> Filing:
    """网上备案 (portal): at the county centre; the filer is named by the form
    (``Applicant(name)``, as an online application is)."""
    centre = online_centre()
    if centre is None:
        raise Conflict("尚未设立服务中心，暂不能网上备案", code="no_centre")
    name = clean_text(filer.get("filer_name"), field="filer_name", label="备案人", limit=100)
    return submit(
        actor=actors.Applicant(name),
        channel=Channel.ONLINE,
        centre=centre,
        item=item,
        files=files,
        **filer,
    )


def _staff_centre(actor) -> Centre:
    if not roles.may_file_at_window(actor):
        raise PermissionDenied("只有中心综合受理人员和中心管理员可以登记备案")
    staff = permissions.active_staff(actor)
    centre = staff.centre if staff is not None else online_centre()
    if centre is None:
        raise Conflict("尚未设立服务中心", code="no_centre")
    return centre


def file_at_window(*, actor, item: Item, files=(), paper_checked: bool = False, **filer) -> Filing:
    """窗口备案: the clerk registers the filing at their centre; the papers the clerk
    saw count for the formal check (``paper_checked``)."""
    return submit(
        actor=actor,
        channel=Channel.WINDOW,
        centre=_staff_centre(actor),
        item=item,
        files=files,
        paper_checked=paper_checked,
        **filer,
    )


def file_through_api(*, actor, item: Item, files=(), **filer) -> Filing:
    """接口报送: a system of the department or the centre files for the filer, on the
    authority of a clerk (``org.ApiClient``); the materials are uploaded."""
    return submit(
        actor=actor,
        channel=Channel.API,
        centre=_staff_centre(actor),
        item=item,
        files=files,
        **filer,
    )


# --------------------------------------------------------------------------- transition


def transition(
    *, actor, filing: Filing, action: str, expected_version: int, files=(), **inputs
) -> Filing:
    """Take ``action`` on ``filing`` (``workflow.TRANSITIONS``). In one transaction:
    lock, stale check, the actor's role, the state, required inputs, the effect, the
    event (with ``files`` on 补正提交), the audit row naming the real actor."""
    if actor is None:
        raise TypeError("actor is required: a User, actors.Applicant or actors.SYSTEM")
    row = workflow.get(action)
    unknown = set(inputs) - row.input_names
    if unknown:
        raise TypeError(f"{action}() got unexpected inputs {sorted(unknown)}")
    if files and not row.attachments:
        raise ValidationFailed(f"“{row.label}”不接受附件", code="no_attachments")
    files = check_attachments(files, limit=MAX_FILES)
    inputs = {
        spec.name: _text(
            inputs.get(spec.name), spec.name, spec.label, limit=workflow.TEXT_MAX, required=False
        )
        for spec in row.inputs
    }
    with transaction.atomic():
        f = (
            Filing.objects.select_for_update(of=("self",))
            .select_related("item_version", "department", "centre")
            .get(pk=filing.pk)
        )
        if f.version != expected_version:
            raise Conflict(
                f"备案 {f.ref} 已被他人处理（当前为“{f.get_state_display()}”），请刷新后重试",
                code="stale_filing",
            )
        if not roles.roles_for(actor, f) & row.roles:
            raise PermissionDenied(f"您无权对备案 {f.ref} 执行“{row.label}”")
        if f.state not in row.sources:
            raise Conflict(
                f"备案 {f.ref} 当前为“{f.get_state_display()}”，不能{row.label}",
                code="invalid_transition",
            )
        missing = workflow.missing_inputs(row, inputs)
        if missing:
            label = "、".join(s.label for s in row.inputs if s.name in missing)
            raise ValidationFailed(f"请填写{label}", code="missing_input", fields=missing)
        before = {"state": f.state, "number": f.number, "due_date": f.due_date}
        from_state = f.state
        data = row.effect(actor, f, inputs)
        f.state = row.target
        f.version = F("version") + 1
        f.save()
        f.refresh_from_db(fields=["version"])
        event = _event(
            f,
            action=action,
            from_state=from_state,
            actor=actor,
            text=inputs.get(row.event_text, "") if row.event_text else "",
            data=data,
        )
        _attach(f, event, files)
        after = {"state": f.state, "number": f.number, "due_date": f.due_date}
        audit.record(
            actor=actor,
            action=row.audit_action,
            obj=f,
            changes={
                k: [str(before[k]) if before[k] else None, str(after[k]) if after[k] else None]
                for k in before
                if before[k] != after[k]
            },
            reason=inputs.get(row.event_text, "") if row.event_text else "",
        )
        messages.after(f, action=action, inputs=inputs)
    return f


def resubmit_online(*, ref: str, phone_tail: str, filer_id: str, note: str, files=()) -> Filing:
    """补正提交 on the portal: the filer proves the filing is theirs (编号, the phone's
    last 4 digits and the full 证件号码 given with it); any mismatch is the same
    ``filing_not_found``."""
    filing = selectors.filing_for_filer(ref=ref, phone_tail=phone_tail)
    if (filer_id or "").strip().upper() != filing.filer_id:
        raise NotFound("未找到该备案，请核对编号、手机号后四位和证件号码", code="filing_not_found")
    return transition(
        actor=actors.Applicant(filing.filer_name),
        filing=filing,
        action="resubmit",
        expected_version=filing.version,
        files=files,
        note=note,
    )
