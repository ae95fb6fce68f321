"""收费记录 of a case (mounted under /api/v1/ with the cases routes).

* ``GET /api/v1/cases/{受理编号}/fees/`` — the case's fees, oldest first, cancelled
  ones included (``cancelled``), for whoever may see the case;
* ``POST`` the same — 登记收费 (``name``, ``amount`` in fen, optional ``fee_line`` id
  of the guide's 收费清单, ``note``): 201; the case's department only;
* ``POST /api/v1/cases/{受理编号}/fees/{id}/cancel/`` (``reason``) — 撤销收费记录.

Errors (``{code, message, fields}``): 400 ``validation_failed`` (a field of the wrong
type), ``invalid_amount`` (not 1 … 10,000,000 fen), ``required``, ``too_long``,
``invalid_text``, ``fee_line_not_found``, ``fee_line_mismatch`` (a line of another
guide); 403 ``permission_denied``; 404 ``case_not_found``, ``fee_not_found``; 409
``invalid_state`` (refused, withdrawn, terminated or archived), ``bundle_parent``,
``fee_cancelled``. Paths work with and without the final slash.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.catalog.models import FeeLine
from govhall.core.errors import NotFound, ValidationFailed

from . import selectors, services
from .models import CaseFee

TAG = "办件"
_NAME_MAX = CaseFee._meta.get_field("name").max_length
_NOTE_MAX = CaseFee._meta.get_field("note").max_length
_INT_MAX = 2**31 - 1


class FeeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="收费项目")
    amount = serializers.IntegerField(help_text="金额（分）")
    fee_line = serializers.IntegerField(
        source="fee_line_id", allow_null=True, help_text="收费清单项目 id"
    )
    note = serializers.CharField(help_text="备注")
    recorded_by = serializers.CharField(source="recorded_by.name", help_text="登记人")
    recorded_at = serializers.DateTimeField()
    cancelled = serializers.BooleanField(source="is_cancelled", help_text="已撤销")
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField(help_text="撤销理由")


class FeeIn(serializers.Serializer):
    name = serializers.CharField(
        max_length=_NAME_MAX, required=False, allow_blank=True, default="", help_text="收费项目"
    )
    amount = serializers.IntegerField(help_text="金额（分）：1 至 10000000")
    fee_line = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=_INT_MAX,
        help_text="收费清单项目 id（办事指南的收费清单）",
    )
    note = serializers.CharField(
        max_length=_NOTE_MAX, required=False, allow_blank=True, default="", help_text="备注"
    )


class CancelIn(serializers.Serializer):
    reason = serializers.CharField(max_length=_NOTE_MAX, allow_blank=True, help_text="撤销理由")


class CaseFeeListApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="收费记录",
        responses={
            200: FeeSerializer(many=True),
            **error_responses(**{"403": "permission_denied", "404": "case_not_found"}),
        },
    )
    def get(self, request, number: str):
        case = selectors.case_by_number(number=number, user=request.user)
        return Response(FeeSerializer(selectors.case_fees(case=case), many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="登记收费（办件所属部门）",
        request=FeeIn,
        responses={
            201: FeeSerializer,
            **error_responses(
                **{
                    "400": "validation_failed, invalid_amount, required, too_long, "
                    "fee_line_not_found, fee_line_mismatch",
                    "403": "permission_denied",
                    "404": "case_not_found",
                    "409": "invalid_state, bundle_parent",
                }
            ),
        },
    )
    def post(self, request, number: str):
        case = selectors.case_by_number(number=number, user=request.user)
        data = params.validated(FeeIn, request.data)
        line = None
        if data.get("fee_line") is not None:
            line = FeeLine.objects.filter(pk=data["fee_line"]).first()
            if line is None:
                raise ValidationFailed(
                    "收费清单项目不存在", code="fee_line_not_found", fields={"fee_line": ["不存在"]}
                )
        fee = services.record_fee(
            actor=request.user,
            case=case,
            name=data["name"],
            amount=data["amount"],
            fee_line=line,
            note=data["note"],
        )
        fee = selectors.case_fees(case=case).get(pk=fee.pk)
        return Response(FeeSerializer(fee).data, status=201)


class CaseFeeCancelApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="撤销收费记录（办件所属部门）",
        request=CancelIn,
        responses={
            200: FeeSerializer,
            **error_responses(
                **{
                    "400": "validation_failed, required, too_long",
                    "403": "permission_denied",
                    "404": "case_not_found, fee_not_found",
                    "409": "invalid_state, fee_cancelled",
                }
            ),
        },
    )
    def post(self, request, number: str, fee_id: int):
        case = selectors.case_by_number(number=number, user=request.user)
        fee = selectors.case_fee(case=case, pk=fee_id)
        if fee is None:
            raise NotFound("没有该收费记录", code="fee_not_found")
        reason = params.validated(CancelIn, request.data)["reason"]
        services.cancel_fee(actor=request.user, fee=fee, reason=reason)
        fee = selectors.case_fees(case=case).get(pk=fee.pk)
        return Response(FeeSerializer(fee).data)


class _Hidden:
    schema = None


def _both(route: str, view, name: str) -> list:
    """``route/`` documented, ``route`` (no slash) served too but not documented."""
    hidden = type(view.__name__ + "NoSlash", (_Hidden, view), {})
    return [path(route + "/", view.as_view(), name=name), path(route, hidden.as_view())]


urlpatterns: list = [
    *_both("cases/<str:number>/fees", CaseFeeListApi, "case-fees"),
    *_both("cases/<str:number>/fees/<int:fee_id>/cancel", CaseFeeCancelApi, "case-fee-cancel"),
]
