"""``manage.py run_daily_jobs``: 行政许可法 §32 deemed acceptance and 容缺 expiry,
each applied exactly once however often the command runs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from govhall.cases.models import CaseEvent, State
from govhall.core import clock

from .conftest import act, application_form, submit


def _run(*args) -> str:
    out = io.StringIO()
    call_command("run_daily_jobs", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def pending(env):
    """Received Mon 11-23 and left alone: a plain case, and a 容缺 case whose
    catch-up (3 working days) falls due on Thu 11-26."""
    idle = submit(env)
    health = env.tolerance.versions.get().materials.get(name="健康证明")
    tolerated = act(
        submit(env, env.tolerance, materials=application_form(env)),
        "accept_with_tolerance",
        env.s.clerk.user,
        tolerated=[health],
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
