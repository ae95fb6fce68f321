"""Public read-only REST endpoints of the catalogue (事项目录, mounted under /api/v1/).

The catalogue and its 办事指南 are public information. Only published versions are
shown: a draft (草稿) is never visible here. Every published version stays readable
at ``/items/{code}/versions/{number}/`` because a case keeps the version it was
accepted (受理) under. Reads go through ``catalog.selectors``.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.api.fields import LabeledChoiceField
from govhall.api.pagination import Pagination
from govhall.core.errors import NotFound
from govhall.org.api import DepartmentRefSerializer
from govhall.org.models import Department, Level

from . import selectors
from .models import (
    GUIDE_FIELDS,
    MATERIAL_FIELDS,
    SPECIAL_STEP_FIELDS,
    STEP_FIELDS,
    CaseType,
    CrossRegion,
    HandlingForm,
    Item,
    ItemStatus,
    ItemType,
    ItemVersion,
    LifeEvent,
    Material,
    SpecialStep,
    Step,
)

TAG = "事项目录"
ITEM_NOT_FOUND = {"404": "item_not_found：没有该实施编码的已发布事项"}

# --- serializers ---------------------------------------------------------------


class _ReadOnlyModelSerializer(serializers.ModelSerializer):
    """Choices rendered as ``{"value", "label"}``; nothing is writable."""

    serializer_choice_field = LabeledChoiceField


class MaterialSerializer(_ReadOnlyModelSerializer):
    """``id`` is what a case request names: materials[].material, 补正 corrections,
    容缺 tolerated."""

    class Meta:
        model = Material
        fields = ["id", *MATERIAL_FIELDS]
        read_only_fields = fields


class StepSerializer(_ReadOnlyModelSerializer):
    class Meta:
        model = Step
        fields = STEP_FIELDS
        read_only_fields = fields


class SpecialStepSerializer(_ReadOnlyModelSerializer):
    """``id`` is what a 特殊环节 request names (``step``)."""

    class Meta:
        model = SpecialStep
        fields = ["id", *SPECIAL_STEP_FIELDS]
        read_only_fields = fields


class _CurrentMixin(serializers.Serializer):
    is_current = serializers.SerializerMethodField(help_text="是否为今天施行的现行版本")

    def get_is_current(self, obj) -> bool:
        return obj.pk == self.context.get("current_id")


class VersionSummarySerializer(_CurrentMixin, _ReadOnlyModelSerializer):
    class Meta:
        model = ItemVersion
        fields = ["number", "name", "valid_from", "valid_to", "published_at", "change_note"]
        fields += ["is_current"]
        read_only_fields = fields


class VersionDetailSerializer(_CurrentMixin, _ReadOnlyModelSerializer):
    """One published 办事指南 in full: every guide element, materials, steps."""

    accept_levels = serializers.ListField(
        child=LabeledChoiceField(Level.choices), help_text="可受理层级"
    )
    materials = MaterialSerializer(many=True, help_text="申请材料")
    steps = StepSerializer(many=True, help_text="办理环节")
    special_steps = SpecialStepSerializer(many=True, help_text="特殊环节")

    class Meta:
        model = ItemVersion
        fields = ["number", "valid_from", "valid_to", "published_at", "change_note"]
        fields += ["is_current", *GUIDE_FIELDS, "accept_levels"]
        fields += ["materials", "steps", "special_steps"]
        read_only_fields = fields


class ItemFlagsSerializer(serializers.Serializer):
    accepting = serializers.BooleanField(
        source="item.accepting", help_text="中心可受理（在用、进驻、不在负面清单）"
    )
    status = LabeledChoiceField(ItemStatus.choices, source="item.status")
    is_stationed = serializers.BooleanField(source="item.is_stationed", help_text="进驻中心")
    on_negative_list = serializers.BooleanField(
        source="item.on_negative_list", help_text="负面清单"
    )
    at_most_one_visit = serializers.BooleanField(help_text="最多跑一次")
    allows_tolerance = serializers.BooleanField(help_text="容缺受理")
    has_fee = serializers.BooleanField(help_text="是否收费")
    is_certification = serializers.BooleanField(help_text="证明事项")
    intermediary_service = serializers.BooleanField(help_text="涉及中介服务")
    handling_form = LabeledChoiceField(HandlingForm.choices)
    cross_region = LabeledChoiceField(CrossRegion.choices, help_text="跨域通办")


class ItemRowSerializer(serializers.Serializer):
    """One row of the catalogue: an item with its current version (现行版本)."""

    implementation_code = serializers.CharField(source="item.implementation_code")
    basic_code = serializers.CharField(source="item.basic_code")
    name = serializers.CharField()
    type = LabeledChoiceField(ItemType.choices, source="item.type", help_text="事项类型")
    department = DepartmentRefSerializer(source="item.department", help_text="实施部门")
    case_type = LabeledChoiceField(CaseType.choices, help_text="办件类型")
    legal_limit_days = serializers.IntegerField(allow_null=True, help_text="法定时限（工作日）")
    promised_limit_days = serializers.IntegerField(allow_null=True, help_text="承诺时限（工作日）")
    accept_levels = serializers.ListField(
        child=LabeledChoiceField(Level.choices), help_text="可受理层级"
    )
    flags = ItemFlagsSerializer(source="*")
    version = serializers.IntegerField(source="number", help_text="现行版本号")
    valid_from = serializers.DateField(help_text="现行版本生效日期")


class ItemDepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="统一社会信用代码")
    name = serializers.CharField()
    short_name = serializers.CharField()
    phone = serializers.CharField(help_text="咨询电话")
    complaint_phone = serializers.CharField(help_text="投诉电话")


class LifeEventSerializer(_ReadOnlyModelSerializer):
    class Meta:
        model = LifeEvent
        fields = ["code", "name", "audience"]
        read_only_fields = fields


class ItemDetailSerializer(_ReadOnlyModelSerializer):
    department = ItemDepartmentSerializer(help_text="实施部门")
    accepting = serializers.BooleanField(help_text="中心可受理")
    life_events = LifeEventSerializer(many=True, help_text="主题")
    current_version = VersionDetailSerializer(
        source="current", allow_null=True, help_text="现行版本；尚未生效时为 null"
    )
    versions = VersionSummarySerializer(
        many=True, source="published", help_text="已发布的全部版本，新版在前"
    )

    class Meta:
        model = Item
        fields = ["implementation_code", "basic_code", "type", "status", "department"]
        fields += ["accepting", "is_stationed", "on_negative_list", "negative_list_reason"]
        fields += ["life_events", "current_version", "versions"]
        read_only_fields = fields


# --- views -----------------------------------------------------------------------


class _PublicItemMixin:
    """Views of one public item: ``load_item()`` reads it (``selectors.public_item``)
    and remembers which version is current, for ``is_current`` in the serializers."""

    current_id: int | None = None

    def load_item(self) -> tuple[Item, list[ItemVersion]]:
        code = self.kwargs["implementation_code"]
        if not params.fits_column(code, Item, "implementation_code"):
            raise NotFound("事项不存在", code="item_not_found")
        item, published, self.current_id = selectors.public_item(code=code)
        return item, published

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "current_id": self.current_id}


class ItemListApi(generics.ListAPIView):
    serializer_class = ItemRowSerializer
    pagination_class = Pagination

    @extend_schema(
        tags=[TAG],
        summary="事项目录（现行版本）",
        description=(
            "按部门、类型、受理层级、主题、是否可受理筛选；q 为子串检索（名称、关键词、"
            "部门、结果名称），两个汉字的查询如“户口”“社保”“营业”也能命中。"
        ),
        parameters=[
            OpenApiParameter("q", str, description="检索词，空格分隔的多个词须同时命中"),
            OpenApiParameter("department", int, description="实施部门 id"),
            OpenApiParameter("type", str, enum=ItemType.values, description="事项类型"),
            OpenApiParameter(
                "level", str, enum=Level.values, description="可受理层级：县级/乡镇级/村级"
            ),
            OpenApiParameter("life_event", str, description="主题编码"),
            OpenApiParameter(
                "accepting",
                bool,
                description="true：只列中心可受理的事项；false：只列暂停、取消、未进驻或负面清单事项",
            ),
        ],
        responses={
            200: ItemRowSerializer(many=True),
            **error_responses(**{"400": "invalid_filter：筛选参数取值无效（fields 中列出参数名）"}),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.request.query_params
        params.known(query, "q", "department", "type", "level", "life_event", "accepting")
        department = params.integer(query, "department")
        if department is not None and not Department.objects.filter(pk=department).exists():
            raise params.invalid_filter("department", str(department), "没有该 id 的部门")
        life_event = params.text(query, "life_event")
        if life_event and not LifeEvent.objects.filter(code=life_event).exists():
            raise params.invalid_filter("life_event", life_event, "没有该编码的主题")
        filters = dict(
            q=params.text(query, "q"),
            department_id=department,
            type=params.choice(query, "type", ItemType),
            level=params.choice(query, "level", Level),
            life_event=life_event,
        )
        return selectors.search_items(accepting=params.boolean(query, "accepting"), **filters)


class ItemDetailApi(_PublicItemMixin, generics.RetrieveAPIView):
    serializer_class = ItemDetailSerializer

    @extend_schema(
        tags=[TAG],
        summary="事项详情（含现行办事指南全文）",
        parameters=[
            OpenApiParameter(
                "implementation_code", str, OpenApiParameter.PATH, description="事项实施编码"
            )
        ],
        responses={200: ItemDetailSerializer, **error_responses(**ITEM_NOT_FOUND)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        item, published = self.load_item()
        item.published = published
        item.current = selectors.current_version(item=item) if self.current_id else None
        return item


class VersionListApi(_PublicItemMixin, generics.ListAPIView):
    serializer_class = VersionSummarySerializer
    pagination_class = None

    @extend_schema(
        tags=[TAG],
        summary="事项的已发布版本（新版在前）",
        parameters=[
            OpenApiParameter(
                "implementation_code", str, OpenApiParameter.PATH, description="事项实施编码"
            )
        ],
        responses={200: VersionSummarySerializer(many=True), **error_responses(**ITEM_NOT_FOUND)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params.known(self.request.query_params, paged=False)
        _item, published = self.load_item()
        return published


class VersionDetailApi(_PublicItemMixin, generics.RetrieveAPIView):
    serializer_class = VersionDetailSerializer

    @extend_schema(
        tags=[TAG],
        summary="事项某一版本的办事指南全文",
        parameters=[
            OpenApiParameter(
                "implementation_code", str, OpenApiParameter.PATH, description="事项实施编码"
            ),
            OpenApiParameter("number", int, OpenApiParameter.PATH, description="版本号"),
        ],
        responses={
            200: VersionDetailSerializer,
            **error_responses(
                **{"404": "item_not_found：事项不存在；version_not_found：没有该版本"}
            ),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        item, _published = self.load_item()
        number = self.kwargs["number"]
        if not params.fits_column(number, ItemVersion, "number"):
            raise NotFound(
                f"事项 {item.implementation_code} 没有第{number}版", code="version_not_found"
            )
        return selectors.get_version(item=item, number=number)


class LifeEventListApi(generics.ListAPIView):
    serializer_class = LifeEventSerializer
    pagination_class = None
    queryset = LifeEvent.objects.all()

    @extend_schema(tags=[TAG], summary="主题列表（life_event 筛选的取值）")
    def get(self, request, *args, **kwargs):
        params.known(request.query_params, paged=False)
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("items/", ItemListApi.as_view(), name="item-list"),
    path("items/<str:implementation_code>/", ItemDetailApi.as_view(), name="item-detail"),
    path(
        "items/<str:implementation_code>/versions/",
        VersionListApi.as_view(),
        name="item-version-list",
    ),
    path(
        "items/<str:implementation_code>/versions/<int:number>/",
        VersionDetailApi.as_view(),
        name="item-version-detail",
    ),
    path("life-events/", LifeEventListApi.as_view(), name="life-event-list"),
]
