"""Who may take each step, where a complaint about a staff member may go, and who
sees what (roles.py)."""

from __future__ import annotations

import pytest

from govhall.core import actors
from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.feedback.complaints import roles, selectors, workflow
from govhall.feedback.complaints.models import State
from govhall.org.models import Role
from govhall.testing import factories

from .conftest import act, portal

pytestmark = pytest.mark.django_db


@pytest.fixture
def discipline(org, settings):
    dept = factories.make_department(serial=3, name="测试县纪委监委派驻纪检监察组")
    settings.GOVHALL_POLICY = {"COMPLAINTS_DISCIPLINE_DEPARTMENTS": [dept.code]}
    chief = factories.make_staff(
        username="jw_chief",
        name="纪检组长",
        role=Role.CHIEF_REP,
        centre=org.county,
        department=dept,
    )
    dept.chief = chief
    return dept


def _refused(complaint, action, who, **inputs):
    with pytest.raises(PermissionDenied):
        act(complaint, action, who, **inputs)


def test_only_the_centre_accepts_and_assigns(org):
    c = portal()
    _refused(c, "accept", org.staff.market_chief)
    _refused(c, "accept", org.staff.supervisor)
    _refused(c, "accept", actors.Applicant("张三丰"))
    c = act(c, "accept", org.staff.admin)
    _refused(c, "assign", org.staff.market_chief, handler=org.market)
    assert act(c, "assign", org.staff.clerk, handler=org.market).state == State.ASSIGNED


def test_only_the_assigned_department_handles_replies_and_returns(org, assigned):
    for who in (org.staff.health_chief, org.staff.clerk, org.staff.admin, org.staff.supervisor):
        _refused(assigned, "handle", who)
        _refused(assigned, "return", who, reason="不是我们的")
    c = act(assigned, "handle", org.staff.market_approver)
    _refused(c, "reply", org.staff.health_chief, reply="答复")
    assert act(c, "reply", org.staff.market_chief, reply="答复").state == State.REPLIED


def test_a_clerk_of_another_centre_cannot_accept(org):
    other = factories.make_staff(
        username="town_clerk", name="镇综窗", role=Role.WINDOW_CLERK, centre=org.township
    )
    _refused(portal(), "accept", other)


def test_a_deactivated_clerk_can_do_nothing(org):
    org.staff.clerk.is_active = False
    org.staff.clerk.save()
    _refused(portal(), "accept", org.staff.clerk)
    assert not selectors.visible_complaints(user=org.staff.clerk.user).exists()


def test_the_applicant_evaluates(org, assigned):
    c = act(assigned, "handle", org.staff.market_chief)
    c = act(c, "reply", org.staff.market_chief, reply="已处理")
    c = act(c, "close", org.staff.clerk)
    _refused(c, "visit", actors.Applicant("张三丰"), method="phone", content="x")
    c = act(c, "visit", org.staff.clerk, method="phone", content="回访")
    assert (
        act(c, "evaluate", actors.Applicant("张三丰"), result="satisfied").state == State.SATISFIED
    )


def _about(org, staff):
    c = portal()
    return act(c, "accept", org.staff.admin, about_staff=staff)


def test_a_staff_complaint_never_goes_to_their_department(org, discipline):
    c = _about(org, org.staff.market_approver)
    for dept in (org.market, org.health):
        with pytest.raises(ValidationFailed) as exc:
            act(c, "assign", org.staff.clerk, handler=dept)
        assert exc.value.code == "staff_complaint_routing"
    c = act(c, "assign", org.staff.clerk, handler=discipline)
    assert c.department == discipline
    c = act(c, "handle", discipline.chief)
    assert c.state == State.IN_PROGRESS


def test_a_staff_complaint_may_stay_with_the_centre(org):
    c = _about(org, org.staff.market_approver)
    assert act(c, "assign", org.staff.clerk, handler=workflow.CENTRE).department is None


def test_without_a_discipline_office_only_the_centre(org):
    c = _about(org, org.staff.health_chief)
    with pytest.raises(ValidationFailed):
        act(c, "assign", org.staff.admin, handler=org.market)


def test_a_staff_complaint_is_hidden_from_their_department(org, discipline):
    c = act(_about(org, org.staff.market_approver), "assign", org.staff.admin, handler=discipline)

    def sees(staff):
        return selectors.visible_complaints(user=staff.user).filter(pk=c.pk).exists()

    assert sees(org.staff.admin) and sees(org.staff.clerk) and sees(org.staff.supervisor)
    assert sees(discipline.chief)
    assert not sees(org.staff.market_approver)  # the person complained about
    assert not sees(org.staff.market_chief)  # their department
    assert not sees(org.staff.health_chief)  # another department: not theirs
    assert roles.can_view(org.staff.admin.user, c)
    assert not roles.can_view(org.staff.market_chief.user, c)


def test_the_person_complained_about_gets_no_role(org):
    c = _about(org, org.staff.clerk)
    _refused(c, "assign", org.staff.clerk, handler=workflow.CENTRE)
    assert not selectors.visible_complaints(user=org.staff.clerk.user).filter(pk=c.pk).exists()
    other = factories.make_staff(
        username="clerk2", name="综窗二", role=Role.WINDOW_CLERK, centre=org.county
    )
    # A complaint about a centre clerk is not for the other clerks either.
    assert not selectors.visible_complaints(user=other.user).filter(pk=c.pk).exists()
    assert act(c, "assign", org.staff.admin, handler=workflow.CENTRE).state == State.ASSIGNED


def test_a_department_sees_its_own_complaints_only(org, assigned):
    assert selectors.visible_complaints(user=org.staff.market_chief.user).count() == 1
    assert not selectors.visible_complaints(user=org.staff.health_chief.user).exists()
    # Not yet assigned: no department sees it.
    portal()
    assert selectors.visible_complaints(user=org.staff.market_chief.user).count() == 1
    assert selectors.visible_complaints(user=org.staff.clerk.user).count() == 2


def test_after_a_return_the_department_no_longer_sees_it(org, assigned):
    act(assigned, "return", org.staff.market_chief, reason="不属于本部门")
    assert not selectors.visible_complaints(user=org.staff.market_chief.user).exists()


def test_available_actions_follow_the_table(org, assigned):
    names = [r.action for r in workflow.available_actions(org.staff.market_chief.user, assigned)]
    assert names == ["return", "handle"]
    assert workflow.available_actions(org.staff.health_chief.user, assigned) == []
