"""申请期限 on the working-day clock: 3 working days for a change of conditions,
materials, procedure or limits (and 负面清单 entries), one calendar month for a 两优
change, across the 2027 元旦 and 春节 holidays; a filing after its due date is late,
counted per department for the evaluation."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.core import clock
from govhall.governance import selectors
from govhall.governance.services import due_date

from .conftest import act, file_request

pytestmark = pytest.mark.django_db

D = dt.date


def test_three_working_days_skip_new_year(db):
    # Wed 2026-12-30 → Thu 31, (Fri 2027-01-01 元旦, weekend), Mon 4, Tue 5
    assert due_date(kind="change", trigger_date=D(2026, 12, 30), touches_elements=True,
                    two_priority=False) == D(2027, 1, 5)  # fmt: skip
    # a plain week: Mon 2026-11-23 → Thu 26
    assert due_date(kind="change", trigger_date=D(2026, 11, 23), touches_elements=True,
                    two_priority=False) == D(2026, 11, 26)  # fmt: skip
    # a 负面清单 change counts 3 working days too (乌审旗 负面清单 §6)
    assert due_date(kind="negative_add", trigger_date=D(2026, 11, 23), touches_elements=False,
                    two_priority=False) == D(2026, 11, 26)  # fmt: skip


def test_one_month_for_two_priority_moves_off_the_spring_festival(db):
    # 2027-01-08 + 1 month = Mon 2027-02-08, in the predicted 春节 (Feb 5–12, 8 days from
    # 除夕): the next working day is the predicted make-up Sunday Feb 14
    assert due_date(kind="cancel", trigger_date=D(2027, 1, 8), touches_elements=False,
                    two_priority=True) == D(2027, 2, 14)  # fmt: skip
    assert due_date(kind="cancel", trigger_date=D(2026, 11, 23), touches_elements=False,
                    two_priority=True) == D(2026, 12, 23)  # fmt: skip
    # 31 January → the last day of February
    assert due_date(
        kind="cancel", trigger_date=D(2027, 1, 29), touches_elements=False, two_priority=True
    ) == D(2027, 3, 1)  # fmt: skip (Sun 28 Feb → Mon 1 Mar)
    # both rules: the earlier; neither: no deadline
    assert due_date(kind="change", trigger_date=D(2026, 11, 23), touches_elements=True,
                    two_priority=True) == D(2026, 11, 26)  # fmt: skip
    assert due_date(kind="cancel", trigger_date=D(2026, 11, 23), touches_elements=False,
                    two_priority=False) is None  # fmt: skip


def test_a_filing_after_its_due_date_is_late_and_counted(hall):
    with clock.frozen(dt.datetime(2027, 1, 5, 16, 0)):
        on_time = file_request(hall, "change", touches_elements=True, trigger_date=D(2026, 12, 30))
        assert on_time.due_date == D(2027, 1, 5)
        on_time = act(on_time, "submit", hall.staff.market_chief)
        assert not on_time.late
        act(on_time, "withdraw", hall.staff.market_chief)
    with clock.frozen(dt.datetime(2027, 1, 6, 9, 0)):
        late = file_request(hall, "change", touches_elements=True, trigger_date=D(2026, 12, 30))
        late = act(late, "submit", hall.staff.market_chief)
        assert late.late
        # returned and refiled later, it keeps the day it was first filed
        late = act(late, "return", hall.staff.admin, reason="补充")
    with clock.frozen(dt.datetime(2027, 1, 20, 9, 0)):
        late = act(late, "submit", hall.staff.market_chief)
        assert late.late and late.submitted_at.date() == D(2027, 1, 6)
    figures = selectors.filing_timeliness(start=D(2027, 1, 1), end=D(2027, 1, 31))
    assert figures == {hall.market.pk: {"filed": 2, "with_deadline": 2, "late": 1}}
    assert selectors.filing_timeliness(start=D(2026, 12, 1), end=D(2026, 12, 31)) == {}


def test_supervision_scores_filing_timeliness(hall):
    from govhall.supervision import evaluation

    with clock.frozen(dt.datetime(2027, 1, 6, 9, 0)):
        act(file_request(hall, "change", touches_elements=True, trigger_date=D(2026, 12, 30)),
            "submit", hall.staff.market_chief)  # fmt: skip
    rows = evaluation.evaluate(period=evaluation.Period.month(2027, 1))
    by_dept = {r.unit_id: r for r in rows}
    value = by_dept[hall.market.pk].value("adjustment_timeliness")
    assert value.score == 0.0 and "逾期 1" in value.shown
    assert by_dept[hall.health.pk].value("adjustment_timeliness").score is None
