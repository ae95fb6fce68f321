"""REST endpoints of the working-day calendar (工作日计算), mounted under /api/v1/.

Public and read-only: anyone (the portal, a township service point, another system)
may ask "N working days after this date" or "working days between two dates" and
gets the answer govhall itself uses, with ``provisional`` true when a year without an
official schedule (推算) is involved. Errors: 400 ``{"code", "message"}``.
"""

from __future__ import annotations

import datetime as dt

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api.errors import error_responses
from govhall.core.errors import ValidationFailed

from . import selectors

TAG = "工作日历"
ERRORS_400 = error_responses(
    **{
        "400": "invalid_date：日期格式不正确（YYYY-MM-DD）；invalid_days：天数不是非负整数；"
        "date_out_of_range：日期超出工作日历范围（2004年至今后10年）"
    }
)


class AddWorkdaysSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="第 N 个工作日的日期（起始日不计）")
    provisional = serializers.BooleanField(help_text="是否涉及尚无正式放假安排的年份（推算，暂定）")


class WorkdayCountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="区间 (from, to] 内的工作日数")
    provisional = serializers.BooleanField(help_text="是否涉及尚无正式放假安排的年份（推算，暂定）")


# More working days than the calendar's whole range (2004 to ten years ahead) is no
# question anyone asks; the bound keeps a huge number from becoming a long loop.
DAYS_MAX = 10_000


def _date_param(params, name: str) -> dt.date:
    value = (params.get(name) or "").strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        shown = f"“{value[:20]}”" if value else "（缺失）"
        raise ValidationFailed(
            f"参数 {name} 的日期{shown}格式不正确，应为 YYYY-MM-DD",
            code="invalid_date",
            fields={name: ["应为 YYYY-MM-DD 格式的日期"]},
        ) from None


def _days_param(params, name: str) -> int:
    value = (params.get(name) or "").strip()
    try:
        days = int(value) if value.isascii() else -1
    except ValueError:
        days = -1
    if not 0 <= days <= DAYS_MAX:
        raise ValidationFailed(
            f"参数 {name} 应为 0 至 {DAYS_MAX} 之间的整数（收到“{value[:20]}”）",
            code="invalid_days",
            fields={name: [f"应为 0 至 {DAYS_MAX} 之间的整数"]},
        )
    return days


class AddWorkdaysView(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        tags=[TAG],
        summary="起始日加 N 个工作日",
        description="行政许可法惯例：起始日（如受理日）不计，第 1 个工作日为其后的第一个工作日；"
        "调休上班日计入，法定节假日不计。days=0 返回起始日本身。",
        parameters=[
            OpenApiParameter("start", dt.date, required=True, description="起始日期 YYYY-MM-DD"),
            OpenApiParameter("days", int, required=True, description="工作日数（非负整数）"),
        ],
        responses={200: AddWorkdaysSerializer, **ERRORS_400},
    )
    def get(self, request):
        result = selectors.add_workdays(
            start=_date_param(request.query_params, "start"),
            days=_days_param(request.query_params, "days"),
        )
        return Response(AddWorkdaysSerializer(result._asdict()).data)


class WorkdaysView(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        tags=[TAG],
        summary="两日期之间的工作日数",
        description="统计区间 (from, to] 的工作日数：from 当天不计，to 当天计入；to 不晚于 from 时为 0。",
        parameters=[
            OpenApiParameter("from", dt.date, required=True, description="起始日期（不计）"),
            OpenApiParameter("to", dt.date, required=True, description="截止日期（计入）"),
        ],
        responses={200: WorkdayCountSerializer, **ERRORS_400},
    )
    def get(self, request):
        result = selectors.workdays_between(
            start=_date_param(request.query_params, "from"),
            end=_date_param(request.query_params, "to"),
        )
        return Response(WorkdayCountSerializer(result._asdict()).data)


urlpatterns = [
    path("calendar/add-workdays", AddWorkdaysView.as_view(), name="calendar-add-workdays"),
    path("calendar/workdays", WorkdaysView.as_view(), name="calendar-workdays"),
]
