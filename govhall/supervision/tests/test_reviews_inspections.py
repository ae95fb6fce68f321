"""现场巡查 / 窗口自查 and 第三方评估 (issue 11 §3): the fix (整改) and check (复查)
loop, photos checked, department isolation, and the evaluation's inspection score."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.cases.tests.conftest import pdf
from govhall.core.audit import AuditEntry
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.supervision import reviews
from govhall.supervision.models import InspectionKind, InspectionState

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def png(name="现场.png"):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def inspect(hall, *, problem="窗口工作人员离岗未放置去向牌", who="supervisor", **kw):
    return reviews.record_inspection(
        actor=getattr(hall.staff, who).user,
        kind=kw.pop("kind", InspectionKind.PATROL),
        department=kw.pop("department", hall.market),
        window=kw.pop("window", None),
        inspected_on=kw.pop("inspected_on", TODAY),
        inspector=kw.pop("inspector", "监察"),
        findings=kw.pop("findings", "上午十点巡查市场监管局窗口"),
        problem=problem,
        **kw,
    )


def test_the_fix_and_check_loop(hall):
    office, chief = hall.staff.supervisor.user, hall.staff.market_chief.user
    i = inspect(hall, photos=[png()])
    assert i.state == InspectionState.OPEN and [p.name for p in i.photos.all()] == ["现场.png"]
    i = reviews.fix_inspection(
        actor=chief, inspection=i, fix="已设置去向牌并通报", photos=[png("整改.png")]
    )
    assert i.state == InspectionState.FIXED and i.fixed_by == hall.staff.market_chief
    with pytest.raises(ValidationFailed) as exc:
        reviews.check_inspection(actor=office, inspection=i, passed=False)
    assert exc.value.code == "required"
    i = reviews.check_inspection(actor=office, inspection=i, passed=False, opinion="去向牌未统一")
    assert i.state == InspectionState.OPEN and i.returns == 1
    i = reviews.fix_inspection(actor=chief, inspection=i, fix="已按统一样式更换")
    i = reviews.check_inspection(actor=office, inspection=i, passed=True)
    assert i.state == InspectionState.CLOSED and i.photos.count() == 2
    with pytest.raises(Conflict) as exc:
        reviews.fix_inspection(actor=chief, inspection=i, fix="再次")
    assert exc.value.code == "wrong_state"
    actions = list(
        AuditEntry.objects.filter(object_type="supervision.inspection", object_id=str(i.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "supervision.inspection.record",
        "supervision.inspection.fix",
        "supervision.inspection.check",
        "supervision.inspection.fix",
        "supervision.inspection.check",
    ]


def test_no_problem_means_passed(hall):
    i = inspect(hall, problem="", kind=InspectionKind.SELF_CHECK)
    assert i.state == InspectionState.PASSED
    with pytest.raises(Conflict):
        reviews.fix_inspection(actor=hall.staff.market_chief.user, inspection=i, fix="无")


def test_who_may_do_what(hall):
    with pytest.raises(PermissionDenied):
        inspect(hall, who="market_chief")
    i = inspect(hall)
    with pytest.raises(PermissionDenied):
        reviews.fix_inspection(actor=hall.staff.health_chief.user, inspection=i, fix="x")
    with pytest.raises(PermissionDenied):
        reviews.fix_inspection(actor=hall.staff.supervisor.user, inspection=i, fix="x")
    i = reviews.fix_inspection(actor=hall.staff.market_chief.user, inspection=i, fix="已整改")
    with pytest.raises(PermissionDenied):
        reviews.check_inspection(actor=hall.staff.market_chief.user, inspection=i, passed=True)


def test_bad_input_is_refused_in_chinese(hall):
    cases = [
        ({"photos": [pdf("现场.pdf")]}, "invalid_file"),
        ({"photos": [SimpleUploadedFile("假.png", b"not a png")]}, "invalid_file"),
        ({"photos": [png(f"{n}.png") for n in range(11)]}, "too_many_files"),
        ({"inspected_on": TODAY + dt.timedelta(days=1)}, "future_date"),
        ({"findings": ""}, "required"),
        ({"inspector": "名" * 51}, "too_long"),
        ({"kind": "audit"}, "invalid_choice"),
    ]
    for kw, code in cases:
        with pytest.raises(ValidationFailed) as exc:
            inspect(hall, **kw)
        assert exc.value.code == code, kw
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    from govhall.org.models import Window

    other = Window.objects.create(
        centre=hall.county, number="09", name="卫健专窗", type="department", department=hall.health
    )
    with pytest.raises(ValidationFailed) as exc:
        inspect(hall, window=other)
    assert exc.value.code == "window_mismatch"


def test_a_department_sees_its_own_inspections(hall):
    inspect(hall)
    inspect(hall, department=hall.health)
    assert reviews.visible_inspections(user=hall.staff.market_chief.user).count() == 1
    assert reviews.visible_inspections(user=hall.staff.supervisor.user).count() == 2
    assert reviews.visible_inspections(user=hall.staff.clerk.user).count() == 0


def test_third_party_scores(hall):
    office = hall.staff.supervisor.user
    row = reviews.record_third_party(
        actor=office,
        department=hall.market,
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        score="88.25",
        source="某某大学评估中心",
    )
    assert str(row.score) == "88.3"
    for kw, code in [
        ({"score": "101"}, "out_of_range"),
        ({"score": "abc"}, "invalid_number"),
        ({"score": "NaN"}, "out_of_range"),
        ({"source": ""}, "required"),
        ({"period_end": dt.date(2026, 6, 1)}, "invalid_period"),
    ]:
        args = {
            "department": hall.market,
            "period_start": dt.date(2026, 7, 1),
            "period_end": dt.date(2026, 9, 30),
            "score": "90",
            "source": "评估中心",
            **kw,
        }
        with pytest.raises(ValidationFailed) as exc:
            reviews.record_third_party(actor=office, **args)
        assert exc.value.code == code, kw
    with pytest.raises(PermissionDenied):
        reviews.record_third_party(
            actor=hall.staff.market_chief.user,
            department=hall.market,
            period_start=TODAY,
            period_end=TODAY,
            score=100,
            source="自评",
        )


def test_the_inspection_score_formula(hall):
    office, chief = hall.staff.supervisor.user, hall.staff.market_chief.user
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    inspect(hall, problem="")  # passed: nothing off
    fixed = inspect(hall)  # put right and checked: 5 off
    fixed = reviews.fix_inspection(actor=chief, inspection=fixed, fix="已整改")
    reviews.check_inspection(actor=office, inspection=fixed, passed=True)
    inspect(hall)  # still open: 5 + 10 off
    assert reviews.inspection_scores(start=start, end=end) == {hall.market.pk: 80.0}
    reviews.record_third_party(
        actor=office,
        department=hall.market,
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 12, 31),
        score=90,
        source="第三方",
    )
    reviews.record_third_party(
        actor=office,
        department=hall.health,
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        score=70,
        source="第三方",
    )
    assert reviews.inspection_scores(start=start, end=end) == {
        hall.market.pk: 85.0,  # (80 + 90) / 2
        hall.health.pk: 70.0,  # third party alone
    }
    # outside the period: nothing
    assert reviews.inspection_scores(start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30)) == {}
    for _ in range(8):  # many open problems: the inspection part stops at 0
        inspect(hall)
    assert reviews.inspection_scores(start=start, end=end)[hall.market.pk] == 45.0  # (0 + 90) / 2


def test_a_department_records_its_own_window_self_check_and_nothing_else(hall):
    """窗口自查 is the department's own: its 首席代表 records one for the department;
    a 现场巡查, or a self-check of another department, stays the office's."""
    i = inspect(hall, who="market_chief", kind=InspectionKind.SELF_CHECK, inspector="市场首代")
    assert i.state == InspectionState.OPEN and i.recorded_by == hall.staff.market_chief
    entry = AuditEntry.objects.get(action="supervision.inspection.record", object_id=str(i.pk))
    assert entry.actor == hall.staff.market_chief.user
    for kw in ({"kind": InspectionKind.PATROL}, {"kind": InspectionKind.SELF_CHECK,
                                                  "department": hall.health}):  # fmt: skip
        with pytest.raises(PermissionDenied):
            inspect(hall, who="market_chief", **kw)
    with pytest.raises(PermissionDenied):
        inspect(hall, who="market_approver", kind=InspectionKind.SELF_CHECK)
    assert reviews.visible_inspections(user=hall.staff.market_chief.user).count() == 1


def test_the_chief_s_form_offers_only_the_own_self_check(hall, client):
    client.force_login(hall.staff.market_chief.user)
    listing = client.get("/staff/supervision/inspections/").content.decode()
    assert "登记巡查/自查" in listing
    page = client.get("/staff/supervision/inspections/new/").content.decode()
    assert 'value="self_check"' in page and 'value="patrol"' not in page
    assert hall.market.name in page and hall.health.name not in page
    client.force_login(hall.staff.market_approver.user)
    assert client.get("/staff/supervision/inspections/new/").status_code == 403
