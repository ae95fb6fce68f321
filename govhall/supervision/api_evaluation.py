"""REST endpoints of 电子监察's evaluation (mounted under /api/v1/ by govhall/api/urls.py).

* ``GET /api/v1/supervision/evaluation/?period=2026-11|2026-Q4|2026&level=department|
  window|staff&department=<id>`` — every unit's indicators (figure, score, weight),
  weighted score and rank (``evaluation.evaluate``), with the period, the weights and
  the formulas. ``period`` defaults to this year, ``level`` to department.
* ``GET /api/v1/supervision/evaluation/ranking/?period=…`` — the departments in rank
  order (名次, 得分, 按时办结率).

Who sees what: the supervision office and the centre administrator every unit; a
department's staff their own department (``department`` of another is 403
``permission_denied``); anyone else 403. A bad period is 400 ``invalid_period``; a bad
``level`` or ``department``, or an unknown parameter, 400 ``invalid_filter``.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.core.errors import PermissionDenied

from . import evaluation
from .evaluation import INDICATORS, LEVELS, Period

TAG = "电子监察"
Level = TextChoices("Level", [(k, (k, label)) for k, label in LEVELS.items()])
PERIOD = OpenApiParameter(
    "period", str, description="评估期间：2026-11（月）、2026-Q4（季度）、2026（年度）；默认本年度"
)


def _period(query) -> Period:
    value = params.text(query, "period")
    return Period.parse(value) if value else evaluation.default_period()


def _head(period: Period) -> dict:
    return {
        "period": {
            "code": period.code,
            "kind": period.kind,
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "weights": evaluation.weights(),
        "indicators": [
            {"key": i.key, "label": i.label, "meaning": i.meaning, "formula": i.formula}
            for i in INDICATORS
        ],
        "formula": "Σ(权重 × 指标得分) ÷ Σ(有数据指标的权重)",
    }


def _check(user) -> None:
    if not evaluation.may_see(user):
        raise PermissionDenied("只有电子监察人员、中心管理员和部门工作人员可以查看绩效评估")


class EvaluationApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="绩效评估",
        parameters=[
            PERIOD,
            OpenApiParameter(
                "level", str, enum=Level.values, description="评估对象，默认 department"
            ),
            OpenApiParameter(
                "department", int, description="部门 id（部门工作人员只能查看本部门）"
            ),
        ],
        responses={200: OpenApiTypes.OBJECT, **error_responses()},
    )
    def get(self, request):
        _check(request.user)
        query = request.query_params
        params.known(query, "period", "level", "department", paged=False)
        period = _period(query)
        level = params.choice(query, "level", Level) or "department"
        department = evaluation.scope_for(request.user, params.integer(query, "department"))
        rows = evaluation.evaluate(period=period, level=level, department_id=department)
        return Response(_head(period) | {"level": level, "results": [r.as_dict() for r in rows]})


class RankingApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="部门绩效排名",
        parameters=[PERIOD],
        responses={200: OpenApiTypes.OBJECT, **error_responses()},
    )
    def get(self, request):
        _check(request.user)
        query = request.query_params
        params.known(query, "period", paged=False)
        period = _period(query)
        own = evaluation.own_department(request.user)
        rows = evaluation.evaluate(period=period, level="department", department_id=own)
        results = [
            {
                "rank": r.rank,
                "ranked_of": r.of,
                "department": r.unit_id,
                "name": r.name,
                "score": None if r.score is None else round(r.score, 1),
                "on_time_rate": r.value("on_time_rate").raw,
                "received": r.figures["received"],
                "completed": r.figures["completed"],
            }
            for r in rows
        ]
        return Response(_head(period) | {"results": results})


urlpatterns = [
    path("supervision/evaluation/", EvaluationApi.as_view(), name="supervision-evaluation"),
    path(
        "supervision/evaluation/ranking/",
        RankingApi.as_view(),
        name="supervision-evaluation-ranking",
    ),
]
