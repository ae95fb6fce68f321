"""What an approved request does to the catalogue, per kind (R-CAT-15, R-CAT-16,
R-CAT-19), and the checks that it still can.

:func:`apply` runs inside ``services.transition``'s transaction (审核通过, or 登记县政府
批准 for a 负面清单 entry), through the catalogue's own services with the real actor
(the centre administrator), so every rule of the catalogue holds and every change has
its audit row on the item:

* 新增 / 变更 / 下放 / 下沉 — the request's draft is published (``catalog.services.
  publish``); for 新增 the approvers named in the application are put on the
  department's 授权书 (``catalog.authorisations.set_authorised_item``);
* 取消 / 暂停 / 恢复 — the item's status with the request's reasons, which the guide and
  the application page show in public (``change_item_flags``);
* 划转 — the item moves (``catalog.services.transfer_item``), its open cases are handed
  over (``cases.services.handover``), its entries on the old department's 授权书 are
  removed, and a draft, if the request carries one, is published;
* 列入 / 移出负面清单 — the item's 负面清单 flags, category and statement, and its
  stationing (``change_item_flags``).

:func:`check` is the one test that the change can be made: called when the
department submits, and again when the centre approves (the catalogue may have moved
on meanwhile). Nothing here is reached by a return or a withdrawal, so those change
nothing in the catalogue.
"""

from __future__ import annotations

from govhall.cases.services import handover
from govhall.catalog import authorisations
from govhall.catalog import selectors as catalog_selectors
from govhall.catalog import services as catalog
from govhall.catalog.models import AuthorisedItem, ItemStatus, VersionStatus
from govhall.core import clock
from govhall.core.errors import Conflict
from govhall.org.models import Authorisation

from .models import DRAFT_KINDS, AdjustmentRequest, Kind


def _refuse(message: str, code: str = "not_applicable") -> None:
    raise Conflict(message, code=code)


def check(r: AdjustmentRequest, *, submitted: bool = False) -> None:
    """Can ``r`` still be applied to its item as it is now? ``submitted``: and is its
    draft the one the department submitted (not edited since)?"""
    item = r.item
    published = item.versions.filter(status=VersionStatus.PUBLISHED).exists()
    if r.kind == Kind.ADD and published:
        _refuse("该事项已发布，不能再申请新增，请申请变更")
    if r.kind != Kind.ADD and not published:
        _refuse("该事项尚未发布，请先申请新增")
    if item.status == ItemStatus.CANCELLED and r.kind != Kind.ADD:
        _refuse("该事项已取消，不能再调整", code="item_cancelled")
    if r.kind in DRAFT_KINDS:
        draft = r.draft
        if draft is None or not draft.is_draft:
            _refuse("申请所附的办事指南草稿已不存在或已发布，请重新关联草稿", code="draft_missing")
        if submitted and r.draft_token is not None and draft.edit_token != r.draft_token:
            _refuse("办事指南草稿在提交后又被修改，请部门确认后重新提交", code="draft_changed")
        current = catalog_selectors.current_version(item=item)
        if r.kind == Kind.DELEGATE and current is not None:
            same = draft.exercise_level == current.exercise_level and (
                draft.accept_levels == current.accept_levels
            )
            if same:
                _refuse("下放申请的草稿未改变行使层级或受理层级", code="levels_unchanged")
        if r.kind == Kind.SINK and not (draft.accept_at_township or draft.accept_at_village):
            _refuse("下沉申请的草稿应设为乡镇或村级可受理", code="levels_unchanged")
    if r.kind == Kind.SUSPEND and item.status != ItemStatus.ACTIVE:
        _refuse("只有在用的事项可以暂停")
    if r.kind == Kind.RESUME and item.status != ItemStatus.SUSPENDED:
        _refuse("只有暂停的事项可以恢复")
    if r.kind == Kind.TRANSFER:
        if r.target_department_id is None or r.target_department_id == item.department_id:
            _refuse("请选择另一个划入部门", code="invalid_target")
        if not r.target_department.is_active:
            _refuse(f"部门“{r.target_department.name}”已停用", code="invalid_target")
    if r.kind == Kind.NEGATIVE_ADD and item.on_negative_list:
        _refuse("该事项已在负面清单中")
    if r.kind == Kind.NEGATIVE_REMOVE and not item.on_negative_list:
        _refuse("该事项不在负面清单中")


def _note(r: AdjustmentRequest) -> str:
    return f"{r.get_kind_display()}（调整申请 {r.number}）：{r.reasons}"[:2000]


def _publish(actor, r: AdjustmentRequest) -> dict:
    version = catalog.publish(actor=actor, version=r.draft, change_note=_note(r))
    r.published_version = version
    return {"published_version": version.number}


def _authorise(actor, r: AdjustmentRequest) -> dict:
    """新增: the approvers the application named, on the department's 授权书 in force."""
    approvers = list(r.approvers.all())
    if not approvers:
        return {}
    today = clock.today()
    authorisation = (
        Authorisation.objects.filter(
            department=r.department_id,
            is_revoked=False,
            valid_from__lte=today,
            valid_to__gte=today,
        )
        .order_by("-valid_from")
        .first()
    )
    if authorisation is None:
        return {"authorisation": None}  # the page says: 请重新签订授权书
    authorisations.set_authorised_item(
        actor=actor,
        authorisation=authorisation,
        item=r.item,
        approvers=approvers,
        reason=f"新增事项（调整申请 {r.number}）",
    )
    return {"authorisation": authorisation.number, "approvers": [s.name for s in approvers]}


def _flags(actor, r: AdjustmentRequest, **flags) -> dict:
    catalog.change_item_flags(actor=actor, item=r.item, reason=_note(r), **flags)
    return {"flags": {k: v for k, v in flags.items() if k != "negative_list_reason"}}


def _transfer(actor, r: AdjustmentRequest) -> dict:
    item, target = r.item, r.target_department
    source = item.department
    catalog.transfer_item(actor=actor, item=item, department=target, reason=_note(r))
    numbers = handover.hand_over_open_cases(
        actor=actor,
        item=item,
        to_department=target,
        reason=f"事项划转（调整申请 {r.number}），移交：{r.handover_note}"[:2000],
    )
    r.handed_over = numbers
    removed = 0
    entries = AuthorisedItem.objects.filter(item=item, authorisation__department=source)
    for entry in list(entries):
        authorisations.remove_authorised_item(
            actor=actor, authorised_item=entry, reason=f"事项划转至{target.name}（{r.number}）"
        )
        removed += 1
    data = {"from": source.name, "to": target.name, "cases": len(numbers), "unauthorised": removed}
    if r.draft_id:
        data.update(_publish(actor, r))
    return data


def apply(actor, r: AdjustmentRequest) -> dict:
    """Make the change of ``r`` (already checked by the row's guard); returns the
    event's data. Runs in the caller's transaction: any refusal undoes it all."""
    r.applied_at = clock.now()
    kind = r.kind
    if kind == Kind.ADD:
        return {**_publish(actor, r), **_authorise(actor, r)}
    if kind in (Kind.CHANGE, Kind.DELEGATE, Kind.SINK):
        return _publish(actor, r)
    if kind == Kind.CANCEL:
        return _flags(actor, r, status=ItemStatus.CANCELLED)
    if kind == Kind.SUSPEND:
        return _flags(actor, r, status=ItemStatus.SUSPENDED)
    if kind == Kind.RESUME:
        return _flags(actor, r, status=ItemStatus.ACTIVE)
    if kind == Kind.TRANSFER:
        return _transfer(actor, r)
    if kind == Kind.NEGATIVE_ADD:
        return _flags(
            actor,
            r,
            on_negative_list=True,
            is_stationed=False,
            negative_list_category=r.negative_category,
            negative_list_reason=r.negative_statement,
        )
    if kind == Kind.NEGATIVE_REMOVE:
        return _flags(
            actor,
            r,
            on_negative_list=False,
            is_stationed=True,
            negative_list_category="",
            negative_list_reason="",
        )
    raise AssertionError(f"unknown kind {kind}")  # pragma: no cover


def withdrawn(actor, r: AdjustmentRequest) -> dict:
    """撤回 changes nothing in the catalogue: a 新增 item never published stays an
    unpublished draft (nobody sees it outside the staff pages)."""
    return {}
