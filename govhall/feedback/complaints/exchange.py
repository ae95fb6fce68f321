"""12345 work-order exchange (12345工单交换, issue 12 §2): the county receives orders
from the city platform as an Excel (.xlsx) or JSON file, and sends back replies and
status in the same format. The format is defined in docs/complaints.md and by
:data:`FIELDS` / :data:`EXPORT_FIELDS` here (Chinese column names, English keys).

* :func:`import_orders` — every row is checked first; one bad row refuses the whole
  file with a Chinese message per row (nothing half-imported). A new order becomes a
  complaint (channel 12345, 受理 by the importer, the platform's deadline kept when
  the row has one). An order already imported (same ``工单编号``) is never created
  again: unchanged, it is counted; changed, it is reported with the fields that
  differ, and not overwritten. A file imported before (same SHA-256) changes
  nothing at all and answers the first import's record.
* :func:`export_orders` — the 12345 orders with their state, handler and reply.
  Re-importing an export changes nothing (the order fields are written as they were
  received, from the import event).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from govhall.cases.models import Case
from govhall.core import actors, audit, clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.validators import is_valid_id_number
from govhall.org import permissions
from govhall.org.models import Role

from . import roles, services
from .models import Category, Channel, Complaint, ComplaintEvent, ExchangeImport, State

SOURCE = "12345"
FORMAT = "govhall-12345"
FORMAT_VERSION = 1
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
SHEET = "工单"

# (key, 中文列名, required, max length)
FIELDS: list[tuple[str, str, bool, int]] = [
    ("external_id", "工单编号", True, 50),
    ("category", "诉求类别", True, 20),
    ("subject", "标题", True, 200),
    ("content", "诉求内容", True, 4000),
    ("name", "诉求人", False, 100),
    ("phone", "联系电话", False, 20),
    ("id_number", "身份证号", False, 18),
    ("received_at", "来电时间", True, 19),
    ("due_date", "办理时限", False, 10),
    ("case_number", "涉及办件", False, 40),
]
EXPORT_FIELDS: list[tuple[str, str]] = [
    ("number", "本地编号"),
    ("state", "办理状态"),
    ("handler", "承办单位"),
    ("reply", "答复内容"),
    ("replied_at", "答复时间"),
    ("closed_at", "办结时间"),
    ("evaluation", "评价结果"),
    ("returned_count", "退单次数"),
    ("reopened_count", "重办次数"),
]
LABELS = {key: label for key, label, *_ in FIELDS} | dict(EXPORT_FIELDS)
_BY_HEADER = {**{label: key for key, label in LABELS.items()}, **{key: key for key in LABELS}}
_IMPORT_KEYS = [key for key, *_ in FIELDS]
_CATEGORY = {label: value for value, label in Category.choices} | {
    value: value for value in Category.values
}


@dataclass
class ImportResult:
    record: ExchangeImport
    already_imported: bool = False
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)


def may_exchange(user) -> bool:
    """The county centre's administrator and 综合受理 clerks exchange 12345 orders."""
    if permissions.is_centre_admin(user):
        return True
    staff = permissions.active_staff(user, Role.WINDOW_CLERK)
    centre = services.online_centre()
    return staff is not None and centre is not None and staff.centre_id == centre.pk


# --------------------------------------------------------------------------- reading


def _file_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_file", fields={"file": [message]})


def _cell(value) -> str:
    """A cell or JSON value as text: numbers without a trailing .0 (a phone typed as
    a number), dates and times in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _rows_of_json(data: bytes) -> list[tuple[str, dict]]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _file_error("文件不是有效的 UTF-8 JSON") from None
    orders = doc.get("orders") if isinstance(doc, dict) else doc
    if not isinstance(orders, list):
        raise _file_error("JSON 文件应为工单数组，或包含 orders 数组的对象")
    rows = []
    for n, order in enumerate(orders, start=1):
        label = f"第 {n} 条"
        if not isinstance(order, dict):
            rows.append((label, None))
            continue
        rows.append(
            (label, {_BY_HEADER.get(str(k).strip(), ""): _cell(v) for k, v in order.items()})
        )
    return rows


def _rows_of_xlsx(data: bytes) -> list[tuple[str, dict]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _file_error("文件不是有效的 Excel（.xlsx）工作簿") from None
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if not header:
            raise _file_error("工作表为空：第 1 行应为列名")
        keys = [_BY_HEADER.get(_cell(h), "") for h in header]
        missing = [label for key, label, required, _ in FIELDS if required and key not in keys]
        if missing:
            raise _file_error("第 1 行缺少列：" + "、".join(missing))
        rows = []
        for n, values in enumerate(lines, start=2):
            if values is None or all(v in (None, "") for v in values):
                continue
            rows.append(
                (f"第 {n} 行", {k: _cell(v) for k, v in zip(keys, values, strict=False) if k})
            )
            if len(rows) > MAX_ROWS:
                break
        return rows
    finally:
        book.close()


def read_rows(*, data: bytes, file_name: str) -> list[tuple[str, dict | None]]:
    """The rows of a file, by its name's extension (.xlsx or .json)."""
    if len(data) > MAX_BYTES:
        raise _file_error(f"文件不能超过 {MAX_BYTES // (1024 * 1024)} MB")
    name = (file_name or "").lower()
    if name.endswith(".json"):
        rows = _rows_of_json(data)
    elif name.endswith(".xlsx"):
        rows = _rows_of_xlsx(data)
    else:
        raise _file_error("只接受 .xlsx 或 .json 格式的12345工单文件")
    if not rows:
        raise _file_error("文件中没有工单")
    if len(rows) > MAX_ROWS:
        raise _file_error(f"一个文件不超过 {MAX_ROWS} 条工单")
    return rows


# --------------------------------------------------------------------------- checking


def _parse_datetime(value: str) -> dt.datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def clean_row(raw: dict | None) -> tuple[dict, list[str]]:
    """One order's fields normalised (the text stored and compared), and the Chinese
    problems found (empty: the row is good)."""
    if raw is None:
        return {}, ["应为一个工单对象"]
    problems = []
    row = {}
    for key, label, required, max_len in FIELDS:
        value = raw.get(key, "")
        if key == "due_date" and value.endswith(" 00:00:00"):  # an Excel date cell
            value = value[:10]
        if "\x00" in value:
            problems.append(f"{label}含有空字符")
            value = value.replace("\x00", "")
        if required and not value:
            problems.append(f"缺少{label}")
        elif len(value) > max_len:
            problems.append(f"{label}不超过 {max_len} 个字符")
        row[key] = value
    if row["category"] and row["category"] not in _CATEGORY:
        allowed = "、".join(label for _v, label in Category.choices)
        problems.append(f"诉求类别“{row['category'][:10]}”无效，应为 {allowed} 之一")
    else:
        row["category"] = _CATEGORY.get(row["category"], row["category"])
    phone = row["phone"].replace("-", "")
    if row["phone"] and not (phone.isdigit() and 7 <= len(phone) <= 20):
        problems.append(f"联系电话“{row['phone'][:20]}”应为 7 至 20 位数字")
    row["id_number"] = row["id_number"].upper()
    if row["id_number"] and not is_valid_id_number(row["id_number"]):
        problems.append("身份证号校验位不正确")
    received = _parse_datetime(row["received_at"]) if row["received_at"] else None
    if row["received_at"] and received is None:
        problems.append(f"来电时间“{row['received_at'][:19]}”应为 YYYY-MM-DD HH:MM[:SS]")
    elif received is not None:
        row["received_at"] = received.strftime("%Y-%m-%d %H:%M:%S")
        if timezone.make_aware(received) > clock.now():
            problems.append("来电时间晚于当前时间")
    if row["due_date"]:
        try:
            due = dt.date.fromisoformat(row["due_date"])
        except ValueError:
            problems.append(f"办理时限“{row['due_date'][:10]}”应为 YYYY-MM-DD")
        else:
            row["due_date"] = due.isoformat()
            if received is not None and due < received.date():
                problems.append("办理时限早于来电时间")
    return row, problems


def digest(row: dict) -> str:
    plain = json.dumps(
        {k: row.get(k, "") for k in _IMPORT_KEYS}, ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(plain.encode()).hexdigest()


# --------------------------------------------------------------------------- import


def import_orders(*, actor, data: bytes, file_name: str) -> ImportResult:
    """Import one 12345 file (see the module's docstring). Raises ``ValidationFailed``
    (``invalid_file`` for the file, ``import_invalid`` with ``fields`` by row) and
    writes nothing when any row is bad."""
    if not may_exchange(actor):
        raise PermissionDenied("只有县级中心管理员和综合受理人员可以导入12345工单")
    file_name = (file_name or "工单")[:200]
    file_hash = hashlib.sha256(data).hexdigest()
    seen = ExchangeImport.objects.filter(file_hash=file_hash).first()
    if seen is not None:
        return ImportResult(record=seen, already_imported=True)
    rows = read_rows(data=data, file_name=file_name)
    errors: dict[str, list[str]] = {}
    clean: list[tuple[str, dict]] = []
    ids: dict[str, str] = {}
    for label, raw in rows:
        row, problems = clean_row(raw)
        if row.get("external_id"):
            if row["external_id"] in ids:
                problems.append(f"工单编号 {row['external_id']} 与{ids[row['external_id']]}重复")
            else:
                ids[row["external_id"]] = label
        if problems:
            errors[label] = problems
        else:
            clean.append((label, row))
    numbers = {row["case_number"] for _l, row in clean if row["case_number"]}
    cases = {c.number: c for c in Case.objects.filter(number__in=numbers)}
    for label, row in clean:
        if row["case_number"] and row["case_number"] not in cases:
            errors.setdefault(label, []).append(f"涉及办件 {row['case_number']} 不存在")
    if errors:
        first = next(iter(errors.items()))
        raise ValidationFailed(
            f"12345工单文件有 {len(errors)} 行错误，未导入任何工单。{first[0]}：{'；'.join(first[1])}",
            code="import_invalid",
            fields=errors,
        )
    try:
        return _write(
            actor=actor, clean=clean, ids=ids, cases=cases, file_name=file_name, file_hash=file_hash
        )
    except IntegrityError:  # another import of the same file or orders committed first
        raise Conflict(
            "另一次导入同时写入了相同的文件或工单，请稍后重新导入（已导入的工单不会重复）",
            code="import_conflict",
        ) from None


def _write(*, actor, clean, ids, cases, file_name, file_hash) -> ImportResult:
    centre = services.online_centre()
    result = ImportResult(record=None)
    with transaction.atomic():
        existing = {
            c.external_id: c
            for c in Complaint.objects.filter(
                external_source=SOURCE, external_id__in=list(ids)
            ).prefetch_related(
                Prefetch(
                    "events", ComplaintEvent.objects.filter(action="import"), to_attr="imports"
                )
            )
        }
        for label, row in clean:
            known = existing.get(row["external_id"])
            if known is not None:
                if known.external_digest == digest(row):
                    result.unchanged.append(row["external_id"])
                    continue
                before = known.imports[0].data.get("row", {}) if known.imports else {}
                result.changed.append(
                    {
                        "row": label,
                        "external_id": row["external_id"],
                        "number": known.number,
                        "fields": [LABELS[k] for k in _IMPORT_KEYS if before.get(k, "") != row[k]],
                    }
                )
                continue
            complaint = services.create(
                actor=actor,
                channel=Channel.HOTLINE,
                centre=centre,
                category=row["category"],
                subject=row["subject"],
                content=row["content"],
                name=row["name"],
                phone=row["phone"],
                id_number=row["id_number"],
                case=cases.get(row["case_number"]),
                received_at=timezone.make_aware(_parse_datetime(row["received_at"])),
                due_date=dt.date.fromisoformat(row["due_date"]) if row["due_date"] else None,
                external_source=SOURCE,
                external_id=row["external_id"],
                external_digest=digest(row),
                phone_required=False,
                event_action="import",
                event_data={"row": row, "file": file_name},
            )
            services.transition(
                actor=actor,
                complaint=complaint,
                action="accept",
                expected_version=complaint.version,
                opinion=f"12345工单 {row['external_id']} 导入受理",
            )
            result.created.append(complaint.number)
        record = ExchangeImport.objects.create(
            file_name=file_name,
            file_hash=file_hash,
            imported_at=clock.now(),
            imported_by=actor if getattr(actor, "pk", None) else None,
            imported_by_name=actors.actor_name(actor)[:100],
            rows=len(clean),
            created=len(result.created),
            unchanged=len(result.unchanged),
            changed=len(result.changed),
            report=result.changed,
        )
        audit.record(
            actor=actor,
            action=services.IMPORT,
            obj=record,
            changes={
                "created": [0, record.created],
                "unchanged": [0, record.unchanged],
                "changed": [0, record.changed],
            },
            reason=file_name,
        )
    result.record = record
    return result


# --------------------------------------------------------------------------- export


def orders_for_export(*, user, since: dt.date | None = None):
    if not may_exchange(user):
        raise PermissionDenied("只有县级中心管理员和综合受理人员可以导出12345工单")
    qs = (
        Complaint.objects.filter(roles.visible_filter(user), external_source=SOURCE)
        .select_related("department")
        .prefetch_related(
            Prefetch("events", ComplaintEvent.objects.filter(action="import"), to_attr="imports")
        )
        .order_by("received_at", "id")
    )
    if since is not None:
        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        qs = qs.filter(
            Exists(ComplaintEvent.objects.filter(complaint=OuterRef("pk"), at__gte=start))
        )
    return qs


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def export_row(c: Complaint) -> dict:
    original = c.imports[0].data.get("row", {}) if getattr(c, "imports", None) else {}
    row = {key: original.get(key, "") for key in _IMPORT_KEYS}
    evaluation = {State.SATISFIED: "满意", State.UNSATISFIED: "不满意"}.get(c.state, "")
    row.update(
        number=c.number,
        state=c.get_state_display(),
        handler=c.handler_label,
        reply=c.reply,
        replied_at=_local(c.replied_at),
        closed_at=_local(c.closed_at),
        evaluation=evaluation,
        returned_count=c.returned_count,
        reopened_count=c.reopened_count,
    )
    return row


def export_orders(*, user, since: dt.date | None = None, as_: str = "json") -> bytes:
    """The 12345 orders (all, or those with a step since ``since``) as JSON or .xlsx,
    in the import's format plus the reply columns."""
    rows = [export_row(c) for c in orders_for_export(user=user, since=since)]
    keys = _IMPORT_KEYS + [key for key, _ in EXPORT_FIELDS]
    if as_ == "json":
        doc = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "exported_at": _local(clock.now()),
            "orders": rows,
        }
        return json.dumps(doc, ensure_ascii=False, indent=1).encode()
    if as_ != "xlsx":
        raise ValidationFailed("导出格式应为 json 或 xlsx", code="invalid_format")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([LABELS[k] for k in keys])
    for row in rows:
        sheet.append([row[k] for k in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
