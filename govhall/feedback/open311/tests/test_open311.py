"""Open311 GeoReport v2 under /open311/v2/, read by ``georeport`` (the GeoReport v2
client on PyPI that runs on Python 3) against a live server. ``georeport`` cannot post
(its README says so), so the POSTs are form-encoded requests as the spec defines them,
made with ``requests`` like the client's own calls."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from govhall.core.models import AuditEntry
from govhall.feedback.complaints import services as complaints
from govhall.feedback.complaints.models import Channel, Complaint, State
from govhall.org import services as org_services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(org, live_server):
    root = f"{live_server.url}/open311/v2"
    writer, key = org_services.create_api_client(
        actor=org.staff.admin.user,
        name="市民通",
        access="read_write",
        scope="centre",
        acting_staff=org.staff.admin,
    )
    _, read_key = org_services.create_api_client(
        actor=org.staff.admin.user,
        name="数据大屏",
        access="read",
        scope="centre",
        acting_staff=org.staff.admin,
    )
    return {"root": root, "key": key, "read_key": read_key, "code": org.county.code}


def post(site, fmt="json", **data):
    body = {
        "api_key": site["key"],
        "jurisdiction_id": site["code"],
        "service_code": "complaint",
        "description": "窗口等候时间过长，上午等了两个小时",
        "first_name": "三丰",
        "last_name": "张",
        "phone": "13904771234",
    }
    body.update(data)
    return requests.post(f"{site['root']}/requests.{fmt}", data=body, timeout=10)


def test_the_georeport_client_reads_what_a_posted_request_became(site, org):
    client = GeoReport(site["root"], jurisdiction=site["code"])
    services = client.get_service_list()
    assert [s["service_code"] for s in services][:3] == ["urgent", "consultation", "help"]
    assert {s["service_name"] for s in services} >= {"投诉", "举报", "咨询"}
    definition = client.get_service_definition("complaint")
    assert [a["code"] for a in definition["attributes"]] == ["subject", "case_number"]

    answer = post(site, **{"attribute[subject]": "等候太久", "attribute[case_number]": "X-1"})
    assert answer.status_code == 201
    [made] = answer.json()
    number = made["service_request_id"]
    complaint = Complaint.objects.get(number=number)
    assert complaint.channel == Channel.OPEN311 and complaint.state == State.SUBMITTED
    assert complaint.subject == "等候太久" and "相关办件：X-1" in complaint.content
    assert complaint.complainant_name == "张三丰" and complaint.due_date is None
    entry = AuditEntry.objects.get(
        object_id=str(complaint.pk), action="complaints.complaint.submit"
    )
    assert "市民通" in entry.actor_name and "张三丰" in entry.actor_name

    seen = client.get_service_request(number)
    assert seen["status"] == "open" and seen["status_notes"] == "待受理"
    assert seen["service_code"] == "complaint" and seen["description"] == ""  # no api_key
    listed = client.get_service_requests(status="open")
    assert number in [r["service_request_id"] for r in listed]
    assert client.get_service_requests(status="closed") == []

    xml = GeoReport(site["root"], jurisdiction=site["code"], output_format="xml")
    assert len(xml.get_service_list()) == len(services)
    one = xml.get_service_requests(service_request_id=number)
    assert one["service_request_id"] == number and one["status"] == "open"  # one: a dict

    token = made["token"]
    by_token = requests.get(f"{site['root']}/tokens/{token}.json", timeout=10).json()
    assert by_token == [{"service_request_id": number, "token": token}]
    forged = requests.get(f"{site['root']}/tokens/{token[:-2]}xx.json", timeout=10)
    assert forged.status_code == 404 and "[invalid_token]" in forged.json()[0]["description"]


def test_a_posted_request_goes_round_the_loop_like_any_other(site, org):
    from govhall.feedback.complaints.tests.conftest import act

    number = post(site).json()[0]["service_request_id"]
    complaint = act(Complaint.objects.get(number=number), "accept", org.staff.clerk)
    act(complaint, "assign", org.staff.clerk, handler=org.market)
    client = GeoReport(site["root"], jurisdiction=site["code"])
    seen = client.get_service_request(number)
    assert seen["status_notes"] == "已派单" and seen["agency_responsible"] == org.market.name
    assert seen["expected_datetime"].startswith(str(Complaint.objects.get(number=number).due_date))
    with_key = requests.get(
        f"{site['root']}/requests/{number}.json", params={"api_key": site["read_key"]}, timeout=10
    ).json()
    assert with_key[0]["description"] == "窗口等候时间过长，上午等了两个小时"


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"api_key": ""}, 403, "api_key_required"),
        ({"api_key": "gh_forged"}, 403, "invalid_api_key"),
        ({"service_code": "parking"}, 400, "unknown_service_code"),
        ({"description": ""}, 400, "required"),
        ({"phone": ""}, 400, None),  # the complaints service's own rule and code
        ({"jurisdiction_id": "999"}, 404, "unknown_jurisdiction"),
        ({"description": "长" * 5000}, 400, "too_long"),
    ],
)
def test_a_refused_post_says_why_and_creates_nothing(site, change, status, code):
    answer = post(site, **change)
    assert answer.status_code == status
    [err] = answer.json()
    assert err["code"] == status and err["description"]
    if code:
        assert err["description"].endswith(f"[{code}]")
    assert not Complaint.objects.exists()


def test_a_read_only_key_may_not_post_and_xml_errors_follow_the_spec(site):
    answer = post(site, fmt="xml", api_key=site["read_key"])
    assert answer.status_code == 403
    assert b"<errors><error><code>403</code>" in answer.content
    assert b"[read_only_client]</description>" in answer.content
    assert not Complaint.objects.exists()


def test_people_are_not_listed(site, org):
    number = post(site).json()[0]["service_request_id"]
    report = post(site, service_code="report").json()[0]["service_request_id"]
    about = complaints.create(
        actor=org.staff.clerk.user,
        channel=Channel.WINDOW,
        centre=org.county,
        category="complaint",
        subject="某窗口人员态度差",
        content="……",
        name="李四",
        phone="13904770000",
        about_staff=org.staff.market_approver,
    )
    text = requests.get(f"{site['root']}/requests.json", timeout=10).text
    assert number in text and report not in text and about.number not in text
    assert "张三丰" not in text and "13904771234" not in text
    assert requests.get(f"{site['root']}/requests/{report}.json", timeout=10).status_code == 404


@pytest.mark.parametrize(
    "query, code",
    [
        ({"start_date": "yesterday"}, "invalid_date"),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "range_too_long",
        ),  # fmt: skip
        (
            {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            "invalid_range",
        ),  # fmt: skip
        ({"status": "pending"}, "invalid_status"),
        ({"service_code": "complaint,parking"}, "unknown_service_code"),
    ],
)
def test_bad_filters_are_refused_not_ignored(site, query, code):
    answer = requests.get(f"{site['root']}/requests.json", params=query, timeout=10)
    assert answer.status_code == 400 and answer.json()[0]["description"].endswith(f"[{code}]")


def test_posts_from_one_address_are_throttled(site, settings):
    settings.GOVHALL_OPEN311_POST_RATE_PER_ADDRESS = "2/m"
    from django.core.cache import cache

    cache.clear()
    assert [post(site).status_code for _ in range(3)] == [201, 201, 429]
    assert Complaint.objects.count() == 2


def test_odd_input_never_breaks_the_server(site):
    odd = ["", "'", "%00", "\u202e", "𠀀" * 300, "1" * 2000, "../../etc", "<x>"]
    for value in odd:
        for path in ("requests.json", f"requests/{value[:40] or 'x'}.xml", "services/x.json"):
            answer = requests.get(
                f"{site['root']}/{path}",
                params={"service_request_id": value, "start_date": value, "api_key": value},
                timeout=10,
            )
            assert answer.status_code < 500, (path, value, answer.status_code)
        assert post(site, description=value, phone=value).status_code < 500
