"""REST endpoints of the adjustment requests (mounted under /api/v1/; docs/governance.md).

* ``GET adjustments/`` — the requests the user may see (``roles.visible_filter``),
  newest first, paged; filters ``state``, ``kind``, ``department``, ``late``.
* ``POST adjustments/`` — a department's 首席代表 files a request (草稿): JSON or
  multipart (``files``: the written application).
* ``GET adjustments/{number}/`` — one request with its history and the actions the
  user may take; ``POST adjustments/{number}/{action}/`` — one route per row of
  ``workflow.TRANSITIONS`` (``expected_version`` and the row's inputs; ``files`` on
  提交 and 登记县政府批准).

Errors have the shared shape ``{code, message, fields}`` (``api.errors``): e.g.
``permission_denied`` 403, ``request_not_found`` 404, ``invalid_transition`` /
``stale_request`` / ``open_request_exists`` / ``draft_changed`` 409,
``application_missing`` / ``missing_input`` / ``invalid_request`` / ``unknown_item`` 400.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework import permissions as drf_permissions
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params, transitions
from govhall.api.errors import error_responses
from govhall.api.pagination import Pagination
from govhall.catalog.models import Item, ItemType, NegativeListReason
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed
from govhall.org.models import Department, Staff

from . import roles, selectors, services, workflow
from .models import AdjustmentRequest, Kind, State, Trigger

TAG = "事项动态调整"
INT_MAX = params.INT_MAX


def _choices(choices) -> str:
    return "、".join(f"{v} {label}" for v, label in choices.choices)


class EventSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.SerializerMethodField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField(source="actor_name")
    at = serializers.DateTimeField()
    text = serializers.CharField(help_text="意见/理由")
    data = serializers.JSONField()
    attachments = serializers.SerializerMethodField()

    def get_label(self, obj) -> str:
        return workflow.event_label(obj.action)

    def get_attachments(self, obj) -> list[str]:
        return [a.name for a in obj.attachments.all()]


class RequestSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="申请编号，如 TZ2026-0001")
    kind = serializers.CharField(help_text="调整类型：" + _choices(Kind))
    kind_label = serializers.CharField(source="get_kind_display")
    state = serializers.CharField(help_text="状态：" + _choices(State))
    state_label = serializers.CharField(source="get_state_display")
    version = serializers.IntegerField(help_text="乐观锁：操作时作为 expected_version")
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    item = serializers.CharField(source="item.implementation_code", help_text="实施编码")
    trigger = serializers.CharField(help_text="调整事由：" + _choices(Trigger))
    trigger_date = serializers.DateField()
    basis = serializers.CharField()
    touches_elements = serializers.BooleanField()
    two_priority = serializers.BooleanField()
    due_date = serializers.DateField(allow_null=True, help_text="申请期限")
    late = serializers.BooleanField(help_text="逾期申请")
    reasons = serializers.CharField()
    target_department = serializers.IntegerField(source="target_department_id", allow_null=True)
    handover_note = serializers.CharField()
    handed_over = serializers.ListField(child=serializers.CharField(), help_text="移交的在办办件")
    negative_category = serializers.CharField()
    negative_statement = serializers.CharField()
    needs_county = serializers.BooleanField(help_text="须县政府批准")
    county_document = serializers.CharField()
    county_approved_on = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    applied_at = serializers.DateTimeField(allow_null=True)
    published_version = serializers.IntegerField(
        source="published_version.number", allow_null=True, default=None
    )


class RequestDetailSerializer(RequestSerializer):
    events = serializers.SerializerMethodField()
    approvers = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text="当前用户可执行的操作")

    def get_events(self, obj) -> list[dict]:
        return EventSerializer(selectors.history(request=obj), many=True).data

    def get_approvers(self, obj) -> list[dict]:
        return [{"id": s.pk, "name": s.name} for s in obj.approvers.all()]

    def get_attachments(self, obj) -> list[dict]:
        return [{"name": a.name, "url": a.file.url} for a in obj.attachments.all()]

    def get_actions(self, obj) -> list[dict]:
        user = self.context["request"].user
        return [
            {"action": r.action, "label": r.label} for r in workflow.available_actions(user, obj)
        ]


_text = transitions.text_field


class CreateIn(serializers.Serializer):
    kind = serializers.CharField(max_length=20, help_text="调整类型：" + _choices(Kind))
    item = _text(40, help_text="事项实施编码（新增时可改填 new_item）")
    new_basic_code = _text(12, help_text="新增事项的基本编码")
    new_type = _text(20, help_text="新增事项类型：" + _choices(ItemType))
    new_name = _text(200, help_text="新增事项名称")
    trigger = serializers.CharField(max_length=20, help_text="调整事由：" + _choices(Trigger))
    trigger_date = serializers.DateField(help_text="事由发生日期")
    basis = _text(200, help_text="依据文件名称及文号")
    touches_elements = serializers.BooleanField(default=False)
    two_priority = serializers.BooleanField(default=False)
    reasons = serializers.CharField(max_length=4000)
    target_department = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=INT_MAX, help_text="划入部门 id"
    )
    handover_note = _text(4000, help_text="移交清单（划转）")
    negative_category = _text(12, help_text="负面清单理由类别：" + _choices(NegativeListReason))
    negative_statement = _text(4000, help_text="不进驻情况说明")
    approvers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=INT_MAX),
        required=False,
        max_length=50,
        help_text="新增事项的审批人员（工作人员 id）",
    )
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=10)


def _lookup_department(pk):
    if pk is None:
        return None
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise ValidationFailed(
            "没有该部门", code="unknown_department", fields={"target_department": ["不存在"]}
        )
    return department


class RequestListApi(generics.ListAPIView):
    serializer_class = RequestSerializer
    pagination_class = Pagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="调整申请列表",
        parameters=[
            OpenApiParameter("state", str, enum=State.values, description="状态"),
            OpenApiParameter("kind", str, enum=Kind.values, description="调整类型"),
            OpenApiParameter("department", int, description="申请部门 id"),
            OpenApiParameter("late", bool, description="true 只看逾期申请"),
        ],
        responses={200: RequestSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        if not roles.may_see_requests(user):
            raise PermissionDenied("只有中心、电子监察和部门工作人员可以查看调整申请")
        query = self.request.query_params
        params.known(query, "state", "kind", "department", "late")
        return selectors.request_list(
            user=user,
            state=params.choice(query, "state", State),
            kind=params.choice(query, "kind", Kind),
            department=params.integer(query, "department"),
            late=params.boolean(query, "late"),
        ).select_related("published_version")

    @extend_schema(
        tags=[TAG],
        summary="填报调整申请（部门首席代表，草稿）",
        request={"application/json": CreateIn, "multipart/form-data": CreateIn},
        responses={201: RequestDetailSerializer, **error_responses()},
    )
    def post(self, request, *args, **kwargs):
        data = params.validated(CreateIn, request.data)
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        item = None
        if data["item"]:
            item = Item.objects.filter(implementation_code=data["item"].upper()).first()
            if item is None:
                raise ValidationFailed(
                    "没有该实施编码的事项", code="unknown_item", fields={"item": ["不存在"]}
                )
        approvers = list(Staff.objects.filter(pk__in=data.get("approvers") or []))
        if len(approvers) != len(set(data.get("approvers") or [])):
            raise ValidationFailed(
                "没有该工作人员", code="unknown_staff", fields={"approvers": ["不存在"]}
            )
        new_item = None
        if item is None and data["new_basic_code"]:
            new_item = {
                "basic_code": data["new_basic_code"],
                "type": data["new_type"],
                "name": data["new_name"],
            }
        r = services.create_request(
            actor=request.user,
            kind=data["kind"],
            item=item,
            new_item=new_item,
            files=files,
            approvers=approvers,
            trigger=data["trigger"],
            trigger_date=data["trigger_date"],
            basis=data["basis"],
            touches_elements=data["touches_elements"],
            two_priority=data["two_priority"],
            reasons=data["reasons"],
            target_department=_lookup_department(data.get("target_department")),
            handover_note=data["handover_note"],
            negative_category=data["negative_category"],
            negative_statement=data["negative_statement"],
        )
        return Response(RequestDetailSerializer(r, context={"request": request}).data, status=201)


def _request(request, number: str) -> AdjustmentRequest:
    if not roles.may_see_requests(request.user):
        raise PermissionDenied("只有中心、电子监察和部门工作人员可以查看调整申请")
    if not params.fits_column(number, AdjustmentRequest, "number"):
        raise NotFound("没有该调整申请，或您无权查看", code="request_not_found")
    return selectors.request_by_number(user=request.user, number=number)


class RequestDetailApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="调整申请详情",
        responses={200: RequestDetailSerializer, **error_responses()},
    )
    def get(self, request, number: str):
        r = _request(request, number)
        return Response(RequestDetailSerializer(r, context={"request": request}).data)


def _input_field(spec: workflow.Input):
    if spec.kind == workflow.Kind.DATE:
        return serializers.DateField(required=spec.required, help_text=spec.label)
    limit = workflow.TEXT_MAX if spec.kind == workflow.Kind.TEXT else workflow.LONG_TEXT_MAX
    return _text(limit, required=spec.required, help_text=spec.label)


def _run_action(request, r, row, version, files, data):
    return services.transition(
        actor=request.user,
        request=r,
        action=row.action,
        expected_version=version,
        files=files,
        **data,
    )


ACTIONS = transitions.ActionApi(
    name="Adjustment",
    operation="adjustments",
    tag=TAG,
    noun="申请",
    state_label=lambda s: State(s).label,
    input_field=_input_field,
    load=_request,
    run=_run_action,
    detail=lambda request, r: RequestDetailSerializer(r, context={"request": request}).data,
    response=RequestDetailSerializer,
)


urlpatterns = [
    path("adjustments/", RequestListApi.as_view(), name="adjustment-list"),
    path("adjustments/<str:number>/", RequestDetailApi.as_view(), name="adjustment-detail"),
    *transitions.action_paths(
        ACTIONS, workflow.TRANSITIONS, route="adjustments/<str:key>/", name="adjustment"
    ),
]
