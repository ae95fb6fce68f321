"""The demo's 人员管理 (issue 15 "Done when": a roster, leave, a training session and
appraisals), made through the services; loading it again changes nothing."""

from __future__ import annotations

import pytest

from govhall.core import clock
from govhall.demo.tests.test_load_demo import demo, output  # noqa: F401
from govhall.staff import selectors
from govhall.staff.demo import load_demo_staff
from govhall.staff.models import (
    Appraisal,
    AttendanceRecord,
    LeaveRequest,
    MoveRequest,
    ReturnNotice,
    TrainingAttendance,
    WindowAssignment,
)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("output")
def test_the_demo_has_every_part_of_staff_management():
    early = WindowAssignment.objects.exclude(early_reason="").filter(ends_on__isnull=False)
    assert early.filter(staff__user__username="tax_approver").exists()
    assert set(MoveRequest.objects.values_list("state", flat=True)) == {
        "approved",
        "refused",
        "pending",
    }
    late = ReturnNotice.objects.filter(late_since__isnull=False, replaced_on__isnull=True)
    assert late.count() == 1
    assert ReturnNotice.objects.filter(replaced_on__isnull=False).count() == 1
    assert AttendanceRecord.objects.count() > 300
    assert set(LeaveRequest.objects.values_list("state", flat=True)) == {
        "pending",
        "approved",
        "refused",
        "cancelled",
    }
    signed = TrainingAttendance.objects.filter(session__title="政务服务规范化标准化培训")
    assert signed.filter(signed_out_at__isnull=True).count() == 1
    assert {str(h) for h in signed.values_list("credited_hours", flat=True)} >= {"1.0", "2.0"}
    year = clock.today().year
    assert Appraisal.objects.filter(year=year - 1, state="final").count() == 6
    assert Appraisal.objects.filter(year=year, state="draft").count() == 6
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")
    assert selectors.roster(user=admin)["rows"]
    counts = {
        model: model.objects.count() for model in (WindowAssignment, AttendanceRecord, Appraisal)
    }
    assert load_demo_staff() == {}
    assert counts == {model: model.objects.count() for model in counts}
