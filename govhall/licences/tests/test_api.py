"""REST API of 审管联动 (/api/v1/licences/, docs/api.md "审管联动与证照库"): pushes and
签收, the licence registry and its by-hand actions, 监管反馈 by API (idempotent) and by
the signed webhook in, warnings, letters, the public licence query."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from govhall.cases.tests.conftest import api
from govhall.core import clock
from govhall.core.models import AuditEntry
from govhall.licences import services, webhooks
from govhall.licences.models import (
    CancellationObligation,
    Licence,
    ResultPush,
    Status,
    SupervisionReport,
    WarningEntry,
)
from govhall.testing import factories

from .conftest import SECRET, approve, connect

pytestmark = pytest.mark.django_db

BASE = "/api/v1/licences/"


def _code(response) -> str:
    return response.json()["code"]


# --------------------------------------------------------------------------- pushes


def test_the_supervising_department_lists_and_acknowledges_its_pushes(linked):
    env = linked
    case = approve(env)
    health = api(env.s.health_chief.user)
    listed = health.get(BASE + "pushes/", {"state": "pending"})
    assert listed.status_code == 200, listed.json()
    [row] = listed.json()["results"]
    assert row["case_number"] == case.number and row["state"] == "pending"
    assert row["department_name"] == env.c.health.name
    assert row["payload"]["licence_number"] == "JY15062600001"
    assert case.applicant_id_number not in json.dumps(row, ensure_ascii=False)

    done = health.post(BASE + "pushes/acknowledge/", {"ids": [row["id"]]}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["acknowledged"] == 1
    assert done.json()["pushes"][0]["state"] == "acknowledged"
    assert health.get(BASE + "pushes/", {"state": "pending"}).json()["count"] == 0
    assert health.get(BASE + "pushes/", {"state": "acknowledged"}).json()["count"] == 1
    # Once more: nothing new is acknowledged, nothing fails.
    again = health.post(BASE + "pushes/acknowledge/", {"ids": [row["id"]]}, format="json")
    assert again.json()["acknowledged"] == 0
    assert AuditEntry.objects.filter(action="licences.push.acknowledge").count() == 1


def test_only_the_receiving_department_acknowledges(linked):
    env = linked
    approve(env)
    push = ResultPush.objects.get()
    # The approval department sees the push it sent but may not sign for it.
    market = api(env.s.market_approver.user)
    assert market.get(BASE + "pushes/").json()["count"] == 1
    refused = market.post(BASE + "pushes/acknowledge/", {"ids": [push.pk]}, format="json")
    assert refused.status_code == 403 and _code(refused) == "not_recipient"
    missing = api(env.s.health_chief.user).post(
        BASE + "pushes/acknowledge/", {"ids": [push.pk, 10**9]}, format="json"
    )
    assert missing.status_code == 404 and _code(missing) == "push_not_found"
    push.refresh_from_db()
    assert push.acknowledged_at is None


def test_a_window_clerk_may_not_use_the_linkage_api(linked):
    env = linked
    approve(env)
    clerk = api(env.s.clerk.user)
    for url in ("pushes/", "", "reports/", "warnings/", "letters/"):
        response = clerk.get(BASE + url)
        assert response.status_code == 403, url
        assert _code(response) == "permission_denied"
    assert APIClient().get(BASE + "pushes/").status_code == 401


@pytest.mark.parametrize(
    "query",
    [
        {"state": "lost"},
        {"stat": "pending"},
        {"q": "x" * 101},
        {"since": "2026-13-01"},
        {"since": "2026-11-30", "until": "2026-11-01"},
        {"limit": "abc"},
        {"q": "a\x00b"},
    ],
)
def test_push_filters_are_bounded(linked, query):
    response = api(linked.s.health_chief.user).get(BASE + "pushes/", query)
    assert response.status_code == 400 and _code(response) == "invalid_filter"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ids": []},
        {"ids": ["abc"]},
        {"ids": [0]},
        {"ids": [2**31]},
        {"ids": list(range(1, 502))},
    ],
)
def test_acknowledge_bodies_are_bounded(linked, body):
    response = api(linked.s.health_chief.user).post(
        BASE + "pushes/acknowledge/", body, format="json"
    )
    assert response.status_code == 400 and _code(response) == "validation_failed"


# --------------------------------------------------------------------------- licences


def test_the_issuer_reads_the_licence_in_full_and_the_supervisor_masked(linked):
    env = linked
    case = approve(env)
    licence = Licence.objects.get()
    mine = api(env.s.market_approver.user).get(f"{BASE}{licence.pk}/")
    assert mine.status_code == 200, mine.json()
    data = mine.json()
    assert data["holder_code"] == case.applicant_id_number
    meta = data["metadata"]
    assert meta["identifier"] == licence.identifier and meta["number"] == "JY15062600001"
    assert meta["issuer_code"] == env.c.market.code and meta["holder_code_type"] == "公民身份号码"
    assert meta["type_name"] == "食品经营许可证" and meta["status"] == "有效"
    assert meta["valid_until"] == licence.valid_until.isoformat()
    assert {a["action"] for a in data["actions"]} == {"change", "renew", "withdraw", "cancel"}

    theirs = api(env.s.health_chief.user).get(f"{BASE}{licence.pk}/").json()
    assert theirs["holder_code"] != case.applicant_id_number and "*" in theirs["holder_code"]
    assert theirs["metadata"]["holder_code"] == theirs["holder_code"]
    assert theirs["actions"] == []
    listed = api(env.s.health_chief.user).get(BASE, {"status": "in_force"}).json()
    assert [r["number"] for r in listed["results"]] == ["JY15062600001"]
    assert listed["results"][0]["holder_code"] == theirs["holder_code"]


def test_a_department_that_neither_issued_nor_supervises_does_not_see_the_licence(linked):
    env = linked
    approve(env)
    licence = Licence.objects.get()
    other = factories.make_department(serial=3, name="测试县交通运输局", is_approval=True)
    chief = factories.make_staff(
        username="traffic_chief", name="交通首代", role="chief_rep", centre=env.c.county,
        department=other,
    )  # fmt: skip
    client = api(chief.user)
    assert client.get(BASE).json()["count"] == 0
    hidden = client.get(f"{BASE}{licence.pk}/")
    assert hidden.status_code == 404 and _code(hidden) == "licence_not_found"
    assert _code(client.post(f"{BASE}{licence.pk}/cancel/", {"reason": "x"})) == "licence_not_found"


def test_renew_then_change_through_the_api(linked):
    env = linked
    approve(env)
    licence = Licence.objects.get()
    client = api(env.s.market_approver.user)
    later = (licence.valid_until + dt.timedelta(days=365)).isoformat()
    renewed = client.post(
        f"{BASE}{licence.pk}/renew/",
        {"reason": "申请延续，经审查符合条件", "valid_until": later, "expected_version": 1},
        format="json",
    )
    assert renewed.status_code == 200, renewed.json()
    assert renewed.json()["status"] == Status.RENEWED and renewed.json()["valid_until"] == later
    assert renewed.json()["version"] == 2
    changed = client.post(
        f"{BASE}{licence.pk}/change/",
        {"reason": "经营者更名", "holder_name": "张三"},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["status"] == Status.CHANGED and changed.json()["holder_name"] == "张三"
    licence.refresh_from_db()
    assert licence.status_reason == "经营者更名"
    assert AuditEntry.objects.filter(action="licences.licence.renew").count() == 1
    assert AuditEntry.objects.filter(action="licences.licence.change").count() == 1


def test_action_refusals_have_stable_codes(linked):
    env = linked
    approve(env)
    licence = Licence.objects.get()
    issuer = api(env.s.market_approver.user)
    url = f"{BASE}{licence.pk}/"

    def post(client, action, body):
        return client.post(url + action + "/", body, format="json")

    cases = [
        (issuer, "withdraw", {}, 400, "required"),  # the reason is required
        (issuer, "withdraw", {"reason": "  "}, 400, "required"),
        (issuer, "withdraw", {"reason": "x" * 501}, 400, "validation_failed"),
        (issuer, "renew", {"reason": "延续"}, 400, "valid_until_required"),
        (issuer, "renew", {"reason": "延续", "valid_until": "2020-01-01"}, 400,
         "valid_until_not_later"),
        (issuer, "change", {"reason": "变更"}, 400, "nothing_changed"),
        (issuer, "withdraw", {"reason": "撤销", "expected_version": 7}, 409, "stale"),
        (issuer, "withdraw", {"reason": "撤销", "expected_version": -1}, 400,
         "validation_failed"),
        (issuer, "fly", {"reason": "x"}, 400, "unknown_action"),
        (issuer, "revoke", {"reason": "x"}, 400, "not_by_hand"),
        (issuer, "expire", {"reason": "x"}, 400, "not_by_hand"),
        (api(env.s.health_chief.user), "withdraw", {"reason": "撤销"}, 403, "not_allowed"),
    ]  # fmt: skip
    for client, action, body, status, code in cases:
        response = post(client, action, body)
        assert (response.status_code, _code(response)) == (status, code), (action, body)
    licence.refresh_from_db()
    assert licence.status == Status.VALID and licence.version == 1
    gone = issuer.get(f"{BASE}{2**40}/")
    assert gone.status_code == 404 and _code(gone) == "licence_not_found"


def test_a_licence_cancelled_cannot_be_withdrawn(linked):
    env = linked
    approve(env)
    licence = Licence.objects.get()
    client = api(env.s.market_approver.user)
    ok = client.post(f"{BASE}{licence.pk}/cancel/", {"reason": "持证人申请注销"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == Status.CANCELLED
    assert ok.json()["actions"] == []
    again = client.post(f"{BASE}{licence.pk}/withdraw/", {"reason": "撤销"}, format="json")
    assert again.status_code == 409 and _code(again) == "wrong_status"


@pytest.mark.parametrize("query", [{"status": "lost"}, {"q": "x" * 101}, {"statuss": "valid"}])
def test_licence_filters_are_bounded(linked, query):
    response = api(linked.s.market_approver.user).get(BASE, query)
    assert response.status_code == 400 and _code(response) == "invalid_filter"


# --------------------------------------------------------------------------- reports


def _hazard(**more):
    return {
        "kind": "hazard",
        "description": "后厨排烟管道积油严重，存在火灾隐患",
        "licence_number": "JY15062600001",
        **more,
    }


def test_a_report_with_an_idempotency_key_is_registered_once(linked):
    env = linked
    approve(env)
    client = api(env.s.health_chief.user)
    first = client.post(BASE + "reports/", _hazard(), format="json", HTTP_IDEMPOTENCY_KEY="wj-1")
    assert first.status_code == 201, first.json()
    report = first.json()
    assert report["channel"] == "api" and report["external_id"] == "wj-1"
    assert report["department_name"] == env.c.health.name
    assert report["licence_number"] == "JY15062600001" and report["subject_name"] == "张三丰"
    assert "*" in report["subject_code"]
    second = client.post(BASE + "reports/", _hazard(), format="json", HTTP_IDEMPOTENCY_KEY="wj-1")
    assert second.status_code == 200 and second.json()["number"] == report["number"]
    # The body's external_id is the same key.
    third = client.post(BASE + "reports/", _hazard(external_id="wj-1"), format="json")
    assert third.status_code == 200 and third.json()["number"] == report["number"]
    assert SupervisionReport.objects.count() == 1
    assert client.get(BASE + "reports/").json()["count"] == 1
    detail = client.get(f"{BASE}reports/{report['number']}/")
    assert detail.status_code == 200 and detail.json()["description"].startswith("后厨")
    # The approval department sees the report on its licence.
    market = api(env.s.market_approver.user)
    assert market.get(f"{BASE}reports/{report['number']}/").status_code == 200


def test_a_revocation_by_api_revokes_and_obliges_the_issuer(linked):
    env = linked
    approve(env)
    response = api(env.s.health_chief.user).post(
        BASE + "reports/",
        {
            "kind": "penalty",
            "penalty": "revocation",
            "licence_number": "JY15062600001",
            "decision_number": "卫罚〔2026〕12号",
            "effective_on": "2026-11-23",
            "description": "拒不整改，吊销许可证件",
            "serious": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["obligation"]["licence_number"] == "JY15062600001"
    assert Licence.objects.get().status == Status.REVOKED
    assert CancellationObligation.objects.count() == 1 and WarningEntry.objects.count() == 1
    detail = api(env.s.market_approver.user).get(f"{BASE}{Licence.objects.get().pk}/").json()
    assert detail["status_label"] == "吊销" and detail["obligations"][0]["fulfilled_at"] is None
    assert {a["action"] for a in detail["actions"]} == {"cancel"}


def test_report_refusals(linked):
    env = linked
    approve(env)
    health = api(env.s.health_chief.user)
    cases = [
        (health, _hazard(), {"HTTP_IDEMPOTENCY_KEY": "a b"}, 400, "invalid_idempotency_key"),
        (health, _hazard(), {"HTTP_IDEMPOTENCY_KEY": "k" * 101}, 400, "invalid_idempotency_key"),
        (health, _hazard(external_id="x"), {"HTTP_IDEMPOTENCY_KEY": "y"}, 400,
         "external_id_mismatch"),
        (health, _hazard(kind="gossip"), {}, 400, "invalid_kind"),
        (health, _hazard(licence_number="NOPE-1"), {}, 400, "licence_not_found"),
        (health, _hazard(department="91150626MA0000000X"), {}, 400, "unknown_department"),
        (health, _hazard(department=env.c.market.code), {}, 403, "not_reporter"),
        (health, {"kind": "hazard"}, {}, 400, "validation_failed"),
        (api(env.s.admin.user), _hazard(), {}, 400, "department_required"),
        (api(env.s.clerk.user), _hazard(), {}, 403, "permission_denied"),
    ]  # fmt: skip
    for client, body, headers, status, code in cases:
        response = client.post(BASE + "reports/", body, format="json", **headers)
        assert (response.status_code, _code(response)) == (status, code), body
    assert not SupervisionReport.objects.exists()
    missing = health.get(BASE + "reports/JG2026-999999/")
    assert missing.status_code == 404 and _code(missing) == "report_not_found"
    assert health.get(BASE + "reports/" + "J" * 30 + "/").status_code == 404


# --------------------------------------------------------------------------- webhook in


HOOK = BASE + "hooks/reports/"


def _hook(env, delivery="dept-sys-0001", *, secret=SECRET, timestamp=None, **fields):
    body = webhooks.body_of(
        {"department": env.c.health.code, "delivery_id": delivery, **_hazard(), **fields}
    )
    headers = webhooks.headers(secret=secret, delivery_id=delivery, body=body)
    if timestamp is not None:
        headers[webhooks.TIMESTAMP] = str(timestamp)
        headers[webhooks.SIGNATURE] = webhooks.signature(
            secret=secret, timestamp=str(timestamp), body=body
        )
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    meta.pop("HTTP_CONTENT_TYPE")
    return body, meta


def _post(body, meta):
    return APIClient().post(HOOK, data=body, content_type="application/json", **meta)


@pytest.fixture
def hooked(linked):
    """A licence pushed, then 卫健委's system set up (its key signs the webhook in)."""
    approve(linked)
    connect(linked, "http://127.0.0.1:9/pushes")
    return linked


def test_a_signed_report_from_the_department_system_is_recorded_once(hooked):
    env = hooked
    body, meta = _hook(env)
    first = _post(body, meta)
    assert first.status_code == 201, first.json()
    report = SupervisionReport.objects.get()
    assert report.channel == "webhook" and report.external_id == "dept-sys-0001"
    # The actor is the department's liaison (its 首席代表, none named): a real person.
    assert report.recorded_by == env.s.health_chief.user and report.recorded_name == "卫健首代"
    entry = AuditEntry.objects.get(action="licences.report.record")
    assert entry.actor_id == env.s.health_chief.user.pk
    # The same delivery again (a retry, freshly signed): 200 and the same report.
    again = _post(*_hook(env))
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    assert SupervisionReport.objects.count() == 1
    # Another delivery is another report.
    assert _post(*_hook(env, "dept-sys-0002")).status_code == 201


def test_webhook_signature_refusals(hooked):
    env = hooked
    body, meta = _hook(env)
    now = int(clock.now().timestamp())
    tampered = body.replace("火灾".encode(), "小".encode())
    cases = [
        ((body, {k: v for k, v in meta.items() if k != "HTTP_X_GOVHALL_SIGNATURE"}),
         "signature_missing"),
        ((body, {k: v for k, v in meta.items() if k != "HTTP_X_GOVHALL_TIMESTAMP"}),
         "signature_missing"),
        ((tampered, meta), "signature_invalid"),
        (_hook(env, secret="another-secret-0123456789"), "signature_invalid"),
        ((body, {**meta, "HTTP_X_GOVHALL_SIGNATURE": "sha256=00"}), "signature_invalid"),
        (_hook(env, timestamp=now - 600), "signature_expired"),
        (_hook(env, timestamp=now + 600), "signature_expired"),
        ((body, {**meta, "HTTP_X_GOVHALL_DEPARTMENT": env.c.market.code}), "unknown_sender"),
        (_hook(env, department="NOPE"), "unknown_sender"),
    ]  # fmt: skip
    for (data, headers), code in cases:
        response = _post(data, headers)
        assert (response.status_code, _code(response)) == (401, code), code
        assert "WWW-Authenticate" in response
    assert not SupervisionReport.objects.exists()
    # The administrator switches the department's interface off: its key no longer works.
    services.set_endpoint(
        actor=env.c.root,
        department=env.c.health,
        url="http://127.0.0.1:9/pushes",
        secret=SECRET,
        is_active=False,
    )
    assert _code(_post(*_hook(env))) == "unknown_sender"


def test_webhook_body_refusals(hooked):
    env = hooked
    body, meta = _hook(env)
    mismatch = {**meta, "HTTP_X_GOVHALL_DELIVERY": "another-delivery"}
    assert _code(_post(body, mismatch)) == "delivery_id_mismatch"
    bad_id = _hook(env, delivery="has space")
    assert _code(_post(*bad_id)) == "invalid_delivery_id"
    assert _code(_post(*_hook(env, kind="gossip"))) == "invalid_kind"
    assert _code(_post(b"[1, 2]", meta)) == "parse_error"
    assert _code(_post(b"{not json", meta)) == "parse_error"
    assert _code(_post(b"[" * 100_000, meta)) == "parse_error"  # nested past the recursion limit
    assert not SupervisionReport.objects.exists()


def test_a_department_without_liaison_is_refused(hooked):
    env = hooked
    env.s.health_chief.is_active = False  # 离岗: no liaison named, no chief in post
    env.s.health_chief.save()
    response = _post(*_hook(env))
    assert response.status_code == 409 and _code(response) == "no_liaison"
    assert "联络员" in response.json()["message"]
    assert not SupervisionReport.objects.exists()
    # The administrator names the health approver: the delivery, sent again, is taken.
    services.set_liaison(actor=env.c.root, department=env.c.health, staff=env.health_approver)
    taken = _post(*_hook(env))
    assert taken.status_code == 201
    assert SupervisionReport.objects.get().recorded_name == env.health_approver.name


# --------------------------------------------------------------------------- queries


def test_lists_read_a_fixed_number_of_queries(linked):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    env = linked
    client = api(env.s.health_chief.user)

    def counts():
        out = []
        for url in ("", "pushes/", "reports/"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(BASE + url).status_code == 200
            out.append(len(ctx))
        return out

    approve(env, number="JY-1", serial=1)
    client.post(BASE + "reports/", _hazard(licence_number="JY-1"), format="json")
    few = counts()
    for serial in (2, 3, 4):
        approve(env, number=f"JY-{serial}", serial=serial)
        client.post(BASE + "reports/", _hazard(licence_number=f"JY-{serial}"), format="json")
    assert client.get(BASE).json()["count"] == 4
    assert counts() == few


# --------------------------------------------------------------------------- warnings, letters


def test_warnings_mask_a_persons_id_except_for_the_administrator(linked):
    env = linked
    case = approve(env)
    services.add_warning(
        actor=env.c.root,
        subject_kind="person",
        subject_name="张三丰",
        subject_code=case.applicant_id_number,
        reason="严重违法经营",
        source=env.c.health,
    )
    seen = api(env.s.health_chief.user).get(BASE + "warnings/", {"active": "true"})
    assert seen.status_code == 200
    [row] = seen.json()["results"]
    assert row["in_force"] is True and row["subject_code"] != case.applicant_id_number
    admin = api(env.s.admin.user).get(BASE + "warnings/").json()["results"][0]
    assert admin["subject_code"] == case.applicant_id_number
    assert (
        api(env.s.health_chief.user).get(BASE + "warnings/", {"active": "false"}).json()["count"]
        == 0
    )
    assert _code(api(env.s.health_chief.user).get(BASE + "warnings/", {"active": "?"})) == (
        "invalid_filter"
    )


def test_the_monthly_letter_is_listed_and_downloaded_by_its_department_only(linked):
    env = linked
    approve(env)
    [letter] = services.make_monthly_letters(month=dt.date(2026, 11, 1))
    health = api(env.s.health_chief.user)
    [row] = health.get(BASE + "letters/").json()["results"]
    assert row["number"] == letter.number and row["month"] == "2026-11" and row["count"] == 1
    pdf = health.get(row["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    other = factories.make_department(serial=3, name="测试县交通运输局", is_supervising=True)
    chief = factories.make_staff(
        username="traffic_chief", name="交通首代", role="chief_rep", centre=env.c.county,
        department=other,
    )  # fmt: skip
    assert api(chief.user).get(BASE + "letters/").json()["count"] == 0
    assert _code(api(chief.user).get(row["pdf"])) == "letter_not_found"
    assert _code(health.get(f"{BASE}letters/{2**40}/pdf/")) == "letter_not_found"


# --------------------------------------------------------------------------- public


def test_the_public_query_shows_no_personal_data(linked):
    env = linked
    case = approve(env)
    response = APIClient().get(BASE + "public/JY15062600001/")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["holder"] == "张**" and data["status_label"] == "有效" and data["in_force"]
    assert data["issuer"] == env.c.market.name
    text = json.dumps(data, ensure_ascii=False)
    assert "张三丰" not in text and case.applicant_id_number not in text
    assert case.applicant_phone not in text
    unknown = APIClient().get(BASE + "public/NOPE-404/")
    assert unknown.status_code == 404 and _code(unknown) == "licence_not_found"
    assert APIClient().get(BASE + "public/" + "9" * 61 + "/").status_code == 404


def test_the_public_query_is_throttled_per_address(linked, settings):
    settings.GOVHALL_LICENCE_QUERY_RATE_PER_ADDRESS = "3/m"
    approve(linked)
    client = APIClient()
    codes = [client.get(BASE + "public/JY15062600001/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    throttled = client.get(BASE + "public/JY15062600001/")
    assert _code(throttled) == "licence_query_throttled"


def test_the_schema_documents_the_endpoints(db, client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/licences/",
        "/api/v1/licences/{id}/",
        "/api/v1/licences/{id}/renew/",
        "/api/v1/licences/pushes/acknowledge/",
        "/api/v1/licences/reports/",
        "/api/v1/licences/hooks/reports/",
        "/api/v1/licences/public/{number}/",
    ):
        assert path in paths, path
    assert "/api/v1/licences/{id}/revoke/" not in paths
    hook = paths["/api/v1/licences/hooks/reports/"]["post"]
    assert {p["name"] for p in hook["parameters"]} >= {
        "X-Govhall-Delivery",
        "X-Govhall-Timestamp",
        "X-Govhall-Signature",
    }
