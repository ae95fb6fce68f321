"""The demo's 审管联动 (issue 14 "Done when"): pushes acknowledged and pending, monthly
letters, licences in every status, a revocation that led to a 注销, a subject on the
warning list refused 容缺 at the window — all made through the services."""

from __future__ import annotations

import pytest

from govhall.cases.models import State as CaseState
from govhall.core.models import AuditEntry
from govhall.demo.tests.test_load_demo import demo, output  # noqa: F401
from govhall.licences import identifiers, selectors
from govhall.licences.demo import WARNED, load_demo_licences
from govhall.licences.models import (
    CancellationObligation,
    Licence,
    MonthlyLetter,
    ResultPush,
    Status,
    SupervisionReport,
    WarningEntry,
)
from govhall.testing.factories import make_id_number

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("output")
def test_the_demo_shows_every_part_of_the_linkage():
    assert {licence.status for licence in Licence.objects.all()} == set(Status.values)
    assert all(identifiers.verify(x) for x in Licence.objects.values_list("identifier", flat=True))
    pushes = ResultPush.objects.all()
    assert pushes.filter(acknowledged_at__isnull=False).exists()
    assert pushes.filter(acknowledged_at__isnull=True).exists()
    assert selectors.overdue_pushes()  # some are past their 签收期限
    assert MonthlyLetter.objects.count() >= 2
    assert all(bytes(x.pdf).startswith(b"%PDF") for x in MonthlyLetter.objects.all())
    fulfilled = CancellationObligation.objects.filter(fulfilled_at__isnull=False).get()
    assert fulfilled.licence.status == Status.CANCELLED
    assert selectors.late_obligations()  # one revocation not yet acted on in time
    assert set(SupervisionReport.objects.values_list("kind", flat=True)) == {
        "penalty",
        "hazard",
        "major_change",
        "violation",
    }
    code = make_id_number(WARNED["serial"])
    assert WarningEntry.objects.filter(subject_code=code, lifted_at__isnull=True).exists()
    waiting = selectors.active_warnings(code=code)
    assert waiting and waiting[0].report is not None
    from govhall.cases.models import Case

    case = Case.objects.get(applicant_id_number=code)
    assert case.state == CaseState.SUBMITTED and not case.materials.filter(tolerated=True)
    assert AuditEntry.objects.filter(action="licences.licence.cancel").exists()
    assert load_demo_licences() == {}
