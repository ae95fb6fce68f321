"""The demo's fees (issue 11 §1, the fee rule): the 收费 guides list their 收费清单 on
the portal, a few demo cases record the listed fee, one a fee off the list, which
``supervisor`` sees as a 收费不在收费清单内 warning; loading again adds no fee."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from govhall.cases.models import CaseFee
from govhall.catalog import selectors
from govhall.catalog.models import FeeLine
from govhall.demo.tests.test_load_demo import demo, output  # noqa: F401
from govhall.supervision.models import Kind, Level, Warning

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("output")
def test_the_demo_records_fees_and_shows_one_off_the_list(client):
    from django.contrib.auth import get_user_model

    versions = selectors.current_versions().filter(has_fee=True, fee_lines__isnull=False)
    assert versions.distinct().count() >= 3
    version = versions.select_related("item").first()
    page = client.get(f"/items/{version.item.implementation_code}/").content.decode()
    assert 'id="fee-lines"' in page and version.fee_lines.first().name in page

    fees = list(CaseFee.objects.select_related("case__item_version"))
    listed = [f for f in fees if f.fee_line_id is not None]
    off = [f for f in fees if f.fee_line_id is None]
    assert len(listed) >= 1 and len(off) == 1
    assert all(f.fee_line.version_id == f.case.item_version_id for f in listed)
    (w,) = Warning.objects.filter(kind=Kind.FEE_NOT_LISTED, cleared_at__isnull=True)
    assert w.case_id == off[0].case_id and w.level == Level.RED
    assert not Warning.objects.filter(
        kind=Kind.FEE_NOT_LISTED, case_id__in=[f.case_id for f in listed]
    ).exists()

    client.force_login(get_user_model().objects.get(username="supervisor"))
    body = client.get("/staff/supervision/warnings/?kind=fee_not_listed").content.decode()
    assert w.case.number in body and "收费不在收费清单内" in body
    case_page = client.get(f"/staff/cases/{w.case.number}/").content.decode()
    assert "加急制证费" in case_page and "不在收费清单内" in case_page

    lines = FeeLine.objects.count()
    call_command("load_demo", stdout=StringIO())
    assert CaseFee.objects.count() == len(fees) and FeeLine.objects.count() == lines
