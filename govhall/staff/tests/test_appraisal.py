"""R-STAFF-6 (内乡县 §31; 达拉特旗 §22, §25): the year-end figures read from cases,
好差评, complaints and 电子监察; the centre's score and comments; a finalised
appraisal changes only with a reason; the PDF sheet for the home department."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from govhall.cases.models import Case
from govhall.core import clock
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.feedback.complaints.models import Complaint
from govhall.feedback.ratings.models import Rating
from govhall.staff import selectors, services
from govhall.supervision.models import Warning
from govhall.testing import factories

from .conftest import assign_on

pytestmark = pytest.mark.django_db


def at(day, hh=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh)))


@pytest.fixture
def record(stationed):
    """For the clerk in 2026: three cases received (two completed, one of them
    late), four ratings (one 差评, one excluded by an appeal), one complaint about
    them, a red-light warning; attendance on two days (one late) and a day's leave."""
    p = stationed
    item = factories.add_county_item(p.org, "market_item")
    cases = [factories.window_case(p.org, item, applicant=factories.person(i)) for i in (1, 2, 3)]
    Case.objects.filter(pk=cases[0].pk).update(
        completed_at=at(dt.date(2026, 11, 20)), due_date=dt.date(2026, 11, 25)
    )
    Case.objects.filter(pk=cases[1].pk).update(
        completed_at=at(dt.date(2026, 11, 20)), due_date=dt.date(2026, 11, 19)
    )
    rows = ((5, False, False), (4, False, False), (2, True, False), (1, True, True))
    for index, (level, bad, excluded) in enumerate(rows, start=1):
        Rating.objects.create(
            case=cases[0],
            round=index,
            channel="window",
            level=level,
            is_bad=bad,
            excluded=excluded,
            department=p.market,
            staff=p.clerk,
            rated_at=at(dt.date(2026, 11, 20)),
            rated_on=dt.date(2026, 11, 20),
        )
    Complaint.objects.create(
        number="TS2026000001",
        channel="window",
        category="complaint",
        subject="窗口态度",
        content="态度生硬",
        centre=p.county,
        about_staff=p.clerk,
        state="closed",
        finding="upheld",
        received_at=at(dt.date(2026, 11, 18)),
    )
    Complaint.objects.create(
        number="TS2026000002",
        channel="window",
        category="complaint",
        subject="窗口推诿",
        content="说窗口推诿",
        centre=p.county,
        about_staff=p.clerk,
        state="closed",
        finding="not_upheld",
        received_at=at(dt.date(2026, 11, 19)),
    )
    Warning.objects.create(
        kind="red_light",
        level="red",
        case=cases[2],
        department=p.market,
        staff=p.clerk,
        raised_at=at(dt.date(2026, 11, 19)),
        raised_on=dt.date(2026, 11, 19),
    )
    services.import_attendance(
        actor=p.admin.user,
        file_name="c.csv",
        content=b"\xe5\xb7\xa5\xe5\x8f\xb7,\xe6\x97\xb6\xe9\x97\xb4\n"
        b"clerk,2026-11-19 08:20\nclerk,2026-11-19 17:40\nclerk,2026-11-20 08:50\nclerk,2026-11-20 17:35\n",
    )
    with clock.frozen(dt.datetime(2026, 11, 10, 9, 0)):
        leave = services.request_leave(
            actor=p.clerk.user,
            staff=p.clerk,
            kind="personal",
            starts_on=dt.date(2026, 11, 17),
            ends_on=dt.date(2026, 11, 17),
            reason="家事",
        )
        services.decide_leave(actor=p.admin.user, leave=leave, approve=True)
    return p


def test_the_figures_are_read_from_cases_ratings_complaints_and_warnings(record):
    p = record
    f = selectors.figures_for(staff_ids=[p.clerk.pk], year=2026)[p.clerk.pk]
    assert f["cases"] == {"handled": 3, "completed": 2, "on_time": 1, "on_time_rate": 50.0}
    assert f["ratings"] == {"total": 3, "good": 2, "bad": 1, "satisfaction": 66.7}
    assert f["complaints"] == {"total": 2, "closed": 2, "upheld": 1}
    assert f["warnings"] == {"total": 1, "red": 1}
    a = f["attendance"]
    assert (a["present"], a["late"]) == (2, 1)
    assert f["leave"] == {"days": 1, "by_kind": {"事假": 1}}
    # attendance is kept from the centre's first record (Thursday 11-19): Thursday
    # and Friday are expected, both present; the leave of 11-17 was before that
    assert (a["since"], a["expected"], a["absent"]) == ("2026-11-19", 2, 0)
    services.import_attendance(
        actor=p.admin.user,
        file_name="d.csv",
        content="工号,时间\nclerk,2026-11-16 08:10\n".encode(),
    )
    a = selectors.figures_for(staff_ids=[p.clerk.pk], year=2026)[p.clerk.pk]["attendance"]
    # now from Monday 11-16: five working days, three present, one on leave → one absent
    assert (a["expected"], a["present"], a["absent"]) == (5, 3, 1)
    # another person's record is empty
    other = selectors.figures_for(staff_ids=[p.market_worker.pk], year=2026)[p.market_worker.pk]
    assert other["cases"]["handled"] == 0 and other["ratings"]["satisfaction"] is None


def test_the_centre_scores_finalises_and_a_final_appraisal_changes_only_with_a_reason(record):
    p = record
    with pytest.raises(PermissionDenied):
        services.save_appraisal(actor=p.market_chief.user, staff=p.clerk, year=2026, score=90)
    a = services.save_appraisal(
        actor=p.admin.user,
        staff=p.clerk,
        year=2026,
        score="91.5",
        grade="excellent",
        comments="服务热情",
    )
    with pytest.raises(ValidationFailed):
        services.save_appraisal(actor=p.admin.user, staff=p.clerk, year=2026, score=101)
    services.finalise_appraisal(actor=p.admin.user, appraisal=a)
    a.refresh_from_db()
    assert a.figures["cases"]["handled"] == 3 and a.state == "final"
    with pytest.raises(Conflict) as exc:
        services.save_appraisal(
            actor=p.admin.user, staff=p.clerk, year=2026, score=80, grade="competent"
        )
    assert exc.value.code == "reason_required"
    services.save_appraisal(
        actor=p.admin.user,
        staff=p.clerk,
        year=2026,
        score=88,
        grade="excellent",
        comments="服务热情",
        reason="复核投诉后调整评分",
    )
    a.refresh_from_db()
    assert a.score == Decimal("88.0") and a.state == "final"
    entry = AuditEntry.objects.filter(action="staff.appraisal.save", object_id=str(a.pk)).latest(
        "id"
    )
    assert entry.reason == "复核投诉后调整评分" and entry.changes["score"] == ["91.5", "88.0"]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils")
def test_the_pdf_sheet_names_the_person_and_their_figures(record, tmp_path):
    p = record
    a = services.save_appraisal(
        actor=p.admin.user,
        staff=p.clerk,
        year=2026,
        score=90,
        grade="excellent",
        comments="业务熟练",
    )
    client = Client()
    client.force_login(p.admin.user)
    response = client.get(f"/staff/people/appraisals/{a.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "综窗" in text and "年度表现情况鉴定表" in text
    assert "按期办结率 50.0%" in text and "优秀" in text and "业务熟练" in text
    # the chief of another department cannot fetch it
    other = Client()
    other.force_login(p.health_chief.user)
    assert other.get(f"/staff/people/appraisals/{a.pk}/pdf/").status_code == 404


def test_appraisals_list_the_people_at_a_window_that_year(stationed):
    p = stationed
    assign_on(p, p.market_spare, p.second, dt.date(2026, 11, 2))
    names = {s.name for s in selectors.appraisal_staff(user=p.admin.user, year=2026)}
    assert names == {"综窗", "市场窗口甲", "卫健窗口甲", "市场窗口乙"}
    assert {s.name for s in selectors.appraisal_staff(user=p.admin.user, year=2025)} == {
        "综窗",
        "卫健窗口甲",
    }
    mine = {s.name for s in selectors.appraisal_staff(user=p.market_chief.user, year=2026)}
    assert mine == {"市场窗口甲", "市场窗口乙"}


def test_the_people_served_at_the_window_count_in_the_figures(record):
    from govhall.core.actors import Applicant
    from govhall.hall import services as hall

    p = record
    category = hall.save_category(
        actor=p.admin.user, centre=p.county, data={"prefix": "A", "name": "综合业务"}
    )
    with clock.frozen(dt.datetime(2026, 11, 20, 10, 0)):
        for _ in range(2):
            hall.issue_ticket(actor=Applicant("取号人"), category=category)
            ticket = hall.call_next(actor=p.clerk.user, window=p.clerk.window)
            hall.start(actor=p.clerk.user, ticket=ticket)
            clock.advance(minutes=6)
            hall.finish(actor=p.clerk.user, ticket=ticket)
    f = selectors.figures_for(staff_ids=[p.clerk.pk], year=2026)[p.clerk.pk]
    assert f["hall"] == {"served": 2, "service_avg": 6.0}
