"""What 行政备案 adds to the public 办件进度 page (``cases.public_views.progress``;
``cases`` imports nothing of this app):

* a progress source (``core.web.progress_source``): a 备案编号 or 申报编号 with the last
  4 digits of the phone given with the filing finds the filing, with nothing personal
  beyond a masked name;
* a section (``cases.sections.progress_page_section``) under a filed filing: the
  备案回执 to download (this browser only, having just proved the filing is theirs) and
  the sentence that the filing does not block the activity; under a returned one, the
  reasons and the link to file the 补正."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from govhall.cases import sections
from govhall.core import web
from govhall.core.errors import NotFound

from . import selectors, workflow
from .models import DONE, State

SOURCE = "filings"
SESSION_KEY = "filings_receipts"  # refs this browser may download the receipt of
NOT_BLOCKING = "备案不影响您依法从事所备案的活动，备案机关不得以备案为由限制或者要求停止该活动。"


def progress_of(filing) -> dict:
    labels = dict(State.choices)
    events = list(filing.events.order_by("at", "id").values("action", "to_state", "at"))
    result = ""
    if filing.state in DONE:
        result = f"予以备案，备案编号 {filing.number}"
    elif filing.state == State.RETURNED:
        result = "退回补正：" + filing.return_reason
    return {
        "source": SOURCE,
        "number": filing.ref,
        "tracking": filing.tracking,
        "item": filing.item_version.name,
        "department": filing.department.name,
        "centre": filing.centre.name,
        "applicant": filing.masked_name,
        "state": filing.state,
        "state_label": filing.get_state_display(),
        "received_at": filing.submitted_at,
        "accepted_on": timezone.localdate(filing.filed_at) if filing.filed_at else None,
        "due_date": filing.due_date,
        "result": result,
        "closed": filing.state in DONE,
        "labels": {
            "item": "备案事项",
            "department": "备案机关",
            "applicant": "备案人",
            "received_at": "提交时间",
            "accepted_on": "备案日期",
            "due_date": "确认期限",
            "result": "备案结果",
        },
        "steps": [
            {
                "action": e["action"],
                "label": workflow.event_label(e["action"]),
                "state_label": labels.get(e["to_state"], e["to_state"]),
                "at": e["at"],
            }
            for e in events
        ],
    }


@web.progress_source(order=100)
def find_filing(*, number: str, phone_tail: str) -> dict | None:
    try:
        filing = selectors.filing_for_filer(ref=number, phone_tail=phone_tail)
    except NotFound:
        return None
    return progress_of(filing)


def allow_receipt(request, ref: str) -> None:
    """This browser proved the filing is its filer's: it may download the receipt."""
    allowed = [r for r in request.session.get(SESSION_KEY, []) if r != ref][-19:]
    request.session[SESSION_KEY] = [*allowed, ref]


def may_download(request, ref: str) -> bool:
    return ref in request.session.get(SESSION_KEY, [])


@sections.progress_page_section(order=50)
def filing_section(request, progress: dict) -> dict | None:
    if progress.get("source") != SOURCE:
        return None
    if progress["state"] in DONE:
        allow_receipt(request, progress["number"])
        return {
            "id": "filing-receipt",
            "title": "备案回执",
            "template": "filings/_progress_receipt.html",
            "context": {
                "url": reverse("filings_public:receipt", args=[progress["number"]]),
                "not_blocking": NOT_BLOCKING,
            },
        }
    if progress["state"] == State.RETURNED:
        return {
            "id": "filing-correction",
            "title": "补正备案材料",
            "template": "filings/_progress_correction.html",
            "context": {
                "url": reverse("filings_public:resubmit") + f"?ref={progress['tracking']}",
                "not_blocking": NOT_BLOCKING,
            },
        }
    return {
        "id": "filing-pending",
        "title": "备案说明",
        "template": "filings/_progress_pending.html",
        "context": {"not_blocking": NOT_BLOCKING},
    }
