"""REST endpoints of the hall (大厅排队叫号与预约; mounted under /api/v1/hall/;
docs/api.md "大厅排队叫号与预约"). Thin: every rule is in ``services`` / ``selectors``.

Public (no sign-in; ``{code}`` is the centre's code, e.g. 150626), nothing personal in
any answer:

* ``GET hall/{code}/categories/`` — 业务类别 of the ticket machine with the people
  waiting in each.
* ``POST hall/{code}/tickets/`` — 取号 (``services.issue_ticket``). A ticket machine
  signs in as an API client (a 导服台 staff member's token) and is not throttled; an
  anonymous caller (网上取号) is throttled per client address
  (``hall/throttle.py``, shared with the pages: the booking,
  cancelling and check-in endpoints).
* ``GET hall/tickets/{id}/`` — a ticket's code, state, window and the people ahead.
* ``GET hall/{code}/board/`` — the calling screen; ``GET hall/{code}/events/?after=``
  — the calls after an event id (what the SSE stream sends).
* ``GET hall/{code}/slots/?category=&day=`` — bookable 预约时段;
  ``POST hall/{code}/appointments/`` — 网上预约 (channel ``online``);
  ``POST hall/appointments/cancel/`` — cancel by code and the phone's last 4 digits;
  ``POST hall/appointments/check-in/`` — 预约签到 by code: a 预约 priority ticket.

Staff (session, Basic or an API client's token; ``roles``):

* ``GET hall/windows/{id}/`` — what the window shows (current ticket, people waiting);
  ``POST hall/windows/{id}/call-next/`` — 叫号 (200 with ``ticket`` null when nobody
  waits).
* ``POST hall/tickets/{id}/{recall,no-show,start,finish,transfer,cancel}/``.
* ``GET hall/{code}/statistics/?start=&end=`` — 等候/办理时长 by category, window and
  hour (``roles.may_view_statistics``; at most 366 days).
"""

from __future__ import annotations

import datetime as dt

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework import permissions as drf_permissions
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from govhall.api import params
from govhall.api.errors import error_responses
from govhall.core import actors, clock
from govhall.core.errors import NotFound, PermissionDenied, ValidationFailed
from govhall.org.models import Centre, Window

from . import roles, selectors, services, throttle
from .models import AppointmentChannel, Category, Priority, Ticket, TicketState

TAG = "大厅排队叫号与预约"
INT_MAX = params.INT_MAX
MAX_STATS_DAYS = 366
MAX_EVENTS = 200

THROTTLED_CODE = "hall_throttled"
THROTTLED_MESSAGE = "操作过于频繁，请稍后再试或到导服台咨询。"


class Throttled(exceptions.APIException):
    status_code = 429
    default_code = THROTTLED_CODE
    default_detail = THROTTLED_MESSAGE


def _throttle(request) -> None:
    """One more anonymous attempt from this client address (``hall/throttle.py``)."""
    if throttle.exceeded(request):
        raise Throttled()


def _actor(request, name: str = ""):
    """The signed-in user, or the person at the machine (``Applicant``)."""
    if request.user.is_authenticated:
        return request.user
    return actors.Applicant((name or "取号人")[:50])


def _centre(code: str) -> Centre:
    centre = selectors.centre_by_code(code)
    if centre is None:
        raise NotFound("没有该政务服务中心", code="centre_not_found")
    return centre


def _category(centre: Centre, pk) -> Category:
    found = selectors.category(centre=centre, pk=pk)
    if found is None:
        raise ValidationFailed(
            "没有该业务类别", code="category_not_found", fields={"category": ["没有该业务类别"]}
        )
    return found


def _ticket(pk: int) -> Ticket:
    found = selectors.ticket(pk=pk) if params.fits_column(pk, Ticket, "id") else None
    if found is None:
        raise NotFound("没有该排队号", code="ticket_not_found")
    return found


def _window(pk: int) -> Window:
    found = None
    if params.fits_column(pk, Window, "id"):
        found = Window.objects.select_related("centre").filter(pk=pk).first()
    if found is None:
        raise NotFound("没有该窗口", code="window_not_found")
    return found


def _staff_only(request) -> None:
    if not roles.may_use(request.user):
        raise PermissionDenied("只有中心工作人员可以操作窗口叫号")


# --------------------------------------------------------------------------- serializers


class HallCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    prefix = serializers.CharField(help_text="号码字头（A023 的 A）")
    name = serializers.CharField()
    kind = serializers.CharField(
        help_text="item 按事项、department 按部门、life_event 按主题、general 综合业务"
    )
    description = serializers.CharField()
    department_name = serializers.SerializerMethodField()
    waiting = serializers.SerializerMethodField(help_text="正在等候的人数")

    def get_department_name(self, obj) -> str:
        return obj.department.name if obj.department_id else ""

    def get_waiting(self, obj) -> int:
        return self.context.get("waiting", {}).get(obj.pk, 0)


class HallPublicTicketSerializer(serializers.Serializer):
    """A ticket as the person (and anyone with its id) sees it: nothing personal."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="排队号，如 A023")
    category = serializers.CharField(source="category.name")
    day = serializers.DateField()
    state = serializers.CharField(
        help_text="waiting 等候中、called 已叫号、serving 办理中、done 已办结、no_show 过号、cancelled 已取消"
    )
    state_label = serializers.CharField(source="get_state_display")
    priority = serializers.CharField(
        help_text="绿色通道：空为普通，appointment 预约、elderly 老年人、disabled 残疾人、other 其他"
    )
    window = serializers.SerializerMethodField(help_text="叫号窗口号（已叫号、办理中时）")
    ahead = serializers.SerializerMethodField(help_text="前面等候的人数（等候中时）")
    issued_at = serializers.DateTimeField()

    def get_window(self, obj) -> str:
        if obj.state in (TicketState.CALLED, TicketState.SERVING) and obj.window_id:
            return obj.window.number
        return ""

    def get_ahead(self, obj) -> int | None:
        if obj.state != TicketState.WAITING:
            return None
        return selectors.waiting_ahead(ticket=obj)


class HallStaffTicketSerializer(HallPublicTicketSerializer):
    """A ticket as the window sees it: the person's name, ID number and phone masked
    (the window desk opens with them in full, ``desk_source``)."""

    name = serializers.CharField()
    id_number = serializers.CharField(source="masked_id_number", help_text="脱敏")
    phone = serializers.CharField(source="masked_phone", help_text="脱敏")
    calls = serializers.IntegerField(help_text="本次叫号次数")
    called_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class HallIssueIn(serializers.Serializer):
    category = serializers.IntegerField(min_value=1, max_value=INT_MAX, help_text="业务类别 id")
    priority = serializers.ChoiceField(
        choices=[p for p in Priority.values if p != Priority.APPOINTMENT],
        required=False,
        allow_blank=True,
        default="",
        help_text="绿色通道：elderly 凭身份证自动识别；disabled、other 由导服人员发放",
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=18, default="")
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=11, default="", help_text="叫号时短信提醒"
    )


class HallWindowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()
    is_open = serializers.BooleanField()
    waiting = serializers.IntegerField(help_text="本窗口可叫的等候人数")
    current = HallStaffTicketSerializer(allow_null=True, help_text="本窗口已叫号或办理中的号")


class HallCallNextSerializer(serializers.Serializer):
    ticket = HallStaffTicketSerializer(allow_null=True, help_text="叫到的号；无人等候时为 null")


class HallTransferIn(serializers.Serializer):
    to_window = serializers.IntegerField(min_value=1, max_value=INT_MAX, help_text="转至窗口 id")
    reason = serializers.CharField(max_length=200)


class HallReasonIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class HallBoardCallSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    window_number = serializers.CharField()
    at = serializers.DateTimeField()


class HallBoardCategorySerializer(serializers.Serializer):
    prefix = serializers.CharField()
    name = serializers.CharField()
    waiting = serializers.IntegerField()


class HallBoardSerializer(serializers.Serializer):
    recent = HallBoardCallSerializer(many=True, help_text="最近的叫号（新的在前）")
    categories = HallBoardCategorySerializer(many=True)
    last_id = serializers.IntegerField(help_text="最新事件 id（events?after= 从此开始）")


class HallEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(
        help_text="issue、call、recall、start、finish、no_show、requeue、transfer、cancel"
    )
    code = serializers.CharField()
    window = serializers.CharField()
    at = serializers.CharField(help_text="HH:MM:SS（本地时间）")


class HallSlotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.IntegerField(source="category_id")
    day = serializers.DateField()
    starts_at = serializers.TimeField(format="%H:%M")
    ends_at = serializers.TimeField(format="%H:%M")
    kind = serializers.CharField(help_text="regular 工作日、extended 延时服务、weekend 周末服务")
    capacity = serializers.IntegerField()
    left = serializers.IntegerField(help_text="剩余名额")


class HallBookIn(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, max_value=INT_MAX, help_text="预约时段 id")
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18)
    phone = serializers.CharField(max_length=11)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class HallAppointmentSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="预约码（6 位，取号机签到用）")
    state = serializers.CharField(
        help_text="booked 已预约、checked_in 已签到、cancelled 已取消、missed 爽约"
    )
    state_label = serializers.CharField(source="get_state_display")
    category = serializers.CharField(source="slot.category.name")
    day = serializers.DateField(source="slot.day")
    starts_at = serializers.TimeField(source="slot.starts_at", format="%H:%M")
    ends_at = serializers.TimeField(source="slot.ends_at", format="%H:%M")
    name = serializers.SerializerMethodField(help_text="姓名（脱敏）")
    phone = serializers.CharField(source="masked_phone")

    def get_name(self, obj) -> str:
        return (obj.name[:1] + "*" * (len(obj.name) - 1)) if obj.name else ""


class HallCancelIn(serializers.Serializer):
    code = serializers.RegexField(r"^\d{6}$", help_text="预约码")
    phone_tail = serializers.RegexField(
        r"^\d{4}$", required=False, allow_blank=True, default="", help_text="手机号后 4 位"
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class HallCheckInIn(serializers.Serializer):
    code = serializers.RegexField(r"^\d{6}$", help_text="预约码")


class HallSummarySerializer(serializers.Serializer):
    tickets = serializers.IntegerField()
    called = serializers.IntegerField()
    served = serializers.IntegerField()
    no_show = serializers.IntegerField()
    wait_avg = serializers.FloatField(allow_null=True, help_text="平均等候（分钟）")
    wait_p90 = serializers.FloatField(allow_null=True)
    wait_max = serializers.FloatField(allow_null=True)
    service_avg = serializers.FloatField(allow_null=True, help_text="平均办理（分钟）")
    long_waits = serializers.IntegerField(help_text="等候超过 HALL_LONG_WAIT_MINUTES 的人数")


class HallStatisticsSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    category = serializers.DictField(child=HallSummarySerializer(), help_text="按业务类别")
    window = serializers.DictField(child=HallSummarySerializer(), help_text="按窗口")
    hour = serializers.DictField(child=HallSummarySerializer(), help_text="按取号时段")
    all = serializers.DictField(child=HallSummarySerializer(), help_text="合计")


CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="中心代码，如 150626")


# --------------------------------------------------------------------------- public


class CategoryListApi(APIView):
    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(
        tags=[TAG],
        summary="业务类别（取号机）及等候人数",
        auth=[],
        parameters=[CODE],
        responses={200: HallCategorySerializer(many=True), **error_responses()},
    )
    def get(self, request, code: str):
        params.known(request.query_params, paged=False)
        centre = _centre(code)
        rows = selectors.categories(centre=centre)
        waiting = selectors.waiting_counts(centre=centre)
        return Response(HallCategorySerializer(rows, many=True, context={"waiting": waiting}).data)


class IssueApi(APIView):
    permission_classes = [drf_permissions.AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="取号（取号机、网上取号；导服人员可发绿色通道号）",
        parameters=[CODE],
        request=HallIssueIn,
        responses={201: HallPublicTicketSerializer, **error_responses()},
    )
    def post(self, request, code: str):
        _throttle(request)
        centre = _centre(code)
        data = params.validated(HallIssueIn, request.data)
        ticket = services.issue_ticket(
            actor=_actor(request, data["name"]),
            category=_category(centre, data["category"]),
            priority=data["priority"],
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
        )
        ticket = selectors.ticket(pk=ticket.pk)
        return Response(HallPublicTicketSerializer(ticket).data, status=201)


class TicketApi(APIView):
    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(
        tags=[TAG],
        summary="排队号状态（公开：号码、状态、前面人数）",
        auth=[],
        responses={200: HallPublicTicketSerializer, **error_responses()},
    )
    def get(self, request, pk: int):
        params.known(request.query_params, paged=False)
        return Response(HallPublicTicketSerializer(_ticket(pk)).data)


class BoardApi(APIView):
    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(
        tags=[TAG],
        summary="叫号屏：最近叫号、各类别等候人数",
        auth=[],
        parameters=[CODE],
        responses={200: HallBoardSerializer, **error_responses()},
    )
    def get(self, request, code: str):
        params.known(request.query_params, paged=False)
        return Response(HallBoardSerializer(selectors.board(centre=_centre(code))).data)


class EventsApi(APIView):
    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(
        tags=[TAG],
        summary="叫号事件（某事件 id 之后，按 id 顺序；不含个人信息）",
        auth=[],
        parameters=[
            CODE,
            OpenApiParameter("after", int, description="上次收到的事件 id（默认 0）"),
            OpenApiParameter("limit", int, description=f"最多条数（1–{MAX_EVENTS}，默认 50）"),
        ],
        responses={200: HallEventSerializer(many=True), **error_responses()},
    )
    def get(self, request, code: str):
        q = request.query_params
        params.known(q, "after", "limit", paged=False)
        after = params.integer(q, "after", minimum=0) or 0
        limit = params.integer(q, "limit", maximum=MAX_EVENTS) or 50
        rows = selectors.events_after(centre=_centre(code), after=after, limit=limit)
        return Response(HallEventSerializer(rows, many=True).data)


class SlotListApi(APIView):
    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(
        tags=[TAG],
        summary="可预约时段（今天起 HALL_BOOKING_DAYS 天内，未开始的）",
        auth=[],
        parameters=[
            CODE,
            OpenApiParameter("category", int, required=True, description="业务类别 id"),
            OpenApiParameter("day", str, description="只看某一天（YYYY-MM-DD）"),
        ],
        responses={200: HallSlotSerializer(many=True), **error_responses()},
    )
    def get(self, request, code: str):
        q = request.query_params
        params.known(q, "category", "day", paged=False)
        centre = _centre(code)
        pk = params.integer(q, "category")
        if pk is None:
            raise ValidationFailed(
                "请选择业务类别", code="invalid_filter", fields={"category": ["必填"]}
            )
        day = params.date(q, "day")
        rows = selectors.bookable_slots(category=_category(centre, pk))
        if day is not None:
            rows = rows.filter(day=day)
        return Response(HallSlotSerializer(rows[:500], many=True).data)


class BookApi(APIView):
    permission_classes = [drf_permissions.AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="网上预约（预约码以短信发送）",
        auth=[],
        parameters=[CODE],
        request=HallBookIn,
        responses={201: HallAppointmentSerializer, **error_responses()},
    )
    def post(self, request, code: str):
        _throttle(request)
        centre = _centre(code)
        data = params.validated(HallBookIn, request.data)
        from .models import Slot

        slot = (
            Slot.objects.select_related("category").filter(pk=data["slot"], centre=centre).first()
        )
        if slot is None:
            raise ValidationFailed(
                "没有该预约时段", code="slot_not_found", fields={"slot": ["没有该预约时段"]}
            )
        appointment = services.book(
            actor=actors.Applicant(data["name"][:50]),
            slot=slot,
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            note=data["note"],
            channel=AppointmentChannel.ONLINE,
        )
        return Response(HallAppointmentSerializer(appointment).data, status=201)


class CancelAppointmentApi(APIView):
    permission_classes = [drf_permissions.AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="取消预约（预约码 + 手机号后 4 位；中心工作人员只需预约码）",
        request=HallCancelIn,
        responses={200: HallAppointmentSerializer, **error_responses()},
    )
    def post(self, request):
        _throttle(request)
        data = params.validated(HallCancelIn, request.data)
        appointment = services.cancel_appointment(
            actor=_actor(request, "预约人"),
            code=data["code"],
            phone_tail=data["phone_tail"],
            reason=data["reason"],
        )
        return Response(HallAppointmentSerializer(appointment).data)


class CheckInApi(APIView):
    permission_classes = [drf_permissions.AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="预约签到（取号机输入预约码，领取预约优先号）",
        request=HallCheckInIn,
        responses={201: HallPublicTicketSerializer, **error_responses()},
    )
    def post(self, request):
        _throttle(request)
        data = params.validated(HallCheckInIn, request.data)
        ticket = services.check_in(actor=_actor(request, "预约人"), code=data["code"])
        return Response(HallPublicTicketSerializer(selectors.ticket(pk=ticket.pk)).data, status=201)


# --------------------------------------------------------------------------- staff


class WindowApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="窗口：当前叫号、可叫的等候人数",
        responses={200: HallWindowSerializer, **error_responses()},
    )
    def get(self, request, pk: int):
        _staff_only(request)
        params.known(request.query_params, paged=False)
        window = _window(pk)
        roles.require_operator(request.user, window)
        today = clock.today()
        out = {
            "id": window.pk,
            "number": window.number,
            "name": window.name,
            "is_open": services.window_is_open(window=window, day=today),
            "waiting": selectors.waiting_for(window=window, day=today),
            "current": selectors.current_at(window=window, day=today),
        }
        return Response(HallWindowSerializer(out).data)


class CallNextApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        summary="叫号（本窗口的下一位；无人等候时 ticket 为 null）",
        request=None,
        responses={200: HallCallNextSerializer, **error_responses()},
    )
    def post(self, request, pk: int):
        _staff_only(request)
        window = _window(pk)
        ticket = services.call_next(actor=request.user, window=window)
        if ticket is not None:
            ticket = selectors.ticket(pk=ticket.pk)
        return Response(HallCallNextSerializer({"ticket": ticket}).data)


def _ticket_action(name: str, summary: str, call, request_class=None):
    class TicketActionApi(APIView):
        permission_classes = [drf_permissions.IsAuthenticated]
        parser_classes = [JSONParser]

        @extend_schema(
            tags=[TAG],
            summary=summary,
            request=request_class,
            responses={200: HallStaffTicketSerializer, **error_responses()},
            operation_id=f"hall_ticket_{name.replace('-', '_')}",
        )
        def post(self, request, pk: int):
            _staff_only(request)
            data = params.validated(request_class, request.data) if request_class else {}
            ticket = call(request.user, _ticket(pk), data)
            return Response(HallStaffTicketSerializer(selectors.ticket(pk=ticket.pk)).data)

    TicketActionApi.__name__ = f"Ticket{name.title().replace('-', '')}Api"
    return TicketActionApi


def _transfer(user, ticket, data):
    to_window = _window(data["to_window"])
    return services.transfer(actor=user, ticket=ticket, to_window=to_window, reason=data["reason"])


TICKET_ACTIONS = [
    ("recall", "重呼", lambda u, t, d: services.recall(actor=u, ticket=t), None),
    (
        "no-show",
        "过号（叫满规定次数仍未到）",
        lambda u, t, d: services.mark_no_show(actor=u, ticket=t),
        None,
    ),
    ("start", "开始办理", lambda u, t, d: services.start(actor=u, ticket=t), None),
    ("finish", "办理结束", lambda u, t, d: services.finish(actor=u, ticket=t), None),
    ("transfer", "转窗口（保留排队位置，只由目标窗口叫号）", _transfer, HallTransferIn),
    (
        "cancel",
        "取消排队号",
        lambda u, t, d: services.cancel(actor=u, ticket=t, reason=d["reason"]),
        HallReasonIn,
    ),
]


class StatisticsApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="大厅统计：等候时长、办理时长（按类别、窗口、时段）",
        parameters=[
            CODE,
            OpenApiParameter("start", str, description="起始日期（YYYY-MM-DD，默认 30 天前）"),
            OpenApiParameter("end", str, description="截止日期（YYYY-MM-DD，默认今天）"),
        ],
        responses={200: HallStatisticsSerializer, **error_responses()},
    )
    def get(self, request, code: str):
        if not roles.may_view_statistics(request.user):
            raise PermissionDenied("只有中心管理员、电子监察人员和首席代表可以查看大厅统计")
        q = request.query_params
        params.known(q, "start", "end", paged=False)
        centre = _centre(code)
        end = params.date(q, "end") or clock.today()
        start = params.date(q, "start") or end - dt.timedelta(days=30)
        if start > end:
            raise params.invalid_filter("end", q.get("end", ""), "不能早于 start")
        if (end - start).days >= MAX_STATS_DAYS:
            raise params.invalid_filter(
                "start", q.get("start", ""), f"统计期间最长 {MAX_STATS_DAYS} 天"
            )
        out = selectors.statistics(centre=centre, start=start, end=end)
        return Response(HallStatisticsSerializer({"start": start, "end": end, **out}).data)


# --------------------------------------------------------------------------- routes

urlpatterns = [
    path(
        "hall/appointments/cancel/", CancelAppointmentApi.as_view(), name="hall-appointment-cancel"
    ),
    path("hall/appointments/check-in/", CheckInApi.as_view(), name="hall-check-in"),
    path("hall/tickets/<int:pk>/", TicketApi.as_view(), name="hall-ticket"),
    *[
        path(
            f"hall/tickets/<int:pk>/{name}/",
            _ticket_action(name, summary, call, body).as_view(),
            name=f"hall-ticket-{name}",
        )
        for name, summary, call, body in TICKET_ACTIONS
    ],
    path("hall/windows/<int:pk>/", WindowApi.as_view(), name="hall-window"),
    path("hall/windows/<int:pk>/call-next/", CallNextApi.as_view(), name="hall-call-next"),
    path("hall/<str:code>/categories/", CategoryListApi.as_view(), name="hall-categories"),
    path("hall/<str:code>/tickets/", IssueApi.as_view(), name="hall-issue"),
    path("hall/<str:code>/board/", BoardApi.as_view(), name="hall-board"),
    path("hall/<str:code>/events/", EventsApi.as_view(), name="hall-events"),
    path("hall/<str:code>/slots/", SlotListApi.as_view(), name="hall-slots"),
    path("hall/<str:code>/appointments/", BookApi.as_view(), name="hall-book"),
    path("hall/<str:code>/statistics/", StatisticsApi.as_view(), name="hall-statistics"),
]
