"""The 审管联动 staff pages (issue 14): the inbox and 签收, the 证照库 and a licence's
status changes, 监管反馈 from the form and the 注销 it obliges, the 警示信息库, the
monthly letters and the settings — each for whom it serves, refused to the others."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from govhall.core import clock
from govhall.core.models import AuditEntry
from govhall.licences import services
from govhall.licences.models import (
    CancellationObligation,
    Endpoint,
    Licence,
    ResultPush,
    Status,
    SupervisionReport,
    WarningEntry,
)
from govhall.testing import factories

from .conftest import approve, deny, revoke

pytestmark = pytest.mark.django_db


def page(client, user, name, *args, **query):
    client.force_login(user)
    response = client.get(reverse(name, args=args), query)
    binary = response.get("Content-Type", "").startswith("application/pdf")
    return response, "" if binary else response.content.decode()


# --------------------------------------------------------------------------- access


PAGES = [
    ("licences:inbox", ()),
    ("licences:registry", ()),
    ("licences:reports", ()),
    ("licences:report_new", ()),
    ("licences:obligations", ()),
    ("licences:warnings", ()),
    ("licences:letters", ()),
    ("licences:settings", ()),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_a_window_clerk_is_refused_every_page(client, linked, name, args):
    response, html = page(client, linked.s.clerk.user, name, *args)
    assert response.status_code == 403 and "无权访问" in html


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_the_centre_administrator_opens_every_page(client, linked, name, args):
    approve(linked)
    response, html = page(client, linked.s.admin.user, name, *args)
    assert response.status_code == 200 and "审管联动" in html


def test_only_the_administrator_opens_the_settings_and_the_supervision_office_cannot_report(
    client, linked
):
    for staff in (linked.s.market_chief, linked.s.health_chief, linked.s.supervisor):
        response, html = page(client, staff.user, "licences:settings")
        assert response.status_code == 403 and "只有中心管理员" in html
    response, html = page(client, linked.s.supervisor.user, "licences:report_new")
    assert response.status_code == 403
    # The supervision office reads the registries all the same.
    approve(linked)
    response, html = page(client, linked.s.supervisor.user, "licences:registry")
    assert response.status_code == 200 and "JY15062600001" in html


def test_the_nav_offers_the_dropdown_to_staff_and_the_settings_to_the_administrator(client, linked):
    _, html = page(client, linked.s.health_chief.user, "core:home")
    assert "审管联动" in html and reverse("licences:inbox") in html
    assert reverse("licences:settings") not in html
    _, html = page(client, linked.s.admin.user, "core:home")
    assert reverse("licences:settings") in html
    _, html = page(client, linked.s.clerk.user, "core:home")
    assert reverse("licences:inbox") not in html


# --------------------------------------------------------------------------- inbox


def test_the_inbox_shows_the_push_to_the_receiver_with_the_holder_masked(client, linked):
    case = approve(linked)
    push = ResultPush.objects.get()
    response, html = page(client, linked.s.health_chief.user, "licences:inbox")
    assert response.status_code == 200
    assert case.number in html and "食品经营许可" in html and "张三丰" in html
    assert push.payload["holder_code"] in html and case.applicant_id_number not in html
    assert "JY15062600001" in html and "准予许可" in html and "待签收" in html
    assert f'name="push" value="{push.pk}"' in html
    assert push.ack_due.isoformat() in html and "未接入" in html


def test_the_approval_department_sees_what_it_sent_without_acknowledging(client, linked):
    case = approve(linked)
    _, html = page(client, linked.s.market_chief.user, "licences:inbox")
    assert case.number in html and 'name="push"' not in html and "签收所选" not in html


def test_acknowledging_from_the_inbox(client, linked):
    approve(linked)
    deny(linked)
    first, second = ResultPush.objects.order_by("pk")
    client.force_login(linked.s.health_chief.user)
    r = client.post(reverse("licences:acknowledge"), {"push": [first.pk], "state": "pending"})
    assert r.status_code == 302 and r["Location"].startswith(reverse("licences:inbox"))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.acknowledged_at is not None and first.acknowledged_name == "卫健首代"
    assert second.acknowledged_at is None
    html = client.get(r["Location"]).content.decode()
    assert "已签收 1 条审批结果推送" in html
    assert first.payload["case_number"] not in html and second.payload["case_number"] in html
    html = client.get(reverse("licences:inbox"), {"state": "acknowledged"}).content.decode()
    assert first.payload["case_number"] in html and "卫健首代" in html
    assert AuditEntry.objects.filter(action="licences.push.acknowledge").count() == 1


def test_the_approval_department_cannot_acknowledge_by_a_forced_post(client, linked):
    approve(linked)
    push = ResultPush.objects.get()
    client.force_login(linked.s.market_chief.user)
    r = client.post(reverse("licences:acknowledge"), {"push": [push.pk]})
    push.refresh_from_db()
    assert r.status_code == 403 and push.acknowledged_at is None


def test_nothing_selected_or_a_bad_id_is_said_not_crashed(client, linked):
    approve(linked)
    client.force_login(linked.s.health_chief.user)
    r = client.post(reverse("licences:acknowledge"), {}, follow=True)
    assert "请选择要签收的推送" in r.content.decode()
    r = client.post(reverse("licences:acknowledge"), {"push": ["9" * 30]}, follow=True)
    assert "所选推送无效" in r.content.decode()
    r = client.post(reverse("licences:acknowledge"), {"push": ["999999"]}, follow=True)
    assert r.status_code == 200 and "推送不存在" in r.content.decode()
    assert client.get(reverse("licences:acknowledge")).status_code == 405


def test_a_push_past_its_limit_is_marked_as_a_warning(client, linked):
    case = approve(linked)
    push = ResultPush.objects.get()
    with clock.frozen(dt.datetime.combine(push.ack_due + dt.timedelta(days=1), dt.time(9))):
        _, html = page(client, linked.s.health_chief.user, "licences:inbox", state="overdue")
    assert case.number in html and 'data-overdue="1"' in html and "预警" in html
    _, html = page(client, linked.s.health_chief.user, "licences:inbox", state="overdue")
    assert case.number not in html  # not late yet today


def test_the_inbox_search(client, linked):
    a = approve(linked)
    b = deny(linked)
    _, html = page(client, linked.s.health_chief.user, "licences:inbox", state="all", q="李四")
    assert b.number in html and a.number not in html
    _, html = page(client, linked.s.health_chief.user, "licences:inbox", q="x\x00" * 40)
    assert "没有符合条件的推送" in html


# --------------------------------------------------------------------------- registry


def test_the_registry_masks_a_persons_id_for_a_non_issuer(client, linked):
    case = approve(linked)
    full = case.applicant_id_number
    lic = Licence.objects.get()
    _, html = page(client, linked.s.health_chief.user, "licences:registry")
    assert lic.number in html and full not in html and lic.holder_code_masked in html
    _, html = page(client, linked.s.health_chief.user, "licences:licence", lic.pk)
    assert full not in html and lic.holder_code_masked in html
    assert lic.identifier in html and "食品经营许可证" in html and "测试县市场监督管理局" in html
    _, html = page(client, linked.s.market_chief.user, "licences:registry")
    assert full in html
    _, html = page(client, linked.s.market_chief.user, "licences:licence", lic.pk)
    assert full in html and reverse("cases:detail", args=[case.number]) in html


def test_the_registry_filters_by_status(client, linked):
    approve(linked, number="JY-A", serial=1)
    approve(linked, number="JY-B", serial=2, name="王五")
    lic = Licence.objects.get(number="JY-B")
    services.change_status(
        actor=linked.s.market_chief.user, licence=lic, action="withdraw", reason="以欺骗手段取得"
    )
    _, html = page(client, linked.s.market_chief.user, "licences:registry", status="in_force")
    assert "JY-A" in html and "JY-B" not in html
    _, html = page(client, linked.s.market_chief.user, "licences:registry", status="withdrawn")
    assert "JY-B" in html and "JY-A" not in html
    _, html = page(client, linked.s.market_chief.user, "licences:registry", q="王五")
    assert "JY-B" in html and "JY-A" not in html


def test_a_licence_the_user_may_not_see_is_not_found(client, env):
    approve(env)  # no supervising department: 卫健委 was pushed nothing
    lic = Licence.objects.get()
    response, _ = page(client, env.s.health_chief.user, "licences:licence", lic.pk)
    assert response.status_code == 404
    response, _ = page(client, env.s.health_chief.user, "licences:licence", 2**70)
    assert response.status_code == 404


def test_the_issuer_renews_and_changes_on_the_licence_page(client, linked):
    approve(linked)
    lic = Licence.objects.get()
    url = reverse("licences:licence", args=[lic.pk])
    client.force_login(linked.s.market_approver.user)
    html = client.get(url).content.decode()
    for action in ("change", "renew", "withdraw", "cancel"):
        assert f'data-action="{action}"' in html
    assert 'data-action="revoke"' not in html  # only by a penalty
    r = client.post(url, {"action": "renew", "renew-expected_version": lic.version})
    assert r.status_code == 400  # the reason and the new date are required
    later = lic.valid_until + dt.timedelta(days=365)
    r = client.post(
        url,
        {
            "action": "renew",
            "renew-expected_version": lic.version,
            "renew-valid_until": later.isoformat(),
            "renew-reason": "申请延续，经审查符合条件",
        },
    )
    lic.refresh_from_db()
    assert r.status_code == 302 and lic.status == Status.RENEWED and lic.valid_until == later
    # A form sent with the version seen before the renewal is refused, not applied.
    r = client.post(
        url,
        {
            "action": "change",
            "change-expected_version": lic.version - 1,
            "change-holder_name": "张三丰餐饮店",
            "change-reason": "名称变更",
        },
    )
    assert r.status_code == 400 and "证照已被他人修改" in r.content.decode()
    r = client.post(
        url,
        {"action": "change", "change-expected_version": lic.version, "change-reason": "无"},
    )
    assert r.status_code == 400 and "变更须至少修改" in r.content.decode()
    r = client.post(
        url,
        {
            "action": "change",
            "change-expected_version": lic.version,
            "change-holder_name": "张三丰餐饮店",
            "change-reason": "名称变更",
        },
    )
    lic.refresh_from_db()
    assert r.status_code == 302 and lic.holder_name == "张三丰餐饮店"
    html = client.get(url).content.decode()
    assert "证照延续" in html and "申请延续，经审查符合条件" in html  # the history


def test_the_supervising_department_has_no_status_action(client, linked):
    approve(linked)
    lic = Licence.objects.get()
    url = reverse("licences:licence", args=[lic.pk])
    client.force_login(linked.s.health_chief.user)
    html = client.get(url).content.decode()
    assert "您当前对该证照没有可执行的操作" in html and "登记监管反馈" in html
    r = client.post(url, {"action": "cancel", "cancel-expected_version": 1, "cancel-reason": "x"})
    lic.refresh_from_db()
    assert r.status_code == 400 and "该操作当前不可执行" in r.content.decode()
    assert lic.status == Status.VALID


# --------------------------------------------------------------------------- reports


def _revocation_form(lic, **over):
    data = {
        "kind": "penalty",
        "penalty": "revocation",
        "licence_number": lic.number,
        "description": "经营场所存在严重食品安全隐患，拒不整改",
        "decision_number": "卫罚〔2026〕12号",
        "effective_on": "2026-11-23",
    }
    data.update(over)
    return data


def test_a_revocation_from_the_form_obliges_the_issuer_and_its_cancellation_fulfils_it(
    client, linked
):
    approve(linked)
    lic = Licence.objects.get()
    client.force_login(linked.s.health_chief.user)
    html = client.get(reverse("licences:report_new"), {"licence": lic.number}).content.decode()
    assert "以<strong>测试县卫生健康委员会</strong>的名义登记" in html and lic.number in html
    r = client.post(reverse("licences:report_new"), _revocation_form(lic))
    report = SupervisionReport.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse(
        "licences:report", args=[report.number]
    )
    assert report.channel == "form" and report.department == linked.c.health
    lic.refresh_from_db()
    obligation = CancellationObligation.objects.get()
    assert lic.status == Status.REVOKED and obligation.licence == lic
    html = client.get(r["Location"]).content.decode()
    assert "已登记监管反馈" in html and "待注销" in html
    assert obligation.due_on.isoformat() in html and "查收" not in html.split("</h1>")[1][:200]

    # The market side: its chief 查收 the report, finds the obligation, cancels.
    client.force_login(linked.s.market_chief.user)
    html = client.get(r["Location"]).content.decode()
    assert ">查收</button>" in html
    client.post(r["Location"], {"action": "read"})
    report.refresh_from_db()
    assert report.read_at is not None
    _, html = page(client, linked.s.market_chief.user, "licences:obligations")
    assert lic.number in html and "待注销" in html
    url = reverse("licences:licence", args=[lic.pk])
    html = client.get(url).content.decode()
    assert "应注销" in html and 'data-action="cancel"' in html
    r = client.post(
        url,
        {
            "action": "cancel",
            "cancel-expected_version": lic.version,
            "cancel-reason": "许可证件被吊销，依法注销",
        },
    )
    assert r.status_code == 302
    lic.refresh_from_db()
    obligation.refresh_from_db()
    assert lic.status == Status.CANCELLED and obligation.fulfilled_at is not None
    _, html = page(client, linked.s.market_chief.user, "licences:obligations")
    assert "已注销" in html and "待注销</span>" not in html


def test_the_report_form_shows_the_rules_messages_beside_the_fields(client, linked):
    approve(linked)
    lic = Licence.objects.get()
    client.force_login(linked.s.health_chief.user)
    url = reverse("licences:report_new")
    r = client.post(url, _revocation_form(lic, decision_number=""))
    assert r.status_code == 400 and "请填写处罚决定书文号" in r.content.decode()
    subject = {"subject_kind": "person", "subject_name": "王五"}
    subject["subject_code"] = factories.make_id_number(21)
    r = client.post(url, _revocation_form(lic, licence_number="", **subject))
    assert r.status_code == 400 and "吊销许可证件须填写被吊销的证照编号" in r.content.decode()
    r = client.post(
        url,
        {
            "kind": "hazard",
            "subject_kind": "person",
            "subject_name": "王五",
            "subject_code": "150626198503120210",  # wrong check digit
            "description": "后厨无防鼠设施",
        },
    )
    assert r.status_code == 400 and "身份证号格式或校验位不正确" in r.content.decode()
    assert not SupervisionReport.objects.exists()
    lic.refresh_from_db()
    assert lic.status == Status.VALID


def test_a_serious_report_without_licence_lists_the_subject(client, linked):
    code = factories.make_id_number(31)
    client.force_login(linked.s.health_chief.user)
    r = client.post(
        reverse("licences:report_new"),
        {
            "kind": "violation",
            "subject_kind": "person",
            "subject_name": "赵六",
            "subject_code": code,
            "description": "无证经营，屡教不改",
            "serious": "on",
            "warning_until": "2027-11-22",
        },
    )
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert "已列入警示信息库" in html and "2027-11-22" in html and code not in html
    assert WarningEntry.objects.get().subject_code == code


def test_reports_are_listed_to_both_sides_and_refused_to_others(client, linked):
    approve(linked)
    report = revoke(linked, Licence.objects.get())
    for staff in (linked.s.health_chief, linked.s.market_chief, linked.s.admin):
        _, html = page(client, staff.user, "licences:reports")
        assert report.number in html
    response, _ = page(client, linked.s.market_chief.user, "licences:report", "JG\x00")
    assert response.status_code == 404
    response, _ = page(client, linked.s.clerk.user, "licences:report", report.number)
    assert response.status_code == 403


def test_the_administrator_reports_for_a_department_it_picks(client, linked):
    approve(linked)
    lic = Licence.objects.get()
    client.force_login(linked.s.admin.user)
    html = client.get(reverse("licences:report_new")).content.decode()
    assert 'name="department"' in html
    data = _revocation_form(lic, kind="hazard", penalty="", decision_number="")
    data["department"] = linked.c.health.pk
    r = client.post(reverse("licences:report_new"), data)
    assert r.status_code == 302 and SupervisionReport.objects.get().department == linked.c.health


# --------------------------------------------------------------------------- obligations


def test_a_late_obligation_is_marked_and_listed_first(client, linked):
    approve(linked, number="JY-A", serial=1)
    approve(linked, number="JY-B", serial=2, name="王五")
    a, b = Licence.objects.get(number="JY-A"), Licence.objects.get(number="JY-B")
    revoke(linked, a)
    revoke(linked, b)
    services.change_status(
        actor=linked.s.market_chief.user, licence=a, action="cancel", reason="依法注销"
    )
    due = CancellationObligation.objects.get(licence=b).due_on
    with clock.frozen(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9))):
        _, html = page(client, linked.s.market_chief.user, "licences:obligations")
    assert html.index("JY-B") < html.index("JY-A")  # open first
    assert 'data-late="1"' in html and "逾期未注销" in html
    _, html = page(client, linked.s.market_chief.user, "licences:obligations", open="1")
    assert "JY-B" in html and "JY-A" not in html


# --------------------------------------------------------------------------- warnings


def test_the_administrator_adds_and_lifts_a_warning(client, linked):
    code = factories.make_id_number(41)
    client.force_login(linked.s.admin.user)
    url = reverse("licences:warnings")
    r = client.post(
        url,
        {
            "action": "add",
            "subject_kind": "person",
            "subject_name": "钱七",
            "subject_code": code,
            "reason": "提供虚假材料骗取许可",
            "source": linked.c.market.pk,
        },
    )
    assert r.status_code == 302
    entry = WarningEntry.objects.get()
    html = client.get(url).content.decode()
    assert "钱七" in html and code not in html and entry.subject_code_masked in html
    assert "已将 钱七 列入警示信息库" in html
    r = client.post(url, {"action": "lift", "entry": entry.pk, "reason": ""})
    assert r.status_code == 400 and "请填写移出理由" in r.content.decode()
    r = client.post(url, {"action": "lift", "entry": entry.pk, "reason": "已完成信用修复"})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.lifted_at is not None and entry.lift_reason == "已完成信用修复"
    html = client.get(url).content.decode()
    assert "已将 钱七 移出警示信息库" in html
    assert f'data-warning="{entry.pk}"' not in html  # not in force any more
    html = client.get(url, {"active": "0"}).content.decode()
    assert f'data-warning="{entry.pk}"' in html and "已移出" in html


def test_the_warning_form_says_what_the_rule_refused(client, linked):
    client.force_login(linked.s.admin.user)
    r = client.post(
        reverse("licences:warnings"),
        {
            "action": "add",
            "subject_kind": "organisation",
            "subject_name": "某公司",
            "subject_code": "91150626XXXXXXXXXX",
            "reason": "x",
            "source": linked.c.market.pk,
        },
    )
    assert r.status_code == 400 and "统一社会信用代码格式或校验位不正确" in r.content.decode()
    assert not WarningEntry.objects.exists()


def test_department_staff_read_the_warnings_but_may_not_change_them(client, linked):
    entry = services.add_warning(
        actor=linked.s.admin.user,
        subject_kind="person",
        subject_name="钱七",
        subject_code=factories.make_id_number(41),
        reason="提供虚假材料骗取许可",
        source=linked.c.market,
    )
    _, html = page(client, linked.s.market_chief.user, "licences:warnings")
    assert "钱七" in html and "warning-add" not in html and "lift-form" not in html
    r = client.post(
        reverse("licences:warnings"), {"action": "lift", "entry": entry.pk, "reason": "修复"}
    )
    entry.refresh_from_db()
    assert r.status_code == 403 and entry.lifted_at is None


# --------------------------------------------------------------------------- letters


def test_the_letter_pdf_is_served_to_its_department_only(client, linked):
    approve(linked)
    [letter] = services.make_monthly_letters(month=dt.date(2026, 11, 1))
    _, html = page(client, linked.s.health_chief.user, "licences:letters")
    assert letter.number in html
    response, _ = page(client, linked.s.health_chief.user, "licences:letter_pdf", letter.pk)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    _, html = page(client, linked.s.market_chief.user, "licences:letters")
    assert letter.number not in html
    response, _ = page(client, linked.s.market_chief.user, "licences:letter_pdf", letter.pk)
    assert response.status_code == 404


# --------------------------------------------------------------------------- settings


def test_the_administrator_sets_liaison_endpoint_and_linkage(client, linked):
    client.force_login(linked.s.admin.user)
    url = reverse("licences:settings")
    html = client.get(url).content.decode()
    assert "卫健首代" in html and "默认：首席代表" in html and "食品经营许可证" in html
    health = linked.c.health
    dept_url = f"{url}?department={health.pk}"
    r = client.post(
        dept_url, {"form": "liaison", "staff": linked.health_approver.pk, "note": "负责签收"}
    )
    assert r.status_code == 302
    r = client.post(
        dept_url, {"form": "endpoint", "url": "https://jg.example.cn/p", "secret": "short"}
    )
    assert r.status_code == 400 and "签名密钥至少 16 个字符" in r.content.decode()
    secret = "s3cret-0123456789abcdef"
    r = client.post(
        dept_url,
        {"form": "endpoint", "url": "https://jg.example.cn/p", "secret": secret, "is_active": "on"},
    )
    assert r.status_code == 302
    html = client.get(dept_url).content.decode()
    assert "卫健审批" in html and "负责签收" in html and "已设置签名密钥" in html
    assert secret not in html and "https://jg.example.cn/p" in html
    # An empty key keeps the one set.
    r = client.post(dept_url, {"form": "endpoint", "url": "https://jg.example.cn/q", "secret": ""})
    endpoint = Endpoint.objects.get()
    assert r.status_code == 302 and endpoint.secret == secret and not endpoint.is_active
    item = linked.c.market_item
    r = client.post(
        f"{url}?item={item.pk}",
        {
            "form": "linkage",
            "licence_name": "食品经营许可证",
            "type_code": "bad code",
            "validity_months": 60,
            "supervisors": [health.pk],
        },
    )
    assert r.status_code == 400 and "证照类型代码只能包含数字和大写字母" in r.content.decode()
    r = client.post(
        f"{url}?item={item.pk}",
        {
            "form": "linkage",
            "licence_name": "食品经营许可证",
            "type_code": "11100000000013338W001",
            "validity_months": 36,
            "supervisors": [],
            "publish_results": "on",
        },
    )
    assert r.status_code == 302
    html = client.get(url).content.decode()
    assert "36 个月" in html and 'class="list-group-item d-flex' in html  # now a gap
    assert f'data-item="{item.pk}"' in html.split('id="gap-list"')[1]


def test_odd_input_is_refused_or_ignored_never_an_error(client, linked):
    approve(linked)
    lic = Licence.objects.get()
    huge = str(2**70)
    client.force_login(linked.s.admin.user)
    for name, args, query in [
        ("licences:inbox", (), {"state": "x", "page": huge, "q": "\x00" * 3}),
        ("licences:registry", (), {"status": "nope", "q": "a" * 5000}),
        ("licences:reports", (), {"kind": "x\x00"}),
        ("licences:report", ("J" * 500,), {}),
        ("licences:warnings", (), {"active": "x", "q": "\x00"}),
        ("licences:settings", (), {"department": huge, "item": "-1"}),
        ("licences:obligations", (), {"open": "\x00", "page": "-3"}),
    ]:
        response = client.get(reverse(name, args=args), query)
        assert response.status_code in (200, 404), (name, response.status_code)
    url = reverse("licences:licence", args=[lic.pk])
    r = client.post(
        url, {"action": "cancel", "cancel-expected_version": huge, "cancel-reason": "x"}
    )
    assert r.status_code == 400 and "证照已被他人修改" in r.content.decode()
    health = linked.c.health.pk
    r = client.post(
        f"{reverse('licences:settings')}?department={health}", {"form": "liaison", "staff": huge}
    )
    assert r.status_code == 400
    r = client.post(reverse("licences:warnings"), {"action": "lift", "entry": huge, "reason": "x"})
    assert r.status_code == 404
    r = client.post(reverse("licences:warnings"), {"action": "add", "source": huge})
    assert r.status_code == 400
    client.force_login(linked.s.health_chief.user)
    r = client.post(reverse("licences:report_new"), {"kind": "penalty", "licence_number": "\x00"})
    assert r.status_code == 400


def test_the_home_page_counts_what_the_department_has_to_do(client, linked):
    _, html = page(client, linked.s.health_chief.user, "core:home")
    assert "待签收推送" not in html  # nothing to do: no panel
    approve(linked)
    _, html = page(client, linked.s.health_chief.user, "core:home")
    assert "待签收推送" in html and f"{reverse('licences:inbox')}?state=pending" in html
    revoke(linked, Licence.objects.get())
    _, html = page(client, linked.s.market_chief.user, "core:home")
    assert "待注销证照" in html
