"""The case page shows the case's warnings (cases.sections), to whoever may see them;
cases itself knows nothing of supervision."""

from __future__ import annotations

from django.urls import reverse

from .test_views import warned  # noqa: F401


def _case_page(client, user, case) -> str:
    client.force_login(user)
    return client.get(reverse("cases:detail", args=[case.number])).content.decode()


def test_the_case_page_lists_its_warnings_for_the_office_and_the_department(
    client,
    env,
    warned,  # noqa: F811
):
    market, _health, _late = warned
    for user in (env.s.supervisor.user, env.s.market_chief.user):
        html = _case_page(client, user, market)
        assert 'id="supervision-warnings"' in html and 'class="case-warning"' in html
    # The clerk may open the case but is not shown the supervision section.
    html = _case_page(client, env.s.clerk.user, market)
    assert 'id="supervision-warnings"' not in html
