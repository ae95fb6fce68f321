"""Public read-only REST endpoints of the lists (mounted under /api/v1/; docs/lists.md).

* ``GET lists/`` — every list: key, name, source, columns, its latest publication.
* ``GET lists/{key}/`` — the list as last published, or ``?date=YYYY-MM-DD`` as
  published on that day (404 ``not_published`` before its first publication). Never
  published and no date: today's rows, ``publication: null``.
* ``GET lists/{key}/publications/`` — its publications, newest first, with the counts
  and the (bounded) rows added, removed and changed each time.
* ``GET lists/{key}/compare/?from=&to=`` — the list on two dates: added, removed,
  changed (before and after).

Errors: an unknown key is 404 ``list_not_found``; a bad date 400 ``invalid_filter``;
``from`` or ``to`` missing 400 ``missing_parameter``; ``from`` after ``to`` 400
``invalid_range``.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.core import clock
from govhall.core.errors import NotFound, ValidationFailed

from . import registry, selectors
from .models import ListPublication

TAG = "清单"
KEY = OpenApiParameter(
    "key", str, OpenApiParameter.PATH, enum=list(registry.KEYS), description="清单代码"
)
UNKNOWN = {"404": "list_not_found：没有该清单"}


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    header = serializers.CharField(help_text="中文表头")


class PublicationSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(help_text="公布序号（每份清单从 1 起）")
    published_at = serializers.DateTimeField()
    published_on = serializers.DateField()
    published_by = serializers.CharField(source="actor_name")
    note = serializers.CharField()
    row_count = serializers.IntegerField()
    added = serializers.IntegerField(help_text="较上次公布新增的条目数")
    removed = serializers.IntegerField(help_text="较上次公布移出的条目数")
    changed = serializers.IntegerField(help_text="较上次公布内容变更的条目数")


class PublicationDetailSerializer(PublicationSerializer):
    changes = serializers.JSONField(
        help_text="{added, removed, changed:[{before, after, columns}]}"
    )


class ListSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField(help_text="公布依据")
    description = serializers.CharField()
    columns = ColumnSerializer(many=True)
    identity = serializers.ListField(child=serializers.CharField(), help_text="识别同一条目的列")


def _spec(spec) -> dict:
    return {
        "key": spec.key,
        "name": spec.name,
        "source": spec.source,
        "description": spec.description,
        "columns": [{"key": c.key, "header": c.header} for c in spec.columns],
        "identity": list(spec.identity),
    }


def _publication(p) -> dict | None:
    return None if p is None else PublicationSerializer(p).data


def _known_key(key: str):
    if not params.fits_column(key, ListPublication, "key"):
        raise NotFound("没有该清单", code="list_not_found")
    return registry.get(key)


class ListIndexApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="清单目录：各清单及其最近一次公布",
        responses={
            200: inline_serializer(
                "ListIndexRow",
                {"list": ListSerializer(), "publication": PublicationSerializer(allow_null=True)},
                many=True,
            )
        },
    )
    def get(self, request):
        params.known(request.query_params, paged=False)
        return Response(
            [
                {"list": _spec(row["spec"]), "publication": _publication(row["publication"])}
                for row in selectors.index()
            ]
        )


class ListDetailApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="一份清单（现行公布版本，或 date 当日公布的版本）",
        parameters=[
            KEY,
            OpenApiParameter("date", str, description="YYYY-MM-DD：该日公布的版本"),
        ],
        responses={
            200: inline_serializer(
                "ListDetail",
                {
                    "list": ListSerializer(),
                    "publication": PublicationSerializer(allow_null=True),
                    "rows": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **error_responses(
                **{
                    "400": "invalid_filter：date 不是 YYYY-MM-DD",
                    "404": "list_not_found：没有该清单；not_published：该日尚未公布",
                }
            ),
        },
    )
    def get(self, request, key):
        spec = _known_key(key)
        params.known(request.query_params, "date", paged=False)
        day = params.date(request.query_params, "date")
        if day is None:
            publication = selectors.latest(key=key)
            rows = publication.rows if publication else spec.rows(on=clock.today())
        else:
            publication = selectors.published_on(key=key, day=day)
            if publication is None:
                raise NotFound(f"{spec.name}在 {day} 尚未公布", code="not_published")
            rows = publication.rows
        return Response(
            {"list": _spec(spec), "publication": _publication(publication), "rows": rows}
        )


class PublicationListApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="一份清单的公布历史（新的在前）",
        parameters=[KEY],
        responses={200: PublicationDetailSerializer(many=True), **error_responses(**UNKNOWN)},
    )
    def get(self, request, key):
        _known_key(key)
        params.known(request.query_params, paged=False)
        return Response(
            PublicationDetailSerializer(selectors.publications(key=key), many=True).data
        )


class CompareApi(APIView):
    @extend_schema(
        tags=[TAG],
        summary="比对一份清单在两个日期公布的版本",
        parameters=[
            KEY,
            OpenApiParameter("from", str, required=True, description="起始日期 YYYY-MM-DD"),
            OpenApiParameter("to", str, required=True, description="截止日期 YYYY-MM-DD"),
        ],
        responses={
            200: inline_serializer(
                "ListComparison",
                {
                    "list": ListSerializer(),
                    "from": serializers.DateField(),
                    "to": serializers.DateField(),
                    "before": PublicationSerializer(allow_null=True),
                    "after": PublicationSerializer(allow_null=True),
                    "added": serializers.ListField(child=serializers.DictField()),
                    "removed": serializers.ListField(child=serializers.DictField()),
                    "changed": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **error_responses(
                **{
                    "400": "invalid_filter：日期格式错误；missing_parameter：缺少 from 或 to；"
                    "invalid_range：from 晚于 to",
                    **UNKNOWN,
                }
            ),
        },
    )
    def get(self, request, key):
        spec = _known_key(key)
        query = request.query_params
        params.known(query, "from", "to", paged=False)
        start, end = params.date(query, "from"), params.date(query, "to")
        missing = [name for name, value in (("from", start), ("to", end)) if value is None]
        if missing:
            raise ValidationFailed(
                f"请提供比对日期 {'、'.join(missing)}（YYYY-MM-DD）",
                code="missing_parameter",
                fields={name: ["必填"] for name in missing},
            )
        result = selectors.compare(key=key, start=start, end=end)
        return Response(
            {
                "list": _spec(spec),
                "from": start.isoformat(),
                "to": end.isoformat(),
                "before": _publication(result.before),
                "after": _publication(result.after),
                "added": result.diff.added,
                "removed": result.diff.removed,
                "changed": [
                    {"before": c.before, "after": c.after, "columns": c.columns}
                    for c in result.diff.changed
                ],
            }
        )


urlpatterns = [
    path("lists/", ListIndexApi.as_view(), name="list-index"),
    path("lists/<str:key>/", ListDetailApi.as_view(), name="list-detail"),
    path("lists/<str:key>/publications/", PublicationListApi.as_view(), name="list-publications"),
    path("lists/<str:key>/compare/", CompareApi.as_view(), name="list-compare"),
]
