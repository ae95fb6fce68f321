"""The policy values of 人员管理 (R-POLICY-1), read through ``core.policy.get`` like
every other key. ``core`` must not know this app, so the defaults are added to
``core.policy.DEFAULTS`` when the app is ready (a deployment overrides them with
``GOVHALL_POLICY`` as usual); docs/staff.md lists them."""

from __future__ import annotations

from govhall.core import policy

DEFAULTS: dict = {
    # 达拉特旗 §21 "提前五日": working days between the request and the planned move.
    "STAFF_MOVE_NOTICE_DAYS": 5,
    # 达拉特旗 §21 "五日内进行调整": working days a department has to replace a worker
    # the centre returned.
    "STAFF_RETURN_DAYS": 5,
    # 内乡县 §33 "工作期限不少于一年": months a window worker stays before a move needs
    # the centre's approval.
    "STAFF_MIN_TERM_MONTHS": 12,
    # The centre's working day for attendance (demo HOURS: 上午 8:30, 下午 17:30):
    # a sign-in after START + grace is 迟到, a sign-out before END is 早退.
    "STAFF_DAY_START": "08:30",
    "STAFF_DAY_END": "17:30",
    "STAFF_LATE_GRACE_MINUTES": 5,
    # Clock-device files: at most this many rows in one import.
    "STAFF_IMPORT_MAX_ROWS": 200_000,
}


def register_defaults() -> None:
    for key, value in DEFAULTS.items():
        policy.DEFAULTS.setdefault(key, value)


def get(name: str):
    register_defaults()
    return policy.get(name)
