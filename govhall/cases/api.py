"""REST endpoints of cases (办件, mounted under /api/v1/); staff only (session/basic).

* ``POST /api/v1/cases`` — 收件/申请; idempotent with an ``Idempotency-Key`` header:
  the same key with the same body returns the same case (200), with a different
  body 409 ``idempotency_mismatch``.
* ``GET /api/v1/cases`` — the cases the user may see (department isolation), with
  filters; ``GET /api/v1/cases/{受理编号}``.
* ``POST /api/v1/cases/{受理编号}/{action}`` — one endpoint per transition, each
  taking ``expected_version`` (optimistic lock: 409 ``stale_case``) and its inputs,
  all through ``services.transition`` (the one transition table).

ID numbers and phones are masked in every response. Errors are ``{code, message,
fields}`` (``govhall.api.errors``). Paths work with and without the final slash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.urls import path
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import permissions as drf_permissions
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.api.fields import LabeledChoiceField, model_char, model_integer
from govhall.api.pagination import BoundedCountPagination
from govhall.catalog.models import Item, Material, SpecialStep
from govhall.core.errors import Conflict, NotFound, ValidationFailed
from govhall.core.validators import mask_id_number, mask_phone
from govhall.org import permissions as org_permissions
from govhall.org.models import Centre, Staff

from . import deadlines, selectors, services, workflow
from .models import (
    ApplicantKind,
    Bundle,
    Case,
    Channel,
    DeliveryMethod,
    DocumentKind,
    Light,
    Result,
    State,
    SubmittedMaterial,
)
from .roles import CaseRole

TAG = "办件"

# --------------------------------------------------------------------------- output


class _RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ApplicantOutSerializer(serializers.Serializer):
    kind = LabeledChoiceField(ApplicantKind.choices)
    name = serializers.CharField()
    id_number = serializers.CharField(help_text="脱敏")
    phone = serializers.CharField(help_text="脱敏")


class MaterialOutSerializer(serializers.Serializer):
    material = serializers.IntegerField(allow_null=True, source="material_id")
    name = serializers.CharField()
    has_file = serializers.SerializerMethodField()
    tolerated = serializers.BooleanField()
    catch_up_due = serializers.DateField(allow_null=True)
    problem = serializers.CharField()

    def get_has_file(self, obj) -> bool:
        return bool(obj.file)


class DocumentOutSerializer(serializers.Serializer):
    number = serializers.CharField()
    kind = LabeledChoiceField(DocumentKind.choices)
    issued_at = serializers.DateTimeField()


class CaseSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="受理编号")
    item = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    centre = serializers.CharField(source="centre.name")
    channel = LabeledChoiceField(Channel.choices)
    state = LabeledChoiceField(State.choices)
    version = serializers.IntegerField(help_text="乐观锁版本，操作时作为 expected_version 传回")
    applicant = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField()
    accepted_on = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    due_date_provisional = serializers.BooleanField(
        source="deadline_provisional",
        help_text="期限依赖推算年份的放假安排（暂定）：录入国务院正式安排后重新计算",
    )
    light = serializers.SerializerMethodField()
    responsible = serializers.CharField(source="responsible.name", allow_null=True, default=None)
    result = LabeledChoiceField(Result.choices)
    result_number = serializers.CharField()
    delivery_method = LabeledChoiceField(DeliveryMethod.choices)

    def get_item(self, obj) -> dict:
        if obj.item_version is None:
            return {"implementation_code": "", "name": str(obj.bundle), "version": None}
        return {
            "implementation_code": obj.item.implementation_code if obj.item else "",
            "name": obj.item_version.name,
            "version": obj.item_version.number,
        }

    def get_department(self, obj) -> dict:
        return {"id": obj.department_id, "name": obj.department.name}

    def get_applicant(self, obj) -> dict:
        return {
            "kind": obj.applicant_kind,
            "name": obj.applicant_name,
            "id_number": mask_id_number(obj.applicant_id_number),
            "phone": mask_phone(obj.applicant_phone),
        }

    def get_light(self, obj) -> str:
        light = getattr(obj, "light", None)
        return deadlines.light_of(obj) if light is None else light


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


_CHANNEL, _STATE = _labels(Channel.choices), _labels(State.choices)
_RESULT, _DELIVERY = _labels(Result.choices), _labels(DeliveryMethod.choices)
_DATETIME = serializers.DateTimeField()


def _labeled(labels: dict, value):
    return {"value": value, "label": labels.get(value, str(value))}


def list_row(row: dict) -> dict:
    """A case of the list, as :class:`CaseSerializer` shows it, from the values of
    ``selectors.LIST_VALUES``: the same body, built without DRF's field-by-field
    machinery (a tenth of the time for a page of 50; a test compares both)."""
    if row["item_version_id"] is None:
        item = {"implementation_code": "", "name": row["bundle__name"], "version": None}
    else:
        item = {
            "implementation_code": row["item__implementation_code"] or "",
            "name": row["item_version__name"],
            "version": row["item_version__number"],
        }
    accepted_on, due_date = row["accepted_on"], row["due_date"]
    return {
        "number": row["number"],
        "item": item,
        "department": {"id": row["department_id"], "name": row["department__name"]},
        "centre": row["centre__name"],
        "channel": _labeled(_CHANNEL, row["channel"]),
        "state": _labeled(_STATE, row["state"]),
        "version": row["version"],
        "applicant": {
            "kind": row["applicant_kind"],
            "name": row["applicant_name"],
            "id_number": mask_id_number(row["applicant_id_number"]),
            "phone": mask_phone(row["applicant_phone"]),
        },
        "received_at": _DATETIME.to_representation(row["received_at"]),
        "accepted_on": accepted_on.isoformat() if accepted_on else None,
        "due_date": due_date.isoformat() if due_date else None,
        "due_date_provisional": row["deadline_provisional"],
        "light": row["light"],
        "responsible": row["responsible__name"],
        "result": _labeled(_RESULT, row["result"]),
        "result_number": row["result_number"],
        "delivery_method": _labeled(_DELIVERY, row["delivery_method"]),
    }


class CaseDetailSerializer(CaseSerializer):
    remaining_workdays = serializers.SerializerMethodField()
    materials = MaterialOutSerializer(many=True)
    documents = DocumentOutSerializer(many=True)
    available_actions = serializers.SerializerMethodField()

    def get_remaining_workdays(self, obj) -> int | None:
        return deadlines.remaining_workdays(obj)

    def get_available_actions(self, obj) -> list[str]:
        user = self.context["request"].user
        return [a.action.replace("_", "-") for a in workflow.available_actions(user, obj)]


# --------------------------------------------------------------------------- input


# Every field below is bounded by the column it is written to (govhall.api.fields):
# lengths, integer ranges; DRF's CharField refuses NUL characters.


class ApplicantInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ApplicantKind.choices, default=ApplicantKind.PERSON)
    name = model_char(Case, "applicant_name")
    id_number = model_char(Case, "applicant_id_number", help_text="身份证号或统一社会信用代码")
    phone = model_char(Case, "applicant_phone")
    address = model_char(Case, "applicant_address", required=False, allow_blank=True)


class MaterialInSerializer(serializers.Serializer):
    material = model_integer(
        SubmittedMaterial,
        "material",
        required=False,
        allow_null=True,
        help_text="办事指南申请材料 id（见事项详情 materials[].id）；空为补充材料",
    )
    name = model_char(SubmittedMaterial, "name", required=False, allow_blank=True)
    is_original = serializers.BooleanField(required=False, default=False)
    copies = model_integer(SubmittedMaterial, "copies", required=False, default=1)


class CaseCreateSerializer(serializers.Serializer):
    item = model_char(Item, "implementation_code", help_text="事项实施编码")
    centre = model_char(Centre, "code", required=False, help_text="受理中心编码，默认本人所在中心")
    channel = serializers.ChoiceField(Channel.choices, default=Channel.WINDOW)
    applicant = ApplicantInSerializer()
    materials = MaterialInSerializer(many=True, required=False, default=list)


class _ActionIn(serializers.Serializer):
    expected_version = model_integer(Case, "version", help_text="读取时的 version（乐观锁）")


def _id(model, **kwargs):
    """An id of ``model`` (its primary key's range)."""
    return model_integer(model, model._meta.pk.name, **kwargs)


class CorrectionItemIn(serializers.Serializer):
    material = _id(Material, required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=workflow.TEXT_MAX)
    problem = serializers.CharField(
        help_text="缺少或不符合要求的原因", max_length=workflow.LONG_TEXT_MAX
    )


class NoticeIn(serializers.Serializer):
    """特殊环节告知书的内容（均可选）。"""

    time = serializers.CharField(required=False, allow_blank=True, max_length=workflow.TEXT_MAX)
    place = serializers.CharField(required=False, allow_blank=True, max_length=workflow.TEXT_MAX)
    content = serializers.CharField(
        required=False, allow_blank=True, max_length=workflow.LONG_TEXT_MAX
    )
    persons = serializers.CharField(required=False, allow_blank=True, max_length=workflow.TEXT_MAX)
    method = serializers.CharField(required=False, allow_blank=True, max_length=workflow.TEXT_MAX)


@extend_schema_field({"type": "string", "format": "binary"})
class UploadField(serializers.FileField):
    """A file part of multipart/form-data (binary in the OpenAPI schema)."""


class MaterialsUploadIn(_ActionIn):
    """multipart/form-data of 补正 (resubmit) and 容缺补齐 (catch-up): one file per
    material — ``material`` and ``file`` repeated in the same order (the i-th file
    belongs to the i-th material id)."""

    material = serializers.ListField(
        child=_id(Material),
        max_length=200,
        help_text="办事指南申请材料 id，与 file 一一对应（重复该字段）",
    )
    file = serializers.ListField(
        child=UploadField(),
        max_length=200,
        help_text="材料文件（PDF/JPG/PNG/OFD，按扩展名和文件头校验），与 material 一一对应",
    )
    is_original = serializers.ListField(
        child=serializers.BooleanField(), required=False, help_text="可选，与 material 对应"
    )

    def validate(self, attrs):
        if len(attrs["material"]) != len(attrs["file"]):
            raise serializers.ValidationError({"file": ["文件数量须与 material 数量一致"]})
        if "is_original" in attrs and len(attrs["is_original"]) != len(attrs["material"]):
            raise serializers.ValidationError({"is_original": ["数量须与 material 数量一致"]})
        originals = attrs.get("is_original") or [False] * len(attrs["material"])
        return {
            "expected_version": attrs["expected_version"],
            "materials": [
                {"material": pk, "file": f, "is_original": original}
                for pk, f, original in zip(attrs["material"], attrs["file"], originals, strict=True)
            ],
        }


def _text(spec, max_length):
    return serializers.CharField(
        required=spec.required,
        allow_blank=not spec.required,
        max_length=max_length,
        help_text=spec.help or spec.label,
    )


# One request field per input kind of the transition table (workflow.Kind).
_API_FIELDS = {
    workflow.Kind.TEXT: lambda spec: _text(spec, workflow.TEXT_MAX),
    workflow.Kind.LONG_TEXT: lambda spec: _text(spec, workflow.LONG_TEXT_MAX),
    workflow.Kind.DAYS: lambda spec: model_integer(
        Case, "extension_days", max_value=workflow.DAYS_MAX, help_text=spec.help or spec.label
    ),
    workflow.Kind.CHOICE: lambda spec: serializers.ChoiceField(
        list(spec.choices), required=spec.required, help_text=spec.help or spec.label
    ),
    workflow.Kind.STAFF: lambda spec: _id(
        Staff, required=spec.required, allow_null=True, help_text=spec.help or spec.label
    ),
    workflow.Kind.MATERIALS: lambda spec: MaterialInSerializer(
        many=True, max_length=200, help_text=spec.help or spec.label
    ),
    workflow.Kind.CORRECTIONS: lambda spec: CorrectionItemIn(
        many=True, max_length=200, help_text=spec.help or spec.label
    ),
    workflow.Kind.MATERIAL_IDS: lambda spec: serializers.ListField(
        child=_id(Material), max_length=200, help_text=spec.help or spec.label
    ),
    workflow.Kind.SPECIAL_STEP: lambda spec: _id(SpecialStep, help_text=spec.help or spec.label),
    workflow.Kind.NOTICE: lambda spec: NoticeIn(help_text=spec.help or spec.label),
}
assert set(_API_FIELDS) == workflow.Kind.ALL, "every input kind needs an API field"


def _action_serializer(row) -> type[_ActionIn]:
    """The request serializer of one action, built from its row's inputs: its name
    (``AcceptIn``, ``DecideIn`` …) is its OpenAPI component."""
    name = "".join(part.title() for part in row.action.split("_")) + "In"
    fields = {spec.name: _API_FIELDS[spec.kind](spec) for spec in row.inputs}
    return type(name, (_ActionIn,), {**fields, "__doc__": f"“{row.label}”的请求。"})


ACTION_SERIALIZERS: dict[str, type[_ActionIn]] = {
    row.action: _action_serializer(row)
    for row in workflow.TRANSITIONS
    if not row.roles <= {CaseRole.SYSTEM}
}
# Actions whose materials may come with files (multipart/form-data).
UPLOAD_ACTIONS = {
    row.action
    for row in workflow.TRANSITIONS
    if any(spec.kind == workflow.Kind.MATERIALS for spec in row.inputs)
}


# --------------------------------------------------------------------------- views


class _StaffApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]


def _detail(case, request, status=200):
    case = selectors.case_by_number(number=case.number, user=request.user)
    return Response(CaseDetailSerializer(case, context={"request": request}).data, status=status)


def fingerprint(data) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _centre(request, code: str | None):
    if code:
        centre = Centre.objects.filter(code=code).first()
    else:
        staff = org_permissions.active_staff(request.user)
        centre = staff.centre if staff else None
    if centre is None:
        raise ValidationFailed(
            "受理中心不存在", code="centre_not_found", fields={"centre": ["必填"]}
        )
    return centre


def _submitted_material(pk, index: int):
    """The guide material a file in a create request answers (``None`` for an extra
    one); the service checks that it belongs to the version applied under."""
    if pk is None:
        return None
    material = Material.objects.filter(pk=pk).first()
    if material is None:
        raise ValidationFailed(
            "材料不存在",
            code="unknown_material",
            fields={f"materials.{index}.material": ["不存在"]},
        )
    return material


def _idempotency(request) -> tuple[str | None, str]:
    """(key, fingerprint) of a create request with an ``Idempotency-Key``; a malformed
    key is refused before anything is read (400 ``invalid_idempotency_key``)."""
    key = services.check_idempotency_key(request.headers.get("Idempotency-Key"))
    if key is None:
        return None, ""
    return key, fingerprint(request.data)


def _created_status(case) -> int:
    """201 for a new case, 200 for the replay of an ``Idempotency-Key``."""
    return 200 if getattr(case, "replayed", False) else 201


def _idempotency_header(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "Idempotency-Key",
        str,
        OpenApiParameter.HEADER,
        description=f"同一键+同一请求体返回同一{what}（200）；请求体不同返回409",
    )


class CaseListApi(_StaffApi):
    pagination_class = BoundedCountPagination

    @extend_schema(
        tags=[TAG],
        summary="办件列表（本人可见范围）",
        parameters=[
            OpenApiParameter("department", int, description="部门 id"),
            OpenApiParameter("state", str, enum=State.values),
            OpenApiParameter("light", str, enum=[v for v in Light.values if v]),
            OpenApiParameter("received_from", str, description="收件日期起 YYYY-MM-DD"),
            OpenApiParameter("received_to", str, description="收件日期止 YYYY-MM-DD"),
        ],
        responses={200: CaseSerializer(many=True), **error_responses(**{"400": "invalid_filter"})},
    )
    def get(self, request):
        q = request.query_params
        params.known(q, "department", "state", "light", "received_from", "received_to")
        state = params.choice(q, "state", State)
        dates = {}
        for name in ("received_from", "received_to"):
            value = params.text(q, name)
            if value:
                try:
                    dates[name] = dt.date.fromisoformat(value)
                except ValueError:
                    raise params.invalid_filter(name, value, "应为 YYYY-MM-DD")
        paginator = self.pagination_class()
        offset, limit = paginator.read(request)
        page = selectors.case_page(
            user=request.user,
            offset=offset,
            limit=limit,
            department=params.integer(q, "department") or None,
            states=[state] if state else None,
            light=params.choice(q, "light", Light),
            **dates,
        )
        return paginator.page_response(page, [list_row(row) for row in page.rows])

    @extend_schema(
        tags=[TAG],
        summary="收件/申请（幂等）",
        parameters=[_idempotency_header("办件")],
        request=CaseCreateSerializer,
        responses={
            201: CaseDetailSerializer,
            200: OpenApiResponse(CaseDetailSerializer, description="幂等重放：已存在的办件"),
            **error_responses(
                **{
                    "400": "validation_failed",
                    "403": "permission_denied",
                    "409": "idempotency_mismatch / item_not_accepting",
                }
            ),
        },
    )
    def post(self, request):
        key, print_ = _idempotency(request)
        serializer = CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        item = Item.objects.filter(implementation_code=d["item"]).first()
        if item is None:
            raise ValidationFailed("事项不存在", code="item_not_found", fields={"item": ["不存在"]})
        centre = _centre(request, d.get("centre"))
        materials = [
            {**m, "material": _submitted_material(m.get("material"), i)}
            for i, m in enumerate(d.get("materials") or [])
        ]
        case = services.submit_application(
            actor=request.user,
            item=item,
            centre=centre,
            channel=d["channel"],
            applicant=dict(d["applicant"]),
            materials=materials,
            idempotency_key=key,
            fingerprint=print_,
        )
        return _detail(case, request, status=_created_status(case))


class CaseDetailApi(_StaffApi):
    @extend_schema(
        tags=[TAG],
        summary="办件详情",
        responses={
            200: CaseDetailSerializer,
            **error_responses(**{"403": "permission_denied", "404": "case_not_found"}),
        },
    )
    def get(self, request, number: str):
        case = selectors.case_by_number(number=number, user=request.user)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class CaseEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField(help_text="操作代码（accept、review …）")
    label = serializers.CharField(help_text="中文名称（受理、审查 …）")
    from_state = LabeledChoiceField(State.choices, help_text="原状态")
    to_state = LabeledChoiceField(State.choices, help_text="新状态")
    at = serializers.DateTimeField()
    actor = serializers.CharField(help_text="操作人；申请人姓名脱敏")
    opinion = serializers.CharField(help_text="意见/理由")
    restricted = serializers.BooleanField(help_text="副卷（仅有权限的角色可见）")


class CaseEventListApi(_StaffApi):
    @extend_schema(
        tags=[TAG],
        summary="办理记录（副卷仅对有权限的角色列出）",
        responses={
            200: CaseEventSerializer(many=True),
            **error_responses(
                **{
                    "400": "invalid_filter",
                    "403": "permission_denied",
                    "404": "case_not_found",
                }
            ),
        },
    )
    def get(self, request, number: str):
        params.known(request.query_params, paged=False)
        case = selectors.case_by_number(number=number, user=request.user)
        events = selectors.case_events(case=case, user=request.user)
        return Response(CaseEventSerializer(events, many=True).data)


class CaseActionSchema(AutoSchema):
    """The OpenAPI operation of one route of :class:`CaseActionApi`: each action its
    own summary, description and request schema, from its row."""

    def _row(self):
        return workflow.TABLE[self.view.transition_name]

    def get_tags(self):
        return [TAG]

    def get_operation_id(self):
        return f"cases_{self.view.transition_name}"

    def get_summary(self):
        row = self._row()
        return f"{row.label}（{row.action.replace('_', '-')}）"

    def get_description(self):
        row = self._row()
        text = (
            f"“{row.label}”：允许的状态 "
            + "、".join(State(s).label for s in row.sources)
            + "。过期的 expected_version 返回 409 stale_case；当前状态不允许返回 409 invalid_transition。"
        )
        if row.action in UPLOAD_ACTIONS:
            text += (
                "\n\n可用 application/json（materials 列表，不含文件）或 multipart/form-data 上传文件："
                "expected_version，以及成对重复的 material（材料 id）和 file（文件），"
                "第 i 个 file 属于第 i 个 material。文件仅接受 PDF/JPG/PNG/OFD，按扩展名和文件头校验，"
                "不符合的返回 400 invalid_file。"
            )
        return text

    def get_request_serializer(self):
        serializer = ACTION_SERIALIZERS[self.view.transition_name]
        if self.view.transition_name in UPLOAD_ACTIONS:
            return {"application/json": serializer, "multipart/form-data": MaterialsUploadIn}
        return serializer

    def get_response_serializers(self):
        return {
            200: CaseDetailSerializer,
            **error_responses(
                **{
                    "400": "validation_failed / missing_input",
                    "403": "permission_denied",
                    "404": "case_not_found",
                    "409": "stale_case / invalid_transition",
                }
            ),
        }


class CaseActionApi(_StaffApi):
    """``POST /api/v1/cases/{受理编号}/{action}``: one action of the transition table
    (``workflow.TRANSITIONS``), one route per action (``transition_name``), all through
    ``services.transition``. The request serializer is built from the row's inputs;
    the ids in it become objects through ``selectors.resolve_inputs``, as for the page
    forms."""

    schema = CaseActionSchema()
    transition_name = ""

    def post(self, request, number: str):
        case = selectors.case_by_number(number=number, user=request.user)
        action = self.transition_name
        multipart = action in UPLOAD_ACTIONS and request.content_type.startswith(
            "multipart/form-data"
        )
        serializer_class = MaterialsUploadIn if multipart else ACTION_SERIALIZERS[action]
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        expected = data.pop("expected_version")
        case = services.transition(
            actor=request.user,
            case=case,
            action=action,
            expected_version=expected,
            **selectors.resolve_inputs(case=case, action=action, data=data),
        )
        return _detail(case, request)


# --------------------------------------------------------------------------- 一件事

BUNDLE_TAG = "一件事"


class BundleItemOutSerializer(serializers.Serializer):
    implementation_code = serializers.CharField(source="item.implementation_code")
    department = serializers.CharField(source="item.department.name")


class BundleOutSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    lead_department = _RefSerializer()
    description = serializers.CharField()
    is_active = serializers.BooleanField()
    items = BundleItemOutSerializer(many=True, source="bundle_items")


class BundleChildSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="子件受理编号")
    item = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.name")
    state = LabeledChoiceField(State.choices)
    version = serializers.IntegerField()
    light = serializers.CharField()
    accepted_on = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    result = LabeledChoiceField(Result.choices)
    failed = serializers.BooleanField(help_text="不予受理、不予许可、退件、撤回或终止")

    def get_item(self, obj) -> dict:
        return {
            "implementation_code": obj.item.implementation_code,
            "name": obj.item_version.name,
            "version": obj.item_version.number,
        }


class BundleCaseSerializer(CaseDetailSerializer):
    bundle = serializers.CharField(source="bundle.code", help_text="一件事编码")
    child_failed = serializers.BooleanField(help_text="有子件未获准予")
    children = serializers.SerializerMethodField()

    @extend_schema_field(BundleChildSerializer(many=True))
    def get_children(self, obj) -> list:
        children = list(selectors.bundle_children(parent=obj).select_related("item"))
        failed = {c.pk for c in selectors.failed_children(parent=obj)}
        for child in children:
            child.failed = child.pk in failed
        return BundleChildSerializer(children, many=True).data


class BundleMaterialInSerializer(MaterialInSerializer):
    item = model_char(Item, "implementation_code", help_text="该材料所属事项的实施编码")


class BundleCaseCreateSerializer(serializers.Serializer):
    bundle = model_char(Bundle, "code", help_text="一件事编码")
    centre = model_char(Centre, "code", required=False, help_text="受理中心编码，默认本人所在中心")
    channel = serializers.ChoiceField(Channel.choices, default=Channel.WINDOW)
    applicant = ApplicantInSerializer()
    materials = BundleMaterialInSerializer(
        many=True, required=False, default=list, help_text="各事项的材料，按 item 分组"
    )


def _bundle_detail(case, request, status=200):
    case = selectors.case_by_number(number=case.number, user=request.user)
    return Response(BundleCaseSerializer(case, context={"request": request}).data, status=status)


class BundleListApi(_StaffApi):
    @extend_schema(
        tags=[BUNDLE_TAG],
        summary="一件事列表（启用的）",
        responses={200: BundleOutSerializer(many=True)},
    )
    def get(self, request):
        params.known(request.query_params, paged=False)
        qs = selectors.bundle_list(active_only=True).prefetch_related(
            "bundle_items__item__department"
        )
        return Response(BundleOutSerializer(qs, many=True).data)


class BundleCaseCreateApi(_StaffApi):
    @extend_schema(
        tags=[BUNDLE_TAG],
        summary="一件事收件/申请（幂等）：一张表生成主件和每个事项一个子件",
        parameters=[_idempotency_header("主件")],
        request=BundleCaseCreateSerializer,
        responses={
            201: BundleCaseSerializer,
            200: OpenApiResponse(BundleCaseSerializer, description="幂等重放：已存在的主件"),
            **error_responses(
                **{
                    "400": "validation_failed",
                    "403": "permission_denied",
                    "404": "bundle_not_found",
                    "409": "idempotency_mismatch / item_not_accepting / bundle_inactive",
                }
            ),
        },
    )
    def post(self, request):
        key, print_ = _idempotency(request)
        serializer = BundleCaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        bundle = selectors.get_bundle(code=d["bundle"])
        centre = _centre(request, d.get("centre"))
        items = {bi.item.implementation_code: bi.item for bi in bundle.bundle_items.all()}
        materials: dict[int, list] = {}
        for i, m in enumerate(d.get("materials") or []):
            item = items.get(m["item"].upper())
            if item is None:
                raise ValidationFailed(
                    "该事项不属于这个一件事",
                    code="item_not_in_bundle",
                    fields={f"materials.{i}.item": ["不属于该一件事"]},
                )
            material = _submitted_material(m.get("material"), i)
            row = {k: v for k, v in m.items() if k != "item"}
            materials.setdefault(item.pk, []).append({**row, "material": material})
        parent = services.submit_bundle_application(
            actor=request.user,
            bundle=bundle,
            centre=centre,
            channel=d["channel"],
            applicant=dict(d["applicant"]),
            materials=materials,
            idempotency_key=key,
            fingerprint=print_,
        )
        if not parent.is_bundle_parent:
            raise Conflict("该幂等键已用于普通办件", code="idempotency_mismatch")
        return _bundle_detail(parent, request, status=_created_status(parent))


class BundleCaseDetailApi(_StaffApi):
    @extend_schema(
        tags=[BUNDLE_TAG],
        summary="一件事主件详情（含各子件状态与预警）",
        responses={
            200: BundleCaseSerializer,
            **error_responses(**{"403": "permission_denied", "404": "case_not_found"}),
        },
    )
    def get(self, request, number: str):
        case = selectors.case_by_number(number=number, user=request.user)
        if not case.is_bundle_parent:
            raise NotFound("该办件不是一件事主件", code="case_not_found")
        return _bundle_detail(case, request)


class _Hidden:
    schema = None


def _both(route: str, view, name: str, **initkwargs) -> list:
    """``route/`` documented, ``route`` (no slash) served too but not documented."""
    hidden = type(view.__name__ + "NoSlash", (_Hidden, view), {})
    return [
        path(route + "/", view.as_view(**initkwargs), name=name),
        path(route, hidden.as_view(**initkwargs)),
    ]


urlpatterns: list = [
    *_both("bundles", BundleListApi, "bundle-list"),
    *_both("bundle-cases", BundleCaseCreateApi, "bundle-case-list"),
    *_both("bundle-cases/<str:number>", BundleCaseDetailApi, "bundle-case-detail"),
    *_both("cases", CaseListApi, "case-list"),
    *_both("cases/<str:number>", CaseDetailApi, "case-detail"),
    *_both("cases/<str:number>/events", CaseEventListApi, "case-events"),
]
for _action in ACTION_SERIALIZERS:
    _slug = _action.replace("_", "-")
    urlpatterns += _both(
        f"cases/<str:number>/{_slug}",
        CaseActionApi,
        f"case-{_slug}",
        transition_name=_action,
    )
