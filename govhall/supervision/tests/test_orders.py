"""督办 (issue 11 §2): the supervision office issues an order on a case or a warning,
the department's 首席代表 replies, the office accepts or returns it, an order past
its deadline escalates (once); department isolation; the office changes no case; the
PDF 督办通知书 carries the number; the API's error codes."""

from __future__ import annotations

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from govhall.cases.models import Case
from govhall.cases.tests.conftest import api, pdf
from govhall.core import clock
from govhall.core.audit import AuditEntry
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.notifications.models import Notification
from govhall.supervision import services, tasks
from govhall.supervision.models import OrderState, SupervisionOrder, Warning

from .helpers import D, act, submit, workday

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(env):
    return act(submit(env), "refuse", env.s.clerk.user, reason="材料不全")


@pytest.fixture
def warning(case):
    services.evaluate_case(case=case, today=clock.today())
    return Warning.objects.get(case=case)


def issue(env, case, **kw):
    kw.setdefault("subject", "不予受理理由不充分，请说明")
    return services.issue_order(actor=env.s.supervisor.user, case=case, **kw)


def reply(env, order, who="market_chief", **kw):
    return services.reply_order(
        actor=getattr(env.s, who).user,
        order=order,
        explanation=kw.pop("explanation", "经核查，理由书写过简"),
        measures=kw.pop("measures", "已重新告知申请人具体理由并组织培训"),
        **kw,
    )


def snapshot(case):
    row = Case.objects.filter(pk=case.pk).values().get()
    return row


def test_the_whole_loop_issue_reply_return_reply_accept(env, case, warning):
    before = snapshot(case)
    order = issue(env, case, warning=warning)
    today = clock.today()
    assert order.number == f"DB-{today.year}-0001"
    assert order.department == env.c.market and order.state == OrderState.ISSUED
    assert order.reply_due == workday(today, 3)
    assert Notification.objects.filter(
        recipient_user=env.s.market_chief.user, template="supervision/order"
    ).exists()
    order = reply(env, order, files=[pdf("说明.pdf")])
    assert order.state == OrderState.REPLIED and order.replied_by == env.s.market_chief
    assert [a.name for a in order.attachments.all()] == ["说明.pdf"]
    with clock.frozen(clock.now().replace(day=25)):
        order = services.return_reply(
            actor=env.s.supervisor.user, order=order, opinion="措施不具体，请细化"
        )
        assert order.state == OrderState.RETURNED and order.returns == 1
        assert order.reply_due == workday(D(2026, 11, 25), 3)
    order = reply(env, order, measures="逐条列明整改措施和完成时限")
    order = services.accept_reply(actor=env.s.supervisor.user, order=order, opinion="同意")
    assert order.state == OrderState.ACCEPTED and order.reviewed_by == env.s.supervisor
    actions = list(
        AuditEntry.objects.filter(action__startswith="supervision.order.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(
        [
            "supervision.order.issue",
            "supervision.order.reply",
            "supervision.order.return",
            "supervision.order.reply",
            "supervision.order.accept",
        ]
    )
    assert snapshot(case) == before  # the supervision office changes no case
    assert issue(env, case).number == f"DB-{today.year}-0002"


def test_only_the_departments_chief_rep_replies(env, case, health_item):
    order = issue(env, case)
    for who in ("health_chief", "market_approver", "supervisor", "clerk", "admin"):
        with pytest.raises(PermissionDenied):
            reply(env, order, who=who)
    with pytest.raises(ValidationFailed) as exc:
        reply(env, order, explanation=" ")
    assert exc.value.code == "required"
    with pytest.raises(ValidationFailed) as exc:
        reply(env, order, files=[SimpleUploadedFile("x.exe", b"MZ...", "application/x")])
    assert exc.value.code == "invalid_file"
    assert SupervisionOrder.objects.get().state == OrderState.ISSUED


def test_only_the_office_issues_and_reviews(env, case):
    for who in ("market_chief", "clerk", "market_approver"):
        with pytest.raises(PermissionDenied):
            services.issue_order(actor=getattr(env.s, who).user, case=case, subject="x")
    order = services.issue_order(actor=env.s.admin.user, case=case, subject="请说明")
    with pytest.raises(Conflict):
        services.accept_reply(actor=env.s.supervisor.user, order=order)
    order = reply(env, order)
    for who in ("market_chief", "admin"):
        with pytest.raises(PermissionDenied):
            services.accept_reply(actor=getattr(env.s, who).user, order=order)
    with pytest.raises(ValidationFailed):
        services.return_reply(actor=env.s.supervisor.user, order=order, opinion="")
    with pytest.raises(Conflict):
        reply(env, order)


def test_an_order_past_its_deadline_escalates_once(env, case):
    order = issue(env, case)
    assert services.escalate_overdue(today=order.reply_due) == 0
    after = workday(order.reply_due, 1)
    assert services.escalate_overdue(today=after) == 1
    assert services.escalate_overdue(today=after) == 0  # idempotent
    order.refresh_from_db()
    assert order.escalated and order.state == OrderState.ISSUED
    assert AuditEntry.objects.filter(action="supervision.order.escalate").count() == 1
    told = set(
        Notification.objects.filter(
            template="supervision/order", context__event="逾期升级"
        ).values_list("recipient_user__username", flat=True)
    )
    assert told == {"admin", "market_chief"}
    order = reply(env, order)  # a late reply is still taken; the flag stays on record
    assert order.state == OrderState.REPLIED and order.escalated


def test_the_morning_run_escalates(env, case):
    order = issue(env, case)
    after = workday(order.reply_due, 1)
    tasks.enqueue_daily_warnings(day=after)  # the morning run (immediate backend)
    order.refresh_from_db()
    assert order.escalated


def test_a_replied_order_does_not_escalate(env, case):
    order = reply(env, issue(env, case))
    assert services.escalate_overdue(today=workday(order.reply_due, 5)) == 0


# --------------------------------------------------------------------------- pages

LIST = "/staff/supervision/orders/"


def test_pages_issue_from_a_warning_reply_and_accept(client, env, case, warning):
    client.force_login(env.s.supervisor.user)
    body = client.get("/staff/supervision/warnings/").content.decode()
    assert f"?warning={warning.pk}" in body
    form = client.get(f"{LIST}issue/?warning={warning.pk}").content.decode()
    assert case.number in form and "下达督办单" in form
    r = client.post(
        f"{LIST}issue/", {"warning": warning.pk, "subject": "请说明理由", "confirm": "1"}
    )
    order = SupervisionOrder.objects.get()
    assert r.status_code == 302 and r.url == f"{LIST}{order.number}/"
    assert order.warning == warning
    body = client.get(LIST).content.decode()
    assert order.number in body and "table table-sm table-cards" in body

    client.force_login(env.s.market_chief.user)
    page = client.get(f"{LIST}{order.number}/").content.decode()
    assert "回复督办" in page and "审核回复" not in page
    r = client.post(
        f"{LIST}{order.number}/",
        {"action": "reply", "explanation": "理由过简", "measures": "重新告知"},
    )
    assert r.status_code == 302

    client.force_login(env.s.supervisor.user)
    page = client.get(f"{LIST}{order.number}/").content.decode()
    assert "审核回复" in page and "理由过简" in page
    r = client.post(f"{LIST}{order.number}/", {"action": "return", "opinion": ""})
    assert r.status_code == 400 and "审核意见" in r.content.decode()
    r = client.post(f"{LIST}{order.number}/", {"action": "accept"})
    order.refresh_from_db()
    assert r.status_code == 302 and order.state == OrderState.ACCEPTED


def test_issue_from_a_case_number(client, env, case):
    client.force_login(env.s.supervisor.user)
    r = client.post(f"{LIST}issue/", {"case": "nope", "subject": "x", "confirm": "1"})
    assert r.status_code == 400 and "没有该受理编号" in r.content.decode()
    r = client.post(f"{LIST}issue/", {"case": case.number, "subject": "请说明", "confirm": "1"})
    assert r.status_code == 302 and SupervisionOrder.objects.get().case == case
    client.force_login(env.s.market_chief.user)
    assert client.get(f"{LIST}issue/?case={case.number}").status_code == 403


def test_other_departments_see_nothing(client, env, case, health_item):
    order = issue(env, case)
    client.force_login(env.s.health_chief.user)
    assert order.number not in client.get(LIST).content.decode()
    assert client.get(f"{LIST}{order.number}/").status_code == 404
    assert client.get(f"{LIST}{order.number}/pdf/").status_code == 404
    client.force_login(env.s.clerk.user)
    assert client.get(LIST).status_code == 403
    client.force_login(env.s.market_approver.user)
    page = client.get(f"{LIST}{order.number}/").content.decode()
    assert order.number in page and "回复督办" not in page


def test_list_filters(client, env, case):
    first = issue(env, case)
    second = services.escalate_overdue(today=workday(first.reply_due, 1)) and issue(env, case)
    client.force_login(env.s.supervisor.user)
    body = client.get(LIST + "?state=escalated").content.decode()
    assert first.number in body and second.number not in body
    body = client.get(LIST + f"?department={env.c.health.pk}").content.decode()
    assert first.number not in body


def test_the_pdf_has_the_number(client, env, case, warning, tmp_path):
    order = issue(env, case, warning=warning)
    client.force_login(env.s.market_chief.user)
    r = client.get(f"{LIST}{order.number}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    path = tmp_path / "order.pdf"
    path.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "督办通知书" in text and order.number in text and case.number in text


# --------------------------------------------------------------------------- API

API = "/api/v1/supervision/orders/"


def test_api_loop_and_isolation(env, case, warning, health_item):
    office = api(env.s.supervisor.user)
    r = office.post(API, {"case": case.number, "warning": warning.pk, "subject": "请说明"})
    assert r.status_code == 201, r.json()
    number = r.json()["number"]
    assert r.json()["state"] == "issued" and r.json()["pdf_url"].endswith(f"/{number}/pdf/")
    chief = api(env.s.market_chief.user)
    assert [o["number"] for o in chief.get(API).json()["results"]] == [number]
    assert api(env.s.health_chief.user).get(API).json()["results"] == []
    assert api(env.s.health_chief.user).get(f"{API}{number}/").json()["code"] == "not_found"
    r = chief.post(f"{API}{number}/reply/", {"explanation": "理由过简", "measures": "重新告知"})
    assert r.status_code == 200 and r.json()["state"] == "replied"
    r = office.post(f"{API}{number}/return/", {"opinion": "请细化措施"})
    assert r.json()["state"] == "returned" and r.json()["returns"] == 1
    chief.post(
        f"{API}{number}/reply/",
        {"explanation": "理由过简", "measures": "逐条整改", "files": [pdf("整改.pdf")]},
        format="multipart",
    )
    r = office.post(f"{API}{number}/accept/", {})
    assert r.json()["state"] == "accepted" and r.json()["attachments"][0]["name"] == "整改.pdf"
    assert office.get(API, {"state": "accepted"}).json()["count"] == 1
    assert office.get(API, {"state": "open"}).json()["count"] == 0


def test_api_errors(env, case, warning):
    office = api(env.s.supervisor.user)
    chief = api(env.s.market_chief.user)

    def code(response, status):
        assert response.status_code == status, response.json()
        return response.json()["code"]

    assert code(chief.post(API, {"case": case.number, "subject": "x"}), 403) == (
        "permission_denied"
    )
    assert code(office.post(API, {"case": "nope", "subject": "x"}), 400) == "case_not_found"
    assert code(
        office.post(API, {"case": case.number, "warning": 999999, "subject": "x"}), 400
    ) == ("warning_not_found")
    assert code(office.post(API, {"case": case.number}), 400) == "validation_failed"
    assert code(office.get(API, {"state": "bogus"}), 400) == "invalid_filter"
    assert code(api(env.s.clerk.user).get(API), 403) == "permission_denied"
    number = office.post(API, {"case": case.number, "subject": "请说明"}).json()["number"]
    assert code(office.get(f"{API}DB-1999-0001/"), 404) == "not_found"
    assert code(office.post(f"{API}{number}/accept/", {}), 409) == "wrong_state"
    assert code(
        office.post(f"{API}{number}/reply/", {"explanation": "a", "measures": "b"}), 403
    ) == ("permission_denied")
    assert code(chief.post(f"{API}{number}/reply/", {"explanation": "a"}), 400) == "required"
    chief.post(f"{API}{number}/reply/", {"explanation": "a", "measures": "b"})
    assert code(office.post(f"{API}{number}/return/", {}), 400) == "required"
    assert code(chief.post(f"{API}{number}/accept/", {}), 403) == "permission_denied"


def test_the_case_page_shows_its_orders(client, env, case, health_item):
    order = issue(env, case)
    page = f"/staff/cases/{case.number}/"
    client.force_login(env.s.market_chief.user)
    body = client.get(page).content.decode()
    assert order.number in body and "督办单" in body and "下达督办单" not in body
    client.force_login(env.s.supervisor.user)
    body = client.get(page).content.decode()
    assert order.number in body and f"?case={case.number}" in body


def test_the_command_escalates(env, case):
    from io import StringIO

    from django.core.management import call_command

    order = issue(env, case)
    out = StringIO()
    call_command("run_daily_warnings", "--day", workday(order.reply_due, 1).isoformat(), stdout=out)
    assert "督办逾期升级 1 件" in out.getvalue()
    order.refresh_from_db()
    assert order.escalated


def test_the_department_is_reminded_the_day_before_and_on_the_day_once(env, case):
    order = issue(env, case)
    issued = timezone.localdate(order.issued_at)
    before = workday(issued, 2)  # the reply is due 3 working days after the order
    assert workday(before, 1) == order.reply_due

    def reminders():
        return Notification.objects.filter(
            template="supervision/order",
            context__event__endswith="临近",
            recipient_user_id=env.s.market_chief.user_id,
        )

    assert services.remind_due_orders(today=workday(issued, 1)) == 0
    assert services.remind_due_orders(today=before) == 1
    assert reminders().count() == 1
    assert "明日" in reminders().get().context["detail"]
    assert services.remind_due_orders(today=before) == 0  # the same day again: nobody
    assert services.remind_due_orders(today=order.reply_due) == 0  # told for this deadline
    reply(env, order)
    assert services.remind_due_orders(today=order.reply_due) == 0  # replied: nothing due
