"""REST endpoints of 电子监察's reviews (mounted under /api/v1/ by govhall/api/urls.py):
卷宗评查, 现场巡查 / 窗口自查 and 第三方评估 (issue 11 §3). Seen by the rule of the
warnings (the office and the centre administrator all, a department's staff their
own, anyone else 403 ``permission_denied``); written by the office, except 整改 (the
inspected department's 首席代表).

* ``GET supervision/reviews/`` — the sampled files, paged; ``month`` (YYYY-MM),
  ``department`` (id), ``state`` (open / finished);
* ``GET supervision/reviews/<id>/`` — one file with its findings;
* ``POST supervision/reviews/<id>/save/`` and ``…/finish/`` — ``findings`` (``item``,
  ``awarded``, ``note``) and ``summary``; a finished review is 409 ``wrong_state``;
* ``GET supervision/review-scores/?month=YYYY-MM`` — per department: drawn,
  finished, average score, special-step abuse; and the abuse list;
* ``POST supervision/review-draws/`` — ``month``, ``seed`` (optional), ``quotas``
  (``department``, ``kind`` count/percent, ``value``): 201; a month drawn already 409
  ``already_drawn``, a month not over 400 ``month_not_over``;
* ``GET``/``POST supervision/review-checklist/`` — the current 评查标准 / a new
  version (``items``: ``title``, ``points``, ``prefill``; ``note``);
* ``GET``/``POST supervision/inspections/`` — list (``kind``, ``state``,
  ``department``) / record (multipart ``photos`` allowed);
  ``GET …/<id>/``; ``POST …/<id>/fix/`` (``fix``, ``photos``); ``POST …/<id>/check/``
  (``passed``, ``opinion``);
* ``GET``/``POST supervision/third-party-scores/`` (``department`` filter).

Errors: 400 ``validation_failed`` (the body's shape), ``required``, ``too_long``,
``out_of_range``, ``invalid_number``, ``invalid_choice``, ``invalid_month``,
``invalid_file``, ``invalid_filter``, ``month_not_over``, ``department_not_found``,
``item_not_found``, ``window_mismatch``, ``future_date``, ``invalid_period``; 403
``permission_denied``; 404 ``not_found``; 409 ``already_drawn``, ``wrong_state``.
"""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework import permissions as drf_permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.api.pagination import Pagination
from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.org.models import Department, Window

from . import reviews
from .models import (
    Check,
    InspectionKind,
    InspectionState,
    QuotaKind,
    ReviewDraw,
    ReviewState,
)

TAG = "电子监察 · 卷宗评查与巡查"
DENIED = "只有电子监察人员、中心管理员和部门工作人员可以查看评查和巡查记录"
INT_MAX = 2**31 - 1


def _see(request) -> None:
    if not reviews.may_see(request.user):
        raise PermissionDenied(DENIED)


def _month(query, name="month"):
    value = params.text(query, name)
    return reviews.parse_month(value, name) if value else None


# --------------------------------------------------------------------------- serializers


class FindingSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id", help_text="评查项目 id")
    title = serializers.CharField(source="item.title")
    points = serializers.IntegerField(source="item.points", help_text="分值")
    prefill = serializers.CharField(source="item.prefill", help_text="系统预填类别，空为人工评查")
    awarded = serializers.IntegerField(help_text="得分")
    note = serializers.CharField(help_text="评查发现")
    system_problem = serializers.BooleanField(help_text="系统发现问题")
    system_note = serializers.CharField(help_text="系统预填说明")


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    month = serializers.DateField(source="draw.month", format="%Y-%m")
    case_number = serializers.CharField(source="case.number", help_text="受理编号")
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    checklist_version = serializers.IntegerField(source="checklist.version")
    state = serializers.ChoiceField(choices=ReviewState.choices)
    state_label = serializers.CharField(source="get_state_display")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    special_abuse = serializers.BooleanField(help_text="特殊环节滥用")
    summary = serializers.CharField(help_text="评查意见")
    reviewer_name = serializers.CharField(source="reviewer.name", allow_null=True, default=None)
    finished_at = serializers.DateTimeField(allow_null=True)


class ReviewDetailSerializer(ReviewSerializer):
    findings = serializers.SerializerMethodField()

    def get_findings(self, obj) -> list[dict]:
        rows = obj.findings.select_related("item").order_by("item__order", "item_id")
        return FindingSerializer(rows, many=True).data


class FindingInput(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    awarded = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(max_length=2000, allow_blank=True, default="")


class FileReviewInput(serializers.Serializer):
    findings = FindingInput(many=True, required=False, default=list)
    summary = serializers.CharField(max_length=4000, allow_blank=True, required=False)

    def validate_findings(self, value):
        if len(value) > reviews.MAX_ITEMS:
            raise serializers.ValidationError(f"评查项目不超过 {reviews.MAX_ITEMS} 个")
        return value


class QuotaInput(serializers.Serializer):
    department = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    kind = serializers.ChoiceField(choices=QuotaKind.choices, default=QuotaKind.COUNT)
    value = serializers.IntegerField(min_value=0, max_value=1000)


class DrawInput(serializers.Serializer):
    month = serializers.CharField(max_length=7, help_text="YYYY-MM")
    seed = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=reviews.MAX_SEED
    )
    quotas = QuotaInput(many=True)

    def validate_quotas(self, value):
        if len(value) > 500:
            raise serializers.ValidationError("部门过多")
        return value


class QuotaSerializer(serializers.Serializer):
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    kind = serializers.CharField()
    value = serializers.IntegerField()
    population = serializers.IntegerField(help_text="当月办结件数")
    drawn = serializers.IntegerField(help_text="抽取件数")


class DrawSerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m")
    seed = serializers.IntegerField(help_text="随机种子")
    checklist_version = serializers.IntegerField(source="checklist.version")
    drawn_at = serializers.DateTimeField()
    quotas = QuotaSerializer(many=True, source="quotas.all")
    reviews = serializers.SerializerMethodField()

    def get_reviews(self, obj) -> list[str]:
        return list(obj.reviews.order_by("case__number").values_list("case__number", flat=True))


class ChecklistItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    title = serializers.CharField()
    points = serializers.IntegerField()
    prefill = serializers.CharField()
    prefill_label = serializers.CharField(source="get_prefill_display")


class ChecklistSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    items = ChecklistItemSerializer(many=True, source="items.all")


class ChecklistItemInput(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    points = serializers.IntegerField(min_value=1, max_value=100)
    prefill = serializers.ChoiceField(choices=Check.choices, default="", allow_blank=True)


class ChecklistInput(serializers.Serializer):
    items = ChecklistItemInput(many=True)
    note = serializers.CharField(max_length=200, allow_blank=True, default="")

    def validate_items(self, value):
        if not value or len(value) > reviews.MAX_ITEMS:
            raise serializers.ValidationError(f"评查项目应为 1 至 {reviews.MAX_ITEMS} 个")
        return value


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return reverse("supervision:inspection_photo", args=[obj.inspection_id, obj.pk])


class InspectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    window = serializers.IntegerField(source="window_id", allow_null=True)
    inspector = serializers.CharField(help_text="检查人")
    inspected_on = serializers.DateField()
    findings = serializers.CharField(help_text="检查情况")
    problem = serializers.CharField(help_text="发现问题")
    state = serializers.ChoiceField(choices=InspectionState.choices)
    state_label = serializers.CharField(source="get_state_display")
    fix = serializers.CharField(help_text="整改情况")
    fixed_at = serializers.DateTimeField(allow_null=True)
    check_opinion = serializers.CharField(help_text="复查意见")
    checked_at = serializers.DateTimeField(allow_null=True)
    returns = serializers.IntegerField(help_text="复查未通过次数")
    photos = PhotoSerializer(many=True, source="photos.all")


class InspectionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    department = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    window = serializers.IntegerField(
        min_value=1, max_value=INT_MAX, required=False, allow_null=True
    )
    inspected_on = serializers.DateField()
    inspector = serializers.CharField(max_length=50)
    findings = serializers.CharField(max_length=4000)
    problem = serializers.CharField(max_length=4000, allow_blank=True, default="")


class FixInput(serializers.Serializer):
    fix = serializers.CharField(max_length=4000, allow_blank=True, default="")


class CheckInput(serializers.Serializer):
    passed = serializers.BooleanField()
    opinion = serializers.CharField(max_length=4000, allow_blank=True, default="")


class ThirdPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    source = serializers.CharField(help_text="评估机构")
    note = serializers.CharField()
    entered_at = serializers.DateTimeField()


class ThirdPartyInput(serializers.Serializer):
    department = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100)
    source = serializers.CharField(max_length=100)
    note = serializers.CharField(max_length=4000, allow_blank=True, default="")


def _department(pk: int, name: str = "department") -> Department:
    dept = Department.objects.filter(pk=pk).first()
    if dept is None:
        raise ValidationFailed("部门不存在", code="department_not_found", fields={name: ["不存在"]})
    return dept


# --------------------------------------------------------------------------- reviews


class ReviewListApi(generics.ListAPIView):
    serializer_class = ReviewSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="卷宗评查",
        parameters=[
            OpenApiParameter("month", str, description="评查月份 YYYY-MM"),
            OpenApiParameter("department", int, description="部门 id"),
            OpenApiParameter("state", str, enum=ReviewState.values, description="状态"),
        ],
        responses={200: ReviewSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        _see(self.request)
        query = self.request.query_params
        params.known(query, "month", "department", "state")
        qs = reviews.visible_reviews(user=self.request.user).select_related("checklist")
        month = _month(query)
        if month:
            qs = qs.filter(draw__month=month)
        dept = params.integer(query, "department")
        if dept:
            qs = qs.filter(department_id=dept)
        state = params.choice(query, "state", ReviewState)
        if state:
            qs = qs.filter(state=state)
        return qs.order_by("-draw__month", "department_id", "case__number")


class ReviewDetailApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="卷宗评查详情",
        responses={200: ReviewDetailSerializer, **error_responses()},
    )
    def get(self, request, pk: int):
        _see(request)
        return Response(ReviewDetailSerializer(reviews.get_review(user=request.user, pk=pk)).data)


class ReviewWriteApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]
    finish = False

    @extend_schema(
        tags=[TAG],
        summary="保存或完成卷宗评查（电子监察人员）",
        request=FileReviewInput,
        responses={200: ReviewDetailSerializer, **error_responses()},
    )
    def post(self, request, pk: int):
        _see(request)
        review = reviews.get_review(user=request.user, pk=pk)
        data = params.validated(FileReviewInput, request.data)
        write = reviews.finish_review if self.finish else reviews.save_review
        review = write(
            actor=request.user,
            review=review,
            findings=[dict(f) for f in data["findings"]],
            summary=data.get("summary"),
        )
        return Response(ReviewDetailSerializer(reviews.get_review(user=request.user, pk=pk)).data)


class ReviewScoresApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="卷宗评查部门得分（按月）",
        parameters=[OpenApiParameter("month", str, description="评查月份 YYYY-MM（必填）")],
        responses={200: OpenApiTypes.OBJECT, **error_responses()},
    )
    def get(self, request):
        _see(request)
        query = request.query_params
        params.known(query, "month", paged=False)
        month = _month(query)
        if month is None:
            raise ValidationFailed("请填写月份", code="required", fields={"month": ["必填"]})
        draw = ReviewDraw.objects.filter(month=month).first()
        qs = reviews.visible_reviews(user=request.user).filter(draw__month=month)
        return Response(
            {
                "month": f"{month:%Y-%m}",
                "drawn": draw is not None,
                "seed": draw.seed if draw else None,
                "departments": reviews.month_scores(reviews=qs),
                "special_abuse": [
                    {
                        "review": a["review"].pk,
                        "case_number": a["review"].case.number,
                        "department": a["review"].department_id,
                        "note": a["note"],
                    }
                    for a in reviews.special_abuse(reviews=qs)
                ],
            }
        )


class DrawApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="抽取评查卷宗（每月一次）",
        request=DrawInput,
        responses={201: DrawSerializer, **error_responses()},
    )
    def post(self, request):
        data = params.validated(DrawInput, request.data)
        if not reviews.may_manage(request.user):
            raise PermissionDenied("只有电子监察人员和中心管理员可以抽取评查卷宗")
        draw = reviews.draw_sample(
            actor=request.user,
            month=reviews.parse_month(data["month"]),
            seed=data.get("seed"),
            quotas=[dict(q) for q in data["quotas"]],
        )
        return Response(DrawSerializer(draw).data, status=201)


class ChecklistApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="当前卷宗评查标准",
        responses={200: ChecklistSerializer, **error_responses()},
    )
    def get(self, request):
        _see(request)
        return Response(ChecklistSerializer(reviews.current_checklist()).data)

    @extend_schema(
        tags=[TAG],
        summary="发布新版评查标准",
        request=ChecklistInput,
        responses={201: ChecklistSerializer, **error_responses()},
    )
    def post(self, request):
        data = params.validated(ChecklistInput, request.data)
        checklist = reviews.publish_checklist(
            actor=request.user, items=[dict(i) for i in data["items"]], note=data["note"]
        )
        return Response(ChecklistSerializer(checklist).data, status=201)


# --------------------------------------------------------------------------- inspections


class InspectionListApi(generics.ListAPIView):
    serializer_class = InspectionSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="现场巡查与窗口自查",
        parameters=[
            OpenApiParameter("kind", str, enum=InspectionKind.values, description="类型"),
            OpenApiParameter("state", str, enum=InspectionState.values, description="状态"),
            OpenApiParameter("department", int, description="部门 id"),
        ],
        responses={200: InspectionSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="登记巡查/自查（multipart 可附 photos）",
        request=InspectionInput,
        responses={201: InspectionSerializer, **error_responses()},
    )
    def post(self, request, *args, **kwargs):
        data = params.validated(InspectionInput, request.data)
        window = None  # who may record what: reviews.record_inspection (may_record)
        if data.get("window"):
            window = Window.objects.filter(pk=data["window"]).first()
            if window is None:
                raise ValidationFailed(
                    "窗口不存在", code="window_not_found", fields={"window": ["不存在"]}
                )
        inspection = reviews.record_inspection(
            actor=request.user,
            kind=data["kind"],
            department=_department(data["department"]),
            window=window,
            inspected_on=data["inspected_on"],
            inspector=data["inspector"],
            findings=data["findings"],
            problem=data["problem"],
            photos=request.FILES.getlist("photos"),
        )
        return Response(InspectionSerializer(inspection).data, status=201)

    def get_queryset(self):
        _see(self.request)
        query = self.request.query_params
        params.known(query, "kind", "state", "department")
        qs = reviews.visible_inspections(user=self.request.user).prefetch_related("photos")
        kind = params.choice(query, "kind", InspectionKind)
        if kind:
            qs = qs.filter(kind=kind)
        state = params.choice(query, "state", InspectionState)
        if state:
            qs = qs.filter(state=state)
        dept = params.integer(query, "department")
        if dept:
            qs = qs.filter(department_id=dept)
        return qs.order_by("-inspected_on", "-id")


class InspectionDetailApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="巡查/自查详情",
        responses={200: InspectionSerializer, **error_responses()},
    )
    def get(self, request, pk: int):
        _see(request)
        return Response(InspectionSerializer(reviews.get_inspection(user=request.user, pk=pk)).data)


class InspectionFixApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="回复整改（被检查部门首席代表）",
        request=FixInput,
        responses={200: InspectionSerializer, **error_responses()},
    )
    def post(self, request, pk: int):
        _see(request)
        inspection = reviews.get_inspection(user=request.user, pk=pk)
        data = params.validated(FixInput, request.data)
        inspection = reviews.fix_inspection(
            actor=request.user,
            inspection=inspection,
            fix=data["fix"],
            photos=request.FILES.getlist("photos"),
        )
        return Response(InspectionSerializer(inspection).data)


class InspectionCheckApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="复查整改（电子监察人员）",
        request=CheckInput,
        responses={200: InspectionSerializer, **error_responses()},
    )
    def post(self, request, pk: int):
        _see(request)
        inspection = reviews.get_inspection(user=request.user, pk=pk)
        data = params.validated(CheckInput, request.data)
        inspection = reviews.check_inspection(
            actor=request.user,
            inspection=inspection,
            passed=data["passed"],
            opinion=data["opinion"],
        )
        return Response(InspectionSerializer(inspection).data)


class ThirdPartyApi(generics.ListAPIView):
    serializer_class = ThirdPartySerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="第三方评估",
        parameters=[OpenApiParameter("department", int, description="部门 id")],
        responses={200: ThirdPartySerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="录入第三方评估",
        request=ThirdPartyInput,
        responses={201: ThirdPartySerializer, **error_responses()},
    )
    def post(self, request, *args, **kwargs):
        data = params.validated(ThirdPartyInput, request.data)
        if not reviews.may_manage(request.user):
            raise PermissionDenied("只有电子监察人员和中心管理员可以录入第三方评估")
        row = reviews.record_third_party(
            actor=request.user,
            department=_department(data["department"]),
            period_start=data["period_start"],
            period_end=data["period_end"],
            score=data["score"],
            source=data["source"],
            note=data["note"],
        )
        return Response(ThirdPartySerializer(row).data, status=201)

    def get_queryset(self):
        _see(self.request)
        query = self.request.query_params
        params.known(query, "department")
        qs = reviews.visible_third_party(user=self.request.user)
        dept = params.integer(query, "department")
        if dept:
            qs = qs.filter(department_id=dept)
        return qs.order_by("-period_end", "department_id", "-id")


urlpatterns: list = [
    path("supervision/reviews/", ReviewListApi.as_view(), name="supervision-review-list"),
    path(
        "supervision/reviews/<int:pk>/",
        ReviewDetailApi.as_view(),
        name="supervision-review-detail",
    ),
    path(
        "supervision/reviews/<int:pk>/save/",
        ReviewWriteApi.as_view(finish=False),
        name="supervision-review-save",
    ),
    path(
        "supervision/reviews/<int:pk>/finish/",
        ReviewWriteApi.as_view(finish=True),
        name="supervision-review-finish",
    ),
    path("supervision/review-scores/", ReviewScoresApi.as_view(), name="supervision-review-scores"),
    path("supervision/review-draws/", DrawApi.as_view(), name="supervision-review-draw"),
    path(
        "supervision/review-checklist/",
        ChecklistApi.as_view(),
        name="supervision-review-checklist",
    ),
    path(
        "supervision/inspections/",
        InspectionListApi.as_view(),
        name="supervision-inspection-list",
    ),
    path(
        "supervision/inspections/<int:pk>/",
        InspectionDetailApi.as_view(),
        name="supervision-inspection-detail",
    ),
    path(
        "supervision/inspections/<int:pk>/fix/",
        InspectionFixApi.as_view(),
        name="supervision-inspection-fix",
    ),
    path(
        "supervision/inspections/<int:pk>/check/",
        InspectionCheckApi.as_view(),
        name="supervision-inspection-check",
    ),
    path(
        "supervision/third-party-scores/",
        ThirdPartyApi.as_view(),
        name="supervision-third-party",
    ),
]
