"""Staff and public pages of case handling: window desk in ≤3 screens, the inbox
by urgency with lights, the case page actions, and the public progress query."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govhall.cases import services
from govhall.cases.models import Case, DocumentKind, State
from govhall.core import clock
from govhall.testing import factories
from govhall.testing.factories import make_id_number

PHONE = "13904771234"


def _applicant(serial=1, name="张三丰"):
    return {"kind": "person", "name": name, "id_number": make_id_number(serial), "phone": PHONE}


def _submit(county, item=None, **kw):
    item = item or county.market_item
    mats = [{"material": m} for m in item.versions.get().materials.all()]
    return services.submit_application(
        actor=county.staff.clerk.user,
        item=item,
        centre=county.county,
        channel="window",
        applicant=kw.pop("applicant", _applicant()),
        materials=mats,
    )


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


def test_window_desk_search_apply_notice_in_three_screens(client, county):
    client.force_login(county.staff.clerk.user)
    search = client.get(reverse("cases:desk"), {"q": "食品"})
    assert "食品经营许可" in search.content.decode()
    url = reverse("cases:desk_apply", args=[county.market_item.pk])
    assert url in search.content.decode()
    version = county.market_item.versions.get()
    chief = county.staff.market_chief
    response = client.post(url, _desk_post(version, **{"x-responsible": chief.pk}))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == State.IN_REVIEW
    notice = client.get(response["Location"])
    html = notice.content.decode()
    assert "受理通知书" in html and case.number in html and "打印" in html
    assert "承诺办结期限" in html and "承办人：市场首代" in html


def test_window_desk_correction_lists_every_missing_material_at_once(client, county):
    client.force_login(county.staff.clerk.user)
    version = county.market_item.versions.get()
    response = client.post(
        reverse("cases:desk_apply", args=[county.market_item.pk]),
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


def test_window_desk_accept_with_missing_material_registers_nothing(client, county):
    client.force_login(county.staff.clerk.user)
    version = county.market_item.versions.get()
    response = client.post(
        reverse("cases:desk_apply", args=[county.market_item.pk]),
        _desk_post(version, ticked=["申请书"]),
    )
    assert response.status_code == 200
    assert "营业执照" in response.content.decode() and "不能直接受理" in response.content.decode()
    assert not Case.objects.exists()


def test_window_desk_refusal_needs_reason_and_shows_remedy(client, county):
    client.force_login(county.staff.clerk.user)
    version = county.market_item.versions.get()
    url = reverse("cases:desk_apply", args=[county.market_item.pk])
    bad = client.post(url, _desk_post(version, action="refuse"))
    assert bad.status_code == 200 and not Case.objects.exists()
    ok = client.post(url, _desk_post(version, action="refuse", **{"x-reason": "不属于本机关职权"}))
    html = client.get(ok["Location"]).content.decode()
    assert "不予受理决定书" in html and "行政复议" in html and "不属于本机关职权" in html


@pytest.fixture
def old_item(county):
    """An item published well before the frozen today, so cases can be back-dated."""
    with clock.frozen(dt.datetime(2026, 10, 9, 9, 0)):
        return factories.publish_item(
            actor=county.root, department=county.market, basic_code="000111222009", name="旧事项"
        )


def test_inbox_orders_by_urgency_with_lights(client, county, old_item):
    with clock.frozen(dt.datetime(2026, 11, 9, 9, 0)):
        old = _submit(county, item=old_item)
        services.transition(
            action="accept",
            actor=county.staff.market_chief.user,
            case=old,
            expected_version=old.version,
        )
    fresh = _submit(county, applicant=_applicant(2, "王五"))
    services.transition(
        action="accept",
        actor=county.staff.market_chief.user,
        case=fresh,
        expected_version=fresh.version,
    )
    client.force_login(county.staff.market_approver.user)
    html = client.get(reverse("cases:inbox")).content.decode()
    assert html.index(old.number) < html.index(fresh.number)
    assert "超期" in html and "正常" in html
    only = client.get(reverse("cases:inbox"), {"light": "overdue"}).content.decode()
    assert old.number in only and fresh.number not in only


def test_inbox_hides_other_departments(client, county):
    case = _submit(county)
    client.force_login(county.staff.health_chief.user)
    assert case.number not in client.get(reverse("cases:inbox")).content.decode()
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 403


def test_case_page_actions_post_to_the_transition_and_stale_is_shown(client, county):
    case = _submit(county)
    chief = county.staff.market_chief.user
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


def test_public_progress_right_and_wrong_tail(client, county):
    case = _submit(county)
    url = reverse("cases_public:progress")
    right = client.get(url, {"number": case.number, "phone_tail": "1234"}).content.decode()
    assert "已申请" in right and "食品经营许可" in right
    assert "张三丰" not in right and PHONE not in right and make_id_number(1) not in right
    wrong = client.get(url, {"number": case.number, "phone_tail": "9999"}).content.decode()
    unknown = client.get(url, {"number": "150626-20990101-0001", "phone_tail": "1234"})
    assert "未找到" in wrong and "食品经营许可" not in wrong
    assert "未找到" in unknown.content.decode()


@pytest.mark.parametrize("form,ok", [("both", True), ("window", False)])
def test_online_application_only_where_offered(client, county, form, ok):
    version = county.market_item.versions.get()
    version.__class__.objects.filter(pk=version.pk).update(handling_form=form)
    url = reverse("cases_public:apply", args=[county.market_item.pk])
    response = client.post(
        url,
        {"a-kind": "person", "a-name": "赵六", "a-id_number": make_id_number(9), "a-phone": PHONE},
    )
    if ok:
        case = Case.objects.get()
        assert case.channel == "online"
        assert case.number in client.get(response["Location"]).content.decode()
    else:
        assert response.status_code == 404 and not Case.objects.exists()


def test_documents_listed_on_case_page(client, county):
    case = _submit(county)
    services.transition(
        action="accept", actor=county.staff.clerk.user, case=case, expected_version=case.version
    )
    client.force_login(county.staff.clerk.user)
    doc = case.documents.get(kind=DocumentKind.ACCEPTANCE)
    assert doc.number in client.get(reverse("cases:detail", args=[case.number])).content.decode()


def test_demo_cases_cover_states_and_lights_and_are_idempotent(county, old_item):
    from io import StringIO

    from govhall.cases.demo import load_demo_cases

    out = StringIO()
    assert load_demo_cases(stdout=out, count=60) == 60
    states = set(Case.objects.values_list("state", flat=True))
    assert {"submitted", "in_review", "completed", "archived"} <= states and len(states) >= 8
    from govhall.cases import selectors

    lights = set(
        selectors.department_cases(department=county.market).values_list("light", flat=True)
    )
    assert {"overdue", "normal"} <= lights
    assert load_demo_cases(stdout=out) == 0
    assert Case.objects.count() == 60


def test_clerk_inbox_lists_centre_cases_and_dashboard_panel(client, county):
    case = _submit(county)
    client.force_login(county.staff.clerk.user)
    assert case.number in client.get(reverse("cases:inbox")).content.decode()
    client.force_login(county.staff.market_chief.user)
    home = client.get(reverse("core:home")).content.decode()
    assert "综合受理" in home


def test_window_desk_refusal_shows_the_reason_and_registers_nothing(client, county):
    """A wrong 身份证号 shows beside its field; a suspended item in the summary."""
    from govhall.catalog import services as catalog_services

    client.force_login(county.staff.clerk.user)
    version = county.market_item.versions.get()
    url = reverse("cases:desk_apply", args=[county.market_item.pk])
    bad_id = make_id_number(7)[:-1] + ("0" if make_id_number(7)[-1] != "0" else "1")
    response = client.post(url, _desk_post(version, **{"a-id_number": bad_id}))
    assert response.status_code == 200
    assert "校验位" in response.content.decode()
    catalog_services.change_item_flags(
        actor=county.root, item=county.market_item, reason="法规修订", status="suspended"
    )
    response = client.post(url, _desk_post(version))
    html = response.content.decode()
    assert response.status_code in (200, 409) and "暂停" in html
    assert not Case.objects.exists()
