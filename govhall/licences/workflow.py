"""The one transition table of a licence's status (证照状态流转表).

有效 is where a licence starts (制证). 变更 and 延续 keep it in force with new details or
a new validity; 撤销 (by the issuer, 行政许可法 §69), 吊销 (a penalty of a supervising
department, only through ``services.record_report``) and 过期 (the daily schedule) end
it; 注销 (§70) closes it for good, from any state but itself, and fulfils the
obligations a revocation left. ``services.change_status`` is the only code that moves
a licence and knows no action by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from govhall.core import audit
from govhall.core.errors import ValidationFailed

from .models import IN_FORCE, Status
from .roles import R

REASON_MAX = 500


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    effect: Callable | None = None
    # Extra inputs besides the reason: ("valid_until",) for 延续, ("holder_name",
    # "name") for 变更.
    inputs: tuple[str, ...] = ()
    by_hand: bool = True  # offered on the staff page and the API

    def __post_init__(self):
        unknown = self.roles - R.ALL
        if unknown:
            raise ValueError(f"{self.action}: unknown roles {sorted(unknown)}")

    @property
    def audit_action(self) -> audit.Action:
        return _AUDIT[self.action]


def _change(licence, inputs) -> dict:
    changed = {}
    for field in ("holder_name", "name"):
        value = (inputs.get(field) or "").strip()
        if value and value != getattr(licence, field):
            changed[field] = [getattr(licence, field), value]
            setattr(licence, field, value[:100])
    if not changed:
        raise ValidationFailed(
            "变更须至少修改持证主体名称或证照名称之一",
            code="nothing_changed",
            fields={"holder_name": ["未修改"]},
        )
    return changed


def _renew(licence, inputs) -> dict:
    until = inputs.get("valid_until")
    if until is None:
        raise ValidationFailed(
            "延续须填写新的有效期截止日期",
            code="valid_until_required",
            fields={"valid_until": ["必填"]},
        )
    if licence.valid_until is not None and until <= licence.valid_until:
        raise ValidationFailed(
            "延续后的有效期截止日期须晚于原有效期",
            code="valid_until_not_later",
            fields={"valid_until": [f"须晚于 {licence.valid_until:%Y-%m-%d}"]},
        )
    before = licence.valid_until
    licence.valid_until = until
    licence.expiry_reminded_on = None
    return {"valid_until": [before.isoformat() if before else None, until.isoformat()]}


_ENDED = (Status.EXPIRED, Status.WITHDRAWN, Status.REVOKED)

TRANSITIONS: list[Transition] = [
    Transition(
        "change",
        "变更",
        IN_FORCE,
        Status.CHANGED,
        frozenset({R.ISSUER, R.ADMIN}),
        _change,
        inputs=("holder_name", "name"),
    ),
    Transition(
        "renew",
        "延续",
        IN_FORCE,
        Status.RENEWED,
        frozenset({R.ISSUER, R.ADMIN}),
        _renew,
        inputs=("valid_until",),
    ),
    Transition("withdraw", "撤销", IN_FORCE, Status.WITHDRAWN, frozenset({R.ISSUER, R.ADMIN})),
    Transition(
        "revoke",
        "吊销",
        IN_FORCE,
        Status.REVOKED,
        frozenset({R.SUPERVISING, R.ADMIN}),
        by_hand=False,
    ),
    Transition(
        "cancel", "注销", IN_FORCE + _ENDED, Status.CANCELLED, frozenset({R.ISSUER, R.ADMIN})
    ),
    Transition("expire", "过期", IN_FORCE, Status.EXPIRED, frozenset({R.SYSTEM}), by_hand=False),
]

TABLE: dict[str, Transition] = {row.action: row for row in TRANSITIONS}
_AUDIT = {
    row.action: audit.Action(f"licences.licence.{row.action}", f"证照{row.label}")
    for row in TRANSITIONS
}
ISSUE = audit.Action("licences.licence.issue", "证照入库")


def get(action: str) -> Transition:
    row = TABLE.get(action)
    if row is None:
        raise ValidationFailed(f"未知的操作“{action[:30]}”", code="unknown_action")
    return row


def available_actions(user, licence) -> list[Transition]:
    from .roles import roles_for

    tokens = roles_for(user, licence)
    return [
        row
        for row in TRANSITIONS
        if row.by_hand and licence.status in row.sources and tokens & row.roles
    ]
