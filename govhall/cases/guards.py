"""Guards of the transition table (``workflow.TRANSITIONS``) and the facts about a case
they read.

A guard gets ``(case, inputs)`` on the locked, fresh case and raises a
:class:`~govhall.core.errors.DomainError` with a stable code and a Chinese message, or
returns. It never changes anything. The rule each guard enforces is in
``docs/domain-rules.md``; its id is cited in the docstring.
"""

from __future__ import annotations

from django.db import router, transaction

from govhall.catalog.models import CaseType, Material, Step
from govhall.core import policy
from govhall.core.errors import Conflict, ValidationFailed

from . import barriers, deadlines
from .models import DeliveryMethod, Result, State, SubmittedMaterial

# --------------------------------------------------------------------------- facts


# The steps of published versions, by (version id, published_at, edit_token). A
# published version's steps never change (``catalog.services`` edits only drafts), so
# the copy needs no invalidation; an entry is added only once the transaction that
# read it has committed (``on_commit``), so a rolled-back version whose id SQLite gives
# out again is never in it.
_PUBLISHED_STEPS: dict[tuple, list] = {}
_PUBLISHED_STEPS_MAX = 2048


def forget_published_steps() -> None:
    """Empty the copy of published versions' steps (tests)."""
    _PUBLISHED_STEPS.clear()


def _steps_of(case) -> list:
    version_id = case.item_version_id
    if version_id is None:
        return []
    field = type(case)._meta.get_field("item_version")
    version = case.item_version if field.is_cached(case) else None
    key = None
    if version is not None and not version.is_draft:
        key = (version_id, version.published_at, version.edit_token)
        cached = _PUBLISHED_STEPS.get(key)
        if cached is not None:
            return list(cached)
    # Explicit order within the one version: ``Step.Meta.ordering`` starts with
    # "version", which orders by ItemVersion's own ordering and so joins item_version
    # and item for nothing (the statement took ~3× as long).
    rows = list(Step.objects.filter(version_id=version_id).order_by("order", "id"))
    if key is not None:

        def remember():
            if len(_PUBLISHED_STEPS) < _PUBLISHED_STEPS_MAX:
                _PUBLISHED_STEPS[key] = rows

        transaction.on_commit(remember, using=router.db_for_read(Step))
    return list(rows)


def version_steps(case) -> list:
    """The version's 办理环节, read once per case object, and once per process for a
    published version whose case was read with it (the services' locking read)."""
    steps = getattr(case, "_version_steps", None)
    if steps is None or steps[0] != case.item_version_id:
        steps = (case.item_version_id, _steps_of(case))
        case._version_steps = steps
    return steps[1]


def review_steps(case) -> list:
    """The version's steps before the final 决定 step."""
    return version_steps(case)[:-1]


def tolerance_outstanding(case) -> bool:
    """容缺材料尚未补齐? Tolerated materials are only written by 容缺受理, which sets
    ``tolerance_due``; 容缺补齐 clears it once the last one is in. So a case without
    ``tolerance_due`` has none outstanding and needs no read."""
    if case.tolerance_due is None:
        return False
    return case.materials.filter(tolerated=True, caught_up_at__isnull=True).exists()


def is_instant(case) -> bool:
    """即办件: decided on the spot by the window (no review steps, no limit)."""
    return case.item_version is not None and case.item_version.case_type == CaseType.INSTANT


def unreceived_required(case) -> list:
    """The version's 必要 materials of which nothing was received (no row on the case)."""
    if case.item_version_id is None:
        return []
    received = SubmittedMaterial.objects.filter(case_id=case.pk, material__isnull=False)
    # One statement; ``order_by`` replaces Material's ordering, which would join the
    # version and item tables only to sort.
    return list(
        Material.objects.filter(version_id=case.item_version_id, required=True)
        .exclude(pk__in=received.values("material_id"))
        .order_by("order", "id")
    )


def missing_required_materials(case) -> list[str]:
    """Names of the 必要 materials not received. For a 一件事 parent: those of its
    children still to be accepted, each named ``事项：材料``."""
    if not case.is_bundle_parent:
        return [m.name for m in unreceived_required(case)]
    children = case.children.filter(state=State.SUBMITTED).select_related("item_version")
    return [f"{c.item_version.name}：{m.name}" for c in children for m in unreceived_required(c)]


# --------------------------------------------------------------------------- guards


# --- what a case alone allows (no inputs) -------------------------------------------
# Each is the case-level half of a guard below: when it is False the action cannot
# succeed whatever is typed, so pages do not offer it (``workflow.Transition.offered``).
# The guard still decides; these only keep buttons from promising what it will refuse.


def is_deemed_accepted(case) -> bool:
    """§32: five working days passed without 受理 or 一次性告知 (see not_deemed_accepted)."""
    return case.deemed_accepted_s32 or (
        case.state == State.SUBMITTED and deadlines.s32_overdue(case)
    )


def may_still_be_sent_back(case) -> bool:
    """补正 and 不予受理 are possible until §32 counts the case as accepted."""
    return not is_deemed_accepted(case)


def has_all_required_materials(case) -> bool:
    return not missing_required_materials(case)


def may_tolerate(case) -> bool:
    """容缺受理: the item allows it and §32 has not yet counted the case as accepted."""
    version = case.item_version
    return version is not None and version.allows_tolerance and not is_deemed_accepted(case)


def has_open_review_step(case) -> bool:
    return case.current_step < len(review_steps(case))


def ready_for_decision(case) -> bool:
    """Every review step done (a 即办件 is decided at once)."""
    return is_instant(case) or not has_open_review_step(case)


def has_special_steps(case) -> bool:
    version = case.item_version
    return version is not None and version.special_steps.exists()


def not_yet_extended(case) -> bool:
    return not case.extension_days


def is_approved(case) -> bool:
    return case.result == Result.APPROVED


def ready_for_delivery(case) -> bool:
    """An approved case is certified first."""
    return not (case.state == State.DECIDED and case.result == Result.APPROVED)


def awaits_sibling_result(case) -> bool:
    """R-BUNDLE-6: a material of this 一件事 child is a sibling's result not yet issued."""
    if case.parent_id is None:
        return False
    return SubmittedMaterial.objects.filter(
        case_id=case.pk, supplied_by__isnull=False, caught_up_at__isnull=True
    ).exists()


def is_caught_up(case) -> bool:
    return not tolerance_outstanding(case)


# --- guards ------------------------------------------------------------------------


def not_deemed_accepted(case, inputs) -> None:
    """R-INTAKE-5 (行政许可法 §32): five working days after the materials arrived with
    neither 受理 nor a 一次性告知, the case counts as accepted: it may no longer be
    sent for 补正, refused or accepted with tolerance. Checked at the moment of acting
    as well as by the daily job."""
    if is_deemed_accepted(case):
        raise Conflict(
            "收到材料已超过5个工作日未告知补正，依法视为受理（行政许可法第三十二条），"
            "不能再要求补正或不予受理，请直接受理",
            code="deemed_accepted",
        )


def materials_complete(case, inputs) -> None:
    """R-INTAKE-1 (行政许可法 §32): 受理 only when every 必要 material was received;
    otherwise the window sends a 一次性告知 or accepts with tolerance (容缺)."""
    missing = missing_required_materials(case)
    if missing:
        sep = "；" if case.is_bundle_parent else "、"
        # Name 容缺受理 only where the item allows it.
        choose = "一次性告知补正或容缺受理" if may_tolerate(case) else "一次性告知补正"
        raise ValidationFailed(
            f"以下必要材料未收到，不能直接受理：{sep.join(missing)}。请选择{choose}",
            code="materials_missing",
        )


def tolerance_allowed(case, inputs) -> None:
    """R-INTAKE-4 (容缺受理): the item and each tolerated material allow it; every
    other 必要 material was received; a signed 承诺书; catch-up days ≤ 承诺时限; the
    applicant is not barred (a subject on the 警示信息库, ``barriers``)."""
    not_deemed_accepted(case, inputs)
    version = case.item_version
    if not version.allows_tolerance:
        raise ValidationFailed(
            "该事项不适用容缺受理", code="tolerance_not_allowed", fields={"tolerated": ["不适用"]}
        )
    barred = barriers.tolerance_barred(case)
    if barred:
        raise Conflict(f"不适用容缺受理：{barred}", code="tolerance_barred")
    tolerated = list(inputs["tolerated"])
    allowed = {m.pk: m for m in version.materials.all()}
    bad = [
        getattr(m, "name", str(m))
        for m in tolerated
        if getattr(m, "pk", None) not in allowed or not allowed[m.pk].tolerance_allowed
    ]
    if bad:
        raise ValidationFailed(
            f"以下材料不可容缺：{'、'.join(bad)}",
            code="tolerance_not_allowed",
            fields={"tolerated": [f"不可容缺：{'、'.join(bad)}"]},
        )
    tolerated_ids = {m.pk for m in tolerated}
    lacking = [m.name for m in unreceived_required(case) if m.pk not in tolerated_ids]
    if lacking:
        raise ValidationFailed(
            f"以下必要材料既未收到也未容缺，不能容缺受理：{'、'.join(lacking)}。"
            "请补齐材料或选择一次性告知补正",
            code="materials_missing",
        )
    days = inputs["catch_up_days"]
    limit = version.promised_limit_days or 0
    if not isinstance(days, int) or days < 1 or days > limit:
        raise ValidationFailed(
            f"容缺补齐期限应为1至{limit}个工作日（不超过承诺时限）",
            code="invalid_catch_up_days",
            fields={"catch_up_days": [f"应为1至{limit}个工作日"]},
        )
    if not str(inputs["commitment"]).strip():
        raise ValidationFailed(
            "容缺受理须由申请人签署承诺书",
            code="commitment_required",
            fields={"commitment": ["必填"]},
        )


def review_step_open(case, inputs) -> None:
    """R-REVIEW-1: one review step at a time, in the order of the guide."""
    if not has_open_review_step(case):
        raise Conflict("审查、审核环节已完成，请作出决定", code="no_review_step")


def decision_allowed(case, inputs) -> None:
    """R-REVIEW-2/3: a decision after every review step (即办件 at once); 不予许可 and
    退件 state their reasons (行政许可法 §38); no 准予 while 容缺 materials are
    outstanding."""
    result = inputs["result"]
    if result not in (Result.APPROVED, Result.DENIED, Result.RETURNED):
        raise ValidationFailed(
            "办理结果应为准予许可、不予许可或退件",
            code="invalid_result",
            fields={"result": ["取值无效"]},
        )
    if not ready_for_decision(case):
        step = review_steps(case)[case.current_step]
        raise Conflict(f"尚未完成“{step.name}”环节，不能作出决定", code="steps_pending")
    if result != Result.APPROVED and not str(inputs.get("reason") or "").strip():
        raise ValidationFailed(
            "不予许可或退件必须说明理由", code="reason_required", fields={"reason": ["必填"]}
        )
    if result == Result.APPROVED and tolerance_outstanding(case):
        raise Conflict("容缺材料尚未补齐，不能作出准予决定", code="tolerance_outstanding")
    if result == Result.APPROVED and awaits_sibling_result(case):
        raise Conflict(
            "本件所需材料由本一件事中另一事项的办理结果提供，该结果尚未出具，不能作出准予决定",
            code="sibling_result_pending",
        )


def special_step_of_version(case, inputs) -> None:
    """R-SPECIAL-1 (行政许可法 §45): only a special step the guide lists."""
    step = inputs["special_step"]
    if getattr(step, "version_id", None) != case.item_version_id:
        raise ValidationFailed(
            "该特殊环节不属于本办件适用的办事指南",
            code="invalid_special_step",
            fields={"special_step": ["不属于本事项"]},
        )


def extension_allowed(case, inputs) -> None:
    """R-SPECIAL-3 (行政许可法 §42): one extension, at most MAX_EXTENSION_DAYS."""
    if not not_yet_extended(case):
        raise Conflict("办件只能延期一次（行政许可法第四十二条）", code="already_extended")
    days = inputs["days"]
    most = policy.get("MAX_EXTENSION_DAYS")
    if not isinstance(days, int) or days < 1 or days > most:
        raise ValidationFailed(
            f"延期天数应为1至{most}个工作日",
            code="invalid_extension",
            fields={"days": [f"应为1至{most}个工作日"]},
        )


def approved(case, inputs) -> None:
    """R-CLOSE-1: 制证 only for an approved case."""
    if not is_approved(case):
        raise Conflict("只有准予许可的办件才需要制证", code="not_approved")


def delivery_allowed(case, inputs) -> None:
    """R-CLOSE-2: an approved case is certified before delivery; the
    method is one of the three; a posted result has its tracking number."""
    if not ready_for_delivery(case):
        raise Conflict("准予许可的办件须先制证再送达", code="not_certified")
    method = inputs["method"]
    if method not in DeliveryMethod.values or not method:
        raise ValidationFailed(
            "送达方式应为窗口领取、邮寄或电子送达",
            code="invalid_method",
            fields={"method": ["取值无效"]},
        )
    if method == DeliveryMethod.POST and not str(inputs.get("tracking_number") or "").strip():
        raise ValidationFailed(
            "邮寄送达必须填写邮寄单号",
            code="tracking_required",
            fields={"tracking_number": ["必填"]},
        )


def tolerance_caught_up(case, inputs) -> None:
    """R-INTAKE-4: a case accepted with tolerance completes only once caught up."""
    if not is_caught_up(case):
        raise Conflict("容缺材料尚未补齐，不能办结", code="tolerance_outstanding")


def corrections_listed(case, inputs) -> None:
    """R-INTAKE-2 (行政许可法 §32, 一次性告知): every material to correct is listed
    with its problem, all at once."""
    not_deemed_accepted(case, inputs)
    items = list(inputs["corrections"])
    if not items or any(not str(c.get("problem") or "").strip() for c in items):
        raise ValidationFailed(
            "一次性告知须逐项列明缺少或不符合要求的材料及原因",
            code="corrections_incomplete",
            fields={"corrections": ["每项须写明原因"]},
        )


def bundle_parent_only(case, inputs) -> None:
    """R-BUNDLE-5: only a 一件事 parent completes with its children (by the system)."""
    if not case.is_bundle_parent:
        raise Conflict("只有一件事主件随子件办结", code="not_bundle_parent")
