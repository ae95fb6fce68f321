"""REST endpoint of 电子监察预警 (mounted under /api/v1/).

* ``GET /api/v1/supervision/warnings`` — the warnings the signed-in user may see
  (``selectors.visible_warnings``: all for the supervision office and the centre
  administrator, a department's own for its staff), newest first, paged; filters
  ``kind``, ``level``, ``status`` (open / cleared), ``department`` (id), ``case``
  (受理编号). A bad value is 400 ``invalid_filter``; a user who may see no warnings
  403 ``permission_denied``.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework import permissions as drf_permissions

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.api.pagination import Pagination
from govhall.core.errors import PermissionDenied

from . import selectors
from .models import Kind, Level

TAG = "电子监察"


class Status(TextChoices):
    OPEN = "open", "未解除"
    CLEARED = "cleared", "已解除"


class WarningSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="预警类型")
    kind_label = serializers.CharField(source="get_kind_display")
    level = serializers.CharField(help_text="级别：notice 提醒 / yellow 黄色 / red 红色")
    level_label = serializers.CharField(source="get_level_display")
    case_number = serializers.CharField(source="case.number", help_text="受理编号")
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    window = serializers.IntegerField(source="window_id", allow_null=True)
    staff_name = serializers.CharField(source="staff.name", allow_null=True, default=None)
    detail = serializers.CharField()
    raised_at = serializers.DateTimeField()
    cleared_at = serializers.DateTimeField(allow_null=True)
    clear_reason = serializers.CharField()


class WarningListApi(generics.ListAPIView):
    serializer_class = WarningSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="电子监察预警",
        parameters=[
            OpenApiParameter("kind", str, enum=Kind.values, description="预警类型"),
            OpenApiParameter("level", str, enum=Level.values, description="级别"),
            OpenApiParameter(
                "status", str, enum=Status.values, description="open 未解除 / cleared 已解除"
            ),
            OpenApiParameter("department", int, description="部门 id"),
            OpenApiParameter("case", str, description="受理编号"),
        ],
        responses={200: WarningSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        if not selectors.may_see_warnings(user):
            raise PermissionDenied("只有电子监察人员、中心管理员和部门工作人员可以查看预警")
        query = self.request.query_params
        params.known(query, "kind", "level", "status", "department", "case")
        qs = selectors.filtered(
            selectors.visible_warnings(user=user),
            kind=params.choice(query, "kind", Kind),
            level=params.choice(query, "level", Level),
            status=params.choice(query, "status", Status),
            department=params.integer(query, "department"),
        )
        number = params.text(query, "case")
        if number:
            if len(number) > 40:
                raise params.invalid_filter("case", number, "受理编号不超过 40 个字符")
            qs = qs.filter(case__number=number)
        return qs.order_by("-raised_at", "-id")


urlpatterns = [
    path("supervision/warnings/", WarningListApi.as_view(), name="supervision-warning-list"),
]
