"""一件事一次办 (``services.bundles``): the rules of a bundle definition, and the
parent following its children (one notice, the latest deadline, completion, a
denied child)."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases import selectors
from govhall.cases import services as bundles
from govhall.cases.models import Bundle, Case, DocumentKind, State
from govhall.catalog import services as catalog_services
from govhall.core.errors import Conflict, ValidationFailed
from govhall.org.models import Department
from govhall.testing import factories

from ..conftest import act, bundle_case


def test_bundle_rules_refuse_with_chinese_messages(env, instant):
    admin = env.s.admin.user
    c = env.c
    with pytest.raises(ValidationFailed) as exc:
        bundles.create_bundle(
            actor=admin, code="one", name="单项", lead_department=c.market, items=[c.market_item]
        )
    assert "至少包含2个事项" in exc.value.fields["items"][0]
    with pytest.raises(ValidationFailed) as exc:
        bundles.create_bundle(
            actor=admin,
            code="wrong-lead",
            name="牵头错",
            lead_department=c.health,
            items=[c.market_item, env.instant],
        )
    assert exc.value.fields["lead_department"] == ["牵头部门必须是所含事项的实施部门之一"]
    catalog_services.change_item_flags(
        actor=c.root, item=env.instant, reason="暂停", status="suspended"
    )
    with pytest.raises(ValidationFailed) as exc:
        bundles.create_bundle(
            actor=admin,
            code="suspended",
            name="含暂停事项",
            lead_department=c.market,
            items=[c.market_item, env.instant],
        )
    assert "已暂停、取消或未进驻" in " ".join(exc.value.fields["items"])
    # A department that is not stationed in any centre.
    outside = Department.objects.create(code=factories.make_uscc(9), name="测试县气象局")
    weather = factories.publish_item(
        actor=c.root, department=outside, basic_code="000999000001", name="气象许可"
    )
    with pytest.raises(ValidationFailed) as exc:
        bundles.create_bundle(
            actor=admin,
            code="weather",
            name="含未进驻部门",
            lead_department=c.market,
            items=[c.market_item, weather],
        )
    assert "测试县气象局未进驻中心，不能加入" in exc.value.fields["items"]
    assert not Bundle.objects.exists()


def _finish(env, child, chief, result="approved"):
    child = act(child, "review", chief, opinion="符合")
    reason = "" if result == "approved" else "场所不符"
    child = act(child, "decide", chief, result=result, opinion="决定", reason=reason)
    if result == "approved":
        child = act(child, "certify", chief, result_number=f"R-{child.pk}")
    child = act(child, "deliver", chief, method="electronic")
    return act(child, "complete", chief)


def test_bundle_one_notice_and_parent_completes_with_children(env, bundle_rows):
    s = env.s
    parent = bundle_case(env, bundle_rows)
    children = list(parent.children.order_by("id"))
    assert [c.department for c in children] == [env.c.market, env.c.health]
    with pytest.raises(Conflict):  # a parent is not reviewed itself
        act(parent, "review", s.market_chief.user, opinion="x")
    parent = act(parent, "accept", s.clerk.user)
    assert Case.objects.filter(parent=parent, state=State.IN_REVIEW).count() == 2
    # One notice to the applicant: on the parent only.
    assert parent.documents.filter(kind=DocumentKind.ACCEPTANCE).count() == 1
    assert not Case.objects.filter(parent=parent, documents__isnull=False).exists()
    # …and it names the bundle's deadline: the latest of its children's.
    notice = parent.documents.get(kind=DocumentKind.ACCEPTANCE)
    assert notice.data["due_date"] == "2026-11-30" == parent.due_date.isoformat()
    market, health = (Case.objects.get(pk=c.pk) for c in children)
    _finish(env, market, s.market_chief.user)
    parent.refresh_from_db()
    assert parent.state == State.IN_REVIEW
    assert parent.due_date == dt.date(2026, 11, 30)
    _finish(env, health, s.health_chief.user)
    parent.refresh_from_db()
    assert parent.state == State.COMPLETED and not parent.child_failed


def test_bundle_denied_child_shows_on_parent(env, bundle_rows):
    s = env.s
    parent = act(bundle_case(env, bundle_rows), "accept", s.clerk.user)
    market, health = parent.children.order_by("id")
    _finish(env, health, s.health_chief.user, result="denied")
    parent.refresh_from_db()
    assert parent.child_failed
    assert list(selectors.failed_children(parent=parent)) == [health]
    _finish(env, Case.objects.get(pk=market.pk), s.market_chief.user)
    parent.refresh_from_db()
    assert parent.state == State.COMPLETED and parent.child_failed


# --------------------------------------------------------------------------- R-BUNDLE-6


@pytest.fixture
def licence_then_permit(env):
    """个体工商户设立登记 issues the 营业执照 that 食品经营许可 asks for."""
    from ..conftest import _authorise

    registration = factories.publish_item(
        actor=env.c.root,
        department=env.c.market,
        basic_code="000111222009",
        name="个体工商户设立登记",
        result_name="营业执照",
    )
    _authorise(env, registration)
    return bundles.create_bundle(
        actor=env.s.admin.user,
        code="open-shop",
        name="开办小店一件事",
        lead_department=env.c.market,
        items=[registration, env.c.market_item],
    ), registration


def _apply_without_the_licence(env, bundle, registration):
    from govhall.cases.models import Channel

    from ..conftest import person

    permit = env.c.market_item.versions.get()
    return bundles.submit_bundle_application(
        actor=env.s.clerk.user,
        bundle=bundle,
        centre=env.c.county,
        channel=Channel.WINDOW,
        applicant=person(),
        materials={
            registration.pk: [{"material": m} for m in registration.versions.get().materials.all()],
            env.c.market_item.pk: [
                {"material": m} for m in permit.materials.all() if m.name != "营业执照"
            ],
        },
    )


def test_a_bundle_does_not_ask_for_what_it_produces_and_the_permit_waits_for_it(
    env, licence_then_permit
):
    """Issue 10 §1: 开办餐饮店 asked for the 营业执照 its own 设立登记 issues. The
    material is not asked, 受理 needs it not, the permit's clock waits for the
    licence like a special step not counted in the limit, and its 准予 waits too."""
    bundle, registration = licence_then_permit
    chief, approver = env.s.market_chief.user, env.s.market_approver.user
    parent = _apply_without_the_licence(env, bundle, registration)
    licence_case = parent.children.get(item=registration)
    permit_case = parent.children.get(item=env.c.market_item)
    [supplied] = permit_case.materials.filter(supplied_by__isnull=False)
    assert supplied.name == "营业执照" and supplied.supplied_by == licence_case
    lines = {line.name: line.status for line in selectors.material_lines(case=permit_case)}
    assert lines["营业执照"] == "由本一件事“个体工商户设立登记”的办理结果提供（待出具）"
    from govhall.cases import archive

    toc = {e["name"]: e["mark"] for e in archive.build(case=permit_case, user=chief)["toc"]}
    assert toc["营业执照"] == lines["营业执照"]  # the file's table of contents says the same

    parent = act(parent, "accept", env.s.clerk.user)  # nothing missing
    permit_case.refresh_from_db()
    assert permit_case.state == State.IN_REVIEW and permit_case.clock_paused
    permit_case = act(permit_case, "review", approver, opinion="符合")
    with pytest.raises(Conflict) as exc:
        act(permit_case, "decide", chief, result="approved", opinion="同意")
    assert exc.value.code == "sibling_result_pending"

    from govhall.core import clock

    with clock.frozen(dt.datetime(2026, 11, 26, 10)):  # three working days later
        licence_case.refresh_from_db()
        licence_case = act(licence_case, "review", approver, opinion="符合")
        licence_case = act(licence_case, "decide", chief, result="approved", opinion="同意")
        licence_case = act(licence_case, "certify", chief, result_number="92150626MA0001")
    permit_case.refresh_from_db()
    assert not permit_case.clock_paused and permit_case.paused_days == 3
    event = permit_case.events.get(action="sibling_result")
    assert "个体工商户设立登记" in event.opinion and "92150626MA0001" in event.opinion
    assert event.actor_name == "系统"
    with clock.frozen(dt.datetime(2026, 11, 26, 11)):
        permit_case = act(permit_case, "decide", chief, result="approved", opinion="同意")
    assert permit_case.state == State.DECIDED


def test_the_desk_does_not_list_a_supplied_material_as_missing(env, licence_then_permit):
    from govhall.cases.forms import DeskMaterialsForm

    bundle, registration = licence_then_permit
    parts = selectors.bundle_parts(bundle=bundle)
    supplied = selectors.bundle_supplies(parts=parts)
    permit = next(p for p in parts if p["item"] == env.c.market_item)
    form = DeskMaterialsForm(
        {}, version=permit["version"], prefix="x", supplied=supplied[env.c.market_item.pk]
    )
    assert form.is_valid()
    assert [c["name"] for c in form.corrections()] == ["申请书"]
    assert supplied[env.c.market_item.pk] == {
        next(m.pk for m in permit["version"].materials.all() if m.name == "营业执照"): (
            "个体工商户设立登记"
        )
    }
