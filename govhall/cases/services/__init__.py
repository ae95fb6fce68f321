"""Writes to cases, by job:

* ``intake`` — 申请/收件 at every channel, the window's decision, online application;
* ``transition`` — the one way a case changes state (reads ``workflow.TRANSITIONS``);
* ``effects`` — what each action changes (named in its row);
* ``bundles`` — 一件事 definitions and the parent/children cascades;
* ``notices`` — the 文书 issued to the applicant;
* ``jobs`` — the daily rules and recomputations;
* ``fees`` — 收费记录: record and cancel a fee (the state unchanged).

Callers import the functions re-exported here (``from govhall.cases import services``;
``services.transition(...)``). Nothing is reversible by editing rows.
"""

from .bundles import create_bundle, update_bundle
from .fees import cancel_fee, may_record_fee, record_fee
from .intake import (
    DESK_DECISIONS,
    apply_bundle_online,
    apply_online,
    bundle_online_versions,
    check_idempotency_key,
    offered_version,
    online_centre,
    online_version,
    receive_at_window,
    receive_bundle_at_window,
    submit_application,
    submit_bundle_application,
)
from .jobs import (
    apply_deemed_acceptance,
    expire_tolerance_catchups,
    recompute_provisional_deadlines,
)
from .notices import issue_bundle_notice
from .transition import transition

__all__ = [
    "DESK_DECISIONS",
    "apply_bundle_online",
    "apply_deemed_acceptance",
    "apply_online",
    "bundle_online_versions",
    "cancel_fee",
    "check_idempotency_key",
    "create_bundle",
    "expire_tolerance_catchups",
    "issue_bundle_notice",
    "may_record_fee",
    "offered_version",
    "online_centre",
    "online_version",
    "receive_at_window",
    "receive_bundle_at_window",
    "record_fee",
    "recompute_provisional_deadlines",
    "submit_application",
    "submit_bundle_application",
    "transition",
    "update_bundle",
]
