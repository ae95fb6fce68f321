"""``GET /api/v1/items/find?q=…`` — the finder through the API (R-FIND-1): the same
:func:`govhall.finder.selectors.find` as the portal, the desk and the kiosk, each hit
with its score and the reasons it matched. Public, like the catalogue it searches.
"""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.core.errors import ValidationFailed
from govhall.org import site as org_site

from . import selectors, throttle
from .models import Channel

TAG = "事项目录"
HOTLINE = "12345"


class Throttled(exceptions.APIException):
    status_code = 429
    default_code = throttle.CODE
    default_detail = throttle.MESSAGE


class FindReasonSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text="code、name、keywords、result、pinyin、similar、meaning"
    )
    label = serializers.CharField()
    words = serializers.CharField(allow_blank=True)


class FindLifeEventSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FindHitSerializer(serializers.Serializer):
    implementation_code = serializers.CharField(source="item.implementation_code")
    name = serializers.CharField(source="version.name")
    department = serializers.CharField(source="item.department.name")
    accepting = serializers.BooleanField(source="item.accepting")
    score = serializers.FloatField(
        help_text="排序分：越大越相关（字词命中 1 以上，仅意思相近 0–1）"
    )
    similarity = serializers.FloatField(help_text="与办事指南的语义相似度（余弦）")
    reasons = FindReasonSerializer(many=True)
    life_events = FindLifeEventSerializer(many=True)
    url = serializers.SerializerMethodField()

    def get_url(self, hit) -> str:
        return reverse("api:item-detail", args=[hit.item.implementation_code])


class FindingSerializer(serializers.Serializer):
    query = serializers.CharField()
    found = serializers.BooleanField(help_text="false：没有足够相近的事项（不列无关事项）")
    search_id = serializers.IntegerField(allow_null=True, help_text="检索记录编号")
    results = FindHitSerializer(many=True, source="hits")
    life_events = FindLifeEventSerializer(many=True, help_text="结果所属的主题")
    help = serializers.SerializerMethodField(help_text="没有结果时：咨询电话和 12345 热线")

    def get_help(self, finding) -> dict:
        return {"consult_phone": org_site.county_centre_phone(), "hotline": HOTLINE}


class FindApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="说说您要办什么：按描述查找事项（名称、俗称、编码、拼音与语义）",
        parameters=[
            OpenApiParameter("q", str, description="描述或事项名称，最多100字", required=True),
            OpenApiParameter("limit", int, description="最多返回条数，1–50，默认10"),
            OpenApiParameter("accepting", bool, description="true：只返回中心可受理的事项"),
        ],
        responses={
            200: FindingSerializer,
            **error_responses(
                **{
                    "400": "query_required：缺少 q；query_too_long：超过100字；"
                    "invalid_filter：参数取值无效",
                    "429": "finder_throttled：同一地址查询过于频繁",
                }
            ),
        },
    )
    def get(self, request):
        query = request.query_params
        params.known(query, "q", "limit", "accepting", paged=False)
        if throttle.exceeded(request):
            raise Throttled()
        q = params.text(query, "q")
        if not q:
            raise ValidationFailed(
                "请填写要查找的内容（q）", code="query_required", fields={"q": ["必填"]}
            )
        finding = selectors.find(
            q=q,
            channel=Channel.API,
            limit=params.integer(query, "limit", maximum=selectors.LIMIT_MAX) or 10,
            accepting_only=bool(params.boolean(query, "accepting")),
        )
        return Response(FindingSerializer(finding).data)


urlpatterns = [path("items/find/", FindApi.as_view(), name="item-find")]
