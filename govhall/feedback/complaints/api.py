"""REST endpoints of 有诉即办 / 12345 (mounted under /api/v1/; docs/complaints.md).

* ``POST complaints/`` — submit. Without a sign-in: a portal complaint (网上诉求,
  待受理), throttled per client address, answering only the tracking number and state.
  Signed in as the centre's clerk or administrator: the 有诉即办 window (受理 at once;
  with ``answer`` or ``entry`` a consultation is 直接办结 on the spot).
* ``GET complaints/`` — the complaints the user may see (``roles.visible_filter``),
  earliest deadline first, paged; filters ``state``, ``category``, ``channel``,
  ``department``, ``overdue``.
* ``GET complaints/{number}/`` — one complaint with its history and the actions the
  user may take; ``POST complaints/{number}/{action}/`` — one route per row of
  ``workflow.TRANSITIONS`` (``expected_version`` and the row's inputs; ``files`` on
  答复).
* ``GET complaints/knowledge/?q=`` — the published 知识库 (public) with matching
  catalogue items; ``POST`` to add, ``PATCH complaints/knowledge/{id}/`` to edit,
  ``POST …/{id}/publish/`` to publish or withdraw (staff).
* ``POST complaints/12345/import/`` (multipart ``file``) and ``GET
  complaints/12345/export/?as=json|xlsx&since=YYYY-MM-DD`` — the 12345 exchange.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from django_ratelimit.core import get_usage
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework import permissions as drf_permissions
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params, transitions
from govhall.api.errors import error_responses
from govhall.api.pagination import Pagination
from govhall.cases.models import Case
from govhall.catalog.models import Item
from govhall.core import security
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed
from govhall.org import permissions
from govhall.org.models import Department, Role, Staff

from . import exchange, roles, selectors, services, workflow
from .models import Category, Channel, Complaint, KnowledgeEntry, State

TAG = "有诉即办与12345"
INT_MAX = params.INT_MAX
DEFAULT_RATE = "10/h"  # portal complaints per client address (settings override)


class Throttled(exceptions.APIException):
    status_code = 429
    default_code = "complaint_throttled"
    default_detail = "提交过于频繁，请稍后再试，或到服务中心有诉即办窗口反映"


def _centre_side(user) -> bool:
    return permissions.is_centre_admin(user) or (
        permissions.active_staff(user, Role.WINDOW_CLERK) is not None
    )


def _text(name, max_length, *, required=False, help_text=""):
    return transitions.text_field(max_length, required=required, help_text=help_text)


# --------------------------------------------------------------------------- output


class EventSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.SerializerMethodField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.CharField(source="actor_name")
    at = serializers.DateTimeField()
    text = serializers.CharField(help_text="意见/内容")
    attachments = serializers.SerializerMethodField()

    def get_label(self, obj) -> str:
        return workflow.event_label(obj.action)

    def get_attachments(self, obj) -> list[str]:
        return [a.name for a in obj.attachments.all()]


class ComplaintSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="诉求编号")
    channel = serializers.CharField(
        help_text="渠道：" + "、".join(f"{v} {label}" for v, label in Channel.choices)
    )
    channel_label = serializers.CharField(source="get_channel_display")
    category = serializers.CharField(
        help_text="类别：" + "、".join(f"{v} {label}" for v, label in Category.choices)
    )
    category_label = serializers.CharField(source="get_category_display")
    subject = serializers.CharField()
    content = serializers.CharField()
    state = serializers.CharField(
        help_text="状态：" + "、".join(f"{v} {label}" for v, label in State.choices)
    )
    state_label = serializers.CharField(source="get_state_display")
    version = serializers.IntegerField()
    complainant_name = serializers.SerializerMethodField()
    complainant_phone = serializers.SerializerMethodField(help_text="中心人员可见全号，其他人脱敏")
    complainant_id_number = serializers.CharField(source="masked_id_number")
    case_number = serializers.CharField(source="case.number", allow_null=True, default=None)
    about_staff = serializers.CharField(source="about_staff.name", allow_null=True, default=None)
    department = serializers.IntegerField(source="department_id", allow_null=True)
    handler = serializers.CharField(source="handler_label", help_text="承办单位（部门或中心）")
    received_at = serializers.DateTimeField()
    accepted_on = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True, help_text="答复期限（工作日）")
    replied_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    reply = serializers.CharField()
    supervised_at = serializers.DateTimeField(allow_null=True, help_text="督办时间")
    returned_count = serializers.IntegerField(help_text="退单次数")
    reopened_count = serializers.IntegerField(help_text="重办次数")
    satisfied = serializers.BooleanField(allow_null=True)
    external_id = serializers.CharField(help_text="12345工单编号")

    def _full(self) -> bool:
        return bool(self.context.get("centre_side"))

    def get_complainant_name(self, obj) -> str:
        return obj.complainant_name if self._full() else obj.masked_name

    def get_complainant_phone(self, obj) -> str:
        return obj.complainant_phone if self._full() else obj.masked_phone


class ComplaintDetailSerializer(ComplaintSerializer):
    events = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text="当前用户可执行的操作")

    def get_events(self, obj) -> list[dict]:
        return EventSerializer(selectors.history(complaint=obj), many=True).data

    def get_attachments(self, obj) -> list[dict]:
        return [{"name": a.name, "url": a.file.url} for a in obj.attachments.all()]

    def get_actions(self, obj) -> list[dict]:
        user = self.context["request"].user
        return [
            {"action": r.action, "label": r.label} for r in workflow.available_actions(user, obj)
        ]


class SubmittedSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="诉求编号：凭编号查询进度")
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    category_label = serializers.CharField(source="get_category_display")
    received_at = serializers.DateTimeField()
    due_date = serializers.DateField(allow_null=True)


# --------------------------------------------------------------------------- submit


class SubmitIn(serializers.Serializer):
    category = serializers.CharField(max_length=20, help_text="紧急/咨询/求助/建议/投诉/举报 的值")
    subject = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=4000)
    name = _text("name", 100)
    phone = _text("phone", 20)
    id_number = _text("id_number", 18)
    case = _text("case", 40, help_text="涉及办件受理编号（窗口登记）")
    about_staff = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=INT_MAX,
        help_text="被投诉工作人员 id（窗口登记）",
    )
    answer = _text("answer", 4000, help_text="当场答复（咨询，窗口登记）")
    entry = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=INT_MAX,
        help_text="知识库条目 id（窗口登记）",
    )
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=10)


def _throttle(request) -> None:
    rate = getattr(settings, "GOVHALL_COMPLAINT_RATE_PER_ADDRESS", DEFAULT_RATE)
    usage = get_usage(
        request,
        group="complaints.submit.address",
        key=lambda group, req: security.client_address(req),
        rate=rate,
        increment=True,
    )
    if usage is not None and usage["should_limit"]:
        raise Throttled()


class ComplaintListApi(generics.ListAPIView):
    serializer_class = ComplaintSerializer
    pagination_class = Pagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=[TAG],
        summary="诉求工单列表",
        parameters=[
            OpenApiParameter("state", str, enum=State.values, description="状态"),
            OpenApiParameter("category", str, enum=Category.values, description="类别"),
            OpenApiParameter("channel", str, enum=Channel.values, description="渠道"),
            OpenApiParameter("department", int, description="承办部门 id"),
            OpenApiParameter("overdue", bool, description="true 只看超期未答复的"),
        ],
        responses={200: ComplaintSerializer(many=True), **error_responses()},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "centre_side": _centre_side(self.request.user)}

    def get_queryset(self):
        user = self.request.user
        if not roles.may_see_complaints(user):
            raise PermissionDenied("只有中心、承办部门和电子监察人员可以查看诉求工单")
        query = self.request.query_params
        params.known(query, "state", "category", "channel", "department", "overdue")
        return selectors.complaint_list(
            user=user,
            state=params.choice(query, "state", State),
            category=params.choice(query, "category", Category),
            channel=params.choice(query, "channel", Channel),
            department=params.integer(query, "department"),
            overdue=params.boolean(query, "overdue"),
        ).select_related("case")

    @extend_schema(
        tags=[TAG],
        summary="提交诉求（网上诉求，或中心人员在有诉即办窗口登记）",
        request={"application/json": SubmitIn, "multipart/form-data": SubmitIn},
        responses={201: SubmittedSerializer, **error_responses()},
    )
    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            _throttle(request)  # every anonymous attempt counts, valid or not
        data = params.validated(SubmitIn, request.data)
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        common = {
            "category": data["category"],
            "subject": data["subject"],
            "content": data["content"],
            "name": data["name"],
            "phone": data["phone"],
            "id_number": data["id_number"],
            "files": files,
        }
        if not request.user.is_authenticated:
            complaint = services.submit_online(**common)
            return Response(SubmittedSerializer(complaint).data, status=201)
        if not services.may_receive(request.user):
            raise PermissionDenied(
                "只有中心综合受理人员和中心管理员可以登记诉求；群众请在门户网站提交"
            )
        case = None
        if data["case"]:
            case = Case.objects.filter(number=data["case"]).first()
            if case is None:
                raise ValidationFailed(
                    "没有该受理编号的办件", code="unknown_case", fields={"case": ["不存在"]}
                )
        about = None
        if data.get("about_staff"):
            about = Staff.objects.filter(pk=data["about_staff"]).first()
            if about is None:
                raise ValidationFailed(
                    "没有该工作人员", code="unknown_staff", fields={"about_staff": ["不存在"]}
                )
        entry = None
        if data.get("entry"):
            entry = KnowledgeEntry.objects.filter(pk=data["entry"], published=True).first()
            if entry is None:
                raise ValidationFailed(
                    "没有该已发布的知识库条目", code="unknown_entry", fields={"entry": ["不存在"]}
                )
        complaint = services.receive_at_window(
            actor=request.user,
            case=case,
            about_staff=about,
            answer=data["answer"],
            entry=entry,
            **common,
        )
        return Response(SubmittedSerializer(complaint).data, status=201)

    def get_permissions(self):
        if self.request.method == "POST":
            return [drf_permissions.AllowAny()]
        return [drf_permissions.IsAuthenticated()]


def _complaint(request, number: str) -> Complaint:
    if not roles.may_see_complaints(request.user):
        raise PermissionDenied("只有中心、承办部门和电子监察人员可以查看诉求工单")
    if not params.fits_column(number, Complaint, "number"):
        raise NotFound("没有该诉求，或您无权查看", code="complaint_not_found")
    return selectors.complaint_by_number(user=request.user, number=number)


class ComplaintDetailApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="诉求工单详情",
        responses={200: ComplaintDetailSerializer, **error_responses()},
    )
    def get(self, request, number: str):
        complaint = _complaint(request, number)
        context = {"request": request, "centre_side": _centre_side(request.user)}
        return Response(ComplaintDetailSerializer(complaint, context=context).data)


# --------------------------------------------------------------------------- actions


def _input_field(spec: workflow.Input):
    help_text = spec.label
    if spec.kind == workflow.Kind.TEXT:
        return _text(spec.name, workflow.TEXT_MAX, required=spec.required, help_text=help_text)
    if spec.kind == workflow.Kind.LONG_TEXT:
        return _text(spec.name, workflow.LONG_TEXT_MAX, required=spec.required, help_text=help_text)
    if spec.kind == workflow.Kind.CHOICE:
        allowed = "、".join(f"{v}（{label}）" for v, label in spec.choices)
        return _text(spec.name, 20, required=spec.required, help_text=f"{help_text}：{allowed}")
    if spec.kind == workflow.Kind.HANDLER:
        return _text(
            spec.name, 20, required=spec.required, help_text="承办部门 id，或 centre（中心）"
        )
    if spec.kind == workflow.Kind.CASE:
        return _text(spec.name, 40, required=spec.required, help_text="受理编号")
    return serializers.IntegerField(
        required=spec.required,
        allow_null=not spec.required,
        min_value=1,
        max_value=INT_MAX,
        help_text=help_text,
    )


_KINDS_WITH_FIELDS = {
    workflow.Kind.TEXT,
    workflow.Kind.LONG_TEXT,
    workflow.Kind.CHOICE,
    workflow.Kind.HANDLER,
    workflow.Kind.CASE,
    workflow.Kind.STAFF,
    workflow.Kind.ENTRY,
}
assert _KINDS_WITH_FIELDS == workflow.Kind.ALL


def _run_action(request, complaint, row, version, files, data):
    inputs = selectors.resolve_inputs(complaint=complaint, action=row.action, data=data)
    return services.transition(
        actor=request.user,
        complaint=complaint,
        action=row.action,
        expected_version=version,
        files=files,
        **inputs,
    )


def _detail(request, complaint) -> dict:
    context = {"request": request, "centre_side": _centre_side(request.user)}
    return ComplaintDetailSerializer(complaint, context=context).data


ACTIONS = transitions.ActionApi(
    name="Complaint",
    operation="complaints",
    tag=TAG,
    noun="诉求",
    state_label=lambda s: State(s).label,
    input_field=_input_field,
    load=_complaint,
    run=_run_action,
    detail=_detail,
    response=ComplaintDetailSerializer,
)


# --------------------------------------------------------------------------- 知识库


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    answer = serializers.CharField()
    keywords = serializers.CharField()
    item = serializers.CharField(source="item.implementation_code", allow_null=True, default=None)
    item_name = serializers.CharField(source="item.name", allow_null=True, default=None)
    department = serializers.IntegerField(source="department_id", allow_null=True)
    department_name = serializers.CharField(source="department.name", allow_null=True, default=None)
    published = serializers.BooleanField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class RelatedItemSerializer(serializers.Serializer):
    implementation_code = serializers.CharField(source="item.implementation_code")
    name = serializers.CharField()
    department = serializers.CharField(source="item.department.name")


class KnowledgeSearchSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = EntrySerializer(many=True)
    items = RelatedItemSerializer(many=True, help_text="事项目录中同样匹配的事项（办事指南）")


class EntryIn(serializers.Serializer):
    question = serializers.CharField(max_length=200)
    answer = serializers.CharField(max_length=4000)
    keywords = _text("keywords", 200)
    item = _text("item", 40, help_text="事项实施编码")
    department = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=INT_MAX
    )


class EntryPatchIn(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=0, max_value=INT_MAX)
    question = serializers.CharField(max_length=200, required=False)
    answer = serializers.CharField(max_length=4000, required=False)
    keywords = serializers.CharField(max_length=200, required=False, allow_blank=True)
    item = serializers.CharField(max_length=40, required=False, allow_blank=True)
    department = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=INT_MAX
    )


class PublishIn(serializers.Serializer):
    published = serializers.BooleanField()


SEARCH_LIMIT = 50


def _entry_refs(data: dict) -> dict:
    out = {}
    if "item" in data:
        code = data["item"]
        out["item"] = (
            Item.objects.filter(implementation_code=code.upper()).first() if code else None
        )
        if code and out["item"] is None:
            raise ValidationFailed(
                "没有该实施编码的事项", code="unknown_item", fields={"item": ["不存在"]}
            )
    if "department" in data:
        dept = data["department"]
        out["department"] = Department.objects.filter(pk=dept).first() if dept else None
        if dept and out["department"] is None:
            raise ValidationFailed(
                "没有该部门", code="unknown_department", fields={"department": ["不存在"]}
            )
    return out


class KnowledgeApi(APIView):
    def get_permissions(self):
        if self.request.method == "POST":
            return [drf_permissions.IsAuthenticated()]
        return [drf_permissions.AllowAny()]

    @extend_schema(
        tags=[TAG],
        summary="知识库检索（已发布条目；与事项目录同一检索方式）",
        parameters=[
            OpenApiParameter("q", str, description="关键词，多个以空格分隔，须全部匹配"),
            OpenApiParameter("all", bool, description="true 含未发布条目（中心人员）"),
            OpenApiParameter(
                "limit", int, description=f"最多返回条数（默认且最多 {SEARCH_LIMIT}）"
            ),
        ],
        responses={200: KnowledgeSearchSerializer, **error_responses()},
    )
    def get(self, request):
        query = request.query_params
        params.known(query, "q", "all", "limit", paged=False)
        q = params.text(query, "q")
        if len(q) > 100:
            raise params.invalid_filter("q", q, "关键词不超过 100 个字符")
        everything = bool(params.boolean(query, "all"))
        if everything and not services.may_edit_entry(request.user):
            raise PermissionDenied("只有知识库维护人员可以查看未发布条目")
        limit = params.integer(query, "limit", maximum=SEARCH_LIMIT) or SEARCH_LIMIT
        entries = selectors.search_knowledge(q=q, published_only=not everything)
        rows = list(entries[:limit])
        return Response(
            {
                "count": entries.count(),
                "results": EntrySerializer(rows, many=True).data,
                "items": RelatedItemSerializer(selectors.related_items(q=q), many=True).data,
            }
        )

    @extend_schema(
        tags=[TAG],
        summary="新增知识库条目",
        request=EntryIn,
        responses={201: EntrySerializer, **error_responses()},
    )
    def post(self, request):
        data = params.validated(EntryIn, request.data)
        entry = services.create_entry(
            actor=request.user,
            question=data["question"],
            answer=data["answer"],
            keywords=data["keywords"],
            **{"item": None, "department": None, **_entry_refs(data)},
        )
        return Response(EntrySerializer(entry).data, status=201)


def _entry(pk: int) -> KnowledgeEntry:
    if not params.fits_column(pk, KnowledgeEntry, "id"):
        raise NotFound("没有该知识库条目", code="entry_not_found")
    entry = KnowledgeEntry.objects.select_related("item", "department").filter(pk=pk).first()
    if entry is None:
        raise NotFound("没有该知识库条目", code="entry_not_found")
    return entry


class KnowledgeEntryApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="修改知识库条目",
        request=EntryPatchIn,
        responses={200: EntrySerializer, **error_responses()},
    )
    def patch(self, request, pk: int):
        entry = _entry(pk)
        data = dict(params.validated(EntryPatchIn, request.data))
        version = data.pop("expected_version")
        fields = {k: v for k, v in data.items() if k in ("question", "answer", "keywords")}
        fields.update(_entry_refs(data))
        entry = services.update_entry(
            actor=request.user, entry=entry, expected_version=version, **fields
        )
        return Response(EntrySerializer(entry).data)


class KnowledgePublishApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="发布或撤回知识库条目（中心管理员）",
        request=PublishIn,
        responses={200: EntrySerializer, **error_responses()},
    )
    def post(self, request, pk: int):
        entry = _entry(pk)
        published = params.validated(PublishIn, request.data)["published"]
        entry = services.set_published(actor=request.user, entry=entry, published=published)
        return Response(EntrySerializer(entry).data)


# --------------------------------------------------------------------------- 12345


class ImportIn(serializers.Serializer):
    file = serializers.FileField(help_text="12345工单文件（.xlsx 或 .json）")


class ImportRecordSerializer(serializers.Serializer):
    file_name = serializers.CharField()
    file_hash = serializers.CharField()
    imported_at = serializers.DateTimeField()
    imported_by = serializers.CharField(source="imported_by_name")
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    changed = serializers.IntegerField()


class ChangedSerializer(serializers.Serializer):
    row = serializers.CharField()
    external_id = serializers.CharField()
    number = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())


class ImportResultSerializer(serializers.Serializer):
    already_imported = serializers.BooleanField(help_text="该文件此前已导入，本次未做任何更改")
    record = ImportRecordSerializer()
    created = serializers.ListField(child=serializers.CharField(), help_text="新建的诉求编号")
    unchanged = serializers.ListField(child=serializers.CharField(), help_text="未变化的工单编号")
    changed = ChangedSerializer(many=True, help_text="已导入过但内容有变化（未覆盖）")


class ImportApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=[TAG],
        summary="导入12345工单",
        request={"multipart/form-data": ImportIn},
        responses={200: ImportResultSerializer, 201: ImportResultSerializer, **error_responses()},
    )
    def post(self, request):
        upload = params.validated(ImportIn, request.data)["file"]
        if upload.size > exchange.MAX_BYTES:
            raise ValidationFailed("文件过大", code="invalid_file", fields={"file": ["过大"]})
        result = exchange.import_orders(
            actor=request.user, data=upload.read(), file_name=upload.name
        )
        body = ImportResultSerializer(result).data
        return Response(body, status=201 if result.created else 200)


class ExportApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="导出12345工单办理状态与答复",
        parameters=[
            OpenApiParameter("as", str, enum=["json", "xlsx"], description="文件格式（默认 json）"),
            OpenApiParameter(
                "since", str, description="只导出该日期以来有办理记录的工单 YYYY-MM-DD"
            ),
        ],
        responses={(200, "application/octet-stream"): bytes, **error_responses()},
    )
    def get(self, request):
        query = request.query_params
        params.known(query, "as", "since", paged=False)
        kind = params.text(query, "as") or "json"
        if kind not in ("json", "xlsx"):
            raise params.invalid_filter("as", kind, "可选值为 json、xlsx")
        since = params.date(query, "since")
        data = exchange.export_orders(user=request.user, since=since, as_=kind)
        content_type = (
            "application/json"
            if kind == "json"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="12345-export.{kind}"'
        return response


urlpatterns = [
    path("complaints/", ComplaintListApi.as_view(), name="complaint-list"),
    path("complaints/knowledge/", KnowledgeApi.as_view(), name="complaint-knowledge"),
    path(
        "complaints/knowledge/<int:pk>/",
        KnowledgeEntryApi.as_view(),
        name="complaint-knowledge-entry",
    ),
    path(
        "complaints/knowledge/<int:pk>/publish/",
        KnowledgePublishApi.as_view(),
        name="complaint-knowledge-publish",
    ),
    path("complaints/12345/import/", ImportApi.as_view(), name="complaint-12345-import"),
    path("complaints/12345/export/", ExportApi.as_view(), name="complaint-12345-export"),
    path("complaints/<str:number>/", ComplaintDetailApi.as_view(), name="complaint-detail"),
    *transitions.action_paths(
        ACTIONS, workflow.TRANSITIONS, route="complaints/<str:key>/", name="complaint"
    ),
]
