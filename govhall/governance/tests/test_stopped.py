"""A cancelled or suspended item stops being accepted at once: the window refuses it
after the 取消 request is applied; its open cases go on and are listed for the
department."""

from __future__ import annotations

import pytest

from govhall.cases import services as case_services
from govhall.core.errors import Conflict
from govhall.governance import selectors
from govhall.testing import factories

from .conftest import approved

pytestmark = pytest.mark.django_db


def test_the_cancelled_item_is_refused_at_the_window_and_its_open_case_goes_on(hall):
    before = factories.window_case(hall)
    approved(hall, "cancel", reasons="上位法废止")
    with pytest.raises(Conflict) as exc:
        factories.window_case(hall)
    assert exc.value.code == "item_not_accepting"
    # the case accepted before goes on: the department may still accept it
    before.refresh_from_db()
    case = case_services.transition(
        actor=hall.staff.market_chief.user,
        case=before,
        action="accept",
        expected_version=before.version,
    )
    assert case.state == "in_review"
    listed = selectors.stopped_items_with_open_cases(department_id=hall.market.pk)
    assert [(e["item"].pk, [c.number for c in e["cases"]]) for e in listed] == [
        (hall.market_item.pk, [before.number])
    ]
    assert selectors.stopped_items_with_open_cases(department_id=hall.health.pk) == []


def test_a_suspended_item_is_refused_too(hall):
    approved(hall, "suspend", reasons="系统升级")
    with pytest.raises(Conflict) as exc:
        factories.window_case(hall)
    assert exc.value.code == "item_not_accepting"
