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

from . import predict, rules, selectors

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


ESTIMATE_FIRST, ESTIMATE_LAST = 2015, 2100
ESTIMATE_ERRORS_400 = error_responses(
    **{
        "400": "invalid_year：年份缺失或不是整数；"
        f"year_out_of_range：年份应在{ESTIMATE_FIRST}至{ESTIMATE_LAST}年之间"
    }
)


class EstimatedDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=list(rules.KIND_LABELS), help_text="推算的类型")
    label = serializers.CharField(help_text="类型中文名：工作日 / 周末 / 法定节假日 / 调休上班")
    name = serializers.CharField(help_text="节日名称（可为空）")
    counted_as_workday = serializers.BooleanField(
        help_text="计算期限时是否按工作日计（待定的日子一律按工作日计，期限只会提前不会推后）"
    )
    certain = serializers.BooleanField(help_text="推算是否确定；false 即“待定”")


class EstimateSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    days = EstimatedDaySerializer(many=True)


def _year_param(params, name: str = "year") -> int:
    value = (params.get(name) or "").strip()
    if not (value.isascii() and value.isdigit()):
        shown = f"“{value[:20]}”" if value else "（缺失）"
        raise ValidationFailed(
            f"参数 {name} {shown}不是年份，应为四位整数，如 2027",
            code="invalid_year",
            fields={name: ["应为整数年份"]},
        )
    year = int(value)
    if not ESTIMATE_FIRST <= year <= ESTIMATE_LAST:
        raise ValidationFailed(
            f"年份应在{ESTIMATE_FIRST}至{ESTIMATE_LAST}年之间（收到 {value[:20]}）",
            code="year_out_of_range",
            fields={name: [f"应在{ESTIMATE_FIRST}至{ESTIMATE_LAST}年之间"]},
        )
    return year


class EstimateView(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        tags=[TAG],
        summary="推算某年的放假调休",
        description="按国务院历年放假安排的规律推算该年每一天（假定该年及以后的安排均未公布，"
        "只用此前年份的安排）：类型、是否确定、计算期限时是否按工作日计。"
        "不确定（待定）的日子一律按工作日计，据此算出的期限只会比正式安排提前，不会推后。",
        parameters=[
            OpenApiParameter(
                "year", int, required=True, description=f"年份（{ESTIMATE_FIRST}–{ESTIMATE_LAST}）"
            ),
        ],
        responses={200: EstimateSerializer, **ESTIMATE_ERRORS_400},
    )
    def get(self, request):
        year = _year_param(request.query_params)
        days = [
            {
                "date": d.date,
                "kind": d.kind,
                "label": d.label,
                "name": d.name,
                "counted_as_workday": predict.is_counted_workday(d),
                "certain": d.certain,
            }
            for d in predict.estimate(year)
        ]
        return Response(EstimateSerializer({"year": year, "days": days}).data)


urlpatterns = [
    path("calendar/add-workdays", AddWorkdaysView.as_view(), name="calendar-add-workdays"),
    path("calendar/workdays", WorkdaysView.as_view(), name="calendar-workdays"),
    path("calendar/estimate", EstimateView.as_view(), name="calendar-estimate"),
]
