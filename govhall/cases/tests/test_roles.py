"""Who may act on and see a case (``cases.roles``): department and centre of the
staff member, the approvers named in the authorisation, department isolation."""

from __future__ import annotations

import pytest

from govhall.cases import selectors, services
from govhall.cases.models import Channel, State
from govhall.core.actors import Applicant
from govhall.core.errors import PermissionDenied

from .conftest import act, person, submit


def test_roles_and_departments(env):
    s = env.s
    case = submit(env)
    # A health department chief cannot accept a market case; a supervisor neither.
    for user in (s.health_chief.user, s.supervisor.user, env.health_approver.user):
        with pytest.raises(PermissionDenied):
            act(case, "accept", user)
    # The clerk of another centre cannot accept at the county centre.
    with pytest.raises(PermissionDenied):
        act(case, "accept", env.township_clerk.user)
    case = act(case, "accept", s.clerk.user)
    # A market approver not named in the authorisation cannot review; a clerk neither.
    for user in (env.other_approver.user, s.clerk.user):
        with pytest.raises(PermissionDenied):
            act(case, "review", user, opinion="同意")
    # The chief representative may act as approver.
    case = act(case, "review", s.market_chief.user, opinion="同意")
    # Only the chief representative approves an extension.
    with pytest.raises(PermissionDenied):
        act(case, "extend", s.market_approver.user, days=5, reason="需补充调查")
    # Only the chief (or admin) terminates; the applicant withdraws.
    with pytest.raises(PermissionDenied):
        act(case, "terminate", s.clerk.user, reason="x")
    case = act(case, "withdraw", Applicant(), reason="不再需要")
    assert case.state == State.WITHDRAWN


def test_revoked_authorisation_removes_the_approver(env):
    case = act(submit(env), "accept", env.s.clerk.user)
    env.c.market.authorisations.update(is_revoked=True)
    with pytest.raises(PermissionDenied):
        act(case, "review", env.s.market_approver.user, opinion="同意")


def test_department_isolation_in_reads(env, health_item):
    s = env.s
    market_case = submit(env)
    health_case = services.submit_application(
        actor=s.clerk.user,
        item=env.c.health_item,
        centre=env.c.county,
        channel=Channel.WINDOW,
        applicant=person(),
    )
    assert list(selectors.visible_cases(user=s.market_approver.user)) == [market_case]
    assert set(selectors.visible_cases(user=s.clerk.user)) == {market_case, health_case}
    with pytest.raises(PermissionDenied):
        selectors.case_by_number(number=health_case.number, user=s.market_chief.user)
    assert selectors.case_by_number(number=health_case.number, user=s.supervisor.user)
