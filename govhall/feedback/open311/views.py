"""The GeoReport v2 endpoints (mounted at ``/open311/v2/``; docs/open311.md).

* ``GET services.{fmt}`` — the 诉求类别 as services, ``GET services/{code}.{fmt}`` —
  their attributes;
* ``GET requests.{fmt}`` — complaints, filtered by ``service_request_id``,
  ``service_code``, ``start_date``/``end_date`` (at most 90 days, the last 90 by
  default) and ``status`` (open/closed); ``POST requests.{fmt}`` — a new complaint,
  with the ``api_key`` of an API client of the centre (``org.ApiClient``, write access);
* ``GET requests/{id}.{fmt}`` and ``GET tokens/{token}.{fmt}``.

``jurisdiction_id``, when given, must be the county centre's code. What is public:
category, status, department, dates — never the complainant, and the description
(the complaint's 标题) only to a caller with a valid ``api_key``; a complaint about a
staff member and a 举报 are never listed (their complainants are protected). Errors
are GeoReport's ``[{"code", "description"}]`` with the project's stable code in the
description; nothing answers 5xx to any input.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from govhall.core import actors, clock, policy, security
from govhall.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from govhall.feedback.complaints import services as complaints
from govhall.feedback.complaints.models import Category, Channel, Complaint, State
from govhall.org import api_clients
from govhall.org import services as org_services

from . import formats

TOKEN_SALT = "govhall.open311.token"
CLOSED = (State.CLOSED, State.VISITED, State.SATISFIED, State.UNSATISFIED)
MAX_IDS = 50  # service_request_id values in one query
MAX_ROWS = 1000  # requests in one answer (the spec lets an endpoint bound it)
WINDOW = dt.timedelta(days=90)
PUBLIC_HIDDEN = (Category.REPORT,)  # 举报: the reporter is protected
SUBJECT_CHARS = 40  # a posted description without attribute[subject] gives the 标题
FIELD_MAX = 4000  # any posted value


class Refused(Exception):
    """A request GeoReport answers with an error list."""

    def __init__(self, status: int, description: str, code: str):
        super().__init__(description)
        self.status, self.description, self.code = status, description, code


STATUS_OF_ERROR = {NotFound: 404, PermissionDenied: 403, Conflict: 409}


def _endpoint(methods):
    """Common handling: the format, the jurisdiction, and every refusal (ours or a
    service's ``DomainError``) as a GeoReport error list."""

    def wrap(view):
        @csrf_exempt  # called by other systems with an api_key, never with a session
        @require_http_methods(methods)
        def handler(request, fmt, **kwargs):
            try:
                _check_jurisdiction(request)
                return view(request, fmt, **kwargs)
            except Refused as exc:
                return formats.error(fmt, exc.status, exc.description, exc.code)
            except DomainError as exc:
                status = next(
                    (s for kind, s in STATUS_OF_ERROR.items() if isinstance(exc, kind)), 400
                )
                return formats.error(fmt, status, exc.message, exc.code)

        handler.__name__ = view.__name__
        handler.__doc__ = view.__doc__
        return handler

    return wrap


def _param(request, name: str, *, limit: int = 200) -> str:
    source = request.POST if request.method == "POST" else request.GET
    value = (source.get(name) or "").strip()
    if len(value) > limit:
        raise Refused(400, f"参数 {name} 过长（不超过 {limit} 个字符）", "too_long")
    return value


def jurisdiction() -> str:
    """The jurisdiction_id of this deployment: the county centre's code."""
    centre = complaints.online_centre()
    return centre.code if centre is not None else ""


def _check_jurisdiction(request) -> None:
    given = _param(request, "jurisdiction_id", limit=50)
    if given and given != jurisdiction():
        raise Refused(404, f"未知的 jurisdiction_id：{given}（本平台为 {jurisdiction()}）",
                      "unknown_jurisdiction")  # fmt: skip


def _client(request, *, required: bool):
    """The API client named by ``api_key`` (None when absent and not required)."""
    key = _param(request, "api_key", limit=100)
    if not key:
        if required:
            raise Refused(
                403, "提交诉求需要 api_key（向服务中心申请接口客户端）", "api_key_required"
            )
        return None
    client = api_clients.client_for_token(key)
    if client is None or not client.is_active:
        raise Refused(403, "api_key 无效或已撤销", "invalid_api_key")
    if not api_clients.authority_holds(
        scope=client.scope, department=client.department, staff=client.acting_staff
    ):  # the same rule as the REST API's tokens (api/authentication.py)
        raise Refused(
            403, "接口客户端代其操作的工作人员已离岗或不再具备相应角色", "acting_staff_inactive"
        )
    if required and not client.may_write:
        raise Refused(403, "该 api_key 为只读，不能提交诉求", "read_only_client")
    org_services.note_api_client_use(client=client)
    return client


# --------------------------------------------------------------------------- services


def _limit_days(code: str) -> int:
    return int(policy.get("COMPLAINTS_LIMIT_DAYS").get(code, 15))


def _service(code: str, label: str) -> dict:
    days = _limit_days(code)
    return {
        "service_code": code,
        "service_name": label,
        "description": f"{label}类诉求，答复期限{'当日' if days == 0 else f' {days} 个工作日'}",
        "metadata": True,
        "type": "batch",
        "keywords": label,
        "group": "政务服务诉求",
    }


ATTRIBUTES = [
    {
        "variable": True,
        "code": "subject",
        "datatype": "string",
        "required": False,
        "datatype_description": f"诉求标题，不超过 {complaints.SUBJECT_MAX} 字；不填则取诉求内容的开头",
        "order": 1,
        "description": "标题",
    },
    {
        "variable": True,
        "code": "case_number",
        "datatype": "string",
        "required": False,
        "datatype_description": "相关办件的受理编号（如有）",
        "order": 2,
        "description": "相关办件编号",
    },
]


@_endpoint(["GET"])
def service_list(request, fmt):
    """GET services: one service per 诉求类别."""
    data = [_service(code, label) for code, label in Category.choices]
    return formats.respond(data, fmt, root="services", item="service")


@_endpoint(["GET"])
def service_definition(request, fmt, code):
    """GET services/{code}: the attributes a request of this category may carry."""
    if code not in Category.values:
        raise Refused(404, f"未知的 service_code：{code[:20]}", "unknown_service_code")
    data = {"service_code": code, "attributes": ATTRIBUTES}
    return formats.respond(data, fmt, root="service_definition", item=None)


# --------------------------------------------------------------------------- requests


def _when(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _due(day: dt.date | None) -> str | None:
    if day is None:
        return None
    end = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
    return end.isoformat(timespec="seconds")


def _record(c: Complaint, *, updated, with_description: bool) -> dict:
    return {
        "service_request_id": c.number,
        "status": "closed" if c.state in CLOSED else "open",
        "status_notes": c.get_state_display(),
        "service_name": c.get_category_display(),
        "service_code": c.category,
        "description": c.subject if with_description else "",
        "agency_responsible": c.department.name if c.department_id else "",
        "service_notice": "",
        "requested_datetime": _when(c.received_at),
        "updated_datetime": _when(updated or c.received_at),
        "expected_datetime": _due(c.due_date),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


def _public():
    return (
        Complaint.objects.filter(about_staff__isnull=True)
        .exclude(category__in=PUBLIC_HIDDEN)
        .select_related("department")
        .annotate(updated=Max("events__at"))
    )


def _moment(request, name: str) -> dt.datetime | None:
    value = _param(request, name, limit=40)
    if not value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise Refused(
            400, f"{name} 应为 W3C 日期时间，如 2026-11-01T00:00:00+08:00", "invalid_date"
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _codes(value: str, allowed, name: str, code: str) -> list[str]:
    out = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in out if v not in allowed]
    if bad:
        raise Refused(400, f"{name} 不正确：{bad[0][:20]}", code)
    return out


def _listed(request, fmt):
    client = _client(request, required=False)
    qs = _public()
    ids = _param(request, "service_request_id", limit=MAX_IDS * 25)
    if ids:  # overrides the other filters (the spec)
        numbers = [v.strip() for v in ids.split(",") if v.strip()][:MAX_IDS]
        qs = qs.filter(number__in=numbers)
    else:
        services = _codes(_param(request, "service_code"), Category.values, "service_code",
                          "unknown_service_code")  # fmt: skip
        if services:
            qs = qs.filter(category__in=services)
        statuses = _codes(_param(request, "status"), ("open", "closed"), "status",
                          "invalid_status")  # fmt: skip
        if statuses == ["open"]:
            qs = qs.exclude(state__in=CLOSED)
        elif statuses == ["closed"]:
            qs = qs.filter(state__in=CLOSED)
        start, end = _moment(request, "start_date"), _moment(request, "end_date")
        if start and end and end < start:
            raise Refused(400, "end_date 早于 start_date", "invalid_range")
        if start and end and end - start > WINDOW:
            raise Refused(400, "start_date 至 end_date 不能超过 90 天", "range_too_long")
        end = end or (start + WINDOW if start else clock.now())
        start = start or end - WINDOW
        qs = qs.filter(received_at__gte=start, received_at__lte=end)
    rows = qs.order_by("-received_at", "-id")[:MAX_ROWS]
    data = [_record(c, updated=c.updated, with_description=client is not None) for c in rows]
    return formats.respond(data, fmt, root="service_requests", item="request")


def _throttled(request) -> bool:
    usage = get_usage(
        request,
        group="open311.post",
        key=lambda group, req: security.client_address(req),
        rate=settings.GOVHALL_OPEN311_POST_RATE_PER_ADDRESS,
        increment=True,
    )
    return usage is not None and usage["should_limit"]


def _posted(request, fmt):
    client = _client(request, required=True)
    if _throttled(request):
        raise Refused(429, "提交过于频繁，请稍后再试", "throttled")
    code = _param(request, "service_code", limit=20)
    if code not in Category.values:
        raise Refused(400, f"未知的 service_code：{code or '（空）'}", "unknown_service_code")
    description = _param(request, "description", limit=FIELD_MAX)
    if not description:
        raise Refused(400, "请填写诉求内容（description）", "required")
    subject = _param(request, "attribute[subject]", limit=FIELD_MAX) or description[:SUBJECT_CHARS]
    name = _param(request, "last_name", limit=50) + _param(request, "first_name", limit=50)
    extra = [
        f"{label}：{value}"
        for label, value in (
            ("相关办件", _param(request, "attribute[case_number]", limit=40)),
            ("地点", _param(request, "address_string", limit=200)),
            ("电子邮箱", _param(request, "email", limit=100)),
        )
        if value
    ]
    content = description + ("\n" + "；".join(extra) if extra else "")
    centre = complaints.online_centre()
    if centre is None:
        raise Refused(409, "尚未设立服务中心，暂不能受理诉求", "no_centre")
    complaint = complaints.create(
        actor=actors.Applicant(f"{name or '匿名'}（经接口客户端 {client.name}）"),
        channel=Channel.OPEN311,
        centre=centre,
        category=code,
        subject=subject[: complaints.SUBJECT_MAX],
        content=content,
        name=name,
        phone=_param(request, "phone", limit=20),
    )
    days = _limit_days(code)
    record = {
        "service_request_id": complaint.number,
        "token": signing.dumps(complaint.number, salt=TOKEN_SALT),
        "service_notice": f"已收到，诉求编号 {complaint.number}；受理后"
        + ("当日答复" if days == 0 else f" {days} 个工作日内答复"),
        "account_id": "",
    }
    return formats.respond([record], fmt, root="service_requests", item="request", status=201)


@_endpoint(["GET", "POST"])
def requests(request, fmt):
    """GET: complaints by the standard filters; POST: a new complaint."""
    if request.method == "POST":
        return _posted(request, fmt)
    return _listed(request, fmt)


@_endpoint(["GET"])
def request_detail(request, fmt, number):
    """GET requests/{id}: one complaint (a list of one, as the spec says)."""
    client = _client(request, required=False)
    c = _public().filter(number=number[:20]).first()
    if c is None:
        raise Refused(404, f"没有编号为 {number[:20]} 的公开诉求", "not_found")
    data = [_record(c, updated=c.updated, with_description=client is not None)]
    return formats.respond(data, fmt, root="service_requests", item="request")


@_endpoint(["GET"])
def token(request, fmt, value):
    """GET tokens/{token}: the service_request_id a POST's token stands for."""
    try:
        number = signing.loads(value[:200], salt=TOKEN_SALT)
    except signing.BadSignature:
        raise Refused(404, "token 无效", "invalid_token") from None
    data = [{"service_request_id": number, "token": value}]
    return formats.respond(data, fmt, root="service_requests", item="request")
