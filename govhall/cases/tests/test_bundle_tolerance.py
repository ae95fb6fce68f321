"""容缺受理 catch-up and expiry; 一件事一次办 parent/child; public progress query."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases import selectors, services
from govhall.cases.models import Bundle, BundleItem, Case, Channel, DocumentKind, State
from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.core.errors import Conflict, NotFound, ValidationFailed

from .conftest import act, application_form, pdf, person, submit


def _health_proof(env):
    return env.tolerance.versions.get().materials.get(name="健康证明")


def test_tolerance_only_for_allowed_materials_and_within_limit(env):
    clerk = env.s.clerk.user
    form = env.tolerance.versions.get().materials.get(name="申请书")
    case = submit(env, env.tolerance, materials=[{"material": form, "file": pdf()}])
    with pytest.raises(ValidationFailed) as exc:
        act(case, "accept_with_tolerance", clerk, tolerated=[form], commitment="承诺",
            catch_up_days=3)  # fmt: skip
    assert "申请书" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        act(case, "accept_with_tolerance", clerk, tolerated=[_health_proof(env)],
            commitment="承诺", catch_up_days=6)  # fmt: skip
    assert exc.value.code == "invalid_catch_up_days"  # promised limit is 5
    with pytest.raises(ValidationFailed) as exc:
        act(case, "accept_with_tolerance", clerk, tolerated=[_health_proof(env)],
            commitment="", catch_up_days=3)  # fmt: skip
    assert "commitment" in exc.value.fields
    plain = submit(env)
    with pytest.raises(ValidationFailed) as exc:
        act(plain, "accept_with_tolerance", clerk,
            tolerated=list(plain.item_version.materials.all()[:1]),
            commitment="承诺", catch_up_days=3)  # fmt: skip
    assert exc.value.code == "tolerance_not_allowed"


def test_tolerance_catch_up_then_decision(env):
    s = env.s
    case = submit(env, env.tolerance, materials=application_form(env))
    case = act(case, "accept_with_tolerance", s.clerk.user, tolerated=[_health_proof(env)],
               commitment="本人承诺3个工作日内补齐健康证明", catch_up_days=3)  # fmt: skip
    assert case.state == State.IN_REVIEW and case.tolerance_due == dt.date(2026, 11, 26)
    case = act(case, "review", s.market_approver.user, opinion="符合")
    with pytest.raises(Conflict) as exc:
        act(case, "decide", s.market_approver.user, result="approved", opinion="同意")
    assert exc.value.code == "tolerance_outstanding"
    case = act(
        case, "catch_up", Applicant(), materials=[{"material": _health_proof(env), "file": pdf()}]
    )
    assert case.tolerance_due is None
    case = act(case, "decide", s.market_approver.user, result="approved", opinion="同意")
    assert case.state == State.DECIDED
    with clock.frozen(dt.datetime(2026, 12, 10, 9)):
        assert services.expire_tolerance_catchups() == []


def test_missed_catch_up_terminates_the_case(env):
    case = submit(env, env.tolerance, materials=application_form(env))
    case = act(case, "accept_with_tolerance", env.s.clerk.user, tolerated=[_health_proof(env)],
               commitment="承诺", catch_up_days=3)  # fmt: skip
    with clock.frozen(dt.datetime(2026, 11, 26, 17)):
        assert services.expire_tolerance_catchups() == []  # the due day itself is fine
    with clock.frozen(dt.datetime(2026, 11, 27, 9)):
        assert len(services.expire_tolerance_catchups()) == 1
    case.refresh_from_db()
    assert case.state == State.TERMINATED and "容缺材料未在" in case.result_reason
    assert case.events.last().actor_name == "系统"


@pytest.fixture
def bundle(env):
    b = Bundle.objects.create(
        code="open-restaurant", name="我要开餐馆", lead_department=env.c.market
    )
    BundleItem.objects.create(bundle=b, item=env.c.market_item, order=1)
    BundleItem.objects.create(bundle=b, item=env.c.health_item, order=2)
    return b


def _bundle_case(env, bundle):
    return services.submit_bundle_application(
        actor=env.s.clerk.user,
        bundle=bundle,
        centre=env.c.county,
        channel=Channel.WINDOW,
        applicant=person(),
        materials={
            bi.item_id: [{"material": m} for m in bi.item.versions.get().materials.all()]
            for bi in bundle.bundle_items.select_related("item")
        },
    )


def _finish(env, child, chief, result="approved"):
    child = act(child, "review", chief, opinion="符合")
    reason = "" if result == "approved" else "场所不符"
    child = act(child, "decide", chief, result=result, opinion="决定", reason=reason)
    if result == "approved":
        child = act(child, "certify", chief, result_number=f"R-{child.pk}")
    child = act(child, "deliver", chief, method="electronic")
    return act(child, "complete", chief)


def test_bundle_one_notice_and_parent_completes_with_children(env, bundle):
    s = env.s
    parent = _bundle_case(env, bundle)
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


def test_bundle_denied_child_shows_on_parent(env, bundle):
    s = env.s
    parent = act(_bundle_case(env, bundle), "accept", s.clerk.user)
    market, health = parent.children.order_by("id")
    _finish(env, health, s.health_chief.user, result="denied")
    parent.refresh_from_db()
    assert parent.child_failed
    assert list(selectors.failed_children(parent=parent)) == [health]
    _finish(env, Case.objects.get(pk=market.pk), s.market_chief.user)
    parent.refresh_from_db()
    assert parent.state == State.COMPLETED and parent.child_failed


def test_public_progress_needs_phone_tail_and_hides_personal_data(env):
    case = act(submit(env), "accept", env.s.clerk.user)
    with pytest.raises(NotFound):
        selectors.public_progress(number=case.number, phone_tail="0000")
    info = selectors.public_progress(number=case.number, phone_tail="1234")
    assert info["applicant"] == "张**" and info["phone"] == "138****1234"
    assert info["state_label"] == "审查中" and info["due_date"] == dt.date(2026, 11, 30)
    assert [step["label"] for step in info["steps"]] == ["申请", "受理"]
    flat = repr(info)
    assert case.applicant_id_number not in flat and "13800001234" not in flat


def test_a_child_action_locks_the_parent_before_the_child(env, bundle):
    """Lock order parent → child everywhere, so two windows acting on one 一件事 (one
    on the parent, one on a child) wait for each other instead of deadlocking."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    parent = act(_bundle_case(env, bundle), "accept", env.s.clerk.user)
    child = parent.children.get(department=env.c.market)
    with CaptureQueriesContext(connection) as ctx:
        act(child, "review", env.s.market_chief.user, opinion="符合")
    case_reads = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "cases_case"."id"')
    ]
    assert case_reads, [q["sql"] for q in ctx.captured_queries][:5]
    assert f"= {parent.pk}" in case_reads[0] or f"= {parent.pk} " in case_reads[0]
