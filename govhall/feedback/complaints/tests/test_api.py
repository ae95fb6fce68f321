"""The REST endpoints: submit, list/detail by visibility, one route per transition,
the 知识库, the 12345 exchange."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from govhall.feedback.complaints import services
from govhall.feedback.complaints.models import Complaint, ComplaintAttachment, State

from .conftest import act, portal
from .test_exchange import as_json, order

pytestmark = pytest.mark.django_db

BASE = "/api/v1/complaints/"
SUBMIT = {
    "category": "complaint",
    "subject": "窗口办事等候时间过长",
    "content": "上午等候两小时。",
    "name": "张三丰",
    "phone": "13904771234",
}


def client(staff=None) -> APIClient:
    c = APIClient()
    if staff is not None:
        c.force_authenticate(staff.user)
    return c


def png(name="photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_a_citizen_submits_and_gets_the_tracking_number(org):
    r = client().post(BASE, SUBMIT, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == "SQ2026-000001" and body["state"] == "submitted"
    assert set(body) == {
        "number",
        "state",
        "state_label",
        "category_label",
        "received_at",
        "due_date",
    }


def test_a_citizen_submits_with_attachments(org):
    r = client().post(BASE, {**SUBMIT, "files": [png()]}, format="multipart")
    assert r.status_code == 201, r.content
    assert ComplaintAttachment.objects.get().name == "photo.png"
    bad = SimpleUploadedFile("x.png", b"not a png", content_type="image/png")
    r = client().post(BASE, {**SUBMIT, "files": [bad]}, format="multipart")
    assert r.status_code == 400 and r.json()["code"] == "invalid_file"
    assert Complaint.objects.count() == 1


def test_portal_submissions_are_throttled_per_address(org, settings):
    settings.GOVHALL_COMPLAINT_RATE_PER_ADDRESS = "2/h"
    anonymous = client()
    assert [anonymous.post(BASE, SUBMIT, format="json").status_code for _ in range(3)] == [
        201,
        201,
        429,
    ]
    r = anonymous.post(BASE, SUBMIT, format="json")
    assert r.json()["code"] == "complaint_throttled"
    assert Complaint.objects.count() == 2


def test_bad_submissions(org):
    r = client().post(BASE, {**SUBMIT, "category": "praise"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_category"
    r = client().post(BASE, {**SUBMIT, "phone": ""}, format="json")
    assert r.json()["code"] == "required"
    r = client().post(BASE, {**SUBMIT, "id_number": "110101199001011234"}, format="json")
    assert r.json()["code"] == "invalid_id_number"
    assert not Complaint.objects.exists()


def test_the_window_registers_and_answers_on_the_spot(org):
    entry = services.create_entry(
        actor=org.staff.admin.user, question="社保卡激活", answer="到银行网点激活。"
    )
    services.set_published(actor=org.staff.admin.user, entry=entry, published=True)
    r = client(org.staff.clerk).post(
        BASE, {**SUBMIT, "category": "consultation", "entry": entry.pk}, format="json"
    )
    assert r.status_code == 201 and r.json()["state"] == "closed"
    r = client(org.staff.clerk).post(BASE, SUBMIT, format="json")
    assert r.json()["state"] == "accepted" and r.json()["due_date"] == "2026-12-14"
    r = client(org.staff.market_chief).post(BASE, SUBMIT, format="json")
    assert r.status_code == 403


def test_list_by_visibility_and_masking(org, assigned):
    portal()
    r = client(org.staff.clerk).get(BASE)
    assert r.status_code == 200 and r.json()["count"] == 2
    assert r.json()["results"][0]["complainant_phone"] == "13904771234"
    r = client(org.staff.market_chief).get(BASE)
    rows = r.json()["results"]
    assert [row["number"] for row in rows] == [assigned.number]
    assert rows[0]["complainant_phone"] == "139****1234" and rows[0]["complainant_name"] == "张**"
    assert client(org.staff.health_chief).get(BASE).json()["count"] == 0
    assert client().get(BASE).status_code in (401, 403)
    r = client(org.staff.clerk).get(BASE, {"stat": "x"})
    assert r.json()["code"] == "invalid_filter"
    r = client(org.staff.clerk).get(BASE, {"state": "assigned", "category": "complaint"})
    assert r.json()["count"] == 1


def test_detail_lists_history_and_actions(org, assigned):
    r = client(org.staff.market_chief).get(f"{BASE}{assigned.number}/")
    assert r.status_code == 200
    body = r.json()
    assert [e["label"] for e in body["events"]] == ["提交诉求", "受理", "派单"]
    assert [a["action"] for a in body["actions"]] == ["return", "handle"]
    assert client(org.staff.health_chief).get(f"{BASE}{assigned.number}/").status_code == 404
    assert client(org.staff.clerk).get(f"{BASE}%00abc/").status_code == 404


def test_the_loop_through_the_api(org):
    c = portal()
    clerk, chief = client(org.staff.clerk), client(org.staff.market_chief)
    r = clerk.post(f"{BASE}{c.number}/accept/", {"expected_version": 0}, format="json")
    assert r.status_code == 200, r.content
    r = clerk.post(
        f"{BASE}{c.number}/assign/",
        {"expected_version": 1, "handler": str(org.market.pk)},
        format="json",
    )
    assert r.json()["state"] == "assigned"
    r = clerk.post(
        f"{BASE}{c.number}/assign/", {"expected_version": 1, "handler": "centre"}, format="json"
    )
    assert r.status_code == 409 and r.json()["code"] == "stale_complaint"
    r = chief.post(f"{BASE}{c.number}/handle/", {"expected_version": 2}, format="json")
    assert r.json()["state"] == "in_progress"
    r = chief.post(
        f"{BASE}{c.number}/reply/",
        {"expected_version": 3, "reply": "已整改", "files": [png("整改照片.png")]},
        format="multipart",
    )
    assert r.status_code == 200, r.content
    assert r.json()["events"][-1]["attachments"] == ["整改照片.png"]
    r = clerk.post(f"{BASE}{c.number}/close/", {"expected_version": 4}, format="json")
    r = clerk.post(
        f"{BASE}{c.number}/visit/",
        {"expected_version": 5, "method": "phone", "content": "已回访"},
        format="json",
    )
    r = clerk.post(
        f"{BASE}{c.number}/evaluate/", {"expected_version": 6, "result": "satisfied"}, format="json"
    )
    assert r.json()["state"] == "satisfied"
    r = clerk.post(f"{BASE}{c.number}/direct-close/", {"expected_version": 7}, format="json")
    assert r.status_code == 409


def test_action_errors(org, accepted):
    clerk = client(org.staff.clerk)
    url = f"{BASE}{accepted.number}/assign/"
    r = clerk.post(url, {"expected_version": accepted.version, "handler": "99999"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "unknown_handler"
    r = clerk.post(url, {"expected_version": accepted.version}, format="json")
    assert r.status_code == 400
    r = client(org.staff.market_chief).post(
        url, {"expected_version": 2, "handler": "centre"}, format="json"
    )
    assert r.status_code == 404  # not the department's: it does not see it
    r = client(org.staff.supervisor).post(
        url, {"expected_version": accepted.version, "handler": "centre"}, format="json"
    )
    assert r.status_code == 403
    r = clerk.post(
        f"{BASE}{accepted.number}/visit/",
        {"expected_version": accepted.version, "method": "pigeon", "content": "x"},
        format="json",
    )
    assert r.status_code == 409  # wrong state first


def test_staff_complaint_routing_through_the_api(org):
    c = act(portal(), "accept", org.staff.admin, about_staff=org.staff.market_approver)
    r = client(org.staff.clerk).post(
        f"{BASE}{c.number}/assign/",
        {"expected_version": c.version, "handler": str(org.market.pk)},
        format="json",
    )
    assert r.status_code == 400 and r.json()["code"] == "staff_complaint_routing"
    c.refresh_from_db()
    assert c.state == State.ACCEPTED


def test_knowledge_base_endpoints(org):
    admin, clerk = client(org.staff.admin), client(org.staff.clerk)
    r = clerk.post(
        f"{BASE}knowledge/",
        {
            "question": "营业执照遗失补办",
            "answer": "到市场监管窗口申请。",
            "department": org.market.pk,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert client().get(f"{BASE}knowledge/", {"q": "营业"}).json()["count"] == 0  # not published
    assert client().get(f"{BASE}knowledge/", {"all": "true"}).status_code == 403
    assert clerk.get(f"{BASE}knowledge/", {"all": "true"}).json()["count"] == 1
    assert (
        clerk.post(f"{BASE}knowledge/{pk}/publish/", {"published": True}, format="json").status_code
        == 403
    )
    assert (
        admin.post(f"{BASE}knowledge/{pk}/publish/", {"published": True}, format="json").status_code
        == 200
    )
    r = clerk.patch(
        f"{BASE}knowledge/{pk}/", {"expected_version": 1, "answer": "可网上申请。"}, format="json"
    )
    assert r.json()["version"] == 2
    r = client().get(f"{BASE}knowledge/", {"q": "网上 营业"})
    assert r.json()["count"] == 1 and r.json()["results"][0]["answer"] == "可网上申请。"
    assert client().get(f"{BASE}knowledge/", {"q": "x" * 101}).status_code == 400
    assert (
        clerk.patch(f"{BASE}knowledge/{2**62}/", {"expected_version": 1}, format="json").status_code
        == 404
    )


def test_12345_import_and_export(org):
    clerk = client(org.staff.clerk)
    upload = SimpleUploadedFile(
        "orders.json", as_json(order(1), order(2)), content_type="application/json"
    )
    r = clerk.post(f"{BASE}12345/import/", {"file": upload}, format="multipart")
    assert r.status_code == 201, r.content
    assert len(r.json()["created"]) == 2 and r.json()["record"]["created"] == 2
    again = SimpleUploadedFile(
        "orders.json", as_json(order(1), order(2)), content_type="application/json"
    )
    r = clerk.post(f"{BASE}12345/import/", {"file": again}, format="multipart")
    assert r.status_code == 200 and r.json()["already_imported"] is True
    bad = SimpleUploadedFile(
        "bad.json", as_json(order(3, 诉求类别="表扬")), content_type="application/json"
    )
    r = clerk.post(f"{BASE}12345/import/", {"file": bad}, format="multipart")
    assert r.status_code == 400 and r.json()["code"] == "import_invalid"
    assert "第 1 条" in r.json()["fields"]
    r = clerk.get(f"{BASE}12345/export/")
    assert r.status_code == 200
    assert len(json.loads(r.content)["orders"]) == 2
    r = clerk.get(f"{BASE}12345/export/", {"as": "xlsx", "since": "2026-11-23"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert clerk.get(f"{BASE}12345/export/", {"as": "csv"}).json()["code"] == "invalid_filter"
    assert client(org.staff.market_chief).get(f"{BASE}12345/export/").status_code == 403


def test_the_list_costs_the_same_whatever_its_length(org, django_assert_max_num_queries):
    for n in range(6):
        c = act(portal(), "accept", org.staff.clerk, about_staff=org.staff.health_chief)
        if n % 2:
            act(c, "assign", org.staff.clerk, handler="centre")
    clerk = client(org.staff.clerk)
    with django_assert_max_num_queries(6):
        r = clerk.get(BASE)
    assert r.json()["count"] == 6
    assert {row["handler"] for row in r.json()["results"]} == {"", "中心"}
