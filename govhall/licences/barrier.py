"""The 警示信息库 at the window (registered with ``cases`` at start-up):

* :func:`warned_subject` — ``cases.barriers.tolerance_barrier``: a subject on the list
  gets no 容缺受理, on every channel, and the refusal says why;
* :func:`warning_alert` — the case page of a case whose applicant is on the list, and
  the window desk's notice screen right after 收件, show it to the staff (headed
  "受理前请注意" while the case waits for 受理).
"""

from __future__ import annotations

from govhall.cases import barriers, sections
from govhall.cases.models import State

from . import selectors


def _reason(entry) -> str:
    period = f"{entry.starts_on:%Y-%m-%d} 至 {entry.ends_on:%Y-%m-%d}" if entry.ends_on else "长期"
    return f"申请人已列入警示信息库（{entry.reason}；来源：{entry.source.name}；期限：{period}）"


@barriers.tolerance_barrier
def warned_subject(case) -> str | None:
    entries = selectors.active_warnings(code=case.applicant_id_number)
    return _reason(entries[0]) if entries else None


@sections.case_alert(order=10)
def warning_alert(request, case) -> dict | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    entries = selectors.active_warnings(code=case.applicant_id_number)
    if not entries:
        return None
    return {
        "id": "licence-warnings",
        "template": "licences/_case_warnings.html",
        "context": {
            "entries": entries,
            "reasons": [_reason(e) for e in entries],
            "before_acceptance": case.state == State.SUBMITTED,
        },
    }
