"""One rule, every channel: the window desk and the API meet the same acceptance rule,
with the same code and message (issue 7: the API used to accept a case with no
materials)."""

from __future__ import annotations

import html

from django.urls import reverse
from rest_framework.test import APIClient

from govhall.cases.models import Case, State
from govhall.testing import factories

MESSAGE = "以下必要材料未收到，不能直接受理：营业执照。请选择一次性告知补正"  # item allows no 容缺


def _item(org):
    return factories.publish_item(
        actor=org.root, department=org.market, basic_code="000111222001", name="食品经营许可"
    )


def _applicant():
    return {"kind": "person", "name": "王小明", "id_number": factories.make_id_number(3),
            "phone": "13904775678"}  # fmt: skip


def test_the_api_refuses_to_accept_without_a_required_material(org):
    item = _item(org)
    form = item.versions.get().materials.get(name="申请书")
    client = APIClient()
    client.force_authenticate(org.staff.clerk.user)
    created = client.post(
        "/api/v1/cases/",
        {
            "item": item.implementation_code,
            "applicant": _applicant(),
            "materials": [{"material": form.pk}],
        },  # fmt: skip
        format="json",
    )
    assert created.status_code == 201, created.json()
    number = created.json()["number"]
    refused = client.post(f"/api/v1/cases/{number}/accept/", {"expected_version": 1}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "materials_missing"
    assert refused.json()["message"] == MESSAGE
    case = Case.objects.get(number=number)
    assert case.state == State.SUBMITTED and case.version == 1


def test_the_window_desk_refuses_it_with_the_same_message_and_registers_nothing(client, org):
    item = _item(org)
    version = item.versions.get()
    client.force_login(org.staff.clerk.user)
    data = {"a-kind": "person", "a-name": "王小明", "a-id_number": factories.make_id_number(3),
            "a-phone": "13904775678", "x-action": "accept"}  # fmt: skip
    data[f"m-m{version.materials.get(name='申请书').pk}"] = "on"
    response = client.post(reverse("cases:desk_apply", args=[item.pk]), data)
    assert response.status_code == 200
    assert MESSAGE in html.unescape(response.content.decode())
    assert not Case.objects.exists()


def test_the_staff_list_and_the_api_list_in_one_order(client, org):
    """Most urgent first, cases not yet accepted (no deadline) last, oldest first — on
    SQLite and PostgreSQL alike (they sort NULL differently unless told)."""
    from govhall.cases import services
    from govhall.core import clock

    item = _item(org)
    materials = [{"material": m} for m in item.versions.get().materials.all()]
    chief = org.staff.market_chief.user
    numbers = []
    for hour, accept in ((9, False), (10, True), (11, False)):
        with clock.frozen(clock.now().replace(hour=hour)):
            case = services.submit_application(
                actor=org.staff.clerk.user, item=item, centre=org.county, channel="window",
                applicant=_applicant(), materials=materials,
            )  # fmt: skip
            if accept:
                services.transition(
                    actor=chief, case=case, action="accept", expected_version=case.version
                )
        numbers.append(case.number)
    expected = [numbers[1], numbers[0], numbers[2]]
    api = APIClient()
    api.force_authenticate(chief)
    listed = [row["number"] for row in api.get("/api/v1/cases/").json()["results"]]
    assert listed == expected
    client.force_login(chief)
    page = client.get(reverse("cases:inbox")).content.decode()
    assert sorted(expected, key=page.index) == expected
