"""一件事一次办: bundle definitions (rules, permission, audit), the window desk for a
bundle (one form → parent + children, one notice), the parent following its
children on the case page, and the idempotent bundle-case API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from govhall.cases import selectors as bundle_selectors
from govhall.cases import services as bundles
from govhall.cases.models import Bundle, Case, DocumentKind, State
from govhall.catalog import services as catalog_services
from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.org.models import Department
from govhall.testing import factories
from govhall.testing.factories import make_id_number

PHONE = "13904771234"


@pytest.fixture
def bundle(env):
    return bundles.create_bundle(
        actor=env.s.admin.user,
        code="open-restaurant",
        name="开办餐饮店一件事",
        lead_department=env.c.market,
        items=[env.c.market_item, env.c.health_item],
        description="食品经营许可 + 公共场所卫生许可",
    )


# --------------------------------------------------------------------------- definitions


def test_bundle_rules_refuse_with_chinese_messages(env):
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


def test_only_the_centre_admin_defines_bundles_and_changes_are_audited(client, env, bundle):
    with pytest.raises(PermissionDenied):
        bundles.update_bundle(
            actor=env.s.market_chief.user,
            bundle=bundle,
            name="改名",
            lead_department=env.c.market,
            items=[env.c.market_item, env.c.health_item],
        )
    client.force_login(env.s.clerk.user)
    assert client.get(reverse("cases:bundle_new")).status_code == 403
    assert "开办餐饮店一件事" in client.get(reverse("cases:bundle_list")).content.decode()

    client.force_login(env.s.admin.user)
    url = reverse("cases:bundle_edit", args=[bundle.pk])
    data = {
        "name": "开办餐饮店一件事",
        "lead_department": env.c.market.pk,
        "items": [env.c.market_item.pk, env.c.health_item.pk, env.tolerance.pk],
        "is_active": "on",
        "reason": "加入小餐饮登记",
    }
    assert client.post(url, {**data, "reason": ""}).status_code == 200  # reason required
    response = client.post(url, data)
    assert response.status_code == 302
    assert bundle.bundle_items.count() == 3
    entry = AuditEntry.objects.get(action="cases.bundle.update")
    assert entry.reason == "加入小餐饮登记" and entry.actor == env.s.admin.user
    page = client.get(url).content.decode()
    assert "加入小餐饮登记" in page  # the change history on the edit page
    # Creating through the page; a lead department outside the items is refused beside it.
    new = {
        "code": "new-one",
        "name": "新一件事",
        "lead_department": env.c.health.pk,
        "items": [env.c.market_item.pk, env.instant.pk],
        "is_active": "on",
    }
    refused = client.post(reverse("cases:bundle_new"), new)
    assert refused.status_code == 200
    assert "牵头部门必须是所含事项的实施部门之一" in refused.content.decode()
    assert client.post(reverse("cases:bundle_new"), {**new, "lead_department": env.c.market.pk})
    assert AuditEntry.objects.filter(action="cases.bundle.create").count() == 2


# --------------------------------------------------------------------------- the desk


def _desk_post(bundle, *, action="accept", missing=(), reason=""):
    data = {
        "a-kind": "person",
        "a-name": "李四",
        "a-id_number": make_id_number(7),
        "a-phone": PHONE,
        "x-action": action,
        "x-reason": reason,
    }
    for part in bundle_selectors.bundle_parts(bundle=bundle):
        for m in part["version"].materials.all():
            prefix = f"i{part['item'].pk}"
            if (part["version"].name, m.name) in missing:
                data[f"{prefix}-p{m.pk}"] = "已过期"
            else:
                data[f"{prefix}-m{m.pk}"] = "on"
    return data


def test_desk_finds_the_bundle_and_one_form_gives_parent_children_and_one_notice(
    client, env, bundle
):
    client.force_login(env.s.clerk.user)
    search = client.get(reverse("cases:desk"), {"q": "餐饮"}).content.decode()
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    assert "开办餐饮店一件事" in search and url in search
    # Also found through one of its items.
    assert url in client.get(reverse("cases:desk"), {"q": "卫生许可"}).content.decode()
    form = client.get(url).content.decode()
    assert "测试县市场监督管理局" in form and "测试县卫生健康委员会" in form
    assert form.count('name="a-name"') == 1  # the applicant once

    response = client.post(url, _desk_post(bundle))
    assert response.status_code == 302
    parent = Case.objects.get(parent__isnull=True)
    assert response["Location"] == reverse("cases:bundle_notice", args=[parent.number])
    children = list(parent.children.order_by("id"))
    assert {c.item for c in children} == {env.c.market_item, env.c.health_item}
    assert all(c.state == State.IN_REVIEW for c in children)
    assert parent.department == env.c.market and parent.state == State.IN_REVIEW
    # ONE notice for the whole bundle: the parent's 受理通知书, none on the children.
    assert parent.documents.count() == 1
    assert not Case.objects.filter(parent=parent, documents__isnull=False).exists()
    notice = client.get(response["Location"]).content.decode()
    assert notice.count("一件事告知单") >= 1 and "打印" in notice
    assert "受理通知书" in notice and parent.number in notice
    for child in children:
        assert child.number in notice and child.item_version.name in notice


def test_desk_missing_material_corrects_that_item_and_accepts_the_rest(client, env, bundle):
    client.force_login(env.s.clerk.user)
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    # Direct 受理 with a missing required material is refused and registers nothing.
    missing = {("公共场所卫生许可", "营业执照")}
    refused = client.post(url, _desk_post(bundle, missing=missing))
    assert refused.status_code == 200
    assert "公共场所卫生许可：营业执照" in refused.content.decode()
    assert not Case.objects.exists()

    response = client.post(url, _desk_post(bundle, action="request_correction", missing=missing))
    assert response.status_code == 302
    parent = Case.objects.get(parent__isnull=True)
    market = parent.children.get(item=env.c.market_item)
    health = parent.children.get(item=env.c.health_item)
    assert market.state == State.IN_REVIEW
    assert health.state == State.AWAITING_CORRECTION
    notice = client.get(response["Location"]).content.decode()
    assert "一次性告知书" in notice and "营业执照" in notice and "已过期" in notice
    assert "受理通知书" in notice


def _act(client, case, action, **data):
    case.refresh_from_db()
    response = client.post(
        reverse("cases:act", args=[case.number, action]),
        {"expected_version": case.version, **data},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def _finish_through_pages(client, child, chief, result="approved"):
    client.force_login(chief)
    _act(client, child, "review", opinion="符合")
    reason = "" if result == "approved" else "经营场所不符合卫生要求"
    _act(client, child, "decide", result=result, opinion="决定", reason=reason)
    if result == "approved":
        _act(client, child, "certify", result_number=f"R-{child.pk}")
    _act(client, child, "deliver", method="window")
    _act(client, child, "complete")


def _accepted_parent(client, env, bundle):
    client.force_login(env.s.clerk.user)
    client.post(reverse("cases:desk_bundle", args=[bundle.pk]), _desk_post(bundle))
    parent = Case.objects.get(parent__isnull=True)
    return (
        parent,
        parent.children.get(item=env.c.market_item),
        parent.children.get(item=env.c.health_item),
    )


def test_parent_completes_when_every_child_completes(client, env, bundle):
    parent, market, health = _accepted_parent(client, env, bundle)
    _finish_through_pages(client, market, env.s.market_chief.user)
    client.force_login(env.s.market_chief.user)
    page = client.get(reverse("cases:detail", args=[parent.number])).content.decode()
    assert "1/2 已结束" in page and "审查中" in page
    parent.refresh_from_db()
    assert parent.state == State.IN_REVIEW
    _finish_through_pages(client, health, env.s.health_chief.user)
    parent.refresh_from_db()
    assert parent.state == State.COMPLETED and not parent.child_failed
    client.force_login(env.s.market_chief.user)
    page = client.get(reverse("cases:detail", args=[parent.number])).content.decode()
    assert "2/2 已结束" in page and "未获准予" not in page


def test_a_denied_child_shows_clearly_on_the_parent(client, env, bundle):
    parent, market, health = _accepted_parent(client, env, bundle)
    _finish_through_pages(client, health, env.s.health_chief.user, result="denied")
    client.force_login(env.s.market_chief.user)
    page = client.get(reverse("cases:detail", args=[parent.number])).content.decode()
    assert "有 1 个子件未获准予" in page
    assert "不予许可" in page and 'class="child-row table-danger"' in page
    assert page.count("table-danger") == 1  # only the denied child
    _finish_through_pages(client, market, env.s.market_chief.user)
    parent.refresh_from_db()
    assert parent.state == State.COMPLETED and parent.child_failed


# --------------------------------------------------------------------------- API


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _body(env, name="王小明"):
    materials = []
    for item in (env.c.market_item, env.c.health_item):
        for m in item.versions.get().materials.all():
            materials.append({"item": item.implementation_code, "material": m.pk})
    return {
        "bundle": "open-restaurant",
        "applicant": {
            "kind": "person",
            "name": name,
            "id_number": make_id_number(3),
            "phone": PHONE,
        },
        "materials": materials,
    }


def test_bundle_case_api_is_idempotent_and_shows_children(env, bundle):
    client = _api(env.s.clerk.user)
    first = client.post(
        "/api/v1/bundle-cases", _body(env), format="json", HTTP_IDEMPOTENCY_KEY="b-1"
    )
    assert first.status_code == 201, first.json()
    again = client.post(
        "/api/v1/bundle-cases/", _body(env), format="json", HTTP_IDEMPOTENCY_KEY="b-1"
    )
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    assert Case.objects.filter(parent__isnull=True).count() == 1
    assert Case.objects.count() == 3
    other = client.post(
        "/api/v1/bundle-cases", _body(env, name="别人"), format="json", HTTP_IDEMPOTENCY_KEY="b-1"
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_mismatch"

    number = first.json()["number"]
    detail = client.get(f"/api/v1/bundle-cases/{number}").json()
    assert detail["bundle"] == "open-restaurant"
    assert [c["item"]["name"] for c in detail["children"]] == ["食品经营许可", "公共场所卫生许可"]
    assert {c["state"]["value"] for c in detail["children"]} == {"submitted"}
    assert detail["applicant"]["id_number"] != make_id_number(3)  # masked
    children = Case.objects.get(number=number).children.all()
    assert all(c.materials.count() == 2 for c in children)
    # Accepting the parent through the case API accepts the children.
    client.post(
        f"/api/v1/cases/{number}/accept", {"expected_version": detail["version"]}, format="json"
    )
    detail = client.get(f"/api/v1/bundle-cases/{number}").json()
    assert {c["state"]["value"] for c in detail["children"]} == {"in_review"}
    assert all(c["due_date"] for c in detail["children"])
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/bundle-cases/" in schema and "/api/v1/bundle-cases/{number}/" in schema


def test_bundle_case_api_refuses_an_item_outside_the_bundle(env, bundle):
    body = _body(env)
    body["materials"][0]["item"] = env.instant.implementation_code
    response = _api(env.s.clerk.user).post("/api/v1/bundle-cases", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"materials.0.item": ["不属于该一件事"]}
    assert not Case.objects.exists()


# --------------------------------------------------------------------------- demo


def test_demo_defines_real_bundles_from_the_catalogue_once(env):
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
