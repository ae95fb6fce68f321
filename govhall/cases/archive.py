"""一卷一档 — the case file of one case (R-ARCHIVE-1).

The 正卷 (main file) has a table of contents that follows the material list of the
guide version the case was applied under (each material: the submitted file, or
marked 缺 / 容缺), the files, every notice issued (文书) and every decision and record
(办理记录, 特殊环节记录) with who acted. The 副卷 (restricted part: restricted
records and personal documents such as the 授权委托书 and the unmasked ID number) is
included only for the roles ``cases.roles.can_see_restricted`` allows.

:func:`export_zip` packs it as ``index.html`` + ``index.csv`` + ``files/`` +
``documents/*.pdf`` (+ ``副卷/`` when permitted).
"""

from __future__ import annotations

import csv
import io
import os
import zipfile

from django.template.loader import render_to_string
from django.utils import timezone

from govhall.core.validators import mask_id_number, mask_phone

from . import documents, roles, selectors, workflow
from .models import Case


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def build(*, case: Case, user) -> dict:
    """The archive as data for the page and the zip (a fixed number of queries)."""
    restricted_ok = roles.can_see_restricted(user, case)
    groups = selectors.material_groups(case=case)
    toc = []
    required = [g for g in groups if g.kind == "guide"]
    for index, group in enumerate(required, 1):
        material, rows = group.material, group.rows
        files = [r for r in rows if r.file]
        tolerated = [r for r in rows if r.tolerated]
        supplied = selectors.supplied_status(rows[-1]) if rows else None
        if supplied is not None:
            mark = supplied
        elif tolerated and not all(r.caught_up_at for r in tolerated):
            mark = "容缺（待补齐）"
        elif tolerated:
            mark = "容缺（已补齐）"
        elif rows:
            mark = "已提交" + ("（电子件）" if files else "（纸质）")
        else:
            mark = "缺" if material.required else "未提交（非必要）"
        toc.append(
            {
                "no": index,
                "name": material.name,
                "required": material.required,
                "mark": mark,
                "files": [_file_entry(r.file, f"files/{index:02d}-") for r in files],
            }
        )
    extras = [g.rows[0] for g in groups if g.kind == "extra"]
    for offset, row in enumerate(extras, len(required) + 1):
        toc.append(
            {
                "no": offset,
                "name": f"{row.name}（补充材料）",
                "required": False,
                "mark": "已提交",
                "files": [_file_entry(row.file, f"files/{offset:02d}-")] if row.file else [],
            }
        )
    history = list(selectors.case_history(case=case, user=user))
    labels = {event.pk: workflow.event_label(event.action) for event in history}
    events = [
        {
            "at": _when(e.at),
            "action": labels[e.pk],
            "from": e.get_from_state_display(),
            "to": e.get_to_state_display(),
            "actor": e.actor_name,
            "opinion": e.opinion,
            "restricted": e.restricted,
            "attachments": [
                _file_entry(a.file, "files/att-" if not e.restricted else "副卷/att-")
                for a in e.attachments.all()
            ],
        }
        for e in history
    ]
    docs = [
        {"obj": d, "number": d.number, "kind": d.get_kind_display(), "issued": _when(d.issued_at)}
        for d in case.documents.select_related("event").order_by("issued_at", "id")
    ]
    runs = [
        {
            "name": r.name,
            "started": _when(r.started_at),
            "ended": _when(r.ended_at),
            "counted": r.counted_in_limit,
            "paused_days": r.paused_days,
            "record": r.record,
        }
        for r in case.special_runs.all()
    ]
    restricted = None
    if restricted_ok:
        restricted = {
            "events": [e for e in events if e["restricted"]],
            "id_number": case.applicant_id_number,
            "phone": case.applicant_phone,
            "agent_id_number": case.agent_id_number,
            "files": (
                [_file_entry(case.power_of_attorney, "副卷/授权委托书-")]
                if case.power_of_attorney
                else []
            ),
        }
    return {
        "case": case,
        "id_number": mask_id_number(case.applicant_id_number),
        "phone": mask_phone(case.applicant_phone),
        "toc": toc,
        "events": [e for e in events if not e["restricted"]],
        "documents": docs,
        "runs": runs,
        "restricted": restricted,
    }


def _file_entry(field, prefix: str) -> dict:
    base = os.path.basename(field.name)
    return {"field": field, "name": base, "path": f"{prefix}{base}"}


def export_zip(*, case: Case, user, request=None) -> bytes:
    """The case file as zip bytes (正卷 always; 副卷 only for permitted roles)."""
    data = build(case=case, user=user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for entry in data["toc"]:
            for f in entry["files"]:
                _write_file(zf, f)
        for event in data["events"]:
            for f in event["attachments"]:
                _write_file(zf, f)
        for doc in data["documents"]:
            doc["path"] = f"documents/{doc['number']}.pdf"
            zf.writestr(doc["path"], documents.render_pdf(doc["obj"], request=request))
        if data["restricted"]:
            for f in data["restricted"]["files"]:
                _write_file(zf, f)
            for event in data["restricted"]["events"]:
                for f in event["attachments"]:
                    _write_file(zf, f)
        rows = io.StringIO()
        writer = csv.writer(rows)
        writer.writerow(["部分", "序号", "名称", "状态/操作", "时间", "操作人", "文件"])
        for entry in data["toc"]:
            writer.writerow(
                [
                    "材料",
                    entry["no"],
                    entry["name"],
                    entry["mark"],
                    "",
                    "",
                    ";".join(f["path"] for f in entry["files"]),
                ]
            )
        for doc in data["documents"]:
            writer.writerow(
                ["文书", doc["number"], doc["kind"], "", doc["issued"], "", doc["path"]]
            )
        for i, e in enumerate(data["events"], 1):
            writer.writerow(
                [
                    "办理记录",
                    i,
                    e["action"],
                    f"{e['from']}→{e['to']}",
                    e["at"],
                    e["actor"],
                    ";".join(f["path"] for f in e["attachments"]),
                ]
            )
        if data["restricted"]:
            for i, e in enumerate(data["restricted"]["events"], 1):
                writer.writerow(
                    ["副卷", i, e["action"], f"{e['from']}→{e['to']}", e["at"], e["actor"], ""]
                )
        zf.writestr("index.csv", "\ufeff" + rows.getvalue())
        zf.writestr("index.html", render_to_string("cases/archive_index.html", {"a": data}))
    return buffer.getvalue()


def _write_file(zf: zipfile.ZipFile, entry: dict) -> None:
    try:
        with entry["field"].open("rb") as fh:
            zf.writestr(entry["path"], fh.read())
    except (FileNotFoundError, ValueError):
        zf.writestr(entry["path"] + ".missing.txt", "文件缺失")
