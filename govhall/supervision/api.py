"""REST endpoint of 电子监察预警 (mounted under /api/v1/).

* ``GET /api/v1/supervision/warnings`` — the warnings the signed-in user may see
  (``selectors.visible_warnings``: all for the supervision office and the centre
  administrator, a department's own for its staff), newest first, paged; filters
  ``kind``, ``level``, ``status`` (open / cleared), ``department`` (id),
  ``raised_on`` (YYYY-MM-DD), ``case`` (受理编号). A bad value is 400 ``invalid_filter``; a user who may see no warnings
  403 ``permission_denied``.

督办单 (issue 11 §2), seen by the same rule (``selectors.visible_orders``):

* ``GET /api/v1/supervision/orders/`` — paged, filters ``state`` (issued / replied /
  accepted / returned / escalated / open), ``department`` (id), ``case`` (受理编号);
* ``POST /api/v1/supervision/orders/`` — issue (``case`` 受理编号, optional
  ``warning`` id, ``subject``): 201; the supervision office and the centre
  administrator only (403 ``permission_denied``); an unknown case 400
  ``case_not_found``, an unknown warning 400 ``warning_not_found``, a warning of
  another case 400 ``warning_mismatch``;
* ``GET /api/v1/supervision/orders/<number>/`` — one order (404 ``not_found``);
* ``POST …/<number>/reply/`` (``explanation``, ``measures``, ``files`` multipart) —
  the department's 首席代表 only; ``…/accept/`` (``opinion`` optional) and
  ``…/return/`` (``opinion`` required) — the supervision office only. An order in the
  wrong state is 409 ``wrong_state``; a missing text 400 ``required``; a bad file 400
  ``invalid_file``.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework import permissions as drf_permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.api.pagination import Pagination
from govhall.cases.models import Case
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed

from . import selectors, services
from .models import Kind, Level, OrderState, SupervisionOrder, Warning

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
    raised_on = serializers.DateField(help_text="预警日期：规则判定所依据的那一天")
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
            OpenApiParameter("raised_on", str, description="预警日期 YYYY-MM-DD"),
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
        params.known(query, "kind", "level", "status", "department", "case", "raised_on")
        qs = selectors.filtered(
            selectors.visible_warnings(user=user),
            kind=params.choice(query, "kind", Kind),
            level=params.choice(query, "level", Level),
            status=params.choice(query, "status", Status),
            department=params.integer(query, "department"),
            raised_on=params.date(query, "raised_on"),
        )
        number = params.text(query, "case")
        if number:
            if len(number) > 40:
                raise params.invalid_filter("case", number, "受理编号不超过 40 个字符")
            qs = qs.filter(case__number=number)
        return qs.order_by("-raised_at", "-id")


# --------------------------------------------------------------------------- 督办单

ORDER_DENIED = "只有电子监察人员、中心管理员和部门工作人员可以查看督办单"
OrderStateFilter = TextChoices(
    "OrderStateFilter", [(v, (v, label)) for v, label in selectors.ORDER_STATE_FILTERS]
)


class AttachmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return obj.file.url


class OrderSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="督办编号")
    case_number = serializers.CharField(source="case.number", help_text="受理编号")
    warning = serializers.IntegerField(source="warning_id", allow_null=True)
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    subject = serializers.CharField(help_text="督办事项")
    issued_by_name = serializers.CharField(source="issued_by.name", allow_null=True, default=None)
    issued_at = serializers.DateTimeField()
    reply_due = serializers.DateField(help_text="回复期限")
    state = serializers.ChoiceField(choices=OrderState.choices)
    state_label = serializers.CharField(source="get_state_display")
    escalated = serializers.BooleanField(help_text="逾期升级")
    escalated_at = serializers.DateTimeField(allow_null=True)
    explanation = serializers.CharField(help_text="情况说明")
    measures = serializers.CharField(help_text="整改措施")
    replied_by_name = serializers.CharField(source="replied_by.name", allow_null=True, default=None)
    replied_at = serializers.DateTimeField(allow_null=True)
    review_opinion = serializers.CharField(help_text="审核意见")
    reviewed_at = serializers.DateTimeField(allow_null=True)
    returns = serializers.IntegerField(help_text="退回次数")
    attachments = AttachmentSerializer(many=True, source="attachments.all")
    pdf_url = serializers.SerializerMethodField()

    def get_pdf_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("supervision:order_pdf", args=[obj.number])


class IssueInput(serializers.Serializer):
    case = serializers.CharField(max_length=40, help_text="受理编号")
    warning = serializers.IntegerField(required=False, allow_null=True, help_text="预警 id")
    subject = serializers.CharField(max_length=4000, help_text="督办事项")


class ReplyInput(serializers.Serializer):
    explanation = serializers.CharField(max_length=4000, allow_blank=True, default="")
    measures = serializers.CharField(max_length=4000, allow_blank=True, default="")


class ReviewInput(serializers.Serializer):
    opinion = serializers.CharField(max_length=4000, allow_blank=True, default="")


def _order(request, number: str) -> SupervisionOrder:
    if not selectors.may_see_warnings(request.user):
        raise PermissionDenied(ORDER_DENIED)
    order = selectors.visible_orders(user=request.user).filter(number=number[:20]).first()
    if order is None:
        raise NotFound("没有该督办单，或您无权查看")
    return order


class OrderListApi(generics.ListAPIView):
    serializer_class = OrderSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="督办单",
        parameters=[
            OpenApiParameter("state", str, enum=OrderStateFilter.values, description="状态"),
            OpenApiParameter("department", int, description="部门 id"),
            OpenApiParameter("case", str, description="受理编号"),
        ],
        responses={200: OrderSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="下达督办单",
        request=IssueInput,
        responses={201: OrderSerializer, **error_responses()},
    )
    def post(self, request, *args, **kwargs):
        data = params.validated(IssueInput, request.data)
        if not services.may_issue(request.user):
            raise PermissionDenied("只有电子监察人员和中心管理员可以下达督办单")
        case = Case.objects.filter(number=data["case"]).first()
        if case is None:
            raise ValidationFailed(
                "没有该受理编号的办件", code="case_not_found", fields={"case": ["不存在"]}
            )
        warning = None
        if data.get("warning") is not None:
            warning = Warning.objects.filter(pk=data["warning"]).first()
            if warning is None:
                raise ValidationFailed(
                    "预警不存在", code="warning_not_found", fields={"warning": ["不存在"]}
                )
        order = services.issue_order(
            actor=request.user, case=case, warning=warning, subject=data["subject"]
        )
        return Response(OrderSerializer(order).data, status=201)

    def get_queryset(self):
        user = self.request.user
        if not selectors.may_see_warnings(user):
            raise PermissionDenied(ORDER_DENIED)
        query = self.request.query_params
        params.known(query, "state", "department", "case")
        qs = selectors.filtered_orders(
            selectors.visible_orders(user=user),
            state=params.choice(query, "state", OrderStateFilter),
            department=params.integer(query, "department"),
        ).prefetch_related("attachments")
        number = params.text(query, "case")
        if number:
            if len(number) > 40:
                raise params.invalid_filter("case", number, "受理编号不超过 40 个字符")
            qs = qs.filter(case__number=number)
        return qs.order_by("-issued_at", "-id")


class OrderDetailApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG], summary="督办单详情", responses={200: OrderSerializer, **error_responses()}
    )
    def get(self, request, number: str):
        return Response(OrderSerializer(_order(request, number)).data)


class OrderReplyApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="回复督办单（被督办部门首席代表）",
        request=ReplyInput,
        responses={200: OrderSerializer, **error_responses()},
    )
    def post(self, request, number: str):
        order = _order(request, number)
        data = params.validated(ReplyInput, request.data)
        order = services.reply_order(
            actor=request.user,
            order=order,
            explanation=data["explanation"],
            measures=data["measures"],
            files=request.FILES.getlist("files"),
        )
        return Response(OrderSerializer(order).data)


class OrderReviewApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]
    accept = True

    @extend_schema(
        tags=[TAG],
        summary="审核督办回复（电子监察人员）",
        request=ReviewInput,
        responses={200: OrderSerializer, **error_responses()},
    )
    def post(self, request, number: str):
        order = _order(request, number)
        opinion = params.validated(ReviewInput, request.data)["opinion"]
        review = services.accept_reply if self.accept else services.return_reply
        order = review(actor=request.user, order=order, opinion=opinion)
        return Response(OrderSerializer(order).data)


urlpatterns = [
    path("supervision/warnings/", WarningListApi.as_view(), name="supervision-warning-list"),
    path("supervision/orders/", OrderListApi.as_view(), name="supervision-order-list"),
    path(
        "supervision/orders/<str:number>/",
        OrderDetailApi.as_view(),
        name="supervision-order-detail",
    ),
    path(
        "supervision/orders/<str:number>/reply/",
        OrderReplyApi.as_view(),
        name="supervision-order-reply",
    ),
    path(
        "supervision/orders/<str:number>/accept/",
        OrderReviewApi.as_view(accept=True),
        name="supervision-order-accept",
    ),
    path(
        "supervision/orders/<str:number>/return/",
        OrderReviewApi.as_view(accept=False),
        name="supervision-order-return",
    ),
]
