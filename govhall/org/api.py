"""Public read-only REST endpoints of the organisation (mounted under /api/v1/).

服务中心、部门、窗口 are public information (where to go, whom to call). Staff
(工作人员) are not exposed here: names, phones and ID numbers of staff are personal
data. Department phones are public service numbers (咨询/投诉电话) and are shown.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.api.fields import LabeledChoiceField
from govhall.api.pagination import Pagination
from govhall.core.errors import NotFound

from . import selectors
from .models import Centre, Department, Level, WindowType

TAG = "组织机构"
INVALID_FILTER = {"400": "invalid_filter：筛选参数取值无效（fields 中列出参数名）"}

# --- serializers ---------------------------------------------------------------


class CentreRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = LabeledChoiceField(Level.choices)


class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()


class CentreSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="中心编码（受理编号前缀）")
    name = serializers.CharField()
    level = LabeledChoiceField(Level.choices, help_text="层级")
    parent = CentreRefSerializer(allow_null=True, help_text="上级中心")
    address = serializers.CharField()
    phone = serializers.CharField(help_text="咨询电话")
    opening_hours = serializers.CharField(help_text="办公时间")
    is_active = serializers.BooleanField()
    window_count = serializers.IntegerField(help_text="窗口数")


class StationedDepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="department.id")
    name = serializers.CharField(source="department.name")
    short_name = serializers.CharField(source="department.short_name")
    phone = serializers.CharField(source="department.phone")
    since = serializers.DateField(help_text="进驻日期")


class CentreDetailSerializer(CentreSerializer):
    children = CentreRefSerializer(many=True, help_text="下级中心（便民服务中心/站）")
    departments = StationedDepartmentSerializer(
        many=True, source="active_stationings", help_text="在驻部门"
    )


class DepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="统一社会信用代码")
    name = serializers.CharField()
    short_name = serializers.CharField()
    roles = serializers.SerializerMethodField(
        help_text="approval 审批 / competent 主管 / supervising 监管"
    )
    phone = serializers.CharField(help_text="咨询电话")
    complaint_phone = serializers.CharField(help_text="投诉电话")
    address = serializers.CharField(help_text="办公地址")
    is_active = serializers.BooleanField()

    def get_roles(self, obj) -> list[str]:
        return [role for role, field in ROLE_FIELDS.items() if getattr(obj, field)]


class StationSerializer(serializers.Serializer):
    code = serializers.CharField(source="centre.code")
    name = serializers.CharField(source="centre.name")
    level = LabeledChoiceField(Level.choices, source="centre.level")
    since = serializers.DateField(help_text="进驻日期")


class WindowRefSerializer(serializers.Serializer):
    centre = serializers.CharField(source="centre.code", help_text="中心编码")
    number = serializers.CharField()
    name = serializers.CharField()
    type = LabeledChoiceField(WindowType.choices)
    is_active = serializers.BooleanField()


class DepartmentDetailSerializer(DepartmentSerializer):
    centres = StationSerializer(many=True, source="active_stationings", help_text="进驻的中心")
    windows = WindowRefSerializer(many=True, source="window_list", help_text="部门窗口")


class WindowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    centre = CentreRefSerializer()
    number = serializers.CharField(help_text="窗口号")
    name = serializers.CharField()
    type = LabeledChoiceField(WindowType.choices)
    department = DepartmentRefSerializer(allow_null=True, help_text="所属部门（部门专窗）")
    is_active = serializers.BooleanField(help_text="开放")


# --- reads used only by the API --------------------------------------------------

ROLE_FIELDS = {
    "approval": "is_approval",
    "competent": "is_competent",
    "supervising": "is_supervising",
}


def _centre_filter(query, param: str) -> Centre | None:
    """The centre a filter parameter names; an unknown code is ``invalid_filter``."""
    code = params.text(query, param)
    if not code:
        return None
    try:
        return selectors.get_centre(code=code)
    except NotFound:
        raise params.invalid_filter(param, code, "没有该编码的服务中心") from None


# --- views -----------------------------------------------------------------------


class CentreListApi(generics.ListAPIView):
    serializer_class = CentreSerializer
    pagination_class = Pagination

    @extend_schema(
        tags=[TAG],
        summary="服务中心列表",
        parameters=[
            OpenApiParameter("level", str, enum=Level.values, description="层级"),
            OpenApiParameter("parent", str, description="上级中心编码"),
        ],
        responses={200: CentreSerializer(many=True), **error_responses(**INVALID_FILTER)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.request.query_params
        params.known(query, "level", "parent")
        qs = selectors.centre_list()
        if level := params.choice(query, "level", Level):
            qs = qs.filter(level=level)
        if (parent := _centre_filter(query, "parent")) is not None:
            qs = qs.filter(parent=parent)
        return qs.order_by("code")


class CentreDetailApi(generics.RetrieveAPIView):
    serializer_class = CentreDetailSerializer

    @extend_schema(
        tags=[TAG],
        summary="服务中心详情（含下级中心、在驻部门）",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="中心编码")],
        responses={
            200: CentreDetailSerializer,
            **error_responses(**{"404": "centre_not_found：没有该编码的服务中心"}),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        code = self.kwargs["code"]
        if not params.fits_column(code, Centre, "code"):
            raise NotFound("服务中心不存在", code="centre_not_found")
        return selectors.centre_detail(code=code)


class DepartmentListApi(generics.ListAPIView):
    serializer_class = DepartmentSerializer
    pagination_class = Pagination

    @extend_schema(
        tags=[TAG],
        summary="部门列表",
        parameters=[
            OpenApiParameter("centre", str, description="中心编码：只列在该中心进驻的部门"),
            OpenApiParameter(
                "role",
                str,
                enum=list(ROLE_FIELDS),
                description="approval 行政审批部门 / competent 主管部门 / supervising 监管部门",
            ),
        ],
        responses={200: DepartmentSerializer(many=True), **error_responses(**INVALID_FILTER)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.request.query_params
        params.known(query, "centre", "role")
        role = params.text(query, "role")
        if role and role not in ROLE_FIELDS:
            raise params.invalid_filter("role", role, "可选值为 approval、competent、supervising")
        qs = selectors.department_list(centre=_centre_filter(query, "centre"))
        if role:
            qs = qs.filter(**{ROLE_FIELDS[role]: True})
        return qs.order_by("name")


class DepartmentDetailApi(generics.RetrieveAPIView):
    serializer_class = DepartmentDetailSerializer

    @extend_schema(
        tags=[TAG],
        summary="部门详情（含进驻中心、窗口）",
        responses={
            200: DepartmentDetailSerializer,
            **error_responses(**{"404": "department_not_found：部门不存在"}),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        pk = self.kwargs["pk"]
        if not params.fits_column(pk, Department, "id"):
            raise NotFound("部门不存在", code="department_not_found")
        return selectors.department_detail(pk=pk)


class WindowListApi(generics.ListAPIView):
    serializer_class = WindowSerializer
    pagination_class = Pagination

    @extend_schema(
        tags=[TAG],
        summary="窗口列表",
        parameters=[
            OpenApiParameter("centre", str, description="中心编码"),
            OpenApiParameter("type", str, enum=WindowType.values, description="窗口类型"),
            OpenApiParameter("department", int, description="部门 id"),
        ],
        responses={200: WindowSerializer(many=True), **error_responses(**INVALID_FILTER)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.request.query_params
        params.known(query, "centre", "type", "department")
        qs = selectors.window_list(centre=_centre_filter(query, "centre"))
        if type_ := params.choice(query, "type", WindowType):
            qs = qs.filter(type=type_)
        if (department := params.integer(query, "department")) is not None:
            if not Department.objects.filter(pk=department).exists():
                raise params.invalid_filter("department", str(department), "没有该 id 的部门")
            qs = qs.filter(department_id=department)
        return qs.order_by("centre__code", "number")


urlpatterns = [
    path("centres/", CentreListApi.as_view(), name="centre-list"),
    path("centres/<str:code>/", CentreDetailApi.as_view(), name="centre-detail"),
    path("departments/", DepartmentListApi.as_view(), name="department-list"),
    path("departments/<int:pk>/", DepartmentDetailApi.as_view(), name="department-detail"),
    path("windows/", WindowListApi.as_view(), name="window-list"),
]
