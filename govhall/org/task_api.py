"""REST endpoints of the background tasks (后台任务 / 死信, docs/tasks.md), mounted
under /api/v1/; the centre administrator only, as the staff page /staff/org/tasks/.

* ``GET /api/v1/tasks/?state=dead`` — deliveries in a state (default ``dead``),
  most recently changed first, paged; phones and ID numbers in kwargs masked.
* ``POST /api/v1/tasks/{id}/retry/`` — ``{"reason": "…"}`` (optional): a dead delivery
  is pending again and queued (audited ``core.delivery.retry``).
* ``POST /api/v1/tasks/{id}/discard/`` — ``{"reason": "…"}`` (required): a dead
  delivery is discarded, kept (audited ``core.delivery.discard``).
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework import permissions as drf_permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.api.fields import LabeledChoiceField
from govhall.api.pagination import Pagination
from govhall.core import tasks
from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.core.models import TaskDelivery

from . import permissions

TAG = "后台任务"
State = TaskDelivery.State
ERRORS = {
    "401": "未登录",
    "403": "只有中心管理员可以查看和处理后台任务",
}


def _require_admin(request) -> None:
    if not permissions.is_centre_admin(request.user):
        raise PermissionDenied("只有中心管理员可以查看和处理后台任务")


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    delivery_id = serializers.CharField(help_text="投递编号")
    task = serializers.CharField(source="task_path", help_text="任务（模块路径）")
    state = LabeledChoiceField(State.choices)
    kwargs = serializers.SerializerMethodField(help_text="参数（手机号、身份证号已脱敏）")
    attempts = serializers.IntegerField(help_text="已尝试次数")
    max_attempts = serializers.IntegerField(help_text="最多尝试次数")
    last_error = serializers.SerializerMethodField(help_text="最近错误（首行）")
    next_attempt_at = serializers.DateTimeField(allow_null=True, help_text="下次尝试")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True, help_text="完成/死信时间")

    def get_kwargs(self, obj) -> dict:
        return tasks.masked(obj.kwargs)

    def get_last_error(self, obj) -> str:
        return tasks.masked(obj.last_error.partition("\n\n")[0])


class DeliveryListApi(generics.ListAPIView):
    serializer_class = DeliverySerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="后台任务（默认列死信）",
        parameters=[
            OpenApiParameter("state", str, enum=State.values, description="状态，默认 dead")
        ],
        responses={
            200: DeliverySerializer(many=True),
            **error_responses(**ERRORS, **{"400": "invalid_filter：state 取值无效"}),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        _require_admin(self.request)
        query = self.request.query_params
        params.known(query, "state")
        state = params.choice(query, "state", State) or State.DEAD
        return TaskDelivery.objects.filter(state=state).order_by("-updated_at", "-id")


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


def _action(service, *, reason_required: bool):
    class ActionApi(APIView):
        permission_classes = [drf_permissions.IsAuthenticated]

        @extend_schema(
            tags=[TAG],
            summary="丢弃死信" if reason_required else "重试死信",
            request=ReasonIn,
            responses={
                200: DeliverySerializer,
                **error_responses(
                    **ERRORS,
                    **{
                        "400": "invalid_input：丢弃须填写理由" if reason_required else "—",
                        "404": "not_found：没有这个后台任务",
                        "409": "conflict：只有死信可以重试或丢弃",
                    },
                ),
            },
        )
        def post(self, request, pk):
            _require_admin(request)
            data = ReasonIn(data=request.data)
            data.is_valid(raise_exception=True)
            reason = data.validated_data["reason"].strip()
            if reason_required and not reason:
                raise ValidationFailed(
                    "丢弃须填写理由", code="invalid_input", fields={"reason": ["请填写理由"]}
                )
            delivery = service(actor=request.user, delivery_id=pk, reason=reason)
            return Response(DeliverySerializer(delivery).data)

    ActionApi.__name__ = ActionApi.__qualname__ = (
        "DeliveryDiscardApi" if reason_required else "DeliveryRetryApi"
    )
    return ActionApi


DeliveryRetryApi = _action(tasks.retry_delivery, reason_required=False)
DeliveryDiscardApi = _action(tasks.discard_delivery, reason_required=True)

urlpatterns = [
    path("tasks/", DeliveryListApi.as_view(), name="task-list"),
    path("tasks/<int:pk>/retry/", DeliveryRetryApi.as_view(), name="task-retry"),
    path("tasks/<int:pk>/discard/", DeliveryDiscardApi.as_view(), name="task-discard"),
]
