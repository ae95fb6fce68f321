"""One case's whole life for the benchmarks (申请 → 受理 → 审查 → 决定 → 制证 → 送达 →
办结), through the services, as a function of its index."""

from __future__ import annotations


def life_fn(county, *, prefix: str = "B"):
    """One case's life 申请 → 办结 (7 service calls, 7 transactions) as a function of i;
    ``step`` (optional) wraps each call with its name (to capture its statements)."""
    from govhall.cases import services
    from govhall.cases.models import Channel
    from govhall.testing import factories

    s = county.staff
    item = county.market_item
    materials = list(item.versions.get().materials.all())
    applicant = {
        "kind": "person",
        "name": "基准申请人",
        "id_number": factories.make_id_number(1),
        "phone": "13900001111",
    }
    clerk, chief = s.clerk.user, s.market_chief.user

    def plain(name, fn):
        return fn()

    def life(i, step=plain):
        case = step(
            "submit",
            lambda: services.submit_application(
                actor=clerk,
                item=item,
                centre=county.county,
                channel=Channel.WINDOW,
                applicant=applicant,
                materials=[{"material": m} for m in materials],
            ),
        )

        def act(name, actor, **inputs):
            return step(
                name,
                lambda: services.transition(
                    action=name, actor=actor, case=case, expected_version=case.version, **inputs
                ),
            )

        case = act("accept", clerk)
        case = act("review", chief, opinion="符合")
        case = act("decide", chief, result="approved", opinion="同意")
        case = act("certify", chief, result_number=f"{prefix}{i}")
        case = act("deliver", clerk, method="electronic")
        act("complete", clerk)

    return life
