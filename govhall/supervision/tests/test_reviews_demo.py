"""The demo's 卷宗评查 and 巡查 (issue 11 §3): last month sampled, some reviews finished
and some open, inspections in every state with a photo, third-party scores, shown to
``supervisor``; loading the demo again adds none."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from govhall.demo.tests.test_load_demo import demo, output  # noqa: F401
from govhall.supervision import reviews
from govhall.supervision.models import (
    FileReview,
    Inspection,
    InspectionState,
    ReviewDraw,
    ThirdPartyScore,
)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("output")
def test_the_demo_has_a_sampled_month_and_inspections(client):
    from django.contrib.auth import get_user_model

    from govhall.core import clock

    draw = ReviewDraw.objects.get()
    last = reviews.month_start(reviews.month_start(clock.today()) - dt.timedelta(days=1))
    assert draw.month == last
    states = set(FileReview.objects.values_list("state", flat=True))
    assert states == {"open", "finished"}
    # abuse only where a drawn file had a special step (the pre-fill's, never made up)
    for review in FileReview.objects.filter(special_abuse=True):
        assert review.case.special_runs.exists()
    assert {i.state for i in Inspection.objects.all()} == set(InspectionState.values)
    assert all(i.photos.exists() for i in Inspection.objects.all())
    assert ThirdPartyScore.objects.exists()
    client.force_login(get_user_model().objects.get(username="supervisor"))
    page = client.get(f"/staff/supervision/reviews/?month={draw.month:%Y-%m}").content.decode()
    assert "部门得分" in page and page.count('class="review-row"') == FileReview.objects.count()
    assert (
        client.get("/staff/supervision/inspections/")
        .content.decode()
        .count('class="inspection-row"')
        == Inspection.objects.count()
    )
    counts = (
        FileReview.objects.count(),
        Inspection.objects.count(),
        ThirdPartyScore.objects.count(),
    )
    call_command("load_demo", stdout=StringIO())
    again = (
        FileReview.objects.count(),
        Inspection.objects.count(),
        ThirdPartyScore.objects.count(),
    )
    assert again == counts
