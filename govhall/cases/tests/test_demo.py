"""Demo cases on a small catalogue (``cases.demo``): the demo 一件事 are defined only
from items that exist, with their bundle cases, once.

(The demo cases of the whole demo county are checked with it, on one shared load,
in ``govhall/demo/tests/test_load_demo.py``.)"""

from __future__ import annotations

from govhall.cases.models import Bundle, Case, DocumentKind, State
from govhall.testing import factories


def test_demo_defines_real_bundles_from_the_catalogue_once(full_env):
    env = full_env
    import io

    from govhall.cases.demo import load_demo_cases

    factories.publish_item(
        actor=env.c.root,
        department=env.c.market,
        basic_code="000111222009",
        name="个体工商户设立登记",
    )
    out = io.StringIO()
    load_demo_cases(stdout=out, count=0)
    restaurant = Bundle.objects.get(code="open-restaurant")  # its required items exist
    assert not Bundle.objects.filter(code="newborn").exists()  # 生育登记 does not
    assert restaurant.bundle_items.count() == 3  # + the optional 公共场所卫生许可
    parents = Case.objects.filter(bundle=restaurant)
    assert parents.count() == 4
    assert parents.filter(state=State.COMPLETED, child_failed=True).count() == 1
    assert parents.get(state=State.IN_REVIEW).documents.get().kind == DocumentKind.ACCEPTANCE
    total = Case.objects.count()
    load_demo_cases(stdout=out, count=0)
    assert Case.objects.count() == total and Bundle.objects.count() == 1
