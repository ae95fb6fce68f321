"""人员管理 staff pages, mounted at /staff/people/: 今日在岗, 签到签退, 考勤记录 (and
the clock-device import), 请假, 学习培训, 窗口派驻, 调整申请, 退回补派, 年终鉴定 (and
its PDF). Pages never re-check a rule: they call ``services`` and show the
DomainError's message."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhall.core import clock, web
from govhall.core.errors import DomainError, NotFound, PermissionDenied
from govhall.org.models import Staff, Window

from . import roles, selectors, services, sheet
from .forms import (
    AppraisalForm,
    AssignForm,
    DecideForm,
    EndForm,
    ImportForm,
    LeaveForm,
    MoveForm,
    ReplaceForm,
    ReturnForm,
    TrainingForm,
)
from .models import (
    Appraisal,
    AppraisalState,
    LeaveRequest,
    LeaveState,
    MoveState,
    TrainingAttendance,
)

PAGE_SIZE = 40
NOT_USER = "只有在岗工作人员可以使用人员管理"


def _require_use(user) -> None:
    if not roles.may_use(user):
        raise PermissionDenied(NOT_USER)


def _render(request, template: str, context: dict):
    user = request.user
    context.setdefault("is_admin", roles.may_manage(user))
    context.setdefault("chief_of", roles.chief_of(user))
    context.setdefault("sees_all", roles.sees_all(user))
    context.setdefault("late_returns", selectors.late_returns(user=user))
    return render(request, template, context)


def _fail(request, exc: DomainError, form=None) -> None:
    if exc.http_status in (403, 404):
        raise exc
    shown = web.apply_errors(exc, form=form) if form is not None else []
    messages.error(
        request, exc.message + ("：" + "；".join(shown) if shown and shown != [exc.message] else "")
    )


def _staff_choices(user):
    return [
        (
            s.pk,
            f"{s.name}（{s.department.short_name or s.department.name if s.department else s.get_role_display()}）",
        )
        for s in selectors.people(user=user)
    ]


def _window_choices(user):
    staff = getattr(user, "staff", None)
    qs = Window.objects.filter(is_active=True).select_related("centre")
    if staff is not None:
        qs = qs.filter(centre_id=staff.centre_id)
    return [(w.pk, f"{w.number} {w.name}") for w in qs.order_by("centre__code", "number")]


def _visible_staff(user, pk) -> Staff:
    return selectors.person(user=user, pk=pk or 0)


def _window(pk) -> Window:
    window = Window.objects.filter(pk=pk or 0).first()
    if window is None:
        raise NotFound("没有该窗口", code="window_not_found")
    return window


# --------------------------------------------------------------------------- roster


@web.staff_page
def roster(request):
    user = request.user
    _require_use(user)
    day = web.query_date(request.GET.get("day")) or clock.today()
    data = selectors.roster(user=user, day=day)
    weekday = "星期" + "一二三四五六日"[day.weekday()]
    return _render(
        request,
        "staff/roster.html",
        {"tab": "roster", "today": clock.today(), "weekday": weekday, **data},
    )


# --------------------------------------------------------------------------- attendance


@web.staff_page
def sign(request):
    user = request.user
    _require_use(user)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "out":
                record = services.sign_out(actor=user)
                messages.success(request, f"已签退：{timezone.localtime(clock.now()):%H:%M}")
            else:
                record = services.sign_in(actor=user)
                messages.success(request, f"已签到：{timezone.localtime(clock.now()):%H:%M}")
            del record
        except DomainError as exc:
            _fail(request, exc)
        return redirect("staff:sign")
    me = getattr(user, "staff", None)
    record = None
    recent = []
    if me is not None:
        recent = list(selectors.attendance(user=user, staff=me)[:10])
        record = next((r for r in recent if r.day == clock.today()), None)
    return _render(
        request,
        "staff/sign.html",
        {
            "tab": "sign",
            "me": me,
            "record": record,
            "recent": [(r, selectors.flags(r)) for r in recent],
            "now": clock.now(),
        },
    )


@web.staff_page
def attendance(request):
    user = request.user
    _require_use(user)
    errors: list[str] = []
    start = web.query_date(request.GET.get("start"), errors=errors, label="开始日期")
    end = web.query_date(request.GET.get("end"), errors=errors, label="结束日期")
    if start is None and end is None:
        end = clock.today()
        start = end.replace(day=1)
    pk = web.query_int(request.GET.get("staff"))
    person = _visible_staff(user, pk) if pk else None
    qs = selectors.attendance(user=user, staff=person, start=start, end=end)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(r, selectors.flags(r)) for r in page]
    form = ImportForm()
    return _render(
        request,
        "staff/attendance.html",
        {
            "tab": "attendance",
            "page": page,
            "rows": rows,
            "start": start,
            "end": end,
            "person": person,
            "people": selectors.people(user=user),
            "errors": errors,
            "form": form,
            "import_errors": request.session.pop("staff_import_errors", []),
        },
    )


@web.staff_page
@require_POST
def attendance_import(request):
    user = request.user
    _require_use(user)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > services.IMPORT_BYTES_MAX:
                raise services.ValidationFailed("文件超过 20 MB", code="file_too_large")
            done = services.import_attendance(
                actor=user, file_name=upload.name, content=upload.read()
            )
        except DomainError as exc:
            if exc.http_status in (403, 404):
                raise
            messages.error(request, exc.message)
            request.session["staff_import_errors"] = list((exc.fields or {}).get("file", []))
        else:
            messages.success(request, f"已导入 {done.rows} 行，形成 {done.records} 条考勤记录")
    else:
        messages.error(request, "请选择文件")
    return redirect("staff:attendance")


# --------------------------------------------------------------------------- leave

LEAVE_TABS = [
    ("pending", "待审批"),
    ("approved", "已批准"),
    ("refused", "不批准"),
    ("cancelled", "已撤销"),
    ("", "全部"),
]


@web.staff_page
def leave(request):
    user = request.user
    _require_use(user)
    state = request.GET.get("state", "")
    state = state if state in dict(LEAVE_TABS) else ""
    choices = _staff_choices(user) if (roles.may_manage(user) or roles.chief_of(user)) else []
    form = LeaveForm(request.POST or None, staff_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = (
                _visible_staff(user, data["staff"])
                if data["staff"]
                else getattr(user, "staff", None)
            )
            if person is None:
                raise PermissionDenied("请选择请假人")
            services.request_leave(
                actor=user,
                staff=person,
                kind=data["kind"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
            )
        except DomainError as exc:
            _fail(request, exc, form)
        else:
            messages.success(request, "请假已提交，待审批")
            return redirect("staff:leave")
    qs = selectors.leave_requests(user=user, state=state).order_by("-requested_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "l": lv,
            "may_decide": lv.state == LeaveState.PENDING and roles.may_decide_leave(user, lv),
            "may_cancel": lv.state in (LeaveState.PENDING, LeaveState.APPROVED)
            and roles.may_request_leave(user, lv.staff),
        }
        for lv in page
    ]
    return _render(
        request,
        "staff/leave.html",
        {
            "tab": "leave",
            "form": form,
            "page": page,
            "rows": rows,
            "state": state,
            "tabs": LEAVE_TABS,
        },
    )


def _leave(user, pk) -> LeaveRequest:
    row = selectors.leave_requests(user=user).filter(pk=pk).first()
    if row is None:
        raise NotFound("没有该请假，或您无权查看", code="leave_not_found")
    return row


@web.staff_page
@require_POST
def leave_decide(request, pk: int):
    user = request.user
    _require_use(user)
    row = _leave(user, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.decide_leave(
                actor=user,
                leave=row,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(
                request,
                f"已{'批准' if form.cleaned_data['approve'] else '不批准'} {row.staff.name} 的请假",
            )
    else:
        messages.error(request, "请选择审批结果")
    return redirect("staff:leave")


@web.staff_page
@require_POST
def leave_cancel(request, pk: int):
    user = request.user
    _require_use(user)
    row = _leave(user, pk)
    try:
        services.cancel_leave(actor=user, leave=row, reason=request.POST.get("reason", "")[:200])
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, "请假已撤销")
    return redirect("staff:leave")


# --------------------------------------------------------------------------- assignments


def _require_manager_or_chief(user) -> None:
    if not (roles.sees_all(user) or roles.chief_of(user) is not None):
        raise PermissionDenied("只有中心管理员、首席代表和电子监察人员可以查看窗口派驻")


@web.staff_page
def assignments(request):
    user = request.user
    _require_use(user)
    _require_manager_or_chief(user)
    current = request.GET.get("all") != "1"
    form = AssignForm(
        request.POST or None,
        staff_choices=_staff_choices(user) if roles.may_manage(user) else [],
        window_choices=_window_choices(user),
        initial={"starts_on": clock.today()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assign(
                actor=user,
                staff=_visible_staff(user, data["staff"]),
                window=_window(data["window"]),
                starts_on=data["starts_on"],
                reason=data["reason"],
                early_reason=data["early_reason"],
            )
        except DomainError as exc:
            _fail(request, exc, form)
        else:
            messages.success(request, "已登记窗口派驻")
            return redirect("staff:assignments")
    qs = selectors.assignments(user=user, current_only=current)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"a": a, "term_end": services.min_term_end(a.starts_on)} for a in page]
    return _render(
        request,
        "staff/assignments.html",
        {
            "tab": "assignments",
            "form": form,
            "page": page,
            "rows": rows,
            "current": current,
            "end_form": EndForm(initial={"ends_on": clock.today()}),
            "today": clock.today(),
        },
    )


@web.staff_page
@require_POST
def assignment_end(request, pk: int):
    user = request.user
    _require_use(user)
    row = selectors.assignments(user=user).filter(pk=pk).first()
    if row is None:
        raise NotFound("没有该派驻记录", code="assignment_not_found")
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.end_assignment(actor=user, assignment=row, **form.cleaned_data)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"{row.staff.name} 的派驻已结束")
    else:
        messages.error(request, "请填写最后在岗日和离岗原因")
    return redirect("staff:assignments")


# --------------------------------------------------------------------------- moves


@web.staff_page
def moves(request):
    user = request.user
    _require_use(user)
    _require_manager_or_chief(user)
    department = roles.chief_of(user)
    choices = (
        [(s.pk, s.name) for s in selectors.people(user=user).filter(department=department)]
        if department
        else []
    )
    form = MoveForm(
        request.POST or None,
        staff_choices=choices,
        window_choices=_window_choices(user),
        initial={"planned_on": services.notice_deadline(day=clock.today())},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_move(
                actor=user,
                staff=_visible_staff(user, data["staff"]),
                planned_on=data["planned_on"],
                reason=data["reason"],
                to_window=_window(data["to_window"]) if data["to_window"] else None,
            )
        except DomainError as exc:
            _fail(request, exc, form)
        else:
            messages.success(request, "调整申请已提交，待中心审核")
            return redirect("staff:moves")
    qs = selectors.move_requests(user=user).order_by("-requested_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "staff/moves.html",
        {
            "tab": "moves",
            "form": form if department else None,
            "page": page,
            "earliest": services.notice_deadline(day=clock.today()),
            "decide_form": DecideForm(),
            "pending": MoveState.PENDING,
        },
    )


@web.staff_page
@require_POST
def move_decide(request, pk: int):
    user = request.user
    _require_use(user)
    row = selectors.move_requests(user=user).filter(pk=pk).first()
    if row is None:
        raise NotFound("没有该调整申请", code="move_not_found")
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.decide_move(actor=user, request=row, **form.cleaned_data)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "调整申请已审核")
    else:
        messages.error(request, "请选择审核结果")
    return redirect("staff:moves")


# --------------------------------------------------------------------------- returns


@web.staff_page
def returns(request):
    user = request.user
    _require_use(user)
    _require_manager_or_chief(user)
    admin = roles.may_manage(user)
    choices = (
        [
            (s.pk, s.name)
            for s in selectors.people(user=user).filter(
                department__isnull=False, window__isnull=False
            )
        ]
        if admin
        else []
    )
    form = ReturnForm(request.POST or None, staff_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_worker(
                actor=user,
                staff=_visible_staff(user, form.cleaned_data["staff"]),
                opinion=form.cleaned_data["opinion"],
            )
        except DomainError as exc:
            _fail(request, exc, form)
        else:
            messages.success(request, "已退回，派出单位须在五个工作日内补派")
            return redirect("staff:returns")
    qs = selectors.return_notices(user=user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.today()
    rows = []
    for n in page:
        replace = None
        if n.is_open and roles.may_replace(user, n):
            replace = ReplaceForm(
                staff_choices=[
                    (s.pk, s.name)
                    for s in Staff.objects.filter(department=n.department, is_active=True).exclude(
                        pk=n.staff_id
                    )
                ]
            )
        rows.append({"n": n, "late": n.is_open and n.due_on < today, "replace": replace})
    return _render(
        request,
        "staff/returns.html",
        {"tab": "returns", "form": form if admin else None, "rows": rows, "page": page},
    )


@web.staff_page
@require_POST
def return_replace(request, pk: int):
    user = request.user
    _require_use(user)
    notice = selectors.return_notices(user=user).filter(pk=pk).first()
    if notice is None:
        raise NotFound("没有该退回通知", code="return_not_found")
    pk_new = web.query_int(request.POST.get("replacement"))
    replacement = Staff.objects.filter(pk=pk_new or 0).first()
    try:
        if replacement is None:
            raise services.ValidationFailed("请选择补派人员", code="invalid_replacement")
        services.replace_worker(actor=user, notice=notice, replacement=replacement)
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, f"已补派 {replacement.name}")
    return redirect("staff:returns")


# --------------------------------------------------------------------------- training


@web.staff_page
def trainings(request):
    user = request.user
    _require_use(user)
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        staff = getattr(user, "staff", None)
        try:
            if staff is None:
                raise PermissionDenied("请使用中心管理员账号组织培训")
            session = services.create_training(actor=user, centre=staff.centre, **form.cleaned_data)
        except DomainError as exc:
            _fail(request, exc, form)
        else:
            messages.success(request, "培训已创建")
            return redirect("staff:training", pk=session.pk)
    page = Paginator(selectors.trainings(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    year = clock.today().year
    me = getattr(user, "staff", None)
    mine = selectors.training_hours(staff_ids=[me.pk], year=year).get(me.pk) if me else None
    return _render(
        request,
        "staff/trainings.html",
        {"tab": "trainings", "form": form, "page": page, "mine": mine, "year": year},
    )


@web.staff_page
def training(request, pk: int):
    user = request.user
    _require_use(user)
    session = selectors.trainings(user=user).filter(pk=pk).first()
    if session is None:
        raise NotFound("没有该培训", code="training_not_found")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "out":
                row = services.training_sign_out(actor=user, session=session)
                messages.success(request, f"已签退，认定学时 {row.credited_hours}")
            else:
                services.training_sign_in(actor=user, session=session)
                messages.success(request, "已签到")
        except DomainError as exc:
            _fail(request, exc)
        return redirect("staff:training", pk=pk)
    me = getattr(user, "staff", None)
    mine = TrainingAttendance.objects.filter(session=session, staff=me).first() if me else None
    return _render(
        request,
        "staff/training.html",
        {
            "tab": "trainings",
            "s": session,
            "rows": selectors.training_rows(user=user, session=session),
            "mine": mine,
            "me": me,
        },
    )


# --------------------------------------------------------------------------- appraisals


def _year(request) -> int:
    year = web.query_int(request.GET.get("year"), maximum=clock.today().year)
    return year if year and year >= 2000 else clock.today().year


@web.staff_page
def appraisals(request):
    user = request.user
    _require_use(user)
    year = _year(request)
    people = list(selectors.appraisal_staff(user=user, year=year))
    existing = {a.staff_id: a for a in selectors.appraisals(user=user, year=year)}
    for pk in existing:
        if pk not in {p.pk for p in people}:
            people.append(existing[pk].staff)
    figures = selectors.figures_for(staff_ids=[p.pk for p in people], year=year)
    rows = [
        {
            "p": p,
            "a": existing.get(p.pk),
            "f": existing[p.pk].figures
            if p.pk in existing and existing[p.pk].figures
            else figures[p.pk],
        }
        for p in people
    ]
    years = list(range(clock.today().year, clock.today().year - 4, -1))
    return _render(
        request,
        "staff/appraisals.html",
        {"tab": "appraisals", "rows": rows, "year": year, "years": years},
    )


@web.staff_page
def appraisal_start(request, staff_pk: int):
    """Open (create the draft of) a person's appraisal for a year."""
    user = request.user
    _require_use(user)
    year = _year(request)
    person = _visible_staff(user, staff_pk)
    row = Appraisal.objects.filter(staff=person, year=year).first()
    if row is None:
        if request.method != "POST":
            return _render(
                request,
                "staff/appraisal_start.html",
                {"tab": "appraisals", "p": person, "year": year},
            )
        try:
            row = services.save_appraisal(actor=user, staff=person, year=year)
        except DomainError as exc:
            _fail(request, exc)
            return redirect(f"{_url('staff:appraisals')}?year={year}")
    return redirect("staff:appraisal", pk=row.pk)


def _url(name, **kwargs):
    from django.urls import reverse

    return reverse(name, kwargs=kwargs or None)


@web.staff_page
def appraisal(request, pk: int):
    user = request.user
    _require_use(user)
    row = selectors.appraisal(user=user, pk=pk)
    form = AppraisalForm(
        request.POST or None,
        initial={"score": row.score, "grade": row.grade, "comments": row.comments},
    )
    if request.method == "POST":
        try:
            if not form.is_valid():
                messages.error(request, "请检查填写的内容")
            else:
                services.save_appraisal(
                    actor=user, staff=row.staff, year=row.year, **form.cleaned_data
                )
                if request.POST.get("action") == "finalise":
                    services.finalise_appraisal(actor=user, appraisal=row)
                    messages.success(request, "鉴定已定稿，可下载鉴定表送派出单位")
                else:
                    messages.success(request, "已保存")
                return redirect("staff:appraisal", pk=pk)
        except DomainError as exc:
            _fail(request, exc, form)
    figures = selectors.sheet_figures(row)
    return _render(
        request,
        "staff/appraisal.html",
        {
            "tab": "appraisals",
            "a": row,
            "figures": sheet.figure_rows(figures),
            "form": form,
            "final": row.state == AppraisalState.FINAL,
        },
    )


@web.staff_page
def appraisal_pdf(request, pk: int):
    user = request.user
    _require_use(user)
    row = selectors.appraisal(user=user, pk=pk)
    pdf = sheet.render(
        appraisal=row, figures=selectors.sheet_figures(row), centre_name=row.staff.centre.name
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="appraisal-{row.year}-{row.staff_id}.pdf"'
    return response
