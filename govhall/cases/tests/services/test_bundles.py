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
