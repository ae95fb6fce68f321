"""The daily jobs (``services.jobs``) and ``manage.py run_daily_jobs``: 行政许可法 §32
deemed acceptance, 容缺 expiry, provisional 2027 deadlines recomputed when the year's
schedule is entered; each applied exactly once however often it runs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from govhall.calendar import rules
from govhall.calendar import services as calendar_services
from govhall.cases import deadlines, services
from govhall.cases.models import CaseEvent, DocumentKind, Light, State
from govhall.core import clock
from govhall.core.errors import Conflict

from ..conftest import act, application_form, health_proof, submit

D = dt.date


def test_section_32_five_working_days(env):
    clerk = env.s.clerk.user
    case = submit(env)  # received Monday 11-23; deadline for notice: Monday 11-30
    late = submit(env)
    with clock.frozen(dt.datetime(2026, 11, 30, 17)):
        assert services.apply_deemed_acceptance() == []
        case = act(case, "request_correction", clerk,
                   corrections=[{"name": "营业执照", "problem": "已过期"}])  # fmt: skip
        assert case.state == State.AWAITING_CORRECTION
    with clock.frozen(dt.datetime(2026, 12, 1, 9)):
        with pytest.raises(Conflict) as exc:
            act(late, "request_correction", clerk,
                corrections=[{"name": "申请书", "problem": "未签字"}])  # fmt: skip
        assert exc.value.code == "deemed_accepted" and "第三十二条" in exc.value.message
        assert len(services.apply_deemed_acceptance()) == 1
        late.refresh_from_db()
        assert late.deemed_accepted_s32 and late.accepted_on == D(2026, 11, 23)
        assert late.due_date == D(2026, 11, 30)
        assert deadlines.light_of(late) == Light.OVERDUE
        assert services.apply_deemed_acceptance() == []  # idempotent
        late = act(late, "accept", clerk)
    assert late.accepted_on == D(2026, 11, 23) and late.deemed_accepted_s32
    assert late.documents.get(kind=DocumentKind.ACCEPTANCE).data["deemed_accepted_s32"]


def test_missed_catch_up_terminates_the_case(env, tolerance):
    case = submit(env, env.tolerance, materials=application_form(env))
    case = act(case, "accept_with_tolerance", env.s.clerk.user, tolerated=[health_proof(env)],
               commitment="承诺", catch_up_days=3)  # fmt: skip
    with clock.frozen(dt.datetime(2026, 11, 26, 17)):
        assert services.expire_tolerance_catchups() == []  # the due day itself is fine
    with clock.frozen(dt.datetime(2026, 11, 27, 9)):
        assert len(services.expire_tolerance_catchups()) == 1
    case.refresh_from_db()
    assert case.state == State.TERMINATED and "容缺材料未在" in case.result_reason
    assert case.events.last().actor_name == "系统"


def test_2027_deadline_is_provisional_then_recomputed(env, client):
    def progress_page(case):
        query = {"number": case.number, "phone_tail": case.applicant_phone[-4:]}
        return client.get(reverse("cases_public:progress"), query).content.decode()

    with clock.frozen(dt.datetime(2026, 12, 30, 10)):  # Wednesday
        case = act(submit(env), "accept", env.s.clerk.user)
        # 12-31, (元旦 1-1 by law), 1-4 1-5 1-6 1-7.
        assert case.due_date == D(2027, 1, 7) and case.deadline_provisional
        # the applicant sees it is provisional, as the SMS said; so do staff and the API
        page = progress_page(case)
        assert "2027-01-07" in page and 'id="due-provisional"' in page
        staff = Client()
        staff.force_login(env.s.clerk.user)
        assert 'id="due-provisional"' in staff.get(f"/staff/cases/{case.number}/").content.decode()
        assert staff.get(f"/api/v1/cases/{case.number}").json()["due_date_provisional"] is True
        schedule = [(d, "法定节假日", n) for d, n in sorted(rules.statutory_holidays(2027).items())]
        schedule.append((D(2027, 1, 4), "法定节假日", "元旦"))  # the county's schedule adds 1-4
        calendar_services.enter_year_schedule(actor=env.s.admin.user, year=2027, days=schedule)
    case.refresh_from_db()
    assert case.due_date == D(2027, 1, 8) and not case.deadline_provisional
    assert case.version == 2  # a recompute is not a staff edit
    page = progress_page(case)
    assert "2027-01-08" in page and 'id="due-provisional"' not in page
    assert 'id="due-provisional"' not in staff.get(f"/staff/cases/{case.number}/").content.decode()
    assert staff.get(f"/api/v1/cases/{case.number}").json()["due_date_provisional"] is False


def test_the_administrators_home_page_counts_the_provisional_deadlines(env):
    """工作台 of the centre administrator: how many open cases have a deadline resting
    on the 推算 2027 (期限暂定), next to the calendar's 待录入放假安排; both go once the
    schedule is entered."""
    import re

    browser = Client()
    browser.force_login(env.s.admin.user)

    def tiles():
        page = browser.get("/staff/").content.decode()
        return dict(re.findall(r'text-muted">([^<]+)</div><div class="fs-4 fw-bold">(\d+)', page))

    with clock.frozen(dt.datetime(2026, 12, 30, 10)):
        assert "期限暂定" not in tiles()
        act(submit(env), "accept", env.s.clerk.user)
        shown = tiles()
        assert shown["期限暂定"] == "1" and "2027年待定日（按工作日计）" in shown
        schedule = [(d, "法定节假日", n) for d, n in sorted(rules.statutory_holidays(2027).items())]
        calendar_services.enter_year_schedule(actor=env.s.admin.user, year=2027, days=schedule)
        shown = tiles()
    assert "期限暂定" not in shown and "2027年待定日（按工作日计）" not in shown


# --------------------------------------------------------------------------- the command


def _run(*args) -> str:
    out = io.StringIO()
    call_command("run_daily_jobs", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def pending(env, tolerance):
    """Received Mon 11-23 and left alone: a plain case, and a 容缺 case whose
    catch-up (3 working days) falls due on Thu 11-26."""
    idle = submit(env)
    tolerated = act(
        submit(env, env.tolerance, materials=application_form(env)),
        "accept_with_tolerance",
        env.s.clerk.user,
        tolerated=[health_proof(env)],
        commitment="本人承诺3个工作日内补齐健康证明",
        catch_up_days=3,
    )
    return idle, tolerated


def test_nothing_is_due_on_the_first_days(pending):
    idle, tolerated = pending
    with clock.frozen(dt.datetime(2026, 11, 26, 1, 0)):
        out = _run()
    assert "2026年11月26日" in out and "无需处理的办件" in out
    idle.refresh_from_db()
    tolerated.refresh_from_db()
    assert idle.state == State.SUBMITTED and not idle.deemed_accepted_s32
    assert tolerated.state == State.IN_REVIEW


def test_daily_jobs_apply_s32_and_tolerance_expiry_exactly_once(pending):
    idle, tolerated = pending
    events = CaseEvent.objects.count()
    # Wed 12-02 is the 7th working day after receipt: §32's five days have passed,
    # and the catch-up date 11-26 is long gone.
    with clock.frozen(dt.datetime(2026, 12, 2, 1, 0)):
        out = _run()
        assert "视为受理（行政许可法第三十二条" in out
        assert f"1 件：{idle.number}" in out
        assert f"终止办理：1 件：{tolerated.number}" in out
        idle.refresh_from_db()
        tolerated.refresh_from_db()
        assert idle.deemed_accepted_s32 and idle.accepted_on == dt.date(2026, 11, 23)
        assert idle.state == State.SUBMITTED and idle.due_date == dt.date(2026, 11, 30)
        assert tolerated.state == State.TERMINATED
        assert CaseEvent.objects.count() == events + 2
        again = _run()
    assert "无需处理的办件" in again and idle.number not in again
    assert CaseEvent.objects.count() == events + 2
    versions = (idle.version, tolerated.version)
    idle.refresh_from_db()
    tolerated.refresh_from_db()
    assert (idle.version, tolerated.version) == versions


def test_date_option_judges_as_of_that_day(pending):
    idle, tolerated = pending
    out = _run("--date", "2026-12-02")  # the clock still says 11-23
    assert "2026年12月02日" in out and idle.number in out and tolerated.number in out
    idle.refresh_from_db()
    assert idle.deemed_accepted_s32
    assert "无需处理的办件" in _run("--date", "2026-12-02")
    with pytest.raises(CommandError, match="日期格式不正确"):
        _run("--date", "2026-13-01")
