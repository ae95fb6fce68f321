"""Writes of 有诉即办 / 12345 (issue 12 §2).

* :func:`submit_online` — a citizen's complaint from the portal (待受理, a tracking
  number returned); :func:`receive_at_window` — the 有诉即办 window registers and
  accepts in one transaction (and, for a consultation answered on the spot, closes it
  as 直接办结 in the same one);
* :func:`transition` — the only code that moves a complaint (``workflow.TRANSITIONS``);
* :func:`create_entry`, :func:`update_entry`, :func:`set_published` — the 知识库,
  every edit audited with before/after;
* :func:`supervise_overdue` and :func:`remind_due` — the morning's 督办 of answers
  past their deadline and the reminder the working day before it (``tasks.py``).

The 12345 file exchange is ``exchange.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from govhall.calendar import selectors as calendar
from govhall.catalog.services import build_search_text
from govhall.core import actors, audit, clock, policy
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.files import check_attachments
from govhall.core.models import AuditEntry
from govhall.core.validators import clean_text, validate_id_number
from govhall.notifications.models import Channel as NoticeChannel
from govhall.notifications.models import Notification
from govhall.notifications.services import Message, Recipient, notify
from govhall.org import permissions
from govhall.org.models import Centre, Level, Role, Staff

from . import numbering, roles, workflow
from .models import (
    ANSWER_PENDING,
    Category,
    Channel,
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    KnowledgeEntry,
    State,
)

SUBMIT = workflow.SUBMIT
KNOWLEDGE_CREATE = audit.Action("complaints.knowledge.create", "新增知识库条目")
KNOWLEDGE_UPDATE = audit.Action("complaints.knowledge.update", "修改知识库条目")
KNOWLEDGE_PUBLISH = audit.Action("complaints.knowledge.publish", "发布知识库条目")
KNOWLEDGE_UNPUBLISH = audit.Action("complaints.knowledge.unpublish", "撤回知识库条目")
IMPORT = audit.Action("complaints.exchange.import", "导入12345工单")

MAX_FILES = 10
SUBJECT_MAX = 200
CONTENT_MAX = 4000


# --------------------------------------------------------------------------- input


def text(value, field: str, label: str, *, max_len: int, required: bool = True) -> str:
    return clean_text(value, field=field, label=label, limit=max_len, required=required)


def check_phone(value: str, *, required: bool) -> str:
    value = text(value, "phone", "联系电话", max_len=20, required=required)
    if value and not (value.replace("-", "").isdigit() and 7 <= len(value) <= 20):
        raise ValidationFailed(
            "联系电话应为 7 至 20 位数字", code="invalid_phone", fields={"phone": ["格式不正确"]}
        )
    return value


def check_category(value: str) -> str:
    if value not in Category.values:
        allowed = "、".join(label for _v, label in Category.choices)
        raise ValidationFailed(
            f"诉求类别应为 {allowed} 之一", code="invalid_category", fields={"category": ["无效"]}
        )
    return value


def check_files(files) -> list:
    return check_attachments(files, limit=MAX_FILES)


def online_centre() -> Centre | None:
    """The county centre (the root of the centre tree) receives online and 12345
    complaints, as it receives online applications."""
    return Centre.objects.filter(level=Level.COUNTY, parent__isnull=True).order_by("id").first()


# --------------------------------------------------------------------------- intake


def _event(complaint, *, action, from_state, actor, text="", data=None, to_state=None):
    """The history row of one step, unsaved (the caller saves it, or several at once)."""
    return ComplaintEvent(
        complaint=complaint,
        action=action,
        from_state=from_state,
        to_state=complaint.state if to_state is None else to_state,
        actor=actors.actor_user(actor),
        actor_name=actors.actor_name(actor)[:100],
        at=clock.now(),
        text=text,
        data=data or {},
    )


def _attach(complaint, event, files) -> None:
    now = clock.now()
    for f in files:
        ComplaintAttachment.objects.create(
            complaint=complaint,
            event=event,
            name=(getattr(f, "name", "") or "附件")[:200],
            file=f,
            uploaded_at=now,
        )


def _new(
    *,
    channel: str,
    centre: Centre,
    category: str,
    subject: str,
    content: str,
    name: str = "",
    phone: str = "",
    id_number: str = "",
    case=None,
    about_staff: Staff | None = None,
    received_at: dt.datetime | None = None,
    external_source: str = "",
    external_id: str = "",
    external_digest: str = "",
    due_date: dt.date | None = None,
    phone_required: bool = True,
) -> Complaint:
    """A new complaint (待受理), checked but not saved and not yet numbered."""
    return Complaint(
        channel=channel,
        category=check_category(category),
        subject=text(subject, "subject", "标题", max_len=SUBJECT_MAX),
        content=text(content, "content", "诉求内容", max_len=CONTENT_MAX),
        centre=centre,
        complainant_name=text(name, "name", "诉求人姓名", max_len=100, required=False),
        complainant_phone=check_phone(phone, required=phone_required),
        complainant_id_number=_id_number(id_number),
        case=case,
        about_staff=about_staff,
        state=State.SUBMITTED,
        received_at=received_at or clock.now(),
        due_date=due_date,
        external_source=external_source,
        external_id=external_id,
        external_digest=external_digest,
    )


def _id_number(value) -> str:
    value = text(value, "id_number", "身份证号", max_len=18, required=False)
    return validate_id_number(value.upper(), field="id_number") if value else ""


def _insert(
    complaint: Complaint,
    *,
    actor,
    files,
    event_action: str,
    event_data: dict,
    step: _Step | None = None,
) -> Complaint:
    """Number and save ``complaint`` with its 提交 event, attachments (``files``, already
    checked by the caller with :func:`check_files`) and audit row,
    and, when the channel also took a first step in the same breath (the window's
    受理 or 直接办结, planned by :func:`_plan` on the unsaved complaint), that step's
    event and audit row too: one INSERT per table. The counter row is locked last and
    held for these few statements only."""
    submitted = {"channel": complaint.channel, **event_data}
    if complaint.external_id:
        submitted["external_id"] = complaint.external_id
    with transaction.atomic():
        complaint.number = numbering.next_number(year=clock.today().year)
        complaint.save(force_insert=True)
        events = [
            _event(
                complaint,
                action=event_action,
                from_state="",
                to_state=State.SUBMITTED,
                actor=actor,
                text=complaint.subject,
                data=submitted,
            )
        ]
        entries = [
            audit.record(
                actor=actor,
                action=SUBMIT,
                obj=complaint,
                changes={"state": [None, State.SUBMITTED], "channel": [None, complaint.channel]},
                reason=complaint.subject,
                save=False,
            )
        ]
        if step is not None:
            events.append(step.event(complaint, actor))
            entries.append(step.audit(complaint, actor))
        ComplaintEvent.objects.bulk_create(events)
        _attach(complaint, events[0], files)
        AuditEntry.objects.bulk_create(entries)
        if step is not None:
            _tell_after(complaint, action=step.row.action, data=step.data)
    return complaint


def create(
    *,
    actor,
    files=(),
    event_action: str = "submit",
    event_data: dict | None = None,
    **fields,
) -> Complaint:
    """One new complaint (待受理) with its 提交 event, attachments and audit row: the
    part every channel shares (``fields`` as :func:`_new` takes them). Callers check
    who may submit on their channel."""
    complaint = _new(**fields)
    files = check_files(files)
    return _insert(
        complaint, actor=actor, files=files, event_action=event_action, event_data=event_data or {}
    )


def submit_online(
    *,
    category: str,
    subject: str,
    content: str,
    name: str,
    phone: str,
    id_number: str = "",
    files=(),
) -> Complaint:
    """网上诉求 (portal): registered at the county centre, 待受理, tracking number on the
    returned complaint. The complainant is named by the form (``Applicant(name)``)."""
    centre = online_centre()
    if centre is None:
        raise Conflict("尚未设立服务中心，暂不能受理网上诉求", code="no_centre")
    name = text(name, "name", "诉求人姓名", max_len=100)
    return create(
        actor=actors.Applicant(name),
        channel=Channel.PORTAL,
        centre=centre,
        category=category,
        subject=subject,
        content=content,
        name=name,
        phone=phone,
        id_number=id_number,
        files=files,
    )


def may_receive(user) -> bool:
    """The 有诉即办 window: the centre's clerks and its administrator."""
    return permissions.is_centre_admin(user) or (
        permissions.active_staff(user, Role.WINDOW_CLERK) is not None
    )


def receive_at_window(
    *,
    actor,
    category: str,
    subject: str,
    content: str,
    name: str = "",
    phone: str = "",
    id_number: str = "",
    case=None,
    about_staff: Staff | None = None,
    files=(),
    answer: str = "",
    entry: KnowledgeEntry | None = None,
) -> Complaint:
    """有诉即办窗口: registered and accepted (受理) by the clerk in one transaction; a
    consultation answered on the spot (``answer`` or a 知识库 ``entry``) is closed as
    直接办结 in the same one, so a refused answer registers nothing."""
    if not may_receive(actor):
        raise PermissionDenied("只有中心综合受理人员和中心管理员可以在有诉即办窗口登记诉求")
    staff = permissions.active_staff(actor)
    centre = staff.centre if staff is not None else online_centre()
    if centre is None:
        raise Conflict("尚未设立服务中心", code="no_centre")
    complaint = _new(
        channel=Channel.WINDOW,
        centre=centre,
        category=category,
        subject=subject,
        content=content,
        name=name,
        phone=phone,
        id_number=id_number,
        case=case,
        about_staff=about_staff,
    )
    files = check_files(files)
    if answer or entry is not None:
        row, inputs = workflow.get("direct_close"), {"answer": answer, "entry": entry}
    else:
        row, inputs = workflow.get("accept"), {}
    # The window's step is checked on the complaint before anything is written, so a
    # refused answer registers nothing; registration and step are then saved together.
    step = _plan(complaint, row, actor=actor, inputs=inputs)
    return _insert(
        complaint, actor=actor, files=files, event_action="submit", event_data={}, step=step
    )


# --------------------------------------------------------------------------- transition


def lock(pk) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("department", "about_staff", "centre")
        .get(pk=pk)
    )


def transition(
    *, actor, complaint: Complaint, action: str, expected_version: int, files=(), **inputs
) -> Complaint:
    """Take ``action`` on ``complaint`` (``workflow.TRANSITIONS``). In one
    transaction: lock, stale check, the actor's role, the state, required inputs, the
    guard, the effect, the event (with ``files`` on rows that take attachments), the
    audit row naming the real actor, and who is told. Inputs are objects (a
    ``Department`` or ``"centre"``, a ``Staff``, a ``KnowledgeEntry``, a ``Case``):
    ``selectors.resolve_inputs`` turns the API's ids into them."""
    if actor is None:
        raise TypeError("actor is required: a User, actors.Applicant or actors.SYSTEM")
    row = workflow.get(action)
    unknown = set(inputs) - row.input_names
    if unknown:
        raise TypeError(f"{action}() got unexpected inputs {sorted(unknown)}")
    if files and not row.attachments:
        raise ValidationFailed(f"“{row.label}”不接受附件", code="no_attachments")
    files = check_files(files)
    with transaction.atomic():
        c = lock(complaint.pk)
        if c.version != expected_version:
            raise Conflict(
                f"诉求 {c.number} 已被他人处理（当前为“{c.get_state_display()}”），请刷新后重试",
                code="stale_complaint",
            )
        return _apply(c, row, actor=actor, files=files, inputs=inputs)


def _columns(c: Complaint) -> dict:
    return {f.attname: getattr(c, f.attname) for f in c._meta.concrete_fields}


@dataclass
class _Step:
    """One step of the transition table taken on a complaint in memory by
    :func:`_plan`: what its event and audit row will say."""

    row: workflow.Transition
    from_state: str
    before: dict
    data: dict
    opinion: str

    def changed_columns(self, c: Complaint) -> list[str]:
        return [k for k, v in _columns(c).items() if self.before[k] != v]

    def event(self, c: Complaint, actor) -> ComplaintEvent:
        return _event(
            c,
            action=self.row.action,
            from_state=self.from_state,
            actor=actor,
            text=self.opinion,
            data=self.data,
        )

    def audit(self, c: Complaint, actor):
        changes = {"state": [self.from_state, c.state]} if self.from_state != c.state else {}
        if self.before["department_id"] != c.department_id:
            changes["department"] = [self.before["department_id"], c.department_id]
        if self.before["due_date"] != c.due_date:
            changes["due_date"] = [str(self.before["due_date"] or ""), str(c.due_date or "")]
        return audit.record(
            actor=actor,
            action=self.row.audit_action,
            obj=c,
            changes=changes,
            reason=self.opinion,
            save=False,
        )


def _plan(c: Complaint, row: workflow.Transition, *, actor, inputs) -> _Step:
    """The checks and effect of ``row`` on ``c`` in memory (nothing written): the
    actor's role, the state, the inputs, the guard; then the effect, the target state
    and the version. The caller holds ``c``: locked by :func:`transition`, or not yet
    saved (:func:`receive_at_window`)."""
    if not roles.roles_for(actor, c) & row.roles:
        raise PermissionDenied(f"您无权对诉求 {c.number or '（新登记）'} 执行“{row.label}”")
    if c.state not in row.sources:
        raise Conflict(
            f"诉求当前状态为“{c.get_state_display()}”，不能执行“{row.label}”",
            code="invalid_transition",
        )
    inputs = {k: (v.strip() if isinstance(v, str) else v) for k, v in inputs.items()}
    for spec in row.inputs:
        if spec.kind in (workflow.Kind.TEXT, workflow.Kind.LONG_TEXT):
            limit = workflow.TEXT_MAX if spec.kind == workflow.Kind.TEXT else workflow.LONG_TEXT_MAX
            text(inputs.get(spec.name), spec.name, spec.label, max_len=limit, required=False)
        if spec.kind == workflow.Kind.CHOICE and inputs.get(spec.name):
            if inputs[spec.name] not in dict(spec.choices):
                raise ValidationFailed(
                    f"{spec.label}的取值无效",
                    code="invalid_choice",
                    fields={spec.name: ["无效"]},
                )
    missing = workflow.missing_inputs(row, inputs)
    if missing:
        labels = "、".join(s.label for s in row.inputs if s.name in missing)
        raise ValidationFailed(
            f"“{row.label}”缺少必填内容：{labels}", code="missing_input", fields=missing
        )
    if row.guard is not None:
        row.guard(c, inputs)
    from_state, before = c.state, _columns(c)
    data = row.effect(actor, c, inputs) or {}
    if row.target is not None:
        c.state = row.target
    if row.outcomes and c.state not in row.outcomes:  # pragma: no cover - a bad effect
        raise AssertionError(f"{row.action} left {c.state}")
    c.version += 1
    opinion = str(inputs.get(row.event_text) or "") if row.event_text else ""
    return _Step(row=row, from_state=from_state, before=before, data=data, opinion=opinion)


def _apply(c: Complaint, row: workflow.Transition, *, actor, files, inputs) -> Complaint:
    """:func:`_plan` on the locked ``c``, then its writes: the changed columns only,
    the event (with ``files``), the audit row, and who is told."""
    step = _plan(c, row, actor=actor, inputs=inputs)
    c.save(update_fields=step.changed_columns(c))
    event = step.event(c, actor)
    event.save()
    _attach(c, event, files)
    step.audit(c, actor).save()
    _tell_after(c, action=row.action, data=step.data)
    return c


# --------------------------------------------------------------------------- telling


def staff_url(complaint: Complaint) -> str:
    try:
        return reverse("complaints:detail", args=[complaint.number])
    except NoReverseMatch:  # pragma: no cover - the staff URLs not mounted
        return ""


def handlers(complaint: Complaint):
    """Who holds the complaint now: its department's 首席代表 and 审批人员, or (with
    the centre) the centre's administrators; never the person complained about."""
    people = Staff.objects.filter(is_active=True, user__is_active=True)
    if complaint.department_id is not None:
        people = people.filter(department=complaint.department_id, role__in=roles.DEPARTMENT_ROLES)
        if complaint.about_staff_id is not None:
            people = people.exclude(department=complaint.about_staff.department_id)
    else:
        people = people.filter(centre=complaint.centre_id, role=Role.CENTRE_ADMIN)
    if complaint.about_staff_id is not None:
        people = people.exclude(pk=complaint.about_staff_id)
    return people


def centre_admins(complaint: Complaint):
    people = Staff.objects.filter(
        centre=complaint.centre_id, role=Role.CENTRE_ADMIN, is_active=True, user__is_active=True
    )
    return people.exclude(pk=complaint.about_staff_id) if complaint.about_staff_id else people


def _group(complaint: Complaint, key: str) -> str:
    return f"complaints.complaint:{complaint.pk}:{key}"


def _inbox(complaint: Complaint, people, *, event: str, detail: str, key: str) -> int:
    """Tell ``people`` (a Staff queryset, or ``(user_id, name)`` pairs) in the inbox."""
    messages = [
        Message(
            channel=NoticeChannel.INBOX,
            template="complaints/staff",
            to=Recipient(name=name, user_id=user_id),
            context={
                "number": complaint.number,
                "subject": complaint.subject,
                "category": complaint.get_category_display(),
                "event": event,
                "detail": detail,
            },
            url=staff_url(complaint),
            key=f"complaints.complaint:{complaint.pk}:{key}:u{user_id}",
        )
        for user_id, name in (
            people if isinstance(people, list) else people.distinct().values_list("user_id", "name")
        )
    ]
    if not messages:
        return 0
    return notify(
        messages=messages,
        group=_group(complaint, key),
        ref=f"complaints.complaint:{complaint.pk}",
        centre_id=complaint.centre_id,
    )


def _tell_after(c: Complaint, *, action: str, data: dict) -> None:
    """What each step tells (sent after commit by the notifier's drain)."""
    v = c.version
    due = f"，请于 {c.due_date} 前答复" if c.due_date else ""
    if action == "assign":
        _inbox(c, handlers(c), event="派单", detail=f"请签收办理{due}", key=f"assign:{v}")
    elif action == "return":
        _inbox(
            c,
            centre_admins(c),
            event="退单",
            detail=f"{data.get('department_name', '')}退单，请重新派单",
            key=f"return:{v}",
        )
    elif action == "reply":
        _inbox(
            c, centre_admins(c), event="答复", detail="承办单位已答复，请审核办结", key=f"reply:{v}"
        )
    elif action == "close" and c.complainant_phone:
        notify(
            messages=[
                Message(
                    channel=NoticeChannel.SMS,
                    template="complaints/replied",
                    to=Recipient(name=c.complainant_name or "诉求人", phone=c.complainant_phone),
                    context={"number": c.number, "reply": c.reply[:200]},
                )
            ],
            group=f"complaints.complaint:{c.pk}:close:{v}",
            ref=f"complaints.complaint:{c.pk}",
            centre_id=c.centre_id,
        )
    elif action == "evaluate" and c.state == State.IN_PROGRESS:
        _inbox(
            c, handlers(c), event="重办", detail=f"诉求人不满意，请重新办理{due}", key=f"reopen:{v}"
        )
    elif action == "supervise":
        _inbox(
            c,
            handlers(c) | centre_admins(c),
            event="督办",
            detail=f"答复期限 {c.due_date} 已过仍未答复，请立即办理",
            key=f"supervise:{c.due_date}",
        )


# --------------------------------------------------------------------------- daily


def supervise_overdue(*, today: dt.date | None = None) -> list[str]:
    """督办, the day after a missed deadline (国办发〔2020〕53号 loop): every complaint
    still to be answered whose ``due_date`` is before ``today`` and not yet supervised
    for that deadline gets a 督办 event by the system (its holder and the centre
    administrators told). Idempotent: a second run changes nothing. Returns the
    numbers supervised now."""
    today = today or clock.today()
    done = []
    due = (
        Complaint.objects.filter(state__in=ANSWER_PENDING, due_date__lt=today)
        .exclude(supervised_due=F("due_date"))
        .values_list("pk", "version")
    )
    for pk, version in list(due):
        c = Complaint.objects.get(pk=pk)
        try:
            transition(
                actor=actors.SYSTEM,
                complaint=c,
                action="supervise",
                expected_version=version,
                opinion=f"已超过答复期限 {c.due_date}，系统督办",
            )
        except Conflict:  # changed meanwhile; the next run looks again
            continue
        done.append(c.number)
    return done


def remind_due(*, today: dt.date | None = None) -> list[str]:
    """The working day before a complaint's deadline (and on the day itself when the
    deadline is today, e.g. 紧急), its holder is reminded in the inbox, once per
    deadline (``reminded_due``). Returns the numbers reminded now."""
    today = today or clock.today()
    tomorrow = calendar.add_workdays(start=today, days=1).date
    done = []
    rows = (
        Complaint.objects.filter(
            state__in=ANSWER_PENDING, due_date__gte=today, due_date__lte=tomorrow
        )
        .exclude(reminded_due=F("due_date"))
        .select_related("department", "about_staff")
    )
    for c in rows:
        with transaction.atomic():
            updated = (
                Complaint.objects.filter(pk=c.pk)
                .exclude(reminded_due=c.due_date)
                .update(reminded_due=c.due_date)
            )
            if not updated:
                continue
            when = "今日" if c.due_date == today else "明日"
            _inbox(
                c,
                handlers(c),
                event="答复期限临近",
                detail=f"答复期限为{when}（{c.due_date}），逾期将被督办",
                key=f"due:{c.due_date}",
            )
            done.append(c.number)
    return done


def visit_due(closed_on: dt.date) -> dt.date:
    """回访 is due ``COMPLAINTS_VISIT_DAYS`` working days after 办结."""
    return calendar.add_workdays(
        start=closed_on, days=int(policy.get("COMPLAINTS_VISIT_DAYS"))
    ).date


def remind_visits(*, today: dt.date | None = None) -> list[str]:
    """回访 due (issue 12 §4): a complaint 办结 and not yet visited whose 回访 is due by
    the next working day tells the centre side that makes the callback (its clerks and
    administrators), once per closing (a reopened complaint closed again is told again).
    Returns the numbers told now."""
    today = today or clock.today()
    tomorrow = calendar.add_workdays(start=today, days=1).date
    due_now = []
    rows = Complaint.objects.filter(state=State.CLOSED, closed_at__isnull=False).select_related(
        "about_staff"
    )
    for c in rows.iterator(chunk_size=500):
        closed_on = timezone.localdate(c.closed_at)
        due = visit_due(closed_on)
        if due <= tomorrow:
            due_now.append((c, due, f"visit:{closed_on}"))
    # One read for the reminders already sent, one per centre for who makes callbacks.
    told_before = set(
        Notification.objects.filter(
            group__in=[_group(c, key) for c, _due, key in due_now]
        ).values_list("group", flat=True)
    )
    callers: dict[int, list[tuple[int, int, str]]] = {}
    done = []
    for c, due, key in due_now:
        if _group(c, key) in told_before:
            continue
        if c.centre_id not in callers:
            callers[c.centre_id] = list(
                Staff.objects.filter(
                    centre=c.centre_id,
                    role__in=(Role.CENTRE_ADMIN, Role.WINDOW_CLERK),
                    is_active=True,
                    user__is_active=True,
                ).values_list("pk", "user_id", "name")
            )
        people = list(
            dict.fromkeys((u, n) for pk, u, n in callers[c.centre_id] if pk != c.about_staff_id)
        )
        when = "已逾期" if due < today else ("今日" if due == today else "明日")
        told = _inbox(
            c,
            people,
            event="回访到期",
            detail=f"诉求已办结，回访期限为{due}（{when}），请回访诉求人并记录评价",
            key=key,
        )
        if told:
            done.append(c.number)
    return done


# --------------------------------------------------------------------------- 知识库


def may_edit_entry(user, *, department=None) -> bool:
    """The centre's administrator and clerks keep the 知识库; a department's 首席代表
    and 审批人员 keep the entries of their department."""
    if may_receive(user):
        return True
    staff = permissions.active_staff(user, Role.CHIEF_REP, Role.APPROVER)
    return staff is not None and department is not None and staff.department_id == department.pk


def _entry_fields(question, answer, keywords):
    return (
        text(question, "question", "问题", max_len=200),
        text(answer, "answer", "答复口径", max_len=CONTENT_MAX),
        text(keywords, "keywords", "关键词", max_len=200, required=False),
    )


def _search_text(entry: KnowledgeEntry) -> str:
    """The catalogue's search text (``catalog.services.build_search_text``): question,
    keywords and answer, the department and the item, lower-cased for substring
    search (two-character queries such as 社保 work)."""
    return build_search_text(
        name=entry.question,
        keywords=f"{entry.keywords} {entry.answer}".strip(),
        department_name=entry.department.name if entry.department_id else "",
        result_name=entry.item.name if entry.item_id else "",
    )


@transaction.atomic
def create_entry(
    *, actor, question: str, answer: str, keywords: str = "", item=None, department=None
) -> KnowledgeEntry:
    if not may_edit_entry(actor, department=department):
        raise PermissionDenied("您无权维护该知识库条目")
    question, answer, keywords = _entry_fields(question, answer, keywords)
    entry = KnowledgeEntry(
        question=question,
        answer=answer,
        keywords=keywords,
        item=item,
        department=department,
        updated_at=clock.now(),
        updated_by=permissions.staff_of(actor),
    )
    entry.search_text = _search_text(entry)
    entry.save()
    audit.record(
        actor=actor,
        action=KNOWLEDGE_CREATE,
        obj=entry,
        changes=audit.diff(
            {}, audit.snapshot(entry, ["question", "answer", "keywords", "item", "department"])
        ),
    )
    return entry


_EDITABLE = ["question", "answer", "keywords", "item", "department"]


@transaction.atomic
def update_entry(
    *, actor, entry: KnowledgeEntry, expected_version: int, **fields
) -> KnowledgeEntry:
    """Edit an entry: a new ``version``; the audit row keeps before and after."""
    unknown = set(fields) - set(_EDITABLE)
    if unknown:
        raise TypeError(f"update_entry() got unexpected fields {sorted(unknown)}")
    entry = KnowledgeEntry.objects.select_for_update().get(pk=entry.pk)
    if not may_edit_entry(actor, department=entry.department) or (
        "department" in fields and not may_edit_entry(actor, department=fields["department"])
    ):
        raise PermissionDenied("您无权维护该知识库条目")
    if entry.version != expected_version:
        raise Conflict("知识库条目已被他人修改，请刷新后重试", code="stale_entry")
    before = audit.snapshot(entry, _EDITABLE)
    question, answer, keywords = _entry_fields(
        fields.get("question", entry.question),
        fields.get("answer", entry.answer),
        fields.get("keywords", entry.keywords),
    )
    entry.question, entry.answer, entry.keywords = question, answer, keywords
    if "item" in fields:
        entry.item = fields["item"]
    if "department" in fields:
        entry.department = fields["department"]
    changes = audit.diff(before, audit.snapshot(entry, _EDITABLE))
    if not changes:
        return entry
    entry.version += 1
    entry.search_text = _search_text(entry)
    entry.updated_at = clock.now()
    entry.updated_by = permissions.staff_of(actor)
    entry.save()
    changes["version"] = [entry.version - 1, entry.version]
    audit.record(actor=actor, action=KNOWLEDGE_UPDATE, obj=entry, changes=changes)
    return entry


@transaction.atomic
def set_published(*, actor, entry: KnowledgeEntry, published: bool) -> KnowledgeEntry:
    """发布 / 撤回: the centre administrator decides what is answered from."""
    if not permissions.is_centre_admin(actor):
        raise PermissionDenied("只有中心管理员可以发布或撤回知识库条目")
    entry = KnowledgeEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.published == published:
        return entry
    entry.published = published
    entry.updated_at = clock.now()
    entry.updated_by = permissions.staff_of(actor)
    entry.save(update_fields=["published", "updated_at", "updated_by"])
    audit.record(
        actor=actor,
        action=KNOWLEDGE_PUBLISH if published else KNOWLEDGE_UNPUBLISH,
        obj=entry,
        changes={"published": [not published, published]},
    )
    return entry
