"""接口客户端 tokens (issue 8 §2): ``Authorization: Bearer <token>`` signs a request in
as the client's acting staff member, so department isolation and the transition
table's roles hold unchanged; read-only clients change nothing; revoked and unknown
tokens, and clients whose staff member left, are refused with a stable code."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from govhall.cases.models import Case, CaseEvent, State
from govhall.core import clock
from govhall.core.models import AuditEntry
from govhall.org import services as org_services
from govhall.org.models import ApiClient
from govhall.testing import factories

PHONE = "13904775678"


@pytest.fixture
def hall(db):
    return factories.build_hall("market_item", "health_item")


def _client(hall, *, name="市场监管业务系统", access="read", scope="department", staff=None):
    staff = staff or hall.staff.market_chief
    department = staff.department if scope == "department" else None
    client, token = org_services.create_api_client(
        actor=hall.staff.admin.user,
        name=name,
        access=access,
        scope=scope,
        department=department,
        acting_staff=staff,
    )
    return client, token


def _api(token, keyword="Bearer"):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"{keyword} {token}")
    return api


def _case(hall, item, serial=3):
    return factories.window_case(hall, item, applicant=factories.person(serial, "申请人", PHONE))


def test_read_only_token_reads_its_department_only(hall):
    own, other = _case(hall, hall.market_item), _case(hall, hall.health_item, serial=4)
    _, token = _client(hall)
    api = _api(token)
    listed = api.get("/api/v1/cases/")
    assert listed.status_code == 200, listed.content
    assert [row["number"] for row in listed.json()["results"]] == [own.number]
    assert api.get(f"/api/v1/cases/{own.number}/").status_code == 200
    # another department's case: refused exactly as for the staff member (403)
    refused = api.get(f"/api/v1/cases/{other.number}/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert _api(token, "Token").get(f"/api/v1/cases/{own.number}/").status_code == 200


def test_read_only_token_cannot_act(hall):
    case = _case(hall, hall.market_item)
    _, token = _client(hall)
    response = _api(token).post(
        f"/api/v1/cases/{case.number}/accept/", {"expected_version": case.version}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_client" and response.json()["message"]
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    assert not CaseEvent.objects.filter(case=case, action="accept").exists()


def test_read_write_token_accepts_and_the_rows_name_the_client(hall):
    case = _case(hall, hall.market_item)
    client, token = _client(hall, access="read_write")
    response = _api(token).post(
        f"/api/v1/cases/{case.number}/accept/", {"expected_version": case.version}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"]["value"] == "in_review"
    name = "接口客户端 市场监管业务系统（代 市场首代）"
    event = CaseEvent.objects.get(case=case, action="accept")
    assert event.actor == hall.staff.market_chief.user and event.actor_name == name
    entry = AuditEntry.objects.get(action="cases.case.accept", object_id=str(case.pk))
    assert entry.actor == hall.staff.market_chief.user and entry.actor_name == name
    client.refresh_from_db()
    assert client.last_used_at == clock.now()


def test_read_write_token_keeps_the_department_rule(hall):
    other = _case(hall, hall.health_item, serial=4)
    _, token = _client(hall, access="read_write")
    response = _api(token).post(
        f"/api/v1/cases/{other.number}/accept/", {"expected_version": other.version}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_centre_token_sees_every_department(hall):
    _case(hall, hall.market_item)
    _case(hall, hall.health_item, serial=4)
    _, token = _client(hall, name="电子监察平台", scope="centre", staff=hall.staff.admin)
    assert _api(token).get("/api/v1/cases/").json()["count"] == 2


def test_revoked_token_is_401(hall):
    client, token = _client(hall)
    assert _api(token).get("/api/v1/cases/").status_code == 200
    org_services.revoke_api_client(actor=hall.staff.admin.user, client=client, reason="停用")
    response = _api(token).get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token" and response.json()["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer gh_nosuchtoken",
        "Bearer nosuchtoken",
        "Token gh_nosuchtoken",
        "Bearer",
        "Bearer two parts",
    ],
)
def test_unknown_or_malformed_token_is_401(hall, header):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/cases/")
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"
    # a public endpoint refuses a bad token too rather than ignoring it
    assert api.get("/api/v1/centres/").status_code == 401


def test_client_of_a_deactivated_staff_member_is_refused(hall):
    _, token = _client(hall, access="read_write")
    assert _api(token).get("/api/v1/cases/").status_code == 200  # kept by the worker
    chief = hall.staff.market_chief
    chief.is_active = False  # 离岗
    chief.save()
    response = _api(token).get("/api/v1/cases/")
    assert response.status_code == 401 and response.json()["code"] == "acting_staff_inactive"


def test_client_stops_when_its_staff_member_changes_department(hall):
    _, token = _client(hall)
    assert _api(token).get("/api/v1/cases/").status_code == 200
    chief = hall.staff.market_chief
    chief.department = hall.health  # 调离
    chief.save()
    assert _api(token).get("/api/v1/cases/").json()["code"] == "acting_staff_inactive"


def test_without_a_token_session_and_basic_work_as_before(hall):
    _case(hall, hall.market_item)
    basic = APIClient()
    basic.credentials(HTTP_AUTHORIZATION="Basic " + _b64("market_chief:govhall-test"))
    assert basic.get("/api/v1/cases/").json()["count"] == 1
    session = APIClient()
    assert session.login(username="market_chief", password="govhall-test")
    assert session.get("/api/v1/cases/").json()["count"] == 1
    # anonymous: refused (now 401 with the Bearer challenge)
    assert APIClient().get("/api/v1/cases/").status_code == 401


def test_the_token_is_stored_only_as_a_hash(hall):
    client, token = _client(hall)
    stored = ApiClient.objects.filter(pk=client.pk).values().get()
    assert token not in [str(v) for v in stored.values()]
    assert token.startswith(client.prefix) and len(token) > 40
    assert Case.objects.count() == 0  # nothing else was made


def test_schema_documents_the_bearer_scheme(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    scheme = schema["components"]["securitySchemes"]["apiClientToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()
