"""REST endpoints of 电子监察's dashboard (mounted under /api/v1/ by govhall/api/urls.py).

* ``GET /api/v1/supervision/dashboard/`` — every figure of the dashboard
  (``dashboard.figures``): ``current`` (today's 在办 and lights), ``departments``,
  ``windows``, ``history``, ``trend``, ``ranking``, ``orders``. Filters ``department``
  (id), ``window`` (id), ``start`` / ``end`` (YYYY-MM-DD, the history period; default
  the last 30 days, at most three years).
* ``GET /api/v1/supervision/dashboard/cases/?measure=…`` — the cases behind a number
  (``dashboard.drill``), paged (``limit``, ``offset``), applicant ID numbers and
  phones masked. ``measure``: open / normal / yellow / red / overdue / paused (today)
  or received / accepted / completed / on_time / late (in the period); filters
  ``department``, ``window``, ``item`` (id), ``channel``, ``start``, ``end``.

Who: the supervision office and the centre administrator see the county; a
department's staff their own department (another department's id: 403
``permission_denied``); anyone else 403. Errors: 400 ``invalid_filter`` (an unknown
parameter, a bad id, date, channel or measure), 400 ``invalid_period`` (start after
end, longer than three years, outside 2000–2099), 404 ``department_not_found`` /
``window_not_found`` / ``item_not_found``.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.api.pagination import Pagination
from govhall.cases.api import CaseSerializer, list_row
from govhall.cases.models import Channel
from govhall.cases.selectors import LIST_VALUES
from govhall.core import clock
from govhall.core.errors import PermissionDenied

from . import dashboard

TAG = "电子监察"
_DATETIME = serializers.DateTimeField()

Measure = TextChoices("Measure", [(k, (k, label)) for k, label in dashboard.MEASURES.items()])

SCOPE_PARAMETERS = [
    OpenApiParameter("department", int, description="部门 id（部门工作人员只能查本部门）"),
    OpenApiParameter("window", int, description="窗口 id（办件承办人所在窗口；0 为未指定窗口）"),
    OpenApiParameter("start", str, description="统计开始日期 YYYY-MM-DD（默认最近 30 天）"),
    OpenApiParameter("end", str, description="统计结束日期 YYYY-MM-DD（默认今天）"),
]


def _scope(query) -> dict:
    return {
        "department_id": params.integer(query, "department"),
        "window_id": params.integer(query, "window", minimum=0),
        "start": params.date(query, "start"),
        "end": params.date(query, "end"),
    }


def _allowed(request) -> None:
    if not dashboard.may_see(request.user):
        raise PermissionDenied(dashboard.DENIED)


class DashboardApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="电子监察大屏数据",
        description=(
            "current：今日在办（open）、尚未受理（not_accepted）与各灯色（normal 正常、yellow 黄灯、"
            "red 红灯今日到期、overdue 超期、paused 暂停计时）；departments / windows：分部门、"
            "分窗口的同样数字，部门另有统计期间的收件 received、受理 accepted、办结 completed、"
            "按时办结 on_time、超时办结 late、按时办结率 on_time_rate（%）与未办结督办单；"
            "history：期间合计；trend：期间每日；ranking：按时办结率排名；orders：未办结督办单。"
        ),
        parameters=SCOPE_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, **error_responses()},
    )
    def get(self, request):
        _allowed(request)
        query = request.query_params
        params.known(query, "department", "window", "start", "end", paged=False)
        figures = dashboard.figures(user=request.user, today=clock.today(), **_scope(query))
        return Response(figures)


class DashboardCasesApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="电子监察大屏：数字背后的办件",
        parameters=[
            OpenApiParameter(
                "measure",
                str,
                enum=Measure.values,
                required=True,
                description="口径：" + "、".join(f"{k} {v}" for k, v in dashboard.MEASURES.items()),
            ),
            *SCOPE_PARAMETERS,
            OpenApiParameter("item", int, description="事项 id"),
            OpenApiParameter("channel", str, enum=Channel.values, description="申请渠道"),
        ],
        responses={200: CaseSerializer(many=True), **error_responses()},
    )
    def get(self, request):
        _allowed(request)
        query = request.query_params
        params.known(query, "measure", "department", "window", "start", "end", "item", "channel")
        measure = params.choice(query, "measure", Measure)
        if not measure:
            raise params.invalid_filter(
                "measure", "", "必填，可选值为 " + "、".join(Measure.values)
            )
        paginator = Pagination()
        cases = dashboard.drill(
            user=request.user,
            today=clock.today(),
            measure=measure,
            item_id=params.integer(query, "item"),
            channel=params.choice(query, "channel", Channel) or None,
            **_scope(query),
        )
        page = paginator.paginate_queryset(
            cases.values(*LIST_VALUES, "completed_at"), request, view=self
        )
        results = []
        for row in page:
            body = list_row(row)
            completed = row["completed_at"]
            body["completed_at"] = _DATETIME.to_representation(completed) if completed else None
            results.append(body)
        return paginator.get_paginated_response(results)


urlpatterns = [
    path("supervision/dashboard/", DashboardApi.as_view(), name="supervision-dashboard"),
    path(
        "supervision/dashboard/cases/",
        DashboardCasesApi.as_view(),
        name="supervision-dashboard-cases",
    ),
]
