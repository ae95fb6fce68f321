"""The policy values of 人员管理 (R-POLICY-1): the ``STAFF_*`` keys of
``core.policy.DEFAULTS``, read through ``core.policy.get`` like every other key
(docs/staff.md lists them)."""

from __future__ import annotations

from govhall.core.policy import get

__all__ = ["get"]
