"""REST endpoints of 审管联动 and the licence registry (mounted under /api/v1/licences/;
docs/api.md "审管联动与证照库").

Staff (session, Basic or an API client's token; ``roles.may_use``: a department's
staff, the centre administrator, the electronic-supervision office):

* ``GET licences/pushes/`` — 审批结果推送 the user sees (``selectors.pushes``): ``state``
  pending/overdue/acknowledged, ``q``, ``since``/``until`` (决定日期);
  ``POST licences/pushes/acknowledge/`` ``{"ids": […]}`` — 签收 (``services.acknowledge``).
* ``GET licences/`` — 证照库 (``selectors.licences``: ``status``, ``q``);
  ``GET licences/{id}/`` — one licence with its metadata after GB/T 36903 (a person's
  ID number masked unless ``roles.sees_codes_in_full``) and the actions the user may
  take; ``POST licences/{id}/{action}/`` — one route per row of
  ``workflow.TRANSITIONS`` offered by hand (变更 change, 延续 renew, 撤销 withdraw,
  注销 cancel) → ``services.change_status``.
* ``POST licences/reports/`` — 监管反馈 (``services.record_report``, channel ``api``; an
  ``Idempotency-Key`` header or body ``external_id`` registers it once: 201 the first
  time, 200 with the same report after); ``GET licences/reports/``,
  ``GET licences/reports/{number}/``.
* ``GET licences/warnings/`` — 警示信息库; ``GET licences/letters/``,
  ``GET licences/letters/{id}/pdf/`` — 书面函告.

Not signed in:

* ``POST licences/hooks/reports/`` — the webhook in of a supervising department's own
  system: no token, the HMAC signature of ``webhooks.py`` under the department's
  ``Endpoint.secret`` (:class:`ReportHookApi`).
* ``GET licences/public/{number}/`` — 证照查询 (``selectors.public_licence``), throttled
  per client address like the portal page.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.db.models import TextChoices
from django.http import HttpResponse
from django.urls import path
from django_ratelimit.core import get_usage
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers
from rest_framework import permissions as drf_permissions
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params, transitions
from govhall.api.errors import error_responses
from govhall.api.pagination import Pagination
from govhall.core import clock, security
from govhall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from govhall.org.models import Department

from . import roles, selectors, services, webhooks, workflow
from .models import (
    HolderKind,
    Licence,
    MonthlyLetter,
    PenaltyKind,
    ReportChannel,
    ReportKind,
    Status,
    SupervisionReport,
)

TAG = "审管联动"
INT_MAX = params.INT_MAX
Q_MAX = 100

# 证照查询 (this endpoint and the portal page share the counter): per client address.
PUBLIC_RATE_SETTING = "GOVHALL_LICENCE_QUERY_RATE_PER_ADDRESS"
PUBLIC_RATE_DEFAULT = "60/10m"
THROTTLED_CODE = "licence_query_throttled"
THROTTLED_MESSAGE = "查询过于频繁，请稍后再试。"

DEPARTMENT_HEADER = "X-Govhall-Department"
_KEY_RE = re.compile(r"[\x21-\x7e]{1,100}")  # Idempotency-Key / delivery id: visible ASCII


def _values(choices) -> str:
    return "、".join(f"{v} {label}" for v, label in choices.choices if v)


class PushState(TextChoices):
    PENDING = "pending", "待签收"
    OVERDUE = "overdue", "逾期未签收"
    ACKNOWLEDGED = "acknowledged", "已签收"


LicenceFilter = TextChoices(
    "LicenceFilter",
    [(s.name, (s.value, s.label)) for s in Status] + [("IN_FORCE", ("in_force", "在效"))],
)


def public_throttled(request) -> bool:
    """One more 证照查询 from this client address; true past the limit (API and page)."""
    usage = get_usage(
        request,
        group="licences.public.address",
        key=lambda group, req: security.client_address(req),
        rate=getattr(settings, PUBLIC_RATE_SETTING, PUBLIC_RATE_DEFAULT),
        increment=True,
    )
    return usage is not None and usage["should_limit"]


class Throttled(exceptions.APIException):
    status_code = 429
    default_code = THROTTLED_CODE
    default_detail = THROTTLED_MESSAGE


def _staff(request) -> None:
    if not roles.may_use(request.user):
        raise PermissionDenied("只有部门工作人员、中心管理员和电子监察人员可以使用审管联动接口")


def _bounded_text(query, name: str, limit: int = Q_MAX) -> str:
    value = params.text(query, name)
    if len(value) > limit:
        raise params.invalid_filter(name, value, f"不超过 {limit} 个字符")
    return value


def _period(query, since: str, until: str):
    start, end = params.date(query, since), params.date(query, until)
    if start and end and start > end:
        raise params.invalid_filter(until, query[until], f"不能早于 {since}")
    return start, end


def _key(value: str | None, *, name: str, code: str, label: str) -> str:
    """An idempotency key / delivery id: 1–100 visible ASCII characters, never cut."""
    if value is None or value == "":
        return ""
    if not _KEY_RE.fullmatch(value):
        raise ValidationFailed(
            f"{label}无效：应为 1 至 100 个可见 ASCII 字符",
            code=code,
            fields={name: ["应为 1 至 100 个可见 ASCII 字符"]},
        )
    return value


# --------------------------------------------------------------------------- pushes


class ResultPushSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    delivery_id = serializers.CharField(help_text="投递编号（部门系统据此去重）")
    case_number = serializers.CharField(source="case.number", help_text="受理编号")
    department = serializers.IntegerField(source="department_id", help_text="监管部门 id")
    department_name = serializers.CharField(source="department.name")
    approval_department = serializers.IntegerField(source="approval_department_id")
    approval_department_name = serializers.CharField(source="approval_department.name")
    decided_on = serializers.DateField(help_text="决定日期")
    pushed_at = serializers.DateTimeField()
    ack_due = serializers.DateField(help_text="签收期限（推送后 3 个工作日）")
    state = serializers.SerializerMethodField(help_text="状态：" + _values(PushState))
    by_webhook = serializers.BooleanField(help_text="经部门系统接口推送")
    delivered_at = serializers.DateTimeField(allow_null=True, help_text="接口送达时间")
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    acknowledged_name = serializers.CharField(help_text="签收人")
    payload = serializers.JSONField(
        help_text="推送内容：受理编号、事项、申请人（身份证号脱敏）、结果、证照编号、有效期、决定日期"
    )

    def get_state(self, obj) -> str:
        return selectors.push_state(obj)


class PushAcknowledgeIn(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=INT_MAX),
        min_length=1,
        max_length=500,
        help_text="要签收的推送 id（一次最多 500 条）",
    )


class PushAcknowledgedSerializer(serializers.Serializer):
    acknowledged = serializers.IntegerField(help_text="本次签收的条数（已签收过的不重复计）")
    pushes = ResultPushSerializer(many=True)


class PushListApi(generics.ListAPIView):
    serializer_class = ResultPushSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="审批结果推送（本部门收到的或发出的）",
        parameters=[
            OpenApiParameter("state", str, enum=PushState.values, description="签收状态"),
            OpenApiParameter("q", str, description="受理编号、申请人或证照编号（包含）"),
            OpenApiParameter("since", str, description="决定日期起（YYYY-MM-DD）"),
            OpenApiParameter("until", str, description="决定日期止（YYYY-MM-DD）"),
        ],
        responses={200: ResultPushSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        _staff(self.request)
        q = self.request.query_params
        params.known(q, "state", "q", "since", "until")
        since, until = _period(q, "since", "until")
        return selectors.pushes(
            user=self.request.user,
            state=params.choice(q, "state", PushState),
            q=_bounded_text(q, "q"),
            since=since,
            until=until,
        )


class AcknowledgeApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="签收审批结果推送（接收推送的部门）",
        request=PushAcknowledgeIn,
        responses={200: PushAcknowledgedSerializer, **error_responses()},
    )
    def post(self, request):
        _staff(request)
        ids = params.validated(PushAcknowledgeIn, request.data)["ids"]
        count = services.acknowledge(actor=request.user, pushes=ids)
        rows = selectors.pushes(user=request.user).filter(pk__in=ids)
        return Response(
            {"acknowledged": count, "pushes": ResultPushSerializer(rows, many=True).data}
        )


# --------------------------------------------------------------------------- licences


def _sees_in_full(context, licence) -> bool:
    """``roles.sees_codes_in_full``, once per issuer in one answer."""
    request = context.get("request")
    if request is None:
        return False
    cache = context.setdefault("_full", {})
    if licence.issuer_id not in cache:
        cache[licence.issuer_id] = roles.sees_codes_in_full(request.user, licence)
    return cache[licence.issuer_id]


class LicenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    identifier = serializers.CharField(help_text="电子证照标识（GB/T 36904）")
    number = serializers.CharField(help_text="证照编号")
    name = serializers.CharField(help_text="证照名称")
    type_code = serializers.CharField(help_text="证照类型代码")
    status = serializers.CharField(help_text="证照状态：" + _values(Status))
    status_label = serializers.CharField(source="get_status_display")
    in_force = serializers.BooleanField(help_text="有效、变更、延续为在效")
    holder_kind = serializers.CharField(help_text="持证主体类型：" + _values(HolderKind))
    holder_name = serializers.CharField()
    holder_code = serializers.SerializerMethodField(
        help_text="统一社会信用代码；自然人的身份证号仅颁发部门和中心管理员可见全号，其他人脱敏"
    )
    issuer = serializers.IntegerField(source="issuer_id", help_text="颁发部门 id")
    issuer_name = serializers.CharField(source="issuer.name")
    item = serializers.CharField(source="item.implementation_code", help_text="事项实施编码")
    item_name = serializers.CharField()
    case_number = serializers.CharField(source="case.number", help_text="来源办件受理编号")
    issued_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="空表示长期")
    version = serializers.IntegerField(help_text="乐观锁：操作时可作为 expected_version")

    def get_holder_code(self, obj) -> str:
        return obj.holder_code if _sees_in_full(self.context, obj) else obj.holder_code_masked


class LicenceMetadataSerializer(serializers.Serializer):
    """GB/T 36903-2018 电子证照 元数据规范: the core metadata of one licence."""

    identifier = serializers.CharField(help_text="证照标识")
    type_name = serializers.CharField(help_text="证照类型名称")
    type_code = serializers.CharField(help_text="证照类型代码")
    number = serializers.CharField(help_text="证照编号")
    issuer = serializers.CharField(help_text="证照颁发机构")
    issuer_code = serializers.CharField(help_text="证照颁发机构代码（统一社会信用代码）")
    issue_date = serializers.DateField(help_text="颁证日期")
    valid_from = serializers.DateField(help_text="证照有效期起始日期")
    valid_until = serializers.DateField(allow_null=True, help_text="证照有效期截止日期（空为长期）")
    holder = serializers.CharField(help_text="持证主体")
    holder_code = serializers.CharField(help_text="持证主体代码")
    holder_code_type = serializers.CharField(help_text="持证主体代码类型")
    status = serializers.CharField(help_text="证照状态（中文）")


class LicenceActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField()
    inputs = serializers.ListField(child=serializers.CharField(), help_text="原因以外的输入")


class LicenceObligationSerializer(serializers.Serializer):
    report = serializers.CharField(source="report.number", help_text="监管反馈编号")
    due_on = serializers.DateField(help_text="注销期限")
    fulfilled_at = serializers.DateTimeField(allow_null=True)


class LicenceDetailSerializer(LicenceSerializer):
    status_reason = serializers.CharField()
    status_changed_at = serializers.DateTimeField()
    metadata = serializers.SerializerMethodField(help_text="元数据（GB/T 36903）")
    obligations = serializers.SerializerMethodField(help_text="注销义务（吊销后）")
    actions = serializers.SerializerMethodField(help_text="当前用户可执行的操作")

    @extend_schema_field(LicenceMetadataSerializer)
    def get_metadata(self, obj) -> dict:
        organisation = obj.holder_kind == HolderKind.ORGANISATION
        return LicenceMetadataSerializer(
            {
                "identifier": obj.identifier,
                "type_name": obj.name,
                "type_code": obj.type_code,
                "number": obj.number,
                "issuer": obj.issuer.name,
                "issuer_code": obj.issuer.code,
                "issue_date": obj.issued_on,
                "valid_from": obj.valid_from,
                "valid_until": obj.valid_until,
                "holder": obj.holder_name,
                "holder_code": self.get_holder_code(obj),
                "holder_code_type": "统一社会信用代码" if organisation else "公民身份号码",
                "status": obj.get_status_display(),
            }
        ).data

    @extend_schema_field(LicenceObligationSerializer(many=True))
    def get_obligations(self, obj) -> list:
        rows = obj.obligations.select_related("report").order_by("due_on", "pk")
        return LicenceObligationSerializer(rows, many=True).data

    @extend_schema_field(LicenceActionSerializer(many=True))
    def get_actions(self, obj) -> list:
        user = self.context["request"].user
        return [
            {"action": r.action, "label": r.label, "inputs": list(r.inputs)}
            for r in workflow.available_actions(user, obj)
        ]


class LicenceListApi(generics.ListAPIView):
    serializer_class = LicenceSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="证照库（本人可见范围）",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=LicenceFilter.values,
                description="证照状态；in_force 为在效（有效、变更、延续）",
            ),
            OpenApiParameter("q", str, description="证照编号、持证主体（包含）或证件号码（全号）"),
        ],
        responses={200: LicenceSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        _staff(self.request)
        q = self.request.query_params
        params.known(q, "status", "q")
        return selectors.licences(
            user=self.request.user,
            status=params.choice(q, "status", LicenceFilter),
            q=_bounded_text(q, "q"),
        ).select_related("case")


def _licence(request, pk: int) -> Licence:
    _staff(request)
    licence = None
    if params.fits_column(pk, Licence, "id"):
        licence = Licence.objects.select_related("issuer", "item", "case").filter(pk=pk).first()
    if licence is None or not selectors.can_view_licence(request.user, licence):
        raise NotFound("没有该证照，或您无权查看", code="licence_not_found")
    return licence


def _detail(request, licence) -> dict:
    return LicenceDetailSerializer(licence, context={"request": request}).data


class LicenceDetailApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="证照详情（元数据 GB/T 36903）",
        responses={200: LicenceDetailSerializer, **error_responses()},
    )
    def get(self, request, pk: int):
        return Response(_detail(request, _licence(request, pk)))


def _action_serializer(row) -> type[serializers.Serializer]:
    fields = {
        "reason": transitions.text_field(workflow.REASON_MAX, help_text=f"{row.label}原因（必填）"),
        "expected_version": serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=0,
            max_value=INT_MAX,
            help_text="证照的版本号（详情中的 version）；给出时版本不符返回 409 stale",
        ),
    }
    if "valid_until" in row.inputs:
        fields["valid_until"] = serializers.DateField(
            required=False, allow_null=True, help_text="新的有效期截止日期（延续必填）"
        )
    for name, label in (("holder_name", "新的持证主体名称"), ("name", "新的证照名称")):
        if name in row.inputs:
            fields[name] = transitions.text_field(100, help_text=f"{label}（至少填一项）")
    camel = row.action.title()
    return type(f"Licence{camel}In", (serializers.Serializer,), fields)


def _action_view(row) -> type[APIView]:
    body = _action_serializer(row)

    class View(APIView):
        permission_classes = [drf_permissions.IsAuthenticated]
        parser_classes = [JSONParser]

        @extend_schema(
            tags=[TAG],
            operation_id=f"licences_{row.action}",
            summary=f"证照{row.label}（{row.action}）",
            description="可执行的状态："
            + "、".join(Status(s).label for s in row.sources)
            + f"；变更为“{Status(row.target).label}”，记入审计日志。",
            request=body,
            responses={200: LicenceDetailSerializer, **error_responses()},
        )
        def post(self, request, pk: int):
            licence = _licence(request, pk)
            data = dict(params.validated(body, request.data))
            reason = data.pop("reason")
            version = data.pop("expected_version", None)
            licence = services.change_status(
                actor=request.user,
                licence=licence,
                action=row.action,
                reason=reason,
                expected_version=version,
                **{k: v for k, v in data.items() if k in row.inputs},
            )
            licence = Licence.objects.select_related("issuer", "item", "case").get(pk=licence.pk)
            return Response(_detail(request, licence))

    View.__name__ = View.__qualname__ = f"Licence{row.action.title()}Api"
    return View


class OtherActionApi(APIView):
    """Any other ``licences/{id}/{action}/``: 400 ``unknown_action``, or
    ``not_by_hand`` for a row of the table no one takes by hand (吊销, 过期)."""

    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(exclude=True)
    def post(self, request, pk: int, action: str):
        _licence(request, pk)
        row = workflow.get(action)  # unknown_action
        how = (
            "吊销须由监管部门登记行政处罚（吊销许可证件）的监管反馈"
            if row.action == "revoke"
            else "过期由每日任务按有效期自动设置"
        )
        raise ValidationFailed(f"证照{row.label}不能直接办理：{how}", code="not_by_hand")


# --------------------------------------------------------------------------- reports


class ReportObligationSerializer(serializers.Serializer):
    licence_number = serializers.CharField(source="licence.number")
    department = serializers.CharField(source="department.name", help_text="应注销的审批部门")
    due_on = serializers.DateField(help_text="注销期限")
    fulfilled_at = serializers.DateTimeField(allow_null=True)


class SupervisionReportSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="反馈编号，如 JG2026-000001")
    department = serializers.IntegerField(source="department_id", help_text="监管部门 id")
    department_name = serializers.CharField(source="department.name")
    kind = serializers.CharField(help_text="类型：" + _values(ReportKind))
    kind_label = serializers.CharField(source="get_kind_display")
    penalty = serializers.CharField(help_text="处罚种类：" + _values(PenaltyKind))
    penalty_label = serializers.SerializerMethodField()
    licence_number = serializers.SerializerMethodField(help_text="涉及证照编号")
    subject_kind = serializers.CharField(help_text="当事人类型：" + _values(HolderKind))
    subject_name = serializers.CharField()
    subject_code = serializers.CharField(
        source="subject_code_masked", help_text="统一社会信用代码；自然人身份证号脱敏"
    )
    description = serializers.CharField()
    decision_number = serializers.CharField(help_text="处罚决定书文号")
    effective_on = serializers.DateField(allow_null=True, help_text="处罚决定生效日期")
    serious = serializers.BooleanField(help_text="严重违法（已列入警示信息库）")
    channel = serializers.CharField(help_text="来源渠道：" + _values(ReportChannel))
    external_id = serializers.CharField(help_text="来源系统编号（幂等键或投递编号）")
    received_at = serializers.DateTimeField()
    recorded_name = serializers.CharField(help_text="登记人")
    read_at = serializers.DateTimeField(allow_null=True, help_text="审批部门查收时间")
    obligation = serializers.SerializerMethodField(help_text="吊销产生的注销义务")

    def get_penalty_label(self, obj) -> str:
        return obj.get_penalty_display() if obj.penalty else ""

    def get_licence_number(self, obj) -> str:
        return obj.licence.number if obj.licence_id else ""

    @extend_schema_field(ReportObligationSerializer(allow_null=True))
    def get_obligation(self, obj) -> dict | None:
        row = getattr(obj, "obligation", None)
        return ReportObligationSerializer(row).data if row is not None else None


_text = transitions.text_field


class SupervisionReportFields(serializers.Serializer):
    kind = serializers.CharField(max_length=20, help_text="类型：" + _values(ReportKind))
    description = serializers.CharField(max_length=services.TEXT_MAX, help_text="情况说明")
    licence_number = _text(60, help_text="涉及的证照编号（吊销必填；填写时当事人取自证照）")
    subject_kind = _text(12, help_text="当事人类型：" + _values(HolderKind))
    subject_name = _text(100, help_text="当事人名称（未填证照编号时必填）")
    subject_code = _text(18, help_text="身份证号或统一社会信用代码（未填证照编号时必填）")
    penalty = _text(20, help_text="处罚种类（行政处罚必填）：" + _values(PenaltyKind))
    decision_number = _text(60, help_text="处罚决定书文号（行政处罚必填）")
    effective_on = serializers.DateField(
        required=False, allow_null=True, help_text="处罚决定生效日期（行政处罚必填）"
    )
    serious = serializers.BooleanField(default=False, help_text="严重违法：列入警示信息库")
    warning_until = serializers.DateField(
        required=False, allow_null=True, help_text="警示截止日期（空为长期）"
    )


class SupervisionReportIn(SupervisionReportFields):
    department = _text(
        18, help_text="监管部门的统一社会信用代码；不填为登录人所在部门（中心管理员须填写）"
    )
    external_id = _text(100, help_text="来源系统编号（也可用 Idempotency-Key 请求头）")


class SupervisionReportHookIn(SupervisionReportFields):
    department = _text(18, help_text=f"监管部门的统一社会信用代码（或请求头 {DEPARTMENT_HEADER}）")
    delivery_id = serializers.CharField(
        max_length=100, help_text=f"投递编号，须与请求头 {webhooks.DELIVERY} 相同（使其受签名保护）"
    )


def _report_fields(data: dict) -> dict:
    return {name: data.get(name) for name in SupervisionReportFields().fields}


def _department_by_code(code: str) -> Department | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    if not params.fits_column(code, Department, "code"):
        return None
    return Department.objects.filter(code=code).first()


class ReportListApi(generics.ListAPIView):
    serializer_class = SupervisionReportSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="监管反馈（本部门登记的，或涉及本部门证照的）",
        parameters=[
            OpenApiParameter("kind", str, enum=ReportKind.values, description="类型"),
            OpenApiParameter("q", str, description="反馈编号或当事人（包含）"),
        ],
        responses={200: SupervisionReportSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        _staff(self.request)
        q = self.request.query_params
        params.known(q, "kind", "q")
        return selectors.reports(
            user=self.request.user,
            kind=params.choice(q, "kind", ReportKind),
            q=_bounded_text(q, "q"),
        ).select_related("obligation", "obligation__licence", "obligation__department")

    @extend_schema(
        tags=[TAG],
        summary="登记监管反馈（监管部门工作人员，渠道：接口）",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="来源系统编号：同一部门同一键只登记一次，再次提交返回 200 和同一反馈",
            )
        ],
        request=SupervisionReportIn,
        responses={
            201: SupervisionReportSerializer,
            200: SupervisionReportSerializer,
            **error_responses(),
        },
    )
    def post(self, request, *args, **kwargs):
        _staff(request)
        header = _key(
            request.headers.get("Idempotency-Key"),
            name="Idempotency-Key",
            code="invalid_idempotency_key",
            label="幂等键（Idempotency-Key）",
        )
        data = params.validated(SupervisionReportIn, request.data)
        body_id = _key(
            data["external_id"].strip(),
            name="external_id",
            code="invalid_external_id",
            label="来源系统编号",
        )
        if header and body_id and header != body_id:
            raise ValidationFailed(
                "Idempotency-Key 与 external_id 不一致",
                code="external_id_mismatch",
                fields={"external_id": ["与 Idempotency-Key 不一致"]},
            )
        if data["department"]:
            department = _department_by_code(data["department"])
            if department is None:
                raise ValidationFailed(
                    "没有该统一社会信用代码的部门",
                    code="unknown_department",
                    fields={"department": ["不存在"]},
                )
        else:
            department = roles.department_of(request.user)
            if department is None:
                raise ValidationFailed(
                    "请填写监管部门的统一社会信用代码",
                    code="department_required",
                    fields={"department": ["必填"]},
                )
        report, created = services.record_report(
            actor=request.user,
            department=department,
            channel=ReportChannel.API,
            external_id=header or body_id,
            **_report_fields(data),
        )
        return Response(_report_out(report), status=201 if created else 200)


def _report_out(report: SupervisionReport) -> dict:
    report = (
        SupervisionReport.objects.select_related(
            "department", "licence", "obligation", "obligation__licence", "obligation__department"
        )
        .filter(pk=report.pk)
        .first()
    )
    return SupervisionReportSerializer(report).data


class ReportDetailApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="监管反馈详情",
        responses={200: SupervisionReportSerializer, **error_responses()},
    )
    def get(self, request, number: str):
        _staff(request)
        report = None
        if params.fits_column(number, SupervisionReport, "number"):
            report = (
                selectors.reports(user=request.user)
                .select_related("obligation", "obligation__licence", "obligation__department")
                .filter(number=number.upper())
                .first()
            )
        if report is None:
            raise NotFound("没有该监管反馈，或您无权查看", code="report_not_found")
        return Response(SupervisionReportSerializer(report).data)


# --------------------------------------------------------------------------- webhook in


class SignatureRefused(exceptions.AuthenticationFailed):
    """401 with the stable code of why the signed request was refused."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code=code)
        self.default_code = code


class ReportHookApi(APIView):
    """The webhook in (部门系统推送监管反馈): a supervising department's system POSTs a
    report signed as ``webhooks.py`` describes, under its ``Endpoint.secret`` (the one
    key both ways). Refused 401 ``signature_missing`` / ``unknown_sender`` /
    ``signature_expired`` / ``signature_invalid``. The delivery id
    (``X-Govhall-Delivery``, repeated in the body as ``delivery_id`` so the signature
    covers it) is the report's ``external_id``: the same delivery again answers 200
    with the report of the first. The report is recorded in the name of the
    department's liaison (``selectors.liaison_of``); a department without one is
    refused 409 ``no_liaison``."""

    authentication_classes: list = []
    permission_classes = [drf_permissions.AllowAny]
    parser_classes = [JSONParser]

    def get_authenticate_header(self, request):
        return 'HMAC-SHA256 realm="govhall-licences"'

    @extend_schema(
        tags=[TAG],
        summary="部门系统推送监管反馈（HMAC 签名，无需令牌）",
        auth=[],
        parameters=[
            OpenApiParameter(
                webhooks.DELIVERY,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="投递编号（1–100 个可见 ASCII 字符），重复投递只登记一次",
            ),
            OpenApiParameter(
                webhooks.TIMESTAMP,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="签名时的 Unix 秒数，与服务器时间相差不超过 300 秒",
            ),
            OpenApiParameter(
                webhooks.SIGNATURE,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="sha256=<HMAC-SHA256(密钥, 时间戳 + '.' + 请求体) 的十六进制>",
            ),
            OpenApiParameter(
                DEPARTMENT_HEADER,
                str,
                OpenApiParameter.HEADER,
                description="监管部门的统一社会信用代码（或请求体 department）",
            ),
        ],
        request=SupervisionReportHookIn,
        responses={
            201: SupervisionReportSerializer,
            200: SupervisionReportSerializer,
            **error_responses(),
        },
    )
    def post(self, request):
        body = request.body
        delivery = request.headers.get(webhooks.DELIVERY, "")
        timestamp = request.headers.get(webhooks.TIMESTAMP, "")
        sent = request.headers.get(webhooks.SIGNATURE, "")
        if not (delivery and timestamp and sent):
            raise SignatureRefused(
                f"缺少签名请求头 {webhooks.DELIVERY}、{webhooks.TIMESTAMP}、{webhooks.SIGNATURE}",
                "signature_missing",
            )
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise exceptions.ParseError() from None
        if not isinstance(data, dict):
            raise exceptions.ParseError()
        code = request.headers.get(DEPARTMENT_HEADER) or data.get("department") or ""
        department = _department_by_code(code) if isinstance(code, str) else None
        endpoint = getattr(department, "endpoint", None) if department is not None else None
        off = endpoint is None or not endpoint.is_active
        if department is None or not department.is_active or off:
            raise SignatureRefused(
                "未知的发送部门：请求头或请求体 department 须为已设置系统接口的部门的统一社会信用代码",
                "unknown_sender",
            )
        if not webhooks.verify(secret=endpoint.secret, timestamp=timestamp, sent=sent, body=body):
            if _stale(timestamp):
                raise SignatureRefused(
                    f"签名时间戳与服务器时间相差超过 {webhooks.TOLERANCE_SECONDS} 秒，请核对系统时钟后重新签名",
                    "signature_expired",
                )
            raise SignatureRefused("签名无效", "signature_invalid")
        delivery = _key(
            delivery, name=webhooks.DELIVERY, code="invalid_delivery_id", label="投递编号"
        )
        fields = params.validated(SupervisionReportHookIn, data)
        if fields["delivery_id"] != delivery:
            raise ValidationFailed(
                f"请求体 delivery_id 须与请求头 {webhooks.DELIVERY} 相同",
                code="delivery_id_mismatch",
                fields={"delivery_id": ["与请求头不一致"]},
            )
        liaison = selectors.liaison_of(department)
        if liaison is None or liaison.user_id is None:
            raise Conflict(
                f"{department.name}没有联络员（也没有在岗的首席代表），不能以其名义登记；"
                "请中心管理员指定联络员",
                code="no_liaison",
            )
        report, created = services.record_report(
            actor=liaison.user,
            department=department,
            channel=ReportChannel.WEBHOOK,
            external_id=delivery,
            **_report_fields(fields),
        )
        return Response(_report_out(report), status=201 if created else 200)


def _stale(timestamp: str) -> bool:
    try:
        return abs(clock.now().timestamp() - int(timestamp)) > webhooks.TOLERANCE_SECONDS
    except (TypeError, ValueError, OverflowError):
        return False


# --------------------------------------------------------------------------- warnings, letters


class WarningEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject_kind = serializers.CharField(help_text="主体类型：" + _values(HolderKind))
    subject_name = serializers.CharField()
    subject_code = serializers.SerializerMethodField(
        help_text="统一社会信用代码；自然人身份证号仅中心管理员可见全号"
    )
    reason = serializers.CharField(help_text="列入原因")
    source = serializers.CharField(source="source.name", help_text="来源部门")
    report = serializers.SerializerMethodField(help_text="来源监管反馈编号")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True, help_text="空表示长期")
    in_force = serializers.SerializerMethodField(help_text="今日在警示期内（不得容缺受理）")
    created_at = serializers.DateTimeField()
    created_by_name = serializers.CharField()
    lifted_at = serializers.DateTimeField(allow_null=True, help_text="移出时间")
    lift_reason = serializers.CharField()

    def get_subject_code(self, obj) -> str:
        full = self.context.get("full_codes", False)
        return obj.subject_code if full else obj.subject_code_masked

    def get_report(self, obj) -> str:
        return obj.report.number if obj.report_id else ""

    def get_in_force(self, obj) -> bool:
        return selectors.warning_in_force(obj)


class WarningListApi(generics.ListAPIView):
    serializer_class = WarningEntrySerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="警示信息库",
        parameters=[
            OpenApiParameter("q", str, description="主体名称（包含）或证件号码（全号）"),
            OpenApiParameter("active", bool, description="true 只看在警示期内的，false 只看其余"),
        ],
        responses={200: WarningEntrySerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self):
        full = roles.may_manage_warnings(self.request.user)
        return {**super().get_serializer_context(), "full_codes": full}

    def get_queryset(self):
        _staff(self.request)
        q = self.request.query_params
        params.known(q, "q", "active")
        return selectors.warning_entries(
            q=_bounded_text(q, "q"), active=params.boolean(q, "active")
        )


class MonthlyLetterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="函号")
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    month = serializers.SerializerMethodField(help_text="月份 YYYY-MM")
    count = serializers.IntegerField(help_text="推送条数")
    made_at = serializers.DateTimeField()
    pdf = serializers.SerializerMethodField(help_text="函件 PDF 地址")

    def get_month(self, obj) -> str:
        return obj.month.strftime("%Y-%m")

    def get_pdf(self, obj) -> str:
        return f"/api/v1/licences/letters/{obj.pk}/pdf/"


class LetterListApi(generics.ListAPIView):
    serializer_class = MonthlyLetterSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="书面函告（每月一份，按监管部门）",
        responses={200: MonthlyLetterSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        _staff(self.request)
        params.known(self.request.query_params)
        return selectors.letters(user=self.request.user).order_by(
            "-month", "department__name", "pk"
        )


class LetterPdfApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="书面函告 PDF",
        responses={(200, "application/pdf"): bytes, **error_responses()},
    )
    def get(self, request, pk: int):
        _staff(request)
        letter = None
        if params.fits_column(pk, MonthlyLetter, "id"):
            visible = selectors.letters(user=request.user).filter(pk=pk).values("pk")
            letter = MonthlyLetter.objects.filter(pk__in=visible).first()
        if letter is None:
            raise NotFound("没有该函件，或您无权查看", code="letter_not_found")
        response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{letter.number}.pdf"'
        return response


# --------------------------------------------------------------------------- public


class PublicLicenceSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="证照编号")
    identifier = serializers.CharField(help_text="电子证照标识")
    name = serializers.CharField(help_text="证照名称")
    status = serializers.CharField(help_text="证照状态：" + _values(Status))
    status_label = serializers.CharField()
    in_force = serializers.BooleanField(help_text="有效、变更、延续为在效")
    holder = serializers.CharField(help_text="持证主体：法人或组织为全称，自然人姓名脱敏（张**）")
    issuer = serializers.CharField(help_text="颁发机构")
    issued_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="空表示长期")


class PublicLicenceApi(APIView):
    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(
        tags=[TAG],
        summary="证照查询（公开，按证照编号；不含身份证号等个人信息）",
        auth=[],
        responses={200: PublicLicenceSerializer, **error_responses()},
    )
    def get(self, request, number: str):
        if public_throttled(request):
            raise Throttled()
        number = number.strip()
        found = None
        if number and params.fits_column(number, Licence, "number"):
            found = selectors.public_licence(number)
        if found is None:
            raise NotFound("未查到该证照，请核对证照编号", code="licence_not_found")
        return Response(PublicLicenceSerializer(found).data)


# --------------------------------------------------------------------------- routes

BY_HAND = [row for row in workflow.TRANSITIONS if row.by_hand]

urlpatterns = [
    path("licences/", LicenceListApi.as_view(), name="licence-list"),
    path("licences/pushes/", PushListApi.as_view(), name="licence-push-list"),
    path("licences/pushes/acknowledge/", AcknowledgeApi.as_view(), name="licence-acknowledge"),
    path("licences/reports/", ReportListApi.as_view(), name="licence-report-list"),
    path("licences/reports/<str:number>/", ReportDetailApi.as_view(), name="licence-report-detail"),
    path("licences/hooks/reports/", ReportHookApi.as_view(), name="licence-report-hook"),
    path("licences/warnings/", WarningListApi.as_view(), name="licence-warning-list"),
    path("licences/letters/", LetterListApi.as_view(), name="licence-letter-list"),
    path("licences/letters/<int:pk>/pdf/", LetterPdfApi.as_view(), name="licence-letter-pdf"),
    path("licences/public/<str:number>/", PublicLicenceApi.as_view(), name="licence-public"),
    path("licences/<int:pk>/", LicenceDetailApi.as_view(), name="licence-detail"),
    *[
        path(
            f"licences/<int:pk>/{row.action}/",
            _action_view(row).as_view(),
            name=f"licence-{row.action}",
        )
        for row in BY_HAND
    ],
    path("licences/<int:pk>/<str:action>/", OtherActionApi.as_view(), name="licence-other-action"),
]
