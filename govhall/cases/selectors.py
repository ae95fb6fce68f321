"""Reads of cases: the one case list (by urgency), overdue counts, the public progress
query, the history and the 一件事 definitions. Each is a fixed number of queries (no
N+1). What a user may see is ``roles.visible_filter`` / ``roles.can_view``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Lookup, Prefetch, Q, QuerySet
from django.utils import timezone

from govhall.catalog import selectors as catalog_selectors
from govhall.core import clock
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed
from govhall.core.validators import mask_phone
from govhall.org.models import Staff

from . import deadlines, roles, workflow
from .models import (
    CLOSED_STATES,
    FAILED_RESULTS,
    FAILED_STATES,
    OPEN_STATES,
    Bundle,
    BundleItem,
    Case,
    CaseEvent,
    CaseFee,
    IdempotencyKey,
    Light,
    State,
    SubmittedMaterial,
)

# The one order of a case list, most urgent first: earliest due date; cases without a
# deadline (not yet accepted) after them on every database, oldest first.
URGENCY = (F("due_date").asc(nulls_last=True), "received_at", "id")


def with_light(qs: QuerySet[Case], *, today: dt.date | None = None) -> QuerySet[Case]:
    """Annotate ``light`` (normal/yellow/red/overdue/paused/"") computed in SQL."""
    return qs.annotate(light=deadlines.light_expression(today))


def _list_related(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related(
        "item", "item_version", "department", "centre", "responsible", "bundle"
    )


class _InLiterals(Lookup):
    """``state__in_literals=[…]``: ``state IN ('submitted', …)`` with the codes written
    into the SQL, not sent as parameters. PostgreSQL can use a partial index (here
    ``case_open_dept_due``, ``WHERE state IN (open states)``) only when it can prove the
    query implies the index's condition, which it cannot from parameters: with
    prepared statements (``GOVHALL_PG_PREPARE``) the generic plan of the 待办 list then
    walked a department's whole history in the list's order (300 ms instead of 0.1)."""

    lookup_name = "in_literals"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        codes = list(self.rhs)
        if not all(code in _STATE_CODES for code in codes):  # our own codes only
            raise ValueError(f"not case states: {codes!r}")
        return f"{lhs} IN ({', '.join(repr(str(code)) for code in codes)})", params


_STATE_CODES = frozenset(State.values)
Case._meta.get_field("state").register_lookup(_InLiterals)


def _open_only(states, light) -> bool:
    """Do the filters keep to open cases (so the partial index of open cases serves)?"""
    if light:  # every light but "" (none) is of a running clock, so of an open case
        return True
    return bool(states) and set(states) <= set(OPEN_STATES)


def _filtered(
    *,
    user,
    department=None,
    states: list[str] | None = None,
    light: str | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    due_before: dt.date | None = None,
    responsible: Staff | None = None,
    today: dt.date | None = None,
) -> QuerySet[Case]:
    """The cases of :func:`case_list`, filtered, without annotation, joins or order."""
    qs = Case.objects.all() if user is None else visible_cases(user=user)
    if department is not None:
        qs = qs.filter(department=department)
    if responsible is not None:  # 我承办的
        qs = qs.filter(responsible=responsible)
    if states:
        qs = qs.filter(state__in=states)
    if light:
        qs = qs.filter(deadlines.light_filter(light, today))
    if received_from:
        qs = qs.filter(received_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(received_at__date__lte=received_to)
    if due_before:
        qs = qs.filter(due_date__lte=due_before)
    if _open_only(states, light):  # implied by the filters above; lets the index be used
        qs = qs.filter(state__in_literals=OPEN_STATES)
    return qs


def case_list(*, user, today: dt.date | None = None, **filters) -> QuerySet[Case]:
    """The case list of every page, the API and exports: what ``user`` may see,
    filtered (``department``, ``states``, ``light``, ``received_from``/``received_to``,
    ``due_before``, ``responsible``), with ``light`` annotated, in the one order :data:`URGENCY`.
    ``user`` is required; ``user=None`` (said explicitly) lists every case, for jobs
    and counts."""
    today = today or clock.today()
    qs = _filtered(user=user, today=today, **filters)
    return with_light(_list_related(qs), today=today).order_by(*URGENCY)


# A list's count is exact up to this many cases. Past it the count is marked as an
# estimate (``count_is_estimate``, "超过 10000 条") instead of counting a department's
# whole history on every page: the exact count runs through every matching index
# entry (50,000 for a department of a large county, more each year).
COUNT_EXACT_UP_TO = 10_000

# The columns a list row shows (``CaseListApi``): read as values, so that a page of
# 50 rows builds no model instances (6 per row with the related ones).
LIST_VALUES = (
    "number",
    "item_version_id",
    "item__implementation_code",
    "item_version__name",
    "item_version__number",
    "bundle__name",
    "department_id",
    "department__name",
    "centre__name",
    "channel",
    "state",
    "version",
    "applicant_kind",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "received_at",
    "accepted_on",
    "due_date",
    "deadline_provisional",
    "light",
    "responsible__name",
    "result",
    "result_number",
    "delivery_method",
)


_PAGE_VALUES = (*(f for f in LIST_VALUES if f != "light"), "clock_paused", "yellow_from")


class _Clock:
    """The fields of a row that ``deadlines.light_of`` reads."""

    __slots__ = ("state", "due_date", "clock_paused", "yellow_from")

    def __init__(self, row: dict):
        self.state, self.due_date = row["state"], row["due_date"]
        self.clock_paused, self.yellow_from = row["clock_paused"], row["yellow_from"]


@dataclass(frozen=True)
class CasePage:
    """One page of :func:`case_list`: ``rows`` (dicts of :data:`LIST_VALUES`), the
    count (exact up to ``exact_up_to``; past it ``count_is_estimate`` and ``count`` is
    PostgreSQL's estimate, at least ``exact_up_to + 1``), and whether a next page
    exists (known exactly, whatever the count)."""

    rows: list[dict]
    count: int
    count_is_estimate: bool
    has_next: bool
    exact_up_to: int

    @property
    def count_label(self) -> str:
        """共 N 条, or 超过 10000 条 past the bound."""
        if self.count_is_estimate:
            return f"超过 {self.exact_up_to} 条"
        return f"共 {self.count} 条"


def bounded_count(qs: QuerySet, *, exact_up_to: int | None = None) -> tuple[int, bool]:
    """(count, is_estimate): exact up to ``exact_up_to`` (default
    :data:`COUNT_EXACT_UP_TO`) — ``SELECT count(*) FROM (SELECT … LIMIT n + 1)`` reads
    at most that many index entries — and past it the planner's estimate of the whole
    (PostgreSQL; at least ``exact_up_to + 1``, which is also the answer elsewhere)."""
    exact_up_to = COUNT_EXACT_UP_TO if exact_up_to is None else exact_up_to
    qs = qs.order_by()
    found = qs.values("pk")[: exact_up_to + 1].count()
    if found <= exact_up_to:
        return found, False
    return max(exact_up_to + 1, _planner_estimate(qs)), True


def _planner_estimate(qs: QuerySet) -> int:
    """The rows PostgreSQL expects ``qs`` to return (0 elsewhere): planning only."""
    if connection.vendor != "postgresql":
        return 0
    sql, params = qs.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def case_page(
    *,
    user,
    offset: int = 0,
    limit: int = 50,
    exact_up_to: int | None = None,
    today: dt.date | None = None,
    **filters,
) -> CasePage:
    """A page of :func:`case_list` for the API (same cases, same order, same light):
    the rows as values, one query for the page (``limit + 1`` rows, the extra one says whether a
    next page exists) and one for the bounded count (:func:`bounded_count`)."""
    today = today or clock.today()
    exact_up_to = COUNT_EXACT_UP_TO if exact_up_to is None else exact_up_to
    cases = _filtered(user=user, today=today, **filters)
    # case_list's cases in its order; the light from the row by deadlines.light_of (the
    # rule light_expression writes in SQL), which halves the cost of building the query
    rows = list(cases.order_by(*URGENCY).values(*_PAGE_VALUES)[offset : offset + limit + 1])
    for row in rows:
        row["light"] = deadlines.light_of(_Clock(row), today)
    has_next = len(rows) > limit
    rows = rows[:limit]
    if not has_next and (rows or offset == 0):
        count, estimate = offset + len(rows), False  # the list ends on this page
    else:
        count, estimate = bounded_count(cases, exact_up_to=exact_up_to)
    return CasePage(
        rows=rows,
        count=count,
        count_is_estimate=estimate,
        has_next=has_next,
        exact_up_to=exact_up_to,
    )


def department_cases(*, department, states: list[str] | None = None, **filters) -> QuerySet[Case]:
    """待办/在办 of a department: its open cases (or ``states``) by urgency."""
    return case_list(
        user=None, department=department, states=states or list(OPEN_STATES), **filters
    )


def overdue_count(*, department, today: dt.date | None = None) -> int:
    """超期 cases of a department: one query on the (department, due_date) index."""
    return Case.objects.filter(
        deadlines.light_filter(Light.OVERDUE, today),
        department=department,
        state__in_literals=OPEN_STATES,  # implied; lets a prepared statement use the index
    ).count()


def visible_cases(*, user) -> QuerySet[Case]:
    """Department isolation (R-PRIV-2): what ``user`` may list."""
    return Case.objects.filter(roles.visible_filter(user))


def _number(number) -> str:
    """A 受理编号 as typed; one PostgreSQL cannot compare (a NUL character, longer than
    the column) names no case."""
    number = (number or "").strip()
    if "\x00" in number or len(number) > Case._meta.get_field("number").max_length:
        return ""  # no case has an empty 受理编号
    return number


def case_by_number(*, number: str, user=None) -> Case:
    """A case by 受理编号; with ``user`` the department isolation applies."""
    case = (
        Case.objects.select_related(
            "item", "item_version", "department", "centre", "responsible", "bundle", "parent"
        )
        .filter(number=_number(number))
        .first()
    )
    if case is None:
        raise NotFound(f"办件 {number} 不存在", code="case_not_found")
    if user is not None and not roles.can_view(user, case):
        raise PermissionDenied("您无权查看该办件")
    return case


def case_fees(*, case: Case) -> QuerySet:
    """收费记录 of the case, oldest first, cancelled ones included (marked)."""
    return (
        CaseFee.objects.filter(case=case)
        .select_related("recorded_by", "cancelled_by", "fee_line")
        .order_by("recorded_at", "id")
    )


def case_fee(*, case: Case, pk: int) -> CaseFee | None:
    """One 收费记录 of the case (``None``: not the case's, or an id no row can have)."""
    if not 0 < pk < 2**63:
        return None
    return case_fees(case=case).filter(pk=pk).first()


def off_list_fees(*, fees, lines, has_fee: bool) -> list:
    """The fees (not cancelled) that are not on the guide's 收费清单 ``lines``: charged
    under none of its lines and named as none of them, or any fee when the guide says
    不收费. One definition for the case page and 电子监察's rule (``fee_not_listed``)."""
    ids = {line.pk for line in lines}
    names = {"".join(line.name.split()) for line in lines}
    return [
        fee
        for fee in fees
        if fee.cancelled_at is None
        and (not has_fee or (fee.fee_line_id not in ids and "".join(fee.name.split()) not in names))
    ]


def case_history(*, case: Case, user) -> QuerySet[CaseEvent]:
    """办理记录, oldest first; 副卷 entries only for permitted roles."""
    qs = case.events.select_related("actor").prefetch_related("attachments", "documents")
    if not roles.can_see_restricted(user, case):
        qs = qs.filter(restricted=False)
    return qs.order_by("at", "id")


def _actor_shown(event: CaseEvent) -> str:
    """The name beside an event: staff by name; the applicant masked (申请人 张**)."""
    name = event.actor_name or ""
    prefix = "申请人 "
    if event.actor_id is None and name.startswith(prefix):
        return prefix + mask_name(name[len(prefix) :])
    return name


def case_events(*, case: Case, user) -> list[dict]:
    """办理记录 for the API: :func:`case_history` (副卷 only for permitted roles) with
    each event's Chinese label and the applicant's name masked; one query."""
    rows = case.events.select_related(None).order_by("at", "id")
    if not roles.can_see_restricted(user, case):
        rows = rows.filter(restricted=False)
    return [
        {
            "id": e.pk,
            "action": e.action,
            "label": workflow.event_label(e.action),
            "from_state": e.from_state,
            "to_state": e.to_state,
            "at": e.at,
            "actor": _actor_shown(e),
            "opinion": e.opinion,
            "restricted": e.restricted,
        }
        for e in rows
    ]


def bundle_children(*, parent: Case) -> QuerySet[Case]:
    return with_light(_list_related(parent.children.all())).order_by("id")


def failed_children(*, parent: Case) -> QuerySet[Case]:
    """Children refused, denied, returned, withdrawn or terminated (shown on the parent)."""
    return parent.children.filter(Q(state__in=FAILED_STATES) | Q(result__in=FAILED_RESULTS))


def mask_name(name: str) -> str:
    """张三丰 → 张**; organisations keep the first 2 and last 2 characters."""
    name = name or ""
    if len(name) <= 1:
        return name
    if len(name) <= 4:
        return name[0] + "*" * (len(name) - 1)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


def public_progress(*, number: str, phone_tail: str) -> dict:
    """办件进度 for the public: 受理编号 + the last 4 digits of the phone. Returns only
    non-personal fields (masked name); any mismatch is the same NotFound."""
    case = (
        Case.objects.select_related("item_version", "department", "centre", "bundle")
        .filter(number=_number(number))
        .first()
    )
    tail = (phone_tail or "").strip()
    if case is None or len(tail) != 4 or not case.applicant_phone.endswith(tail):
        raise NotFound("未找到该办件，请核对受理编号和手机号后四位", code="case_not_found")
    events = list(
        case.events.filter(restricted=False).order_by("at", "id").values("action", "to_state", "at")
    )
    return {
        "number": case.number,
        "item": case.item_version.name if case.item_version else case.bundle.name,
        "department": case.department.name,
        "centre": case.centre.name,
        "applicant": mask_name(case.applicant_name),
        "phone": mask_phone(case.applicant_phone),
        "state": case.state,
        "state_label": case.get_state_display(),
        "received_at": case.received_at,
        "accepted_on": case.accepted_on,
        "due_date": case.due_date,
        # counted on a 推算 year (暂定): recomputed when the schedule is entered
        "due_date_provisional": case.deadline_provisional and case.state not in CLOSED_STATES,
        "result": case.get_result_display() if case.result else "",
        "closed": case.state in CLOSED_STATES,
        "steps": [
            {
                "action": e["action"],
                "label": workflow.event_label(e["action"]),
                "state_label": State(e["to_state"]).label,
                "at": e["at"],
            }
            for e in events
        ],
    }


def idempotency_key_used(*, key: str) -> bool:
    """Has a create request with this ``Idempotency-Key`` already been served?"""
    return IdempotencyKey.objects.filter(key=key).exists()


# --------------------------------------------------------------------------- 一件事 definitions


def bundle_list(*, active_only: bool = False) -> QuerySet[Bundle]:
    """一件事 list with lead department and item count (two queries)."""
    qs = Bundle.objects.select_related("lead_department").annotate(
        item_count=Count("bundle_items", distinct=True)
    )
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("code")


def get_bundle(*, pk: int | None = None, code: str | None = None) -> Bundle:
    qs = Bundle.objects.select_related("lead_department").prefetch_related(
        Prefetch(
            "bundle_items",
            queryset=BundleItem.objects.select_related("item__department").order_by("order", "id"),
        )
    )
    bundle = qs.filter(pk=pk).first() if pk is not None else qs.filter(code=code or "").first()
    if bundle is None:
        raise NotFound("该一件事不存在", code="bundle_not_found")
    return bundle


def search_bundles(*, q: str) -> QuerySet[Bundle]:
    """Active bundles whose name, description or one of whose items matches every
    word of ``q`` — what the window desk's item search also shows (综合受理)."""
    qs = bundle_list(active_only=True)
    for word in (q or "").lower().split():
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(bundle_items__item__versions__search_text__contains=word)
        )
    return qs.distinct()


def bundle_supplies(*, parts: list[dict]) -> dict[int, dict[int, str]]:
    """R-BUNDLE-6 for a form: ``{item pk: {material pk: the supplying item's name}}``."""
    from .services.bundles import supplied_materials

    versions = {p["item"].pk: p["version"] for p in parts}
    names = {pk: v.name for pk, v in versions.items() if v is not None}
    return {
        item: {material: names[producer] for material, producer in materials.items()}
        for item, materials in supplied_materials(versions).items()
    }


def bundle_parts(*, bundle: Bundle) -> list[dict]:
    """The bundle's items with their current guide version (materials prefetched),
    ordered by department then order: ``[{"item", "version", "department"}]``.
    ``version`` is ``None`` where the item has no guide in force."""
    rows = list(bundle.bundle_items.select_related("item__department").order_by("order", "id"))
    versions = {
        v.item_id: v
        for v in catalog_selectors.with_guide(
            catalog_selectors.current_versions().filter(item__in=[r.item_id for r in rows])
        )
    }
    parts = [
        {"item": r.item, "version": versions.get(r.item_id), "department": r.item.department}
        for r in rows
    ]
    lead = bundle.lead_department_id
    parts.sort(key=lambda p: (p["department"].pk != lead, p["department"].name))
    return parts


def bundle_item_choices() -> list[tuple[int, str]]:
    """Items that may join a bundle (accepting, with a current guide), for the editor."""
    versions = catalog_selectors.search_items(accepting_only=True)
    return [(v.item_id, f"{v.name}（{v.item.department.name}）") for v in versions]


# --------------------------------------------------------------------------- action inputs


def _guide_material(case, pk, field):
    if pk is None:
        return None
    found = case.item_version.materials.filter(pk=pk).first() if case.item_version else None
    if found is None:
        raise ValidationFailed(
            "材料不属于该办件适用的办事指南",
            code="unknown_material",
            fields={field: ["不属于本事项"]},
        )
    return found


def staff_member(*, pk, field: str = "responsible"):
    """The staff member a form or request names by id (``None`` for no id)."""
    if pk in (None, ""):
        return None
    staff = Staff.objects.filter(pk=pk).first()
    if staff is None:
        raise ValidationFailed("承办人不存在", code="unknown_staff", fields={field: ["不存在"]})
    return staff


def resolve_inputs(*, case: Case, action: str, data: dict) -> dict:
    """The inputs of ``action`` as a page form or an API request sent them (ids) →
    the objects ``services.transition`` takes: 承办人, the guide's materials and
    special steps of *this* case's version. Both channels call this one function."""
    row = workflow.get(action)
    out = {}
    for spec in row.inputs:
        if spec.name not in data:
            continue
        value = data[spec.name]
        if spec.kind == workflow.Kind.STAFF:
            value = staff_member(pk=value, field=spec.name)
            if value is None:
                continue
        elif spec.kind in (workflow.Kind.MATERIALS, workflow.Kind.CORRECTIONS):
            value = [
                {
                    **entry,
                    "material": _guide_material(
                        case, entry.get("material"), f"{spec.name}.{i}.material"
                    ),
                }
                for i, entry in enumerate(value)
            ]
        elif spec.kind == workflow.Kind.MATERIAL_IDS:
            value = [_guide_material(case, pk, spec.name) for pk in value]
        elif spec.kind == workflow.Kind.SPECIAL_STEP:
            step = (
                case.item_version.special_steps.filter(pk=value).first()
                if case.item_version
                else None
            )
            if step is None:
                raise ValidationFailed(
                    "该特殊环节不属于本办件适用的办事指南",
                    code="invalid_special_step",
                    fields={spec.name: ["不属于本事项"]},
                )
            value = step
        out[spec.name] = value
    return out


def staff_choices(*, department) -> QuerySet:
    """Who may be named 承办人 of a department's case: its active chief and approvers."""
    return Staff.objects.filter(roles.responsible_filter(department)).order_by("role", "id")


# --------------------------------------------------------------------------- 材料状态


@dataclass(frozen=True)
class MaterialLine:
    """One line of the case page's 申请材料: the latest submission of a material and
    what stands with it (a resubmission after 补正 replaces its line, not adds one)."""

    name: str
    row: SubmittedMaterial | None
    status: str
    tone: str = ""  # "danger" for what the applicant still owes


@dataclass(frozen=True)
class MaterialGroup:
    """What was submitted against one material, oldest first. ``kind``: ``guide`` (a
    material of the case's version, perhaps with no row), ``other`` (rows answering a
    material that is not in it) or ``extra`` (one supplementary row, 目录外)."""

    kind: str
    material: object | None
    rows: list


def material_groups(*, case: Case) -> list[MaterialGroup]:
    """The case's submitted materials against its version's list, in the list's order,
    then the rest: the one reading of 申请材料 for the case page and the 一卷一档."""
    rows = list(
        case.materials.select_related("material", "supplied_by__item_version").order_by("id")
    )
    by_material: dict[int, list[SubmittedMaterial]] = {}
    extra = []
    for row in rows:
        if row.material_id is None:
            extra.append(row)
        else:
            by_material.setdefault(row.material_id, []).append(row)
    guide = list(case.item_version.materials.all()) if case.item_version_id else []
    groups = [MaterialGroup("guide", m, by_material.pop(m.pk, [])) for m in guide]
    groups += [MaterialGroup("other", r[-1].material, r) for r in by_material.values()]
    groups += [MaterialGroup("extra", None, [row]) for row in extra]
    return groups


def material_lines(*, case: Case) -> list[MaterialLine]:
    """申请材料 as staff read them: each material of the guide once (latest file, and
    已收取 / 已核验 / 待补正 / 已补正 / 容缺 / 未提交), then supplementary materials."""
    lines = []
    for group in material_groups(case=case):
        if group.kind == "guide":
            line = _line(group.material.name, group.rows, required=group.material.required)
        else:  # a material no longer in the guide, or a supplementary one
            line = _line(
                group.rows[-1].name, group.rows, required=False, extra=group.kind == "extra"
            )
        lines.append(line)
    return lines


def supplied_status(row: SubmittedMaterial) -> str | None:
    """R-BUNDLE-6: where a material supplied by a 一件事 sibling stands, else None."""
    if row.supplied_by_id is None:
        return None
    sibling = row.supplied_by
    name_of = sibling.item_version.name if sibling.item_version_id else sibling.number
    if row.caught_up_at is None:
        return f"由本一件事“{name_of}”的办理结果提供（待出具）"
    return f"由本一件事“{name_of}”的办理结果提供（{_day(row.caught_up_at)}已出具）"


def _line(name, submitted: list, *, required: bool, extra: bool = False) -> MaterialLine:
    if not submitted:
        return MaterialLine(
            name, None, "未提交（必要）" if required else "未提交", "danger" * required
        )
    latest = submitted[-1]
    supplied = supplied_status(latest)
    if supplied is not None:
        return MaterialLine(name, latest, supplied)
    # Only a 补正 resubmission adds a second row for a material (its problems are then
    # cleared, services.effects.resubmit); 容缺补齐 fills in the same row.
    corrected = len(submitted) > 1
    if latest.tolerated and latest.caught_up_at is None:
        due = f"{latest.catch_up_due:%Y-%m-%d}前补齐" if latest.catch_up_due else "待补齐"
        return MaterialLine(name, latest, f"容缺（{due}）", "danger")
    if latest.tolerated:
        return MaterialLine(name, latest, f"容缺，已于{_day(latest.caught_up_at)}补齐")
    if latest.problem:
        return MaterialLine(name, latest, f"待补正：{latest.problem}", "danger")
    if corrected:
        return MaterialLine(name, latest, f"已补正（{_day(latest.submitted_at)}）")
    status = "已核验" if latest.checked else "已收取"
    return MaterialLine(name, latest, f"补充材料，{status}" if extra else status)


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""
