"""Staff pages of case handling (``cases.views``): the window desk in ≤3 screens, the
inbox by urgency with lights, the case page actions; the 一件事 pages: definitions
(centre admin only, audited), the bundle desk (one form → parent + children, one
notice, 容缺 for one child), the parent following its children on the case page.

(The public pages are in ``test_public_views.py``.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govhall.cases import selectors, services
from govhall.cases.models import Case, DocumentKind, State
from govhall.core import clock
from govhall.core.errors import PermissionDenied
from govhall.core.models import AuditEntry
from govhall.testing.factories import make_id_number

from .conftest import DESK_PHONE, applicant, bundle_desk_form, submit_at_window

PHONE = DESK_PHONE


def _desk_post(version, *, action="accept", ticked=None, problems=None, **extra):
    data = {
        "a-kind": "person",
        "a-name": "李四",
        "a-id_number": make_id_number(7),
        "a-phone": PHONE,
        "x-action": action,
    }
    for m in version.materials.all():
        if ticked is None or m.name in ticked:
            data[f"m-m{m.pk}"] = "on"
        if problems and m.name in problems:
            data[f"m-p{m.pk}"] = problems[m.name]
    data.update(extra)
    return data


def test_window_desk_search_apply_notice_in_three_screens(client, hall):
    client.force_login(hall.staff.clerk.user)
    search = client.get(reverse("cases:desk"), {"q": "食品"})
    assert "食品经营许可" in search.content.decode()
    url = reverse("cases:desk_apply", args=[hall.market_item.pk])
    assert url in search.content.decode()
    version = hall.market_item.versions.get()
    chief = hall.staff.market_chief
    response = client.post(url, _desk_post(version, **{"x-responsible": chief.pk}))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == State.IN_REVIEW
    notice = client.get(response["Location"])
    html = notice.content.decode()
    assert "受理通知书" in html and case.number in html and "打印" in html
    assert "承诺办结期限" in html and "承办人：市场首代" in html


def test_window_desk_item_search_is_the_finder_with_its_reasons(client, hall):
    """The desk asks the finder (channel 窗口, accepting items only) and shows why
    each item matched; the search is logged without the applicant."""
    from govhall.catalog import services as catalog_services
    from govhall.finder.models import Search

    client.force_login(hall.staff.clerk.user)
    html = client.get(reverse("cases:desk"), {"q": "食品经营"}).content.decode()
    assert "食品经营许可" in html and "匹配：事项名称：食品经营" in html
    assert Search.objects.get().channel == "desk"
    catalog_services.change_item_flags(
        actor=hall.root, item=hall.market_item, reason="系统升级", status="suspended"
    )
    html = client.get(reverse("cases:desk"), {"q": "食品经营"}).content.decode()
    assert "没有找到可受理的事项“食品经营”" in html  # suspended: not accepted now
    html = client.get(reverse("cases:desk"), {"q": "食" * 101}).content.decode()
    assert "检索内容最多100个字" in html


def test_window_desk_correction_lists_every_missing_material_at_once(client, hall):
    client.force_login(hall.staff.clerk.user)
    version = hall.market_item.versions.get()
    response = client.post(
        reverse("cases:desk_apply", args=[hall.market_item.pk]),
        _desk_post(
            version, action="request_correction", ticked=[], problems={"营业执照": "已过期"}
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == State.AWAITING_CORRECTION
    html = client.get(response["Location"]).content.decode()
    assert "一次性告知书" in html
    assert "申请书" in html and "营业执照" in html and "已过期" in html


def test_window_desk_accept_with_missing_material_registers_nothing(client, hall):
    client.force_login(hall.staff.clerk.user)
    version = hall.market_item.versions.get()
    response = client.post(
        reverse("cases:desk_apply", args=[hall.market_item.pk]),
        _desk_post(version, ticked=["申请书"]),
    )
    assert response.status_code == 200
    assert "营业执照" in response.content.decode() and "不能直接受理" in response.content.decode()
    assert not Case.objects.exists()


def test_window_desk_refusal_needs_reason_and_shows_remedy(client, hall):
    client.force_login(hall.staff.clerk.user)
    version = hall.market_item.versions.get()
    url = reverse("cases:desk_apply", args=[hall.market_item.pk])
    bad = client.post(url, _desk_post(version, action="refuse"))
    assert bad.status_code == 200 and not Case.objects.exists()
    ok = client.post(url, _desk_post(version, action="refuse", **{"x-reason": "不属于本机关职权"}))
    html = client.get(ok["Location"]).content.decode()
    assert "不予受理决定书" in html and "行政复议" in html and "不属于本机关职权" in html


def test_inbox_orders_by_urgency_with_lights(client, hall, old_item):
    with clock.frozen(dt.datetime(2026, 11, 9, 9, 0)):
        old = submit_at_window(hall, item=old_item)
        services.transition(
            action="accept",
            actor=hall.staff.market_chief.user,
            case=old,
            expected_version=old.version,
        )
    fresh = submit_at_window(hall, applicant=applicant(2, "王五"))
    services.transition(
        action="accept",
        actor=hall.staff.market_chief.user,
        case=fresh,
        expected_version=fresh.version,
    )
    client.force_login(hall.staff.market_approver.user)
    html = client.get(reverse("cases:inbox")).content.decode()
    assert html.index(old.number) < html.index(fresh.number)
    assert "超期" in html and "正常" in html
    only = client.get(reverse("cases:inbox"), {"light": "overdue"}).content.decode()
    assert old.number in only and fresh.number not in only


def test_inbox_hides_other_departments(client, hall):
    case = submit_at_window(hall)
    client.force_login(hall.staff.health_chief.user)
    assert case.number not in client.get(reverse("cases:inbox")).content.decode()
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 403


def test_case_page_actions_post_to_the_transition_and_stale_is_shown(client, hall):
    case = submit_at_window(hall)
    chief = hall.staff.market_chief.user
    client.force_login(chief)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "受理" in page and "不予受理" in page
    ok = client.post(
        reverse("cases:act", args=[case.number, "accept"]), {"expected_version": case.version}
    )
    assert ok.status_code == 302
    stale = client.post(
        reverse("cases:act", args=[case.number, "review"]),
        {"expected_version": case.version, "opinion": "同意"},
    )
    assert stale.status_code == 400
    assert "已被他人处理" in stale.content.decode()
    case.refresh_from_db()
    review = client.post(
        reverse("cases:act", args=[case.number, "review"]),
        {"expected_version": case.version, "opinion": "材料齐全"},
    )
    assert review.status_code == 302
    case.refresh_from_db()
    assert case.current_step == 1
    assert "材料齐全" in client.get(reverse("cases:detail", args=[case.number])).content.decode()


def test_documents_listed_on_case_page(client, hall):
    case = submit_at_window(hall)
    services.transition(
        action="accept", actor=hall.staff.clerk.user, case=case, expected_version=case.version
    )
    client.force_login(hall.staff.clerk.user)
    doc = case.documents.get(kind=DocumentKind.ACCEPTANCE)
    assert doc.number in client.get(reverse("cases:detail", args=[case.number])).content.decode()


def test_clerk_inbox_lists_centre_cases_and_dashboard_panel(client, hall):
    case = submit_at_window(hall)
    client.force_login(hall.staff.clerk.user)
    assert case.number in client.get(reverse("cases:inbox")).content.decode()
    client.force_login(hall.staff.market_chief.user)
    home = client.get(reverse("core:home")).content.decode()
    assert "综合受理" in home


def test_window_desk_refusal_shows_the_reason_and_registers_nothing(client, hall):
    """A wrong 身份证号 shows beside its field; a suspended item in the summary."""
    from govhall.catalog import services as catalog_services

    client.force_login(hall.staff.clerk.user)
    version = hall.market_item.versions.get()
    url = reverse("cases:desk_apply", args=[hall.market_item.pk])
    bad_id = make_id_number(7)[:-1] + ("0" if make_id_number(7)[-1] != "0" else "1")
    response = client.post(url, _desk_post(version, **{"a-id_number": bad_id}))
    assert response.status_code == 200
    assert "校验位" in response.content.decode()
    catalog_services.change_item_flags(
        actor=hall.root, item=hall.market_item, reason="法规修订", status="suspended"
    )
    response = client.post(url, _desk_post(version))
    html = response.content.decode()
    assert response.status_code in (200, 409) and "暂停" in html
    assert not Case.objects.exists()


# --------------------------------------------------------------------------- 一件事 definitions


def test_only_the_centre_admin_defines_bundles_and_changes_are_audited(
    client, env, restaurant_bundle, tolerance, instant
):
    bundle = restaurant_bundle
    with pytest.raises(PermissionDenied):
        services.update_bundle(
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


# --------------------------------------------------------------------------- 一件事 at the desk


def _bundle_desk_post(bundle, *, action="accept", missing=(), reason=""):
    data = {
        "a-kind": "person",
        "a-name": "李四",
        "a-id_number": make_id_number(7),
        "a-phone": PHONE,
        "x-action": action,
        "x-reason": reason,
    }
    for part in selectors.bundle_parts(bundle=bundle):
        for m in part["version"].materials.all():
            prefix = f"i{part['item'].pk}"
            if (part["version"].name, m.name) in missing:
                data[f"{prefix}-p{m.pk}"] = "已过期"
            else:
                data[f"{prefix}-m{m.pk}"] = "on"
    return data


def test_desk_finds_the_bundle_and_one_form_gives_parent_children_and_one_notice(
    client, env, restaurant_bundle
):
    bundle = restaurant_bundle
    client.force_login(env.s.clerk.user)
    search = client.get(reverse("cases:desk"), {"q": "餐饮"}).content.decode()
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    assert "开办餐饮店一件事" in search and url in search
    # Also found through one of its items.
    assert url in client.get(reverse("cases:desk"), {"q": "卫生许可"}).content.decode()
    form = client.get(url).content.decode()
    assert "测试县市场监督管理局" in form and "测试县卫生健康委员会" in form
    assert form.count('name="a-name"') == 1  # the applicant once

    response = client.post(url, _bundle_desk_post(bundle))
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


def test_desk_missing_material_corrects_that_item_and_accepts_the_rest(
    client, env, restaurant_bundle
):
    bundle = restaurant_bundle
    client.force_login(env.s.clerk.user)
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    # Direct 受理 with a missing required material is refused and registers nothing.
    missing = {("公共场所卫生许可", "营业执照")}
    refused = client.post(url, _bundle_desk_post(bundle, missing=missing))
    assert refused.status_code == 200
    assert "公共场所卫生许可：营业执照" in refused.content.decode()
    assert not Case.objects.exists()

    response = client.post(
        url, _bundle_desk_post(bundle, action="request_correction", missing=missing)
    )
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
    client.post(reverse("cases:desk_bundle", args=[bundle.pk]), _bundle_desk_post(bundle))
    parent = Case.objects.get(parent__isnull=True)
    return (
        parent,
        parent.children.get(item=env.c.market_item),
        parent.children.get(item=env.c.health_item),
    )


def test_parent_completes_when_every_child_completes(client, env, restaurant_bundle):
    parent, market, health = _accepted_parent(client, env, restaurant_bundle)
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


def test_a_denied_child_shows_clearly_on_the_parent(client, env, restaurant_bundle):
    parent, market, health = _accepted_parent(client, env, restaurant_bundle)
    _finish_through_pages(client, health, env.s.health_chief.user, result="denied")
    client.force_login(env.s.market_chief.user)
    page = client.get(reverse("cases:detail", args=[parent.number])).content.decode()
    assert "有 1 个子件未获准予" in page
    assert "不予许可" in page and 'class="child-row table-danger"' in page
    assert page.count("table-danger") == 1  # only the denied child
    _finish_through_pages(client, market, env.s.market_chief.user)
    parent.refresh_from_db()
    assert parent.state == State.COMPLETED and parent.child_failed


# --------------------------------------------------------------------------- 一件事 容缺 at the desk


def test_desk_bundle_tolerance_accepts_that_child_with_catch_up_and_one_notice(
    client, env, small_restaurant_bundle
):
    bundle = small_restaurant_bundle
    client.force_login(env.s.clerk.user)
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    form = client.get(url).content.decode()
    assert "容缺受理" in form and "x-commitment" in form
    response = client.post(
        url,
        bundle_desk_form(
            bundle,
            action="accept_with_tolerance",
            tolerate={"健康证明"},
            commitment="本人承诺3个工作日内补齐健康证明",
            catch_up_days="3",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    parent = Case.objects.get(parent__isnull=True)
    assert response["Location"] == reverse("cases:bundle_notice", args=[parent.number])
    small = parent.children.get(item=env.tolerance)
    health = parent.children.get(item=env.c.health_item)
    assert small.state == State.IN_REVIEW and small.tolerance_due == dt.date(2026, 11, 26)
    tolerated = small.materials.get(tolerated=True)
    assert tolerated.name == "健康证明" and tolerated.catch_up_due == dt.date(2026, 11, 26)
    assert health.state == State.IN_REVIEW and health.tolerance_due is None
    # The parent follows its children: accepted, deadline = the latest child's.
    parent.refresh_from_db()
    assert parent.state == State.IN_REVIEW
    assert parent.due_date == max(small.due_date, health.due_date)
    # The printed notice names the 容缺 material and its catch-up date.
    page = client.get(response["Location"]).content.decode()
    assert "容缺" in page and "健康证明" in page and "2026年11月26日前补齐" in page
    assert small.number in page and health.number in page


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        # 6 working days exceed 小餐饮登记's promised 5
        (
            {"tolerate": {"健康证明"}, "commitment": "承诺", "catch_up_days": "6"},
            "小餐饮登记：容缺补齐期限应为1至5个工作日",
        ),
        # 公共场所卫生许可 does not allow 容缺 at all: its missing 营业执照 blocks
        (
            {
                "tolerate": {"健康证明"},
                "missing": {"营业执照"},
                "commitment": "承诺",
                "catch_up_days": "3",
            },
            "营业执照（该事项不适用容缺受理）",
        ),
        # 申请书 of 小餐饮登记 may not be tolerated
        (
            {"missing": {"申请书"}, "commitment": "承诺", "catch_up_days": "3"},
            "小餐饮登记：申请书（该材料不允许容缺）",
        ),
        ({"tolerate": {"健康证明"}, "commitment": "", "catch_up_days": "3"}, "承诺书"),
    ],
)
def test_desk_bundle_tolerance_refused_registers_nothing(
    client, env, small_restaurant_bundle, post, expected
):
    bundle = small_restaurant_bundle
    client.force_login(env.s.clerk.user)
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    response = client.post(url, bundle_desk_form(bundle, action="accept_with_tolerance", **post))
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not Case.objects.exists()
