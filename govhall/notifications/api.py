"""REST endpoints of the staff inbox (mounted under /api/v1/); the signed-in user's own
messages only.

* ``GET /api/v1/notifications`` — delivered inbox messages, newest first
  (``?unread=true`` for the unread ones), paged; the body adds ``unread`` (the bell).
* ``POST /api/v1/notifications/read`` — ``{"ids": [...]}`` or ``{"all": true}``:
  mark read; answers how many changed and the unread count left.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework import permissions as drf_permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.api.fields import model_integer
from govhall.api.pagination import Pagination
from govhall.core.errors import ValidationFailed

from . import selectors, services
from .models import Notification

TAG = "消息"


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField(help_text="标题")
    body = serializers.CharField(help_text="内容")
    url = serializers.CharField(help_text="相关页面（站内链接）")
    ref = serializers.CharField(help_text="关联对象，如 cases.case:12")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class _InboxPagination(Pagination):
    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread"] = selectors.unread_count(user=self.request.user)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["unread"] = {"type": "integer", "description": "未读条数"}
        return schema


class NotificationListApi(generics.ListAPIView):
    serializer_class = NotificationSerializer
    pagination_class = _InboxPagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="我的消息（站内）",
        parameters=[OpenApiParameter("unread", bool, description="只列未读")],
        responses={200: NotificationSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.request.query_params
        params.known(query, "unread")
        qs = selectors.inbox(user=self.request.user)
        unread = params.boolean(query, "unread")
        if unread is not None:
            qs = qs.filter(read_at__isnull=unread)
        return qs


class ReadIn(serializers.Serializer):
    ids = serializers.ListField(
        child=model_integer(Notification, "id", min_value=1), required=False, max_length=500
    )
    all = serializers.BooleanField(required=False, default=False)


class NotificationReadApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="标为已读",
        request=ReadIn,
        responses={
            200: inline_serializer(
                "ReadOut",
                {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()},
            ),
            **error_responses(),
        },
    )
    def post(self, request):
        data = ReadIn(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data["all"] and not data.validated_data.get("ids"):
            raise ValidationFailed(
                "请给出 ids 或 all",
                code="invalid_input",
                fields={"ids": ["请给出要标为已读的消息"]},
            )
        ids = None if data.validated_data["all"] else data.validated_data["ids"]
        marked = services.mark_read(user=request.user, ids=ids)
        return Response({"marked": marked, "unread": selectors.unread_count(user=request.user)})


urlpatterns = [
    path("notifications/", NotificationListApi.as_view(), name="notification-list"),
    path("notifications/read/", NotificationReadApi.as_view(), name="notification-read"),
]
