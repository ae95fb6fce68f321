"""REST endpoints of 行政备案 (mounted under /api/v1/; docs/filings.md).

* ``GET filings/items/`` — the 备案清单 items that may be filed (public).
* ``POST filings/`` — 接口报送 (signed in as, or as an API client of, a centre clerk or
  administrator): ``item`` (实施编码), the filer, the activity, ``files`` (multipart).
  事后告知类 answers 201 已备案 with its 备案编号; 确认类 201 待确认 with the limit.
* ``GET filings/`` — the register the user may see (``roles.visible_filter``), newest
  first, paged; filters ``number``, ``name``, ``item``, ``department``, ``state``,
  ``kind``, ``channel``, ``date_from``, ``date_to``, ``overdue`` — each bounded, an
  unknown or malformed one is 400 ``invalid_filter``.
* ``GET filings/{ref}/`` — one filing (备案编号 or 申报编号) with its history and the
  actions the user may take; ``POST filings/{ref}/{action}/`` — one route per row of
  ``workflow.TRANSITIONS`` (``expected_version`` and the row's inputs).
* ``GET filings/{ref}/receipt/`` — the 备案回执 (PDF) of a filed filing.
"""

from __future__ import annotations

from django.http import HttpResponse
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
from govhall.catalog.models import FilingKind, Item
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed

from . import receipt, roles, selectors, services, workflow
from .models import Channel, FilerKind, Filing, State

TAG = "行政备案"
INT_MAX = params.INT_MAX


def _values(choices) -> str:
    return "、".join(f"{v} {label}" for v, label in choices.choices)


# --------------------------------------------------------------------------- output


class ListItemSerializer(serializers.Serializer):
    item = serializers.CharField(source="item.implementation_code", help_text="实施编码")
    name = serializers.CharField()
    department = serializers.CharField(source="item.department.name")
    filing_kind = serializers.CharField(help_text="备案类别：" + _values(FilingKind))
    filing_kind_label = serializers.CharField(source="get_filing_kind_display")
    promised_limit_days = serializers.IntegerField(help_text="确认类的确认时限（工作日）")
    materials = serializers.SerializerMethodField()

    def get_materials(self, obj) -> list[str]:
        return [m.name for m in obj.materials.all()]


class EventSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.SerializerMethodField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField(source="actor_name")
    at = serializers.DateTimeField()
    text = serializers.CharField(help_text="意见/说明")

    def get_label(self, obj) -> str:
        return workflow.event_label(obj.action)


class FilingSerializer(serializers.Serializer):
    number = serializers.CharField(allow_null=True, help_text="备案编号（已备案后）")
    tracking = serializers.CharField(help_text="申报编号")
    item = serializers.CharField(source="item.implementation_code")
    item_name = serializers.CharField(source="item_version.name")
    item_version = serializers.IntegerField(source="item_version.number")
    kind = serializers.CharField(help_text="备案类别：" + _values(FilingKind))
    kind_label = serializers.CharField(source="get_kind_display")
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    channel = serializers.CharField(help_text="渠道：" + _values(Channel))
    filer_kind = serializers.CharField(help_text="备案人类型：" + _values(FilerKind))
    filer_name = serializers.CharField(source="masked_name")
    filer_id = serializers.SerializerMethodField(help_text="备案机关可见全号，其他人脱敏")
    phone = serializers.SerializerMethodField(help_text="备案机关可见全号，其他人脱敏")
    activity = serializers.CharField()
    activity_date = serializers.DateField()
    state = serializers.CharField(help_text="状态：" + _values(State))
    state_label = serializers.CharField(source="get_state_display")
    version = serializers.IntegerField()
    submitted_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True, help_text="确认期限（工作日计）")
    overdue = serializers.BooleanField(help_text="超期未确认")
    filed_at = serializers.DateTimeField(allow_null=True)
    returned_count = serializers.IntegerField()
    return_reason = serializers.CharField()

    def _full(self, obj) -> bool:
        request = self.context.get("request")
        return request is not None and roles.sees_filer_in_full(request.user, obj)

    def get_filer_id(self, obj) -> str:
        return obj.filer_id if self.context.get("full") and self._full(obj) else obj.masked_id

    def get_phone(self, obj) -> str:
        return obj.phone if self.context.get("full") and self._full(obj) else obj.masked_phone


class FilingDetailSerializer(FilingSerializer):
    filer_name = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text="当前用户可执行的操作")

    def get_filer_name(self, obj) -> str:
        return obj.filer_name if self._full(obj) else obj.masked_name

    def get_events(self, obj) -> list[dict]:
        return EventSerializer(selectors.history(filing=obj), many=True).data

    def get_actions(self, obj) -> list[dict]:
        user = self.context["request"].user
        return [
            {"action": r.action, "label": r.label} for r in workflow.available_actions(user, obj)
        ]


# --------------------------------------------------------------------------- input


class FilingIn(serializers.Serializer):
    item = serializers.CharField(max_length=32, help_text="备案事项的实施编码")
    filer_kind = serializers.CharField(max_length=12, help_text=_values(FilerKind))
    filer_name = serializers.CharField(max_length=100)
    filer_id = serializers.CharField(max_length=18, help_text="居民身份证号码或统一社会信用代码")
    phone = serializers.CharField(max_length=20)
    activity = serializers.CharField(max_length=services.ACTIVITY_MAX)
    activity_date = serializers.DateField(help_text="YYYY-MM-DD")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=services.MAX_FILES
    )


class FilingItemsApi(generics.ListAPIView):
    serializer_class = ListItemSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(tags=[TAG], summary="备案清单（可备案的事项）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params.known(self.request.query_params)
        return selectors.filing_list()


class FilingListApi(generics.ListAPIView):
    serializer_class = FilingSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=[TAG],
        summary="备案登记簿",
        parameters=[
            OpenApiParameter("number", str, description="备案编号或申报编号（前缀）"),
            OpenApiParameter("name", str, description="备案人（包含）"),
            OpenApiParameter("item", str, description="实施编码，或事项名称（包含）"),
            OpenApiParameter("department", int, description="备案机关 id"),
            OpenApiParameter("state", str, enum=State.values, description="状态"),
            OpenApiParameter("kind", str, enum=FilingKind.values, description="备案类别"),
            OpenApiParameter("channel", str, enum=Channel.values, description="渠道"),
            OpenApiParameter("date_from", str, description="提交日期起（YYYY-MM-DD）"),
            OpenApiParameter("date_to", str, description="提交日期止（YYYY-MM-DD）"),
            OpenApiParameter("overdue", bool, description="true 只看超期未确认的"),
        ],
        responses={200: FilingSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        if not roles.may_see_filings(user):
            raise PermissionDenied("只有中心、备案机关和电子监察人员可以查看备案登记簿")
        q = self.request.query_params
        params.known(
            q,
            "number",
            "name",
            "item",
            "department",
            "state",
            "kind",
            "channel",
            "date_from",
            "date_to",
            "overdue",
        )
        bounded = {}
        for name, limit in (("number", 20), ("name", 100), ("item", 100)):
            value = params.text(q, name)
            if len(value) > limit:
                raise params.invalid_filter(name, value, f"不超过 {limit} 个字符")
            bounded[name] = value
        date_from, date_to = params.date(q, "date_from"), params.date(q, "date_to")
        if date_from and date_to and date_from > date_to:
            raise params.invalid_filter("date_to", q["date_to"], "不能早于 date_from")
        return selectors.filing_register(
            user=user,
            **bounded,
            department=params.integer(q, "department"),
            state=params.choice(q, "state", State),
            kind=params.choice(q, "kind", FilingKind),
            channel=params.choice(q, "channel", Channel),
            date_from=date_from,
            date_to=date_to,
            overdue=params.boolean(q, "overdue"),
        )

    @extend_schema(
        tags=[TAG],
        summary="接口报送备案（事后告知类即来即备，确认类待确认）",
        request={"application/json": FilingIn, "multipart/form-data": FilingIn},
        responses={201: FilingSerializer, **error_responses()},
    )
    def post(self, request, *args, **kwargs):
        if not roles.may_file_at_window(request.user):
            raise PermissionDenied("只有中心综合受理人员和中心管理员（或其接口客户端）可以报送备案")
        data = dict(params.validated(FilingIn, request.data))
        code = data.pop("item").strip().upper()
        item = Item.objects.select_related("department").filter(implementation_code=code).first()
        if item is None:
            raise ValidationFailed(
                "没有该实施编码的事项", code="unknown_item", fields={"item": ["不存在"]}
            )
        data.pop("files", None)
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        filing = services.file_through_api(actor=request.user, item=item, files=files, **data)
        return Response(FilingSerializer(filing, context={"request": request}).data, status=201)


def _filing(request, ref: str) -> Filing:
    if not roles.may_see_filings(request.user):
        raise PermissionDenied("只有中心、备案机关和电子监察人员可以查看备案")
    if not params.fits_column(ref, Filing, "tracking"):
        raise NotFound("没有该备案，或您无权查看", code="filing_not_found")
    return selectors.filing_by_ref(user=request.user, ref=ref)


class FilingDetailApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG], summary="备案详情", responses={200: FilingDetailSerializer, **error_responses()}
    )
    def get(self, request, ref: str):
        filing = _filing(request, ref)
        context = {"request": request, "full": True}
        return Response(FilingDetailSerializer(filing, context=context).data)


class FilingReceiptApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="备案回执（PDF）",
        responses={(200, "application/pdf"): bytes, **error_responses()},
    )
    def get(self, request, ref: str):
        filing = _filing(request, ref)
        pdf = receipt.render_receipt(filing, request=request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="filing-{filing.number}.pdf"'
        return response


# --------------------------------------------------------------------------- actions


def _run_action(request, filing, row, version, files, data):
    return services.transition(
        actor=request.user,
        filing=filing,
        action=row.action,
        expected_version=version,
        files=files,
        **data,
    )


ACTIONS = transitions.ActionApi(
    name="Filing",
    operation="filings",
    tag=TAG,
    noun="备案",
    state_label=lambda s: State(s).label,
    input_field=lambda spec: transitions.text_field(
        workflow.TEXT_MAX, required=spec.required, help_text=spec.label
    ),
    load=_filing,
    run=_run_action,
    detail=lambda request, f: (
        FilingDetailSerializer(f, context={"request": request, "full": True}).data
    ),
    response=FilingDetailSerializer,
    max_files=services.MAX_FILES,
)


urlpatterns = [
    path("filings/items/", FilingItemsApi.as_view(), name="filing-items"),
    path("filings/", FilingListApi.as_view(), name="filing-list"),
    path("filings/<str:ref>/", FilingDetailApi.as_view(), name="filing-detail"),
    path("filings/<str:ref>/receipt/", FilingReceiptApi.as_view(), name="filing-receipt"),
    *transitions.action_paths(
        ACTIONS, workflow.TRANSITIONS, route="filings/<str:key>/", name="filing", dashes=False
    ),
]
