"""收件与受理 at every channel (R-INTAKE-*): the window desk, 一件事 at the window,
the online application and the API's create request all come through here.

``submit_application`` / ``submit_bundle_application`` register what was received
(state 已申请) after the refusals that must come before anything is created: the item
accepting, its department stationed at the centre, the level, the channel, the
applicant's ID or 统一社会信用代码, the submitter's right to register it.
``receive_at_window`` / ``receive_bundle_at_window`` add the window's decision in the
same transaction (受理 / 一次性告知补正 / 容缺受理 / 不予受理) through the one
transition service, so if the decision is refused by a rule nothing is registered.
``apply_online`` is the portal's application: the applicant acts, at the county's
online centre.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import HandlingForm, Item
from govhall.core import audit, clock
from govhall.core.actors import Applicant
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.validators import validate_id_number, validate_uscc
from govhall.org import permissions as org_permissions
from govhall.org import selectors as org_selectors
from govhall.org.models import Centre, Level, Role, Stationing

from .. import deadlines, guards, numbering, workflow
from ..models import ApplicantKind, Bundle, Case, Channel, IdempotencyKey, State
from . import bundles, writes
from .events import announce, new_event, write_event
from .materials import add_materials, check_file, new_materials
from .notices import issue_bundle_notice
from .transition import transition

_PHONE_RE = re.compile(r"^[0-9\-+ ]{7,20}$")
_LEVEL_LABEL = dict(Level.choices)

# The window's decisions right after 收件 (行政许可法 §32).
DESK_DECISIONS = ("accept", "request_correction", "accept_with_tolerance", "refuse")


# --------------------------------------------------------------------------- checks


def check_applicant(applicant: dict) -> dict:
    """申请人: kind, name, phone, and a valid 身份证号 (GB 11643) for a person or
    统一社会信用代码 (GB 32100) for an organisation. Returns the case's fields."""
    applicant = dict(applicant or {})
    kind = applicant.get("kind") or ApplicantKind.PERSON
    errors: dict[str, list[str]] = {}
    if kind not in ApplicantKind.values:
        errors["applicant.kind"] = ["取值无效"]
    name = str(applicant.get("name") or "").strip()
    if not name:
        errors["applicant.name"] = ["申请人名称必须填写"]
    elif len(name) > 100:
        errors["applicant.name"] = ["申请人名称不能超过100个字"]
    phone = str(applicant.get("phone") or "").strip()
    if not _PHONE_RE.fullmatch(phone):
        errors["applicant.phone"] = ["联系电话格式不正确"]
    if errors:
        raise ValidationFailed("申请人信息不完整", code="invalid_applicant", fields=errors)
    if kind == ApplicantKind.PERSON:
        id_number = validate_id_number(applicant.get("id_number"), field="applicant.id_number")
    else:
        id_number = validate_uscc(applicant.get("id_number"), field="applicant.id_number")
    return {
        "applicant_kind": kind,
        "applicant_name": name,
        "applicant_id_number": id_number,
        "applicant_phone": phone,
        "applicant_address": str(applicant.get("address") or "").strip()[:200],
    }


def check_agent(agent: dict | None) -> dict:
    """代理人: an ID number and a 授权委托书 (power of attorney) file."""
    if not agent or not str(agent.get("name") or "").strip():
        return {}
    id_number = validate_id_number(agent.get("id_number"), field="agent.id_number")
    poa = agent.get("power_of_attorney")
    if not poa:
        raise ValidationFailed(
            "代理人办理须提交授权委托书",
            code="power_of_attorney_required",
            fields={"agent.power_of_attorney": ["必须上传授权委托书"]},
        )
    check_file(poa, "agent.power_of_attorney")
    return {
        "agent_name": agent["name"].strip()[:50],
        "agent_id_number": id_number,
        "agent_phone": str(agent.get("phone") or "").strip()[:20],
        "power_of_attorney": poa,
    }


def _version_in_force(item_id, *, centre: Centre | None = None):
    """The version in force of the item, without the guide's materials/steps (not
    needed to apply; submitted materials are checked by their version_id).
    ``order_by("-number")``: the model's ordering ("item", "-number") would join the
    item table only to order by a constant (one item). With ``centre``: one statement
    also reads the item with its department (``version.item``) and whether that
    department is stationed at the centre (``version.stationed``, as
    ``org.selectors.is_stationed``)."""
    versions = catalog_selectors.current_versions().filter(item_id=item_id).order_by("-number")
    if centre is not None:
        stationed = Stationing.objects.filter(
            department_id=OuterRef("item__department_id"), centre_id=centre.pk, is_active=True
        )
        versions = versions.select_related("item__department").annotate(stationed=Exists(stationed))
    return versions.first()


_READ = object()


_NOT_ACCEPTING = {
    "suspended": "该事项已暂停办理",
    "cancelled": "该事项已取消",
    "negative_list": "该事项列入负面清单，不在中心受理",
    "not_stationed": "该事项未进驻中心",
}


def offered_version(*, item: Item, centre: Centre, channel: str, current=_READ):
    """The guide version under which ``item`` is applied for at ``centre`` through
    ``channel``, or a refusal before anything is created (R-CAT-2 应进必进, 暂停/取消,
    R-ORG-1 进驻, R-INTAKE-6 层级, 网上办理). ``current``: the version in force as read
    by ``_version_in_force(item.pk, centre=centre)`` (``None``: there is none) when the
    caller read it already."""
    if channel not in Channel.values:
        raise ValidationFailed(
            "申请渠道无效", code="invalid_channel", fields={"channel": ["取值无效"]}
        )
    kind = catalog_selectors.not_accepting(item)
    if kind is not None:
        why = _NOT_ACCEPTING[kind]
        raise Conflict(f"{why}，不能申请", code="item_not_accepting")
    version = _version_in_force(item.pk) if current is _READ else current
    if version is None:
        raise Conflict("该事项没有现行有效的办事指南，不能申请", code="no_current_version")
    stationed = getattr(version, "stationed", None)
    if stationed is None:
        stationed = org_selectors.is_stationed(department=item.department, centre=centre)
    if not stationed:
        raise Conflict(
            f"{item.department.name}未进驻{centre.name}，不能在此受理",
            code="department_not_stationed",
        )
    if not version.accepts_at(centre.level):
        raise Conflict(
            f"该事项不在{_LEVEL_LABEL.get(centre.level, centre.level)}受理",
            code="wrong_level",
        )
    if channel == Channel.ONLINE and version.handling_form == HandlingForm.WINDOW:
        raise Conflict("该事项只能到窗口办理，不提供网上申请", code="not_online")
    return version


def check_submitter(actor, *, centre: Centre, department, channel: str) -> None:
    """Who may register an application: the applicant online or at a kiosk; a window
    clerk of the centre (全科无差别受理); the department's chief or approvers; the
    centre administrator."""
    if isinstance(actor, Applicant):
        if channel not in (Channel.ONLINE, Channel.KIOSK):
            raise PermissionDenied("窗口、邮寄和代收申请须由工作人员录入")
        return
    if org_permissions.is_centre_admin(actor):
        return
    clerk = org_permissions.active_staff(actor, Role.WINDOW_CLERK)
    dept = org_permissions.active_staff(actor, Role.CHIEF_REP, Role.APPROVER)
    if not (
        (clerk is not None and clerk.centre_id == centre.pk)
        or (dept is not None and dept.department_id == department.pk)
    ):
        raise PermissionDenied("您无权在该中心为该部门录入申请")


def may_register_applications(actor) -> bool:
    """Does ``actor`` register applications at all (for the desk's link and pages):
    :func:`check_submitter` at their own centre, for their own department."""
    staff = org_permissions.active_staff(actor)
    if staff is None:
        return False
    try:
        check_submitter(
            actor, centre=staff.centre, department=staff.department, channel=Channel.WINDOW
        )
    except PermissionDenied:
        return False
    return True


# An Idempotency-Key is printable ASCII (RFC 9110 token-like), at most the column's
# length: a longer key or one with a NUL or a control character is refused, never cut.
IDEMPOTENCY_KEY_MAX = IdempotencyKey._meta.get_field("key").max_length
_KEY_RE = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX}}}")


def check_idempotency_key(key: str | None) -> str | None:
    """``key`` if it is a valid ``Idempotency-Key`` (``None`` for none), else 400
    ``invalid_idempotency_key``."""
    if key is None or key == "":
        return None
    if not _KEY_RE.fullmatch(key):
        raise ValidationFailed(
            f"幂等键（Idempotency-Key）无效：应为 1 至 {IDEMPOTENCY_KEY_MAX} 个可见 ASCII 字符",
            code="invalid_idempotency_key",
            fields={"Idempotency-Key": [f"应为 1 至 {IDEMPOTENCY_KEY_MAX} 个可见 ASCII 字符"]},
        )
    return key


class _KeyTaken(Exception):
    """A concurrent request with the same key committed its case first."""


def _replayed(key: str | None, fingerprint: str) -> Case | None:
    """The case an earlier request with this ``Idempotency-Key`` created, if any
    (marked ``replayed``); the same key with another body is 409."""
    if not key:
        return None
    existing = IdempotencyKey.objects.select_related("case").filter(key=key).first()
    if existing is None:
        return None
    if existing.fingerprint != (fingerprint or ""):
        raise Conflict("该幂等键已用于另一份不同的申请", code="idempotency_mismatch")
    existing.case.replayed = True
    return existing.case


def _remember(key: str | None, fingerprint: str, case: Case) -> None:
    """Record the key of the case just created. Two requests with one key at the same
    moment both find no key at first; the unique index lets one insert win (on
    PostgreSQL the other's insert waits for the winner's commit, then fails; on
    SQLite writers are serialised). The loser's insert fails inside its own
    savepoint and :class:`_KeyTaken` rolls back everything it created;
    :func:`_idempotent` then answers with the winner's case."""
    if not key:
        return
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                key=key, fingerprint=fingerprint or "", case=case, created_at=clock.now()
            )
    except IntegrityError:
        raise _KeyTaken from None


def _idempotent(create, *, idempotency_key, fingerprint, **kwargs) -> Case:
    """Run ``create`` (a ``@transaction.atomic`` submit) once per key: a replay
    returns the first case; a lost race returns the winner's case (or 409)."""
    key = check_idempotency_key(idempotency_key)
    try:
        return create(idempotency_key=key, fingerprint=fingerprint, **kwargs)
    except _KeyTaken:
        case = _replayed(key, fingerprint)
        if case is None:  # the winner's row vanished (its case was deleted): say so
            raise Conflict(
                "该幂等键正被另一请求使用，请稍后重试", code="idempotency_conflict"
            ) from None
        return case


def _submitter(actor, applicant_fields: dict):
    if isinstance(actor, Applicant) and not actor.name:
        return Applicant(applicant_fields["applicant_name"])
    if actor is None:
        raise TypeError("actor is required: a User or core.actors.Applicant")
    return actor


def _new_case(*, item, version, centre, channel, applicant, agent, parent=None) -> Case:
    return Case.objects.create(
        **_case_fields(item, version, centre, channel, applicant, agent, parent)
    )


def _case_fields(item, version, centre, channel, applicant, agent, parent=None) -> dict:
    return dict(
        number=numbering.next_number(centre=centre, day=clock.today()),
        item=item,
        item_version=version,
        department=item.department,
        centre=centre,
        channel=channel,
        parent=parent,
        received_at=clock.now(),
        materials_received_on=clock.today(),
        limit_days=deadlines.limit_of(version),
        **applicant,
        **agent,
    )


# --------------------------------------------------------------------------- 申请 / 收件


@transaction.atomic
def _submit_application(
    *,
    actor,
    item: Item,
    centre: Centre,
    channel: str,
    applicant: dict,
    agent: dict | None = None,
    materials=(),
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> Case:
    """申请 (online) / 收件 (window): create a case in state 已申请.

    ``actor``: the staff ``User`` registering it, or ``Applicant()`` for the applicant
    themself (online, kiosk). Refused with nothing created when the item is not
    offered (:func:`offered_version`), the submitter may not register it, or the
    applicant's data fail their checks. With ``idempotency_key`` a replay returns the
    case created the first time."""
    existing = _replayed(idempotency_key, fingerprint)
    if existing is not None:
        return existing
    # One statement reads the version in force with its item (fresh: its status may have
    # changed) and department and the 进驻; the item alone only when there is no version.
    current = _version_in_force(item.pk, centre=centre)
    item = current.item if current else Item.objects.select_related("department").get(pk=item.pk)
    version = offered_version(item=item, centre=centre, channel=channel, current=current)
    applicant_fields = check_applicant(applicant)
    actor = _submitter(actor, applicant_fields)
    check_submitter(actor, centre=centre, department=item.department, channel=channel)
    agent_fields = check_agent(agent)
    case = Case(**_case_fields(item, version, centre, channel, applicant_fields, agent_fields))
    rows = new_materials(case, version, materials)
    event = new_event(case=case, action="submit", from_state=State.SUBMITTED, actor=actor)
    entry = audit.record(actor=actor, action=workflow.SUBMIT, obj=case, save=False)
    # The case, its materials, event and audit entry: one statement on PostgreSQL.
    writes.write_submission(case=case, materials=rows, event=event, entry=entry)
    announce(case=case, event=event)
    _remember(idempotency_key, fingerprint, case)
    return case


@transaction.atomic
def _submit_bundle_application(
    *,
    actor,
    bundle: Bundle,
    centre: Centre,
    channel: str,
    applicant: dict,
    agent: dict | None = None,
    materials: dict | None = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> Case:
    """一件事一次办 (R-BUNDLE-1): one form creates a parent case and one child per
    item; ``materials`` maps each item's pk to its materials."""
    existing = _replayed(idempotency_key, fingerprint)
    if existing is not None:
        return existing
    if not bundle.is_active:
        raise Conflict("该一件事已停用", code="bundle_inactive")
    items = [bi.item for bi in bundle.bundle_items.select_related("item__department")]
    if not items:
        raise Conflict("该一件事没有包含事项", code="bundle_empty")
    versions = [offered_version(item=i, centre=centre, channel=channel) for i in items]
    applicant_fields = check_applicant(applicant)
    actor = _submitter(actor, applicant_fields)
    check_submitter(actor, centre=centre, department=bundle.lead_department, channel=channel)
    agent_fields = check_agent(agent)
    parent = Case.objects.create(
        number=numbering.next_number(centre=centre, day=clock.today()),
        bundle=bundle,
        department=bundle.lead_department,
        centre=centre,
        channel=channel,
        received_at=clock.now(),
        materials_received_on=clock.today(),
        **applicant_fields,
        **agent_fields,
    )
    announce(
        case=parent,
        event=write_event(case=parent, action="submit", from_state=State.SUBMITTED, actor=actor),
    )
    children = {}
    for item, version in zip(items, versions, strict=True):
        child = children[item.pk] = _new_case(
            item=item,
            version=version,
            centre=centre,
            channel=channel,
            applicant=applicant_fields,
            agent=agent_fields,
            parent=parent,
        )
        add_materials(child, version, (materials or {}).get(item.pk, ()))
        event = write_event(
            case=child,
            action="submit",
            from_state=State.SUBMITTED,
            actor=actor,
            data={"bundle_parent": parent.number},
        )
        announce(case=child, event=event)
    bundles.record_supplies(
        children=children,
        versions={i.pk: v for i, v in zip(items, versions, strict=True)},
        submitted=materials or {},
    )
    _remember(idempotency_key, fingerprint, parent)
    audit.record(actor=actor, action=workflow.SUBMIT_BUNDLE, obj=parent)
    return parent


def submit_application(*, idempotency_key: str | None = None, fingerprint: str = "", **kwargs):
    """申请/收件 (:func:`_submit_application`), once per ``Idempotency-Key``: the same
    key and body return the first case (``case.replayed`` is true), even when both
    requests arrive at the same moment; another body is 409 ``idempotency_mismatch``;
    a malformed key is 400 ``invalid_idempotency_key``."""
    return _idempotent(
        _submit_application, idempotency_key=idempotency_key, fingerprint=fingerprint, **kwargs
    )


def submit_bundle_application(
    *, idempotency_key: str | None = None, fingerprint: str = "", **kwargs
):
    """一件事 申请/收件 (:func:`_submit_bundle_application`), once per key as
    :func:`submit_application`."""
    return _idempotent(
        _submit_bundle_application,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        **kwargs,
    )


# --------------------------------------------------------------------------- the window


def _no_corrections() -> ValidationFailed:
    return ValidationFailed(
        "没有需要补正的材料：请在材料清单中取消勾选缺失的材料并写明原因",
        code="corrections_incomplete",
    )


def _check_decision(decision: str) -> None:
    if decision not in DESK_DECISIONS:
        raise ValidationFailed(
            "收件后处理方式无效", code="invalid_decision", fields={"action": ["取值无效"]}
        )


def _decide_at_window(
    *, actor, case, decision, responsible, corrections, tolerated, commitment, catch_up_days, reason
):
    common = {"actor": actor, "case": case, "expected_version": case.version}
    if decision == "accept":
        transition(action="accept", responsible=responsible, **common)
    elif decision == "request_correction":
        if not corrections:
            raise _no_corrections()
        transition(action="request_correction", corrections=corrections, **common)
    elif decision == "accept_with_tolerance":
        transition(
            action="accept_with_tolerance",
            tolerated=list(tolerated),
            commitment=commitment or "",
            catch_up_days=catch_up_days,
            responsible=responsible,
            **common,
        )
    else:
        transition(action="refuse", reason=reason or "", **common)


@transaction.atomic
def receive_at_window(
    *,
    actor,
    item: Item,
    centre: Centre,
    applicant: dict,
    agent: dict | None,
    materials,
    decision: str,
    responsible=None,
    corrections=(),
    tolerated=(),
    commitment: str = "",
    catch_up_days: int | None = None,
    reason: str = "",
) -> Case:
    """综合受理 at the window: 收件 and the decision in one transaction. ``decision``
    is one of :data:`DESK_DECISIONS`; the rules of each are those of the transition
    (受理 needs every 必要 material, R-INTAKE-1), so a refusal registers nothing."""
    _check_decision(decision)
    case = submit_application(
        actor=actor,
        item=item,
        centre=centre,
        channel=Channel.WINDOW,
        applicant=applicant,
        agent=agent,
        materials=materials,
    )
    _decide_at_window(
        actor=actor,
        case=case,
        decision=decision,
        responsible=responsible,
        corrections=list(corrections),
        tolerated=tolerated,
        commitment=commitment,
        catch_up_days=catch_up_days,
        reason=reason,
    )
    return case


def _tolerance_blocker(version, material) -> str:
    if not version.allows_tolerance:
        return "该事项不适用容缺受理"
    if not material.tolerance_allowed:
        return "该材料不允许容缺"
    return "未勾选容缺"


@transaction.atomic
def receive_bundle_at_window(
    *,
    actor,
    bundle: Bundle,
    centre: Centre,
    applicant: dict,
    agent: dict | None,
    materials: dict,
    decision: str,
    corrections: dict | None = None,
    tolerated: dict | None = None,
    commitment: str = "",
    catch_up_days: int | None = None,
    reason: str = "",
) -> Case:
    """一件事一次办 at the window (R-BUNDLE-1/2): the applicant once, one decision for
    the whole bundle, ONE notice. ``materials``, ``corrections`` and ``tolerated`` map
    each item's pk to its rows.

    * 受理: accepting the parent accepts every child (each needs its 必要 materials);
    * 一次性告知补正: children with corrections get them, the others are accepted,
      and one 一件事告知单 covers all;
    * 容缺受理: children with tolerated materials are accepted with tolerance, then the
      parent accepts the rest; a 必要 material neither received nor tolerated blocks;
    * 不予受理: the parent and every child.
    """
    _check_decision(decision)
    corrections = corrections or {}
    tolerated = tolerated or {}
    parent = submit_bundle_application(
        actor=actor,
        bundle=bundle,
        centre=centre,
        channel=Channel.WINDOW,
        applicant=applicant,
        agent=agent,
        materials=materials,
    )
    children = list(parent.children.select_related("item_version"))
    if decision == "accept":
        transition(actor=actor, case=parent, action="accept", expected_version=parent.version)
    elif decision == "refuse":
        transition(
            actor=actor,
            case=parent,
            action="refuse",
            expected_version=parent.version,
            reason=reason or "",
        )
    elif decision == "request_correction":
        if not any(corrections.values()):
            raise _no_corrections()
        for child in children:
            common = {"actor": actor, "case": child, "expected_version": child.version}
            wanted = corrections.get(child.item_id)
            if wanted:
                transition(action="request_correction", corrections=wanted, **common)
            else:
                transition(action="accept", **common)
        # Decided child by child: the parent issued nothing itself, so the applicant
        # gets ONE 一件事告知单 covering every child's notice.
        issue_bundle_notice(actor=actor, parent=parent)
    else:
        _tolerate_bundle(actor, parent, children, tolerated, commitment, catch_up_days)
    return parent


def _tolerate_bundle(actor, parent, children, tolerated, commitment, catch_up_days) -> None:
    """容缺受理 of a 一件事 (R-INTAKE-4): every 必要 material of every child is either
    received or tolerated (listed all at once, with why it cannot be tolerated); each
    child with tolerated materials is accepted with tolerance; accepting the parent
    then accepts the others and issues the ONE notice."""
    blocking = []
    for child in children:
        chosen = {m.pk for m in tolerated.get(child.item_id, ())}
        for material in guards.unreceived_required(child):
            if material.pk not in chosen:
                why = _tolerance_blocker(child.item_version, material)
                blocking.append(f"{child.item_version.name}：{material.name}（{why}）")
    if blocking:
        raise ValidationFailed(
            f"以下必要材料既未收到也不能容缺，不能容缺受理：{'；'.join(blocking)}。"
            "请补齐材料或选择一次性告知补正",
            code="materials_missing",
        )
    tolerant = [c for c in children if tolerated.get(c.item_id)]
    if not tolerant:
        raise ValidationFailed(
            "没有勾选容缺的材料：材料齐全的请直接选择受理", code="tolerance_empty"
        )
    for child in tolerant:
        try:
            transition(
                actor=actor,
                case=child,
                action="accept_with_tolerance",
                expected_version=child.version,
                tolerated=list(tolerated[child.item_id]),
                commitment=commitment or "",
                catch_up_days=catch_up_days,
            )
        except ValidationFailed as exc:
            # One form holds every item: the message names the item it is about.
            raise ValidationFailed(
                f"{child.item_version.name}：{exc.message}", code=exc.code
            ) from exc
    transition(actor=actor, case=parent, action="accept", expected_version=parent.version)


# --------------------------------------------------------------------------- online


def online_centre() -> Centre | None:
    """The centre online applications are registered at: the county centre (the root
    of the centre tree)."""
    return Centre.objects.filter(level=Level.COUNTY, parent__isnull=True).order_by("id").first()


def online_version(*, item: Item | None):
    """The version ``item`` may be applied for online under, or ``None`` (not offered
    online, not accepting, no guide): the same checks as the application itself."""
    centre = online_centre()
    if item is None or centre is None:
        return None
    try:
        return offered_version(item=item, centre=centre, channel=Channel.ONLINE)
    except (Conflict, ValidationFailed):
        return None


def _at_online_centre(submit, **kwargs) -> Case:
    """网上申请: the applicant acts (``Applicant``), at the online centre."""
    centre = online_centre()
    if centre is None:
        raise Conflict("尚未设置受理中心，暂不能网上申请", code="no_online_centre")
    return submit(actor=Applicant(), centre=centre, channel=Channel.ONLINE, **kwargs)


def apply_online(*, item: Item, applicant: dict, agent: dict | None = None, materials=()) -> Case:
    """网上申请 on the portal (one item)."""
    return _at_online_centre(
        submit_application, item=item, applicant=applicant, agent=agent, materials=materials
    )


def bundle_online_versions(*, bundle: Bundle) -> dict | None:
    """The versions under which each item of ``bundle`` may be applied for online, by
    item pk, or ``None`` when the bundle cannot be applied for online as a whole (not
    active, an item not offered online or not accepting): the checks of the application
    itself, so the portal offers 在线申请 only where it succeeds."""
    centre = online_centre()
    if centre is None or not bundle.is_active:
        return None
    items = [bi.item for bi in bundle.bundle_items.select_related("item__department")]
    if not items:
        return None
    try:
        return {i.pk: offered_version(item=i, centre=centre, channel=Channel.ONLINE) for i in items}
    except (Conflict, ValidationFailed):
        return None


def apply_bundle_online(
    *, bundle: Bundle, applicant: dict, agent: dict | None = None, materials: dict | None = None
) -> Case:
    """一件事 网上申请 on the portal: one form for every item (R-BUNDLE-1)."""
    return _at_online_centre(
        submit_bundle_application,
        bundle=bundle,
        applicant=applicant,
        agent=agent,
        materials=materials or {},
    )
