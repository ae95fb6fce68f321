"""Values that policy may change, with the defaults of docs/domain-rules.md R-POLICY-1.

A deployment overrides any of them with the ``GOVHALL_POLICY`` environment variable
(JSON) or ``settings.GOVHALL_POLICY``; code reads them only through :func:`get`.
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict = {
    # R-CAT-8: no vague catch-alls in guides.
    "VAGUE_WORDINGS": ["其他材料", "有关部门", "相关材料", "等材料", "其他相关", "相关部门"],
    # Electronic supervision lights (R-LIGHT-1).
    "YELLOW_USED_RATIO": 0.8,
    "YELLOW_DAYS_LEFT": 1,
    # 行政许可法 §32: notice of incomplete materials within 5 working days.
    "INCOMPLETE_NOTICE_DAYS": 5,
    # 行政许可法 §42: one extension of at most 10 working days.
    "MAX_EXTENSION_DAYS": 10,
    # 好差评: 差评 rectification deadline (working days).
    "BAD_REVIEW_DEADLINE_DAYS": 5,
    # 好差评 (issue 12 §1, docs/ratings.md; the 差评 loop's deadline is the key above):
    # calendar days after 办结 (or after a 差评 was rectified, for the next round) in
    # which a case may be rated.
    "RATINGS_PERIOD_DAYS": 30,
    # Days the SMS rating link (a signed token) stays valid after it is sent.
    "RATINGS_TOKEN_DAYS": 30,
    # Working days after a 差评 in which the staff member concerned may appeal (申诉复核).
    "RATINGS_APPEAL_DAYS": 10,
    # Rating submissions (POST /api/v1/ratings/) per client address: "<n>/<s|min|h|d>".
    "RATINGS_POST_RATE": "30/min",
    # 差评原因: the standard list (code → label); a 差评 needs at least one.
    "RATINGS_BAD_REASONS": {
        "attitude": "服务态度差",
        "slow": "办理时间长或超时",
        "repeat": "多次跑动或反复提交材料",
        "unclear": "一次性告知不清",
        "guide": "办事指南与实际不符",
        "fees": "违规收费",
        "system": "系统故障或网办不畅",
        "facility": "场所设施不便",
        "conduct": "吃拿卡要或作风问题",
        "other": "其他",
    },
    # 电子监察预警 (issue 11 §1, docs/supervision.md): a 不予受理 / 不予许可 / 退件 reason
    # shorter than this (characters, punctuation and spaces not counted) or equal to
    # one of the boilerplate phrases is flagged.
    "SUPERVISION_MIN_REASON_CHARS": 10,
    "SUPERVISION_BOILERPLATE_REASONS": [
        "不符合条件",
        "不符合要求",
        "不符合规定",
        "不符合相关规定",
        "不符合法定条件",
        "不符合相关法律法规规定",
        "材料不全",
        "材料不齐全",
        "其他原因",
        "经研究不予许可",
    ],
    # Completed cases looked at again by the daily warning run (the completion rules).
    "SUPERVISION_RECENT_DAYS": 7,
    # 督办 (issue 11 §2): working days a department has to reply to a 督办单 (and again
    # after a reply is returned).
    "SUPERVISION_REPLY_DAYS": 3,
    # 绩效评估 (issue 11 §4, docs/supervision.md "绩效评估"): the indicators (keys of
    # supervision/evaluation.py INDICATORS, each scored 0–100 by its formula there) and
    # their relative weights: a unit's score is Σ(weight × score) ÷ Σ(weights of the
    # indicators that have data), so the weights need not add up to 100. An indicator
    # with weight 0 is shown but not scored; an unknown key is ignored; a unit without
    # ratings in the period has no 满意度 (it then does not count).
    "EVALUATION_WEIGHTS": {
        "on_time_rate": 25,
        "time_used_ratio": 10,
        "deemed_acceptances": 10,
        "warnings_per_100": 10,
        "orders_replied_on_time": 10,
        "file_review_score": 10,
        "instant_and_online_share": 5,
        # 现场巡查、窗口自查 and 第三方评估 count in the evaluation (内乡 §37).
        "inspection_score": 10,
        # 好差评 (issue 12): the 满意率 of the period's ratings.
        "satisfaction": 10,
        # 有诉即办 / 12345 (issue 12 §2): 按时答复率 and 满意率 of the complaints assigned.
        "complaint_handling": 10,
        # 事项动态调整 (issue 13 §1, docs/governance.md): filed within the deadline.
        "adjustment_timeliness": 5,
    },
    # 有诉即办 / 12345 (issue 12 §2, docs/complaints.md): working days a complaint must be
    # answered (答复) in, counted from 受理 by category; 0 = the same day. GB/T 33358 and
    # the local rules seen: 紧急 same day, 咨询/求助 3, 建议/投诉/举报 15 (13 in places).
    "COMPLAINTS_LIMIT_DAYS": {
        "urgent": 0,
        "consultation": 3,
        "help": 3,
        "suggestion": 15,
        "complaint": 15,
        "report": 15,
    },
    # 有诉即办: the departments (统一社会信用代码) that act as the discipline office
    # (纪检监察); a complaint about a staff member goes to the centre or to one of them
    # only (达拉特旗 §26). Empty: only the centre.
    "COMPLAINTS_DISCIPLINE_DEPARTMENTS": [],
    # 有诉即办: working days after 办结 by which the centre makes the 回访 (callback);
    # the centre side is told the working day before (issue 12 §4). Project default.
    "COMPLAINTS_VISIT_DAYS": 3,
    # 审管联动 (issue 14, docs/licences.md): working days a supervising department has
    # to acknowledge (签收) a pushed result before it is a warning;
    "LICENCES_ACK_DAYS": 3,
    # working days the issuing department has to cancel (注销) a licence after the
    # revocation penalty (吊销) takes effect (seed 0 联动 §3 "及时注销"; project default);
    "LICENCES_CANCEL_DAYS": 5,
    # calendar days before expiry the holder is reminded (by SMS, once per validity).
    "LICENCES_EXPIRY_REMINDER_DAYS": 30,
    # 大厅 (issue 15, docs/hall.md): calls before a window may mark a ticket 过号;
    "HALL_NO_SHOW_CALLS": 3,
    # 绿色通道 calls in a row after which a window calls one ordinary ticket;
    "HALL_PRIORITY_STREAK": 3,
    # age (years, from the ID number) that gives the 老年人 绿色通道;
    "HALL_ELDERLY_AGE": 60,
    # waiting tickets per window serving a category at which 潮汐窗口 is suggested;
    "HALL_TIDAL_WAITING": 10,
    # days ahead a slot may be booked; minutes before a slot / after its end to check in;
    "HALL_BOOKING_DAYS": 14,
    "HALL_CHECKIN_EARLY_MINUTES": 30,
    "HALL_CHECKIN_LATE_MINUTES": 15,
    # a wait longer than this (minutes) counts as a long wait in the statistics;
    "HALL_LONG_WAIT_MINUTES": 30,
    # people ahead at which a waiting person who left a phone gets one SMS (0: none).
    "HALL_SMS_AHEAD": 3,
    # 人员管理 (issue 15 §2, docs/staff.md): 达拉特旗 §21 "提前五日" — working days
    # between a move request and the planned move; "五日内进行调整" — working days a
    # department has to replace a worker the centre returned;
    "STAFF_MOVE_NOTICE_DAYS": 5,
    "STAFF_RETURN_DAYS": 5,
    # 内乡 §33 "工作期限不少于一年": months before a move needs the centre's approval;
    "STAFF_MIN_TERM_MONTHS": 12,
    # the working day for attendance: a sign-in after START + grace is 迟到, a sign-out
    # before END is 早退;
    "STAFF_DAY_START": "08:30",
    "STAFF_DAY_END": "17:30",
    "STAFF_LATE_GRACE_MINUTES": 5,
    # clock-device files: at most this many rows in one import.
    "STAFF_IMPORT_MAX_ROWS": 200_000,
}


def get(name: str):
    overrides = getattr(settings, "GOVHALL_POLICY", {}) or {}
    if name in overrides:
        return overrides[name]
    return DEFAULTS[name]
