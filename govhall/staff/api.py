"""REST endpoints of 人员管理, mounted under /api/v1/staff/ (docs/api.md "人员管理",
docs/staff.md). Thin: parse, call ``services`` / ``selectors``, answer; the rules and
their error codes are the services' (``min_term_not_served``, ``too_short_notice``,
``import_rows_invalid`` …), the same as on the pages.

* ``GET staff/roster/?day=`` — 今日在岗;
* ``GET|POST staff/assignments/``, ``POST staff/assignments/{id}/end/`` — 窗口派驻;
* ``GET|POST staff/moves/``, ``POST staff/moves/{id}/decide/`` — 调整申请;
* ``GET staff/attendance/``, ``POST staff/attendance/sign-in/``, ``…/sign-out/``,
  ``POST staff/attendance/import/`` (multipart ``file``) — 考勤;
* ``GET|POST staff/leave/``, ``POST staff/leave/{id}/decide/`` — 请假;
* ``POST staff/training/{id}/sign-in/``, ``…/sign-out/`` — 培训签到签退;
* ``GET staff/appraisals/?year=``, ``GET staff/appraisals/{id}/``,
  ``GET staff/appraisals/{id}/pdf/`` — 年终表现鉴定.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.core import clock
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed
from govhall.org.models import Window

from . import roles, selectors, services, sheet
from .models import (
    AttendanceRecord,
    LeaveKind,
    LeaveRequest,
    LeaveState,
    MoveRequest,
    MoveState,
    TrainingSession,
    WindowAssignment,
)

TAG = "人员管理"
INT_MAX = params.INT_MAX
ERRORS = error_responses(
    **{"400": "输入无效", "403": "无权操作", "404": "不存在或无权查看", "409": "与规则冲突"}
)
LIST_MAX = 500


def _user(request) -> None:
    if not roles.may_use(request.user):
        raise PermissionDenied("只有在岗工作人员可以使用人员管理接口")


def _staff(user, pk: int):
    return selectors.person(user=user, pk=pk)


def _window(pk: int | None) -> Window | None:
    if pk is None:
        return None
    window = Window.objects.filter(pk=pk).first()
    if window is None:
        raise NotFound("没有该窗口", code="window_not_found")
    return window


def _one(qs, pk: int, code: str, label: str):
    row = qs.filter(pk=pk).first() if 0 < pk <= INT_MAX else None
    if row is None:
        raise NotFound(f"没有该{label}，或您无权查看", code=code)
    return row


def _limit(request) -> int:
    return params.integer(request.query_params, "limit", maximum=LIST_MAX) or 100


Id = serializers.IntegerField(min_value=1, max_value=INT_MAX)
Text = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


# --------------------------------------------------------------------------- out


class AssignmentOut(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name")
    window_number = serializers.CharField(source="window.number")
    min_term_end = serializers.SerializerMethodField()

    class Meta:
        model = WindowAssignment
        fields = [
            "id",
            "staff",
            "staff_name",
            "window",
            "window_number",
            "department",
            "starts_on",
            "ends_on",
            "reason",
            "end_reason",
            "early_reason",
            "early_approved_by",
            "min_term_end",
        ]

    def get_min_term_end(self, obj) -> str:
        return services.min_term_end(obj.starts_on).isoformat()


class MoveOut(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name")

    class Meta:
        model = MoveRequest
        fields = [
            "id",
            "staff",
            "staff_name",
            "department",
            "to_window",
            "planned_on",
            "reason",
            "state",
            "requested_at",
            "decided_at",
            "decision_note",
        ]


class AttendanceOut(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name")
    flags = serializers.SerializerMethodField()

    class Meta:
        model = AttendanceRecord
        fields = [
            "id",
            "staff",
            "staff_name",
            "day",
            "signed_in_at",
            "signed_out_at",
            "source",
            "flags",
        ]

    def get_flags(self, obj) -> list[str]:
        return selectors.flags(obj)


class LeaveOut(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name")

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "staff",
            "staff_name",
            "kind",
            "starts_on",
            "ends_on",
            "workdays",
            "reason",
            "state",
            "decided_at",
            "decision_note",
        ]


class AppraisalOut(serializers.Serializer):
    id = serializers.IntegerField()
    staff = serializers.IntegerField(source="staff_id")
    staff_name = serializers.CharField(source="staff.name")
    year = serializers.IntegerField()
    department = serializers.IntegerField(source="department_id", allow_null=True)
    state = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    grade = serializers.CharField()
    comments = serializers.CharField()
    finalised_at = serializers.DateTimeField(allow_null=True)
    figures = serializers.SerializerMethodField()

    def get_figures(self, obj) -> dict:
        return selectors.sheet_figures(obj)


# --------------------------------------------------------------------------- in


class AssignIn(serializers.Serializer):
    staff = Id
    window = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    starts_on = serializers.DateField()
    reason = Text
    early_reason = serializers.CharField(
        max_length=200, allow_blank=True, required=False, default=""
    )


class EndIn(serializers.Serializer):
    ends_on = serializers.DateField()
    reason = serializers.CharField(max_length=200)
    early_reason = serializers.CharField(
        max_length=200, allow_blank=True, required=False, default=""
    )


class MoveIn(serializers.Serializer):
    staff = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    planned_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)
    to_window = serializers.IntegerField(
        min_value=1, max_value=INT_MAX, required=False, allow_null=True, default=None
    )


class MoveDecideIn(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    early_reason = serializers.CharField(
        max_length=200, allow_blank=True, required=False, default=""
    )


class LeaveIn(serializers.Serializer):
    staff = serializers.IntegerField(
        min_value=1, max_value=INT_MAX, required=False, allow_null=True, default=None
    )
    kind = serializers.ChoiceField(choices=LeaveKind.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class LeaveDecideIn(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class AttendanceImportIn(serializers.Serializer):
    file = serializers.FileField(max_length=200)


class ImportOut(serializers.Serializer):
    id = serializers.IntegerField()
    rows = serializers.IntegerField()
    records = serializers.IntegerField()


# --------------------------------------------------------------------------- views


class Base(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]
    parser_classes = [JSONParser]


class RosterApi(Base):
    @extend_schema(
        tags=[TAG],
        summary="今日在岗",
        parameters=[OpenApiParameter("day", str, description="日期（YYYY-MM-DD），默认今天")],
        responses={200: dict, **ERRORS},
    )
    def get(self, request):
        _user(request)
        params.known(request.query_params, "day", paged=False)
        data = selectors.roster(user=request.user, day=params.date(request.query_params, "day"))
        return Response(
            {
                "day": data["day"],
                "workday": data["workday"],
                "counts": data["counts"],
                "rows": [
                    {
                        "staff": r["staff"].pk,
                        "name": r["staff"].name,
                        "window": r["window"].number,
                        "status": r["status"],
                        "signed_in_at": r["record"].signed_in_at if r["record"] else None,
                        "leave": r["leave"].kind if r["leave"] else None,
                    }
                    for r in data["rows"]
                ],
            }
        )


class AssignmentsApi(Base):
    @extend_schema(
        tags=[TAG], summary="窗口派驻", responses={200: AssignmentOut(many=True), **ERRORS}
    )
    def get(self, request):
        _user(request)
        params.known(request.query_params, "current")
        current = params.boolean(request.query_params, "current")
        qs = selectors.assignments(user=request.user, current_only=bool(current))
        return Response(AssignmentOut(qs[: _limit(request)], many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="派驻或调整窗口（中心管理员）",
        request=AssignIn,
        responses={201: AssignmentOut, **ERRORS},
    )
    def post(self, request):
        _user(request)
        data = params.validated(AssignIn, request.data)
        row = services.assign(
            actor=request.user,
            staff=_staff(request.user, data["staff"]),
            window=_window(data["window"]),
            starts_on=data["starts_on"],
            reason=data["reason"],
            early_reason=data["early_reason"],
        )
        return Response(AssignmentOut(row).data, status=201)


class AssignmentEndApi(Base):
    @extend_schema(
        tags=[TAG],
        summary="结束窗口派驻（中心管理员）",
        request=EndIn,
        responses={200: AssignmentOut, **ERRORS},
    )
    def post(self, request, pk: int):
        _user(request)
        row = _one(selectors.assignments(user=request.user), pk, "assignment_not_found", "派驻记录")
        data = params.validated(EndIn, request.data)
        row = services.end_assignment(actor=request.user, assignment=row, **data)
        return Response(AssignmentOut(row).data)


class MovesApi(Base):
    @extend_schema(
        tags=[TAG],
        summary="调整申请",
        parameters=[OpenApiParameter("state", str, enum=MoveState.values)],
        responses={200: MoveOut(many=True), **ERRORS},
    )
    def get(self, request):
        _user(request)
        params.known(request.query_params, "state")
        state = params.choice(request.query_params, "state", MoveState)
        qs = selectors.move_requests(user=request.user, state=state)
        return Response(MoveOut(qs[: _limit(request)], many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="提出调整申请（部门首席代表，须提前五个工作日）",
        request=MoveIn,
        responses={201: MoveOut, **ERRORS},
    )
    def post(self, request):
        _user(request)
        data = params.validated(MoveIn, request.data)
        row = services.request_move(
            actor=request.user,
            staff=_staff(request.user, data["staff"]),
            planned_on=data["planned_on"],
            reason=data["reason"],
            to_window=_window(data["to_window"]),
        )
        return Response(MoveOut(row).data, status=201)


class MoveDecideApi(Base):
    @extend_schema(
        tags=[TAG],
        summary="审核调整申请（中心管理员）",
        request=MoveDecideIn,
        responses={200: MoveOut, **ERRORS},
    )
    def post(self, request, pk: int):
        _user(request)
        row = _one(selectors.move_requests(user=request.user), pk, "move_not_found", "调整申请")
        data = params.validated(MoveDecideIn, request.data)
        row = services.decide_move(actor=request.user, request=row, **data)
        return Response(MoveOut(row).data)


class AttendanceApi(Base):
    @extend_schema(
        tags=[TAG],
        summary="考勤记录",
        parameters=[
            OpenApiParameter("staff", int),
            OpenApiParameter("since", str, description="YYYY-MM-DD"),
            OpenApiParameter("until", str, description="YYYY-MM-DD"),
        ],
        responses={200: AttendanceOut(many=True), **ERRORS},
    )
    def get(self, request):
        _user(request)
        q = request.query_params
        params.known(q, "staff", "since", "until")
        pk = params.integer(q, "staff")
        person = _staff(request.user, pk) if pk else None
        qs = selectors.attendance(
            user=request.user,
            staff=person,
            start=params.date(q, "since"),
            end=params.date(q, "until"),
        )
        return Response(AttendanceOut(qs[: _limit(request)], many=True).data)


class SignInApi(Base):
    @extend_schema(
        tags=[TAG],
        summary="窗口签到（本人）",
        request=None,
        responses={200: AttendanceOut, **ERRORS},
    )
    def post(self, request):
        _user(request)
        return Response(AttendanceOut(services.sign_in(actor=request.user)).data)


class SignOutApi(Base):
    @extend_schema(
        tags=[TAG],
        summary="窗口签退（本人）",
        request=None,
        responses={200: AttendanceOut, **ERRORS},
    )
    def post(self, request):
        _user(request)
        return Response(AttendanceOut(services.sign_out(actor=request.user)).data)


class ImportApi(Base):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=[TAG],
        summary="导入考勤机记录（CSV 或 .xlsx；全部或全不导入）",
        request={"multipart/form-data": AttendanceImportIn},
        responses={201: ImportOut, **ERRORS},
    )
    def post(self, request):
        _user(request)
        data = params.validated(AttendanceImportIn, request.data)
        upload = data["file"]
        if upload.size > services.IMPORT_BYTES_MAX:
            raise ValidationFailed("文件超过 20 MB", code="file_too_large")
        done = services.import_attendance(
            actor=request.user, file_name=upload.name, content=upload.read()
        )
        return Response({"id": done.pk, "rows": done.rows, "records": done.records}, status=201)


class LeaveApi(Base):
    @extend_schema(
        tags=[TAG],
        summary="请假",
        parameters=[OpenApiParameter("state", str, enum=LeaveState.values)],
        responses={200: LeaveOut(many=True), **ERRORS},
    )
    def get(self, request):
        _user(request)
        params.known(request.query_params, "state")
        state = params.choice(request.query_params, "state", LeaveState)
        qs = selectors.leave_requests(user=request.user, state=state)
        return Response(LeaveOut(qs[: _limit(request)], many=True).data)

    @extend_schema(
        tags=[TAG],
        summary="提交请假（本人；首席代表或管理员可代为提交）",
        request=LeaveIn,
        responses={201: LeaveOut, **ERRORS},
    )
    def post(self, request):
        _user(request)
        data = params.validated(LeaveIn, request.data)
        pk = data.pop("staff", None)
        person = _staff(request.user, pk) if pk else getattr(request.user, "staff", None)
        if person is None:
            raise PermissionDenied("请指定请假人", code="staff_required")
        row = services.request_leave(actor=request.user, staff=person, **data)
        return Response(LeaveOut(row).data, status=201)


class LeaveDecideApi(Base):
    @extend_schema(
        tags=[TAG], summary="审批请假", request=LeaveDecideIn, responses={200: LeaveOut, **ERRORS}
    )
    def post(self, request, pk: int):
        _user(request)
        row = _one(selectors.leave_requests(user=request.user), pk, "leave_not_found", "请假")
        data = params.validated(LeaveDecideIn, request.data)
        return Response(LeaveOut(services.decide_leave(actor=request.user, leave=row, **data)).data)


def _session(request, pk: int) -> TrainingSession:
    return _one(selectors.trainings(user=request.user), pk, "training_not_found", "培训")


class TrainingSignInApi(Base):
    @extend_schema(
        tags=[TAG], summary="培训签到（本人）", request=None, responses={200: dict, **ERRORS}
    )
    def post(self, request, pk: int):
        _user(request)
        row = services.training_sign_in(actor=request.user, session=_session(request, pk))
        return Response({"signed_in_at": row.signed_in_at})


class TrainingSignOutApi(Base):
    @extend_schema(
        tags=[TAG], summary="培训签退（本人）", request=None, responses={200: dict, **ERRORS}
    )
    def post(self, request, pk: int):
        _user(request)
        row = services.training_sign_out(actor=request.user, session=_session(request, pk))
        return Response(
            {
                "signed_in_at": row.signed_in_at,
                "signed_out_at": row.signed_out_at,
                "credited_hours": str(row.credited_hours),
            }
        )


class AppraisalsApi(Base):
    @extend_schema(
        tags=[TAG],
        summary="年终表现鉴定",
        parameters=[OpenApiParameter("year", int)],
        responses={200: AppraisalOut(many=True), **ERRORS},
    )
    def get(self, request):
        _user(request)
        params.known(request.query_params, "year")
        year = params.integer(
            request.query_params, "year", minimum=2000, maximum=clock.today().year
        )
        qs = selectors.appraisals(user=request.user, year=year or clock.today().year)
        return Response(AppraisalOut(qs[: _limit(request)], many=True).data)


class AppraisalApi(Base):
    @extend_schema(tags=[TAG], summary="一份年终表现鉴定", responses={200: AppraisalOut, **ERRORS})
    def get(self, request, pk: int):
        _user(request)
        if not 0 < pk <= INT_MAX:
            raise NotFound("没有该鉴定，或您无权查看", code="appraisal_not_found")
        return Response(AppraisalOut(selectors.appraisal(user=request.user, pk=pk)).data)


class AppraisalPdfApi(Base):
    @extend_schema(
        tags=[TAG],
        summary="年终表现鉴定表 PDF",
        responses={(200, "application/pdf"): bytes, **ERRORS},
    )
    def get(self, request, pk: int):
        _user(request)
        if not 0 < pk <= INT_MAX:
            raise NotFound("没有该鉴定，或您无权查看", code="appraisal_not_found")
        row = selectors.appraisal(user=request.user, pk=pk)
        pdf = sheet.render(
            appraisal=row, figures=selectors.sheet_figures(row), centre_name=row.staff.centre.name
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="appraisal-{row.year}-{row.staff_id}.pdf"'
        )
        return response


urlpatterns = [
    path("staff/roster/", RosterApi.as_view(), name="staff-roster"),
    path("staff/assignments/", AssignmentsApi.as_view(), name="staff-assignments"),
    path(
        "staff/assignments/<int:pk>/end/", AssignmentEndApi.as_view(), name="staff-assignment-end"
    ),
    path("staff/moves/", MovesApi.as_view(), name="staff-moves"),
    path("staff/moves/<int:pk>/decide/", MoveDecideApi.as_view(), name="staff-move-decide"),
    path("staff/attendance/", AttendanceApi.as_view(), name="staff-attendance"),
    path("staff/attendance/sign-in/", SignInApi.as_view(), name="staff-sign-in"),
    path("staff/attendance/sign-out/", SignOutApi.as_view(), name="staff-sign-out"),
    path("staff/attendance/import/", ImportApi.as_view(), name="staff-attendance-import"),
    path("staff/leave/", LeaveApi.as_view(), name="staff-leave"),
    path("staff/leave/<int:pk>/decide/", LeaveDecideApi.as_view(), name="staff-leave-decide"),
    path(
        "staff/training/<int:pk>/sign-in/",
        TrainingSignInApi.as_view(),
        name="staff-training-sign-in",
    ),
    path(
        "staff/training/<int:pk>/sign-out/",
        TrainingSignOutApi.as_view(),
        name="staff-training-sign-out",
    ),
    path("staff/appraisals/", AppraisalsApi.as_view(), name="staff-appraisals"),
    path("staff/appraisals/<int:pk>/", AppraisalApi.as_view(), name="staff-appraisal"),
    path("staff/appraisals/<int:pk>/pdf/", AppraisalPdfApi.as_view(), name="staff-appraisal-pdf"),
]
