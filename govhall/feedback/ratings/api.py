"""REST endpoints of 好差评 (mounted under /api/v1/; docs/ratings.md "接口").

* ``POST /api/v1/ratings/`` — give a rating, one of three ways: ``token`` (the SMS
  link, channel 短信); ``number`` + ``phone_tail`` (the progress query's pair,
  ``channel`` portal 网上 / qr 扫码); or signed in as staff, ``case`` (受理编号) with
  ``channel`` window 窗口评价器 / phone 电话. An applicant's submissions are throttled
  per client address (``RATINGS_POST_RATE``, 429 ``throttled``); signed-in staff and
  API clients are not. 201 with a receipt.
* ``GET /api/v1/ratings/`` — the ratings the user may see (all for the supervision
  office and the centre administrator, a department's own), filters ``department``,
  ``channel``, ``level``, ``bad``, ``case``, ``start`` / ``end`` (评价日期);
  ``GET …/statistics/`` the same filters, 满意度 figures; ``GET …/reasons/`` the
  standard 差评原因 (public).
* ``GET /api/v1/ratings/export/`` — GB/T 39735 评价数据 as JSON (``start`` / ``end``,
  ``department``); ``GET …/export.xlsx`` the same rows as Excel.
* ``GET /api/v1/ratings/bad-reviews/`` (filters ``state``, ``department``,
  ``overdue``, ``case``), ``GET …/bad-reviews/<id>/``, ``POST …/bad-reviews/<id>/<action>/``
  (callback 回访, verify 核实, rectify 立行立改, ledger 列入整改台账, explain 解释说明,
  feedback 反馈, close 办结), ``POST /api/v1/ratings/ledger/<id>/complete/``.
* ``POST /api/v1/ratings/<id>/appeal/`` (``reason``, ``files`` multipart),
  ``GET /api/v1/ratings/appeals/`` (filter ``state``), ``GET …/appeals/<id>/``,
  ``POST …/appeals/<id>/decide/`` (``upheld``, ``opinion``).

Errors (``{code, message}``): 400 ``token_invalid`` / ``token_expired`` /
``invalid_level`` / ``reasons_required`` / ``unknown_reason`` / ``invalid_channel`` /
``mode_required`` / ``required`` / ``invalid_file`` / ``too_many_rows``; 404
``case_not_found`` / ``not_found``; 403 ``permission_denied`` / ``self_rating``; 409
``token_used`` / ``already_rated`` / ``not_completed`` / ``period_over`` /
``wrong_state`` / ``callback_required`` / ``already_appealed``; 429 ``throttled``.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import TextChoices
from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework import permissions as drf_permissions
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.api.pagination import Pagination
from govhall.core import clock, policy, security
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed
from govhall.org import permissions

from . import loop, selectors, services, tokens
from .models import (
    Appeal,
    AppealState,
    BadReview,
    BadReviewState,
    LedgerEntry,
    Level,
    Rating,
    RatingChannel,
)

TAG = "好差评"
EXPORT_MAX_ROWS = 50_000
EXPORT_DEFAULT_DAYS = 31
DENIED = "只有电子监察人员、中心管理员和工作人员可以查看评价"


class RatingPostThrottle(SimpleRateThrottle):
    """Applicants' rating submissions (SMS token, progress pair) per client address
    (the address as the login lockout and the progress query count it), at
    ``RATINGS_POST_RATE``, in the default cache. A signed-in user (staff at the
    evaluator screen or the phone, an API client of the centre) is not counted: the
    rating names them in the audit, their login is throttled by the lockout, and the
    evaluator tablets of a hall sit behind one address."""

    scope = "ratings_post"

    def get_rate(self):
        return policy.get("RATINGS_POST_RATE")

    def allow_request(self, request, view):
        if request.method != "POST" or request.user.is_authenticated:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {
            "scope": self.scope,
            "ident": security.client_address(request) or "unknown",
        }

    def timer(self):
        return clock.now().timestamp()


# --------------------------------------------------------------------------- serializers


class RatingInput(serializers.Serializer):
    token = serializers.CharField(
        max_length=tokens.TOKEN_MAX, required=False, help_text="短信评价链接中的令牌"
    )
    number = serializers.CharField(max_length=40, required=False, help_text="受理编号（网上/扫码）")
    phone_tail = serializers.CharField(
        max_length=4, required=False, help_text="申请人手机号后四位（网上/扫码）"
    )
    case = serializers.CharField(
        max_length=40, required=False, help_text="受理编号（工作人员：窗口评价器/电话）"
    )
    channel = serializers.CharField(
        max_length=10,
        required=False,
        help_text="评价渠道：portal 网上 / qr 扫码（受理编号方式）；window 窗口评价器 / phone 电话"
        "（工作人员）；sms 短信（令牌方式，可省略）",
    )
    level = serializers.IntegerField(
        min_value=1, max_value=5, help_text="5 非常满意 … 1 非常不满意"
    )
    reasons = serializers.ListField(
        child=serializers.CharField(max_length=20),
        max_length=20,
        required=False,
        default=list,
        help_text="差评原因代码（GET /api/v1/ratings/reasons/）",
    )
    text = serializers.CharField(
        max_length=services.TEXT_MAX, required=False, allow_blank=True, default=""
    )
    real_name = serializers.BooleanField(required=False, default=False, help_text="实名评价")
    rater_name = serializers.CharField(
        max_length=services.NAME_MAX, required=False, allow_blank=True, default=""
    )
    rater_phone = serializers.CharField(
        max_length=services.PHONE_MAX, required=False, allow_blank=True, default=""
    )


class ReceiptSerializer(serializers.Serializer):
    """What the rater gets back: nothing about staff."""

    case_number = serializers.CharField(source="case.number")
    channel = serializers.CharField()
    round = serializers.IntegerField(help_text="评价轮次")
    level = serializers.IntegerField()
    level_label = serializers.CharField(source="get_level_display")
    is_bad = serializers.BooleanField(help_text="差评")
    rated_at = serializers.DateTimeField()
    bad_review_due = serializers.SerializerMethodField(help_text="差评整改期限")

    def get_bad_review_due(self, obj) -> dt.date | None:
        bad = getattr(obj, "bad_review", None) if obj.is_bad else None
        return bad.due_on if bad is not None else None


class RatingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_number = serializers.CharField(source="case.number", help_text="受理编号")
    channel = serializers.CharField(help_text="评价渠道")
    channel_label = serializers.CharField(source="get_channel_display")
    round = serializers.IntegerField(help_text="评价轮次")
    level = serializers.IntegerField()
    level_label = serializers.CharField(source="get_level_display")
    is_bad = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    reason_labels = serializers.SerializerMethodField()
    text = serializers.CharField()
    real_name = serializers.BooleanField()
    rater = serializers.SerializerMethodField(help_text="评价人（脱敏）")
    rater_phone = serializers.SerializerMethodField(help_text="联系电话（脱敏）")
    item_code = serializers.CharField(
        source="item.implementation_code", allow_null=True, default=None
    )
    item_name = serializers.SerializerMethodField(help_text="事项名称（或一件事名称）")
    bundle_name = serializers.CharField(source="bundle.name", allow_null=True, default=None)
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    window = serializers.IntegerField(source="window_id", allow_null=True)
    staff_name = serializers.CharField(source="staff.name", allow_null=True, default=None)
    rated_at = serializers.DateTimeField()
    excluded = serializers.BooleanField(help_text="申诉成立，不计入统计")
    bad_review = serializers.SerializerMethodField(help_text="差评整改 id")

    def get_item_name(self, obj) -> str:
        return selectors.item_name(obj)

    def get_reason_labels(self, obj) -> list[str]:
        return selectors.reason_labels(obj)

    def get_rater(self, obj) -> str:
        return selectors.shown_name(obj)

    def get_rater_phone(self, obj) -> str:
        return selectors.shown_phone(obj)

    def get_bad_review(self, obj) -> int | None:
        bad = getattr(obj, "bad_review", None) if obj.is_bad else None
        return bad.pk if bad is not None else None


class CallbackSerializer(serializers.Serializer):
    by_name = serializers.CharField(source="by.name")
    at = serializers.DateTimeField()
    method = serializers.CharField()
    method_label = serializers.CharField(source="get_method_display")
    contact = serializers.CharField()
    content = serializers.CharField()


class LedgerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    problem = serializers.CharField()
    measures = serializers.CharField()
    due_on = serializers.DateField()
    done_at = serializers.DateTimeField(allow_null=True)
    result = serializers.CharField()


class BadReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="乐观锁版本（expected_version）")
    rating = RatingSerializer()
    review_state = serializers.CharField(source="state", help_text="差评整改状态")
    review_state_label = serializers.CharField(source="get_state_display")
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    assigned_at = serializers.DateTimeField()
    due_on = serializers.DateField(help_text="整改期限")
    overdue = serializers.SerializerMethodField()
    finding = serializers.CharField(help_text="核实情况")
    measures = serializers.CharField(help_text="整改措施")
    explanation = serializers.CharField(help_text="解释说明")
    rectified_at = serializers.DateTimeField(allow_null=True)
    feedback = serializers.CharField()
    fed_back_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    callbacks = CallbackSerializer(many=True, source="callbacks.all")
    ledger = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text="可办理的步骤")

    def get_overdue(self, obj) -> bool:
        return obj.is_open and obj.due_on < clock.today()

    def get_ledger(self, obj) -> dict | None:
        entry = LedgerEntry.objects.filter(bad_review=obj).first()
        return LedgerSerializer(entry).data if entry is not None else None

    def get_actions(self, obj) -> list[str]:
        return [a for a, _label in loop.offered(obj.state)]


class LoopInput(serializers.Serializer):
    expected_version = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    method = serializers.CharField(max_length=20, required=False, help_text="回访/反馈方式")
    contact = serializers.CharField(max_length=100, required=False, allow_blank=True)
    content = serializers.CharField(
        max_length=services.LONG_TEXT_MAX, required=False, allow_blank=True
    )
    at = serializers.DateTimeField(required=False, help_text="回访时间（默认现在）")
    finding = serializers.CharField(
        max_length=services.LONG_TEXT_MAX, required=False, allow_blank=True
    )
    measures = serializers.CharField(
        max_length=services.LONG_TEXT_MAX, required=False, allow_blank=True
    )
    due_on = serializers.DateField(required=False, help_text="整改台账期限")
    problem = serializers.CharField(
        max_length=services.LONG_TEXT_MAX, required=False, allow_blank=True
    )
    explanation = serializers.CharField(
        max_length=services.LONG_TEXT_MAX, required=False, allow_blank=True
    )
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ResultInput(serializers.Serializer):
    result = serializers.CharField(max_length=services.LONG_TEXT_MAX, allow_blank=True, default="")


class AppealInput(serializers.Serializer):
    reason = serializers.CharField(max_length=services.LONG_TEXT_MAX, allow_blank=True, default="")


class DecideInput(serializers.Serializer):
    upheld = serializers.BooleanField(help_text="true 申诉成立 / false 申诉不成立")
    opinion = serializers.CharField(max_length=services.LONG_TEXT_MAX, allow_blank=True, default="")


class EvidenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return obj.file.url


class AppealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rating = RatingSerializer()
    appellant_name = serializers.CharField(source="appellant.name")
    reason = serializers.CharField()
    filed_at = serializers.DateTimeField()
    appeal_state = serializers.CharField(source="state")
    appeal_state_label = serializers.CharField(source="get_state_display")
    reviewer_name = serializers.CharField(source="reviewer.name", allow_null=True, default=None)
    opinion = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    attachments = EvidenceSerializer(many=True, source="attachments.all")


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


def _may_see(user) -> None:
    if not (selectors.sees_all(user) or permissions.active_staff(user) is not None):
        raise PermissionDenied(DENIED)


def _pk(value: int, model) -> int:
    if not params.fits_column(value, model, "id"):
        raise NotFound("请求的资源不存在")
    return value


# --------------------------------------------------------------------------- ratings

RATING_FILTERS = ("department", "channel", "level", "bad", "case", "start", "end")
RATING_PARAMETERS = [
    OpenApiParameter("department", int, description="部门 id"),
    OpenApiParameter("channel", str, enum=RatingChannel.values, description="评价渠道"),
    OpenApiParameter("level", int, enum=Level.values, description="评价等级"),
    OpenApiParameter("bad", bool, description="只看差评"),
    OpenApiParameter("case", str, description="受理编号"),
    OpenApiParameter("start", str, description="评价日期起 YYYY-MM-DD"),
    OpenApiParameter("end", str, description="评价日期止 YYYY-MM-DD"),
]


def _filtered_ratings(request, *extra: str):
    user = request.user
    _may_see(user)
    query = request.query_params
    params.known(query, *RATING_FILTERS, *extra)
    number = params.text(query, "case")
    if number and len(number) > 40:
        raise params.invalid_filter("case", number, "受理编号不超过 40 个字符")
    start, end = params.date(query, "start"), params.date(query, "end")
    qs = selectors.filter_ratings(
        selectors.visible_ratings(user=user),
        department=params.integer(query, "department"),
        channel=params.choice(query, "channel", RatingChannel),
        level=params.integer(query, "level", minimum=1, maximum=5),
        bad=params.boolean(query, "bad"),
        number=number,
        start=start,
        end=end,
    )
    return qs, start, end


class RatingListApi(generics.ListAPIView):
    serializer_class = RatingSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.AllowAny]
    throttle_classes = [RatingPostThrottle]

    @extend_schema(
        tags=[TAG],
        summary="评价列表",
        parameters=RATING_PARAMETERS,
        responses={200: RatingSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise PermissionDenied(DENIED)
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="提交评价（短信令牌 / 受理编号+手机号后四位 / 工作人员录入）",
        request=RatingInput,
        responses={201: ReceiptSerializer, **error_responses()},
    )
    def post(self, request, *args, **kwargs):
        data = params.validated(RatingInput, request.data)
        common = {
            "level": data["level"],
            "reasons": data["reasons"],
            "text": data["text"],
            "real_name": data["real_name"],
            "rater_name": data["rater_name"],
            "rater_phone": data["rater_phone"],
        }
        channel = data.get("channel")
        if data.get("token"):
            if channel not in (None, RatingChannel.SMS):
                raise ValidationFailed(
                    "短信链接的评价渠道为短信",
                    code="invalid_channel",
                    fields={"channel": ["应为 sms"]},
                )
            rating = services.rate_with_token(token=data["token"], **common)
        elif data.get("number"):
            rating = services.rate_with_progress(
                number=data["number"],
                phone_tail=data.get("phone_tail", ""),
                channel=channel or RatingChannel.PORTAL,
                **common,
            )
        elif data.get("case"):
            if not request.user.is_authenticated:
                raise PermissionDenied("工作人员录入评价须先登录")
            rating = services.rate_as_staff(
                actor=request.user, number=data["case"], channel=channel or "", **common
            )
        else:
            raise ValidationFailed(
                "请提供短信评价令牌（token），或受理编号和手机号后四位（number、phone_tail），"
                "或由工作人员登录后填写受理编号（case）",
                code="mode_required",
            )
        return Response(ReceiptSerializer(rating).data, status=201)

    def get_queryset(self):
        qs, _start, _end = _filtered_ratings(self.request)
        return qs.select_related("bad_review").order_by("-rated_at", "-id")


class StatisticsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_level = serializers.DictField(child=serializers.IntegerField())
    satisfied_rate = serializers.FloatField(allow_null=True, help_text="满意率 %")
    bad = serializers.IntegerField()
    bad_rate = serializers.FloatField(allow_null=True)
    average = serializers.FloatField(allow_null=True)
    real_name_bad = serializers.IntegerField()
    real_name_bad_rectified = serializers.IntegerField()
    real_name_rectification_rate = serializers.FloatField(
        allow_null=True, help_text="实名差评回访整改率 %"
    )
    excluded = serializers.IntegerField(help_text="申诉成立不计入统计")


class StatisticsApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="满意度统计",
        parameters=RATING_PARAMETERS,
        responses={200: StatisticsSerializer, **error_responses()},
    )
    def get(self, request):
        qs, start, end = _filtered_ratings(request)
        query = request.query_params
        if params.text(query, "case") or params.boolean(query, "bad") is not None:
            return Response(selectors.statistics(qs))  # one case, or one side: the rows
        return Response(
            selectors.satisfaction(
                user=request.user,
                department=params.integer(query, "department"),
                channel=params.choice(query, "channel", RatingChannel),
                level=params.integer(query, "level", minimum=1, maximum=5),
                start=start,
                end=end,
            )
        )


class ReasonsApi(APIView):
    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(
        tags=[TAG], summary="差评原因（标准列表）", responses={200: ReasonSerializer(many=True)}
    )
    def get(self, request):
        return Response(
            [{"code": c, "label": label} for c, label in services.reason_choices().items()]
        )


def _export_rows(request) -> list[dict]:
    qs, start, end = _filtered_ratings(request)
    if start is None and end is None:
        qs = qs.filter(rated_on__gte=clock.today() - dt.timedelta(days=EXPORT_DEFAULT_DAYS))
    if qs.count() > EXPORT_MAX_ROWS:
        raise ValidationFailed(
            f"导出超过 {EXPORT_MAX_ROWS} 条，请缩短评价日期范围（start、end）",
            code="too_many_rows",
        )
    return selectors.export_rows(qs)


class ExportSerializer(serializers.Serializer):
    standard = serializers.CharField()
    count = serializers.IntegerField()
    records = serializers.ListField(child=serializers.DictField())


class ExportApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="导出评价数据（GB/T 39735，JSON；默认近 31 日）",
        parameters=RATING_PARAMETERS,
        responses={200: ExportSerializer, **error_responses()},
    )
    def get(self, request):
        rows = _export_rows(request)
        return Response(
            {"standard": "GB/T 39735-2020 评价数据", "count": len(rows), "records": rows}
        )


class ExportExcelApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="导出评价数据（GB/T 39735，Excel）",
        parameters=RATING_PARAMETERS,
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes
        },
    )
    def get(self, request):
        from openpyxl import Workbook

        rows = _export_rows(request)
        book = Workbook(write_only=True)
        sheet = book.create_sheet("评价数据")
        header = list(selectors.EXPORT_FIELDS)
        sheet.append(header)
        for row in rows:
            sheet.append(
                ["、".join(v) if isinstance(v, list) else v for v in (row[h] for h in header)]
            )
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="ratings.xlsx"'
        return response


# --------------------------------------------------------------------------- 差评 loop


class ReviewStateFilter(TextChoices):
    OPEN = "open", "未办结"


def _bad(request, pk: int):
    _may_see(request.user)
    bad = (
        selectors.visible_bad_reviews(user=request.user)
        .filter(pk=_pk(pk, BadReview))
        .prefetch_related("callbacks__by")
        .first()
    )
    if bad is None:
        raise NotFound("没有该差评，或您无权查看")
    return bad


class BadReviewListApi(generics.ListAPIView):
    serializer_class = BadReviewSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="差评整改列表",
        parameters=[
            OpenApiParameter(
                "state", str, enum=[*BadReviewState.values, "open"], description="状态；open 未办结"
            ),
            OpenApiParameter("department", int, description="部门 id"),
            OpenApiParameter("overdue", bool, description="只看逾期未办结"),
            OpenApiParameter("case", str, description="受理编号"),
        ],
        responses={200: BadReviewSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        from .models import OPEN_BAD_REVIEW_STATES

        user = self.request.user
        _may_see(user)
        query = self.request.query_params
        params.known(query, "state", "department", "overdue", "case")
        qs = selectors.visible_bad_reviews(user=user).prefetch_related("callbacks__by")
        state = params.text(query, "state")
        if state == "open":
            qs = qs.filter(state__in=OPEN_BAD_REVIEW_STATES)
        elif state:
            qs = qs.filter(state=params.choice(query, "state", BadReviewState))
        department = params.integer(query, "department")
        if department:
            qs = qs.filter(department_id=department)
        if params.boolean(query, "overdue"):
            qs = qs.filter(state__in=OPEN_BAD_REVIEW_STATES, due_on__lt=clock.today())
        number = params.text(query, "case")
        if number:
            if len(number) > 40:
                raise params.invalid_filter("case", number, "受理编号不超过 40 个字符")
            qs = qs.filter(rating__case__number=number)
        return qs.order_by("due_on", "id")


class BadReviewDetailApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="差评整改详情",
        responses={200: BadReviewSerializer, **error_responses()},
    )
    def get(self, request, pk: int):
        return Response(BadReviewSerializer(_bad(request, pk)).data)


LOOP_ACTIONS = [a for a in loop.ACTIONS if a != "void"]


class BadReviewActionApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="办理差评：callback 回访 / verify 核实 / rectify 立行立改 / ledger 列入整改台账 / "
        "explain 解释说明 / feedback 反馈 / close 办结",
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=LOOP_ACTIONS)],
        request=LoopInput,
        responses={200: BadReviewSerializer, **error_responses()},
    )
    def post(self, request, pk: int, action: str):
        bad = _bad(request, pk)
        if action not in LOOP_ACTIONS:
            raise NotFound("没有这一步", code="unknown_action")
        data = dict(params.validated(LoopInput, request.data))
        bad = services.advance(actor=request.user, bad_review=bad, action=action, **data)
        return Response(BadReviewSerializer(_bad(request, bad.pk)).data)


class LedgerCompleteApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="整改台账销号",
        request=ResultInput,
        responses={200: LedgerSerializer, **error_responses()},
    )
    def post(self, request, pk: int):
        _may_see(request.user)
        entry = (
            LedgerEntry.objects.filter(
                pk=_pk(pk, LedgerEntry),
                bad_review__in=selectors.visible_bad_reviews(user=request.user),
            )
            .select_related("bad_review")
            .first()
        )
        if entry is None:
            raise NotFound("没有该整改台账，或您无权查看")
        result = params.validated(ResultInput, request.data)["result"]
        entry = services.complete_ledger(actor=request.user, entry=entry, result=result)
        return Response(LedgerSerializer(entry).data)


# --------------------------------------------------------------------------- appeals


class AppealFileApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="差评申诉（被评价的工作人员或其首席代表；multipart 可附 files）",
        request=AppealInput,
        responses={201: AppealSerializer, **error_responses()},
    )
    def post(self, request, pk: int):
        _may_see(request.user)
        rating = selectors.visible_ratings(user=request.user).filter(pk=_pk(pk, Rating)).first()
        if rating is None:
            raise NotFound("没有该评价，或您无权查看")
        reason = params.validated(AppealInput, request.data)["reason"]
        appeal = services.file_appeal(
            actor=request.user, rating=rating, reason=reason, files=request.FILES.getlist("files")
        )
        return Response(AppealSerializer(appeal).data, status=201)


def _appeal(request, pk: int):
    _may_see(request.user)
    found = selectors.visible_appeals(user=request.user).filter(pk=_pk(pk, Appeal)).first()
    if found is None:
        raise NotFound("没有该申诉，或您无权查看")
    return found


class AppealListApi(generics.ListAPIView):
    serializer_class = AppealSerializer
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="差评申诉列表",
        parameters=[OpenApiParameter("state", str, enum=AppealState.values, description="状态")],
        responses={200: AppealSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        _may_see(user)
        query = self.request.query_params
        params.known(query, "state")
        qs = selectors.visible_appeals(user=user).prefetch_related("attachments")
        state = params.choice(query, "state", AppealState)
        if state:
            qs = qs.filter(state=state)
        return qs.order_by("-filed_at", "-id")


class AppealDetailApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG], summary="差评申诉详情", responses={200: AppealSerializer, **error_responses()}
    )
    def get(self, request, pk: int):
        return Response(AppealSerializer(_appeal(request, pk)).data)


class AppealDecideApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="申诉复核（电子监察人员、中心管理员）",
        request=DecideInput,
        responses={200: AppealSerializer, **error_responses()},
    )
    def post(self, request, pk: int):
        appeal = _appeal(request, pk)
        data = params.validated(DecideInput, request.data)
        appeal = services.decide_appeal(
            actor=request.user, appeal=appeal, upheld=data["upheld"], opinion=data["opinion"]
        )
        return Response(AppealSerializer(appeal).data)


urlpatterns = [
    path("ratings/", RatingListApi.as_view(), name="ratings-list"),
    path("ratings/statistics/", StatisticsApi.as_view(), name="ratings-statistics"),
    path("ratings/reasons/", ReasonsApi.as_view(), name="ratings-reasons"),
    path("ratings/export/", ExportApi.as_view(), name="ratings-export"),
    path("ratings/export.xlsx", ExportExcelApi.as_view(), name="ratings-export-xlsx"),
    path("ratings/<int:pk>/appeal/", AppealFileApi.as_view(), name="ratings-appeal-file"),
    path("ratings/bad-reviews/", BadReviewListApi.as_view(), name="ratings-bad-review-list"),
    path(
        "ratings/bad-reviews/<int:pk>/",
        BadReviewDetailApi.as_view(),
        name="ratings-bad-review-detail",
    ),
    path(
        "ratings/bad-reviews/<int:pk>/<str:action>/",
        BadReviewActionApi.as_view(),
        name="ratings-bad-review-action",
    ),
    path(
        "ratings/ledger/<int:pk>/complete/",
        LedgerCompleteApi.as_view(),
        name="ratings-ledger-complete",
    ),
    path("ratings/appeals/", AppealListApi.as_view(), name="ratings-appeal-list"),
    path("ratings/appeals/<int:pk>/", AppealDetailApi.as_view(), name="ratings-appeal-detail"),
    path(
        "ratings/appeals/<int:pk>/decide/",
        AppealDecideApi.as_view(),
        name="ratings-appeal-decide",
    ),
]
