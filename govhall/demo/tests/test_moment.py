"""When the demo's day happens (``loaders.demo_moment``): in the hall's opening hours
of a working day, so `make run` on a weekend or at night shows a closed hall today."""

import datetime as dt

import pytest
from django.utils import timezone

from govhall.demo.loaders import demo_moment

pytestmark = pytest.mark.django_db


def _at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.mark.parametrize(
    "now, moment",
    [
        ((2026, 11, 23, 10, 15), (2026, 11, 23, 10, 15)),  # Monday in hours: now
        ((2026, 11, 23, 19, 40), (2026, 11, 23, 16, 30)),  # Monday evening: that day
        ((2026, 11, 23, 7, 5), (2026, 11, 20, 16, 30)),  # Monday before 9: Friday
        ((2026, 11, 28, 3, 59), (2026, 11, 27, 16, 30)),  # Saturday night: Friday
        ((2026, 10, 5, 11, 0), (2026, 9, 30, 16, 30)),  # 国庆: the last day before it
        ((2026, 10, 10, 11, 0), (2026, 10, 10, 11, 0)),  # 调休上班 Saturday: open
    ],
)
def test_the_demo_day_is_a_working_day_in_opening_hours(now, moment):
    assert demo_moment(_at(*now)) == _at(*moment)
