"""Issue 8 §3: input that reaches the database is bounded. Each request here answered
500 or stored a wrong value before; now each is a 4xx with a stable code and a
Chinese message, and nothing is changed."""

from __future__ import annotations

import io
import threading
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from govhall.cases import services
from govhall.cases.models import Case, CaseEvent, IdempotencyKey, SubmittedMaterial
from govhall.cases.services import intake
from govhall.core.errors import ValidationFailed
from govhall.testing import factories

from .conftest import PDF, api, submit

PHONE = "13904775678"


def body(hall, serial=3, **material):
    version = hall.market_item.versions.get()
    return {
        "item": hall.market_item.implementation_code,
        "applicant": {
            "kind": "person",
            "name": "王小明",
            "id_number": factories.make_id_number(serial),
            "phone": PHONE,
        },
        "materials": [{"material": m.pk, **material} for m in version.materials.all()],
    }


def _refused(response, status, code):
    assert response.status_code == status, response.content
    data = response.json()
    assert data["code"] == code and data["message"], data
    return data


# --------------------------------------------------------------------------- integers


@pytest.mark.parametrize("copies", [32768, 65541, 2147483655, 9223372036854775809, -1])
def test_copies_outside_the_column_are_refused(hall, copies):
    client = api(hall.staff.clerk.user)
    data = _refused(
        client.post("/api/v1/cases/", body(hall, copies=copies), format="json"),
        400,
        "validation_failed",
    )
    assert any(key.endswith(".copies") for key in data["fields"]), data
    assert not Case.objects.exists() and not SubmittedMaterial.objects.exists()


def test_copies_at_the_column_bound_are_stored_as_sent(hall):
    response = api(hall.staff.clerk.user).post(
        "/api/v1/cases/", body(hall, copies=32767), format="json"
    )
    assert response.status_code == 201, response.content
    assert set(SubmittedMaterial.objects.values_list("copies", flat=True)) == {32767}


def test_service_refuses_copies_outside_the_column(hall):
    """The rule is the service's too (every channel): not only the API's serializer."""
    material = hall.market_item.versions.get().materials.first()
    with pytest.raises(ValidationFailed) as exc:
        submit_with(hall, [{"material": material, "copies": 65541}])
    assert exc.value.code == "invalid_copies"
    assert not Case.objects.exists()


def submit_with(hall, materials):
    return services.submit_application(
        actor=hall.staff.clerk.user,
        item=hall.market_item,
        centre=hall.county,
        channel="window",
        applicant=body(hall)["applicant"],
        materials=materials,
    )


@pytest.mark.parametrize("material", [9223372036854775808, 2**70, 0])
def test_material_id_outside_the_key_range_is_refused(hall, material):
    data = body(hall)
    data["materials"][0]["material"] = material
    _refused(
        api(hall.staff.clerk.user).post("/api/v1/cases/", data, format="json"),
        400,
        "validation_failed",
    )
    assert not Case.objects.exists()


def test_action_integers_are_bounded(hall):
    case = _case(hall)
    chief = api(hall.staff.market_chief.user)
    for payload in (
        {"expected_version": 2**31},
        {"expected_version": case.version, "responsible": 2**63},
    ):
        _refused(
            chief.post(f"/api/v1/cases/{case.number}/accept/", payload, format="json"),
            400,
            "validation_failed",
        )
    case.refresh_from_db()
    assert case.state == "submitted" and case.version == 1


@pytest.mark.parametrize(
    "query", ["department=99999999999999999999", "limit=1e3", "offset=²", "department=٣"]
)
def test_query_integers_are_bounded(hall, query):
    _refused(api(hall.staff.clerk.user).get(f"/api/v1/cases/?{query}"), 400, "invalid_filter")


# --------------------------------------------------------------------------- strings


def test_long_material_name_is_refused(hall):
    data = body(hall)
    data["materials"].append({"name": "补" * 400})
    out = _refused(
        api(hall.staff.clerk.user).post("/api/v1/cases/", data, format="json"),
        400,
        "validation_failed",
    )
    assert "materials.1.name" in out["fields"] or any(".name" in k for k in out["fields"])
    assert not Case.objects.exists()


def test_service_refuses_a_long_material_name(hall):
    with pytest.raises(ValidationFailed) as exc:
        submit_with(hall, [{"name": "补" * 201}])
    assert exc.value.code == "invalid_material_name"


@pytest.mark.parametrize("key", ["k" * 101, "key\x00nul", "两个字", "a b", "x\n"])
def test_malformed_idempotency_key_is_refused(hall, key):
    out = _refused(
        api(hall.staff.clerk.user).post(
            "/api/v1/cases/", body(hall), format="json", HTTP_IDEMPOTENCY_KEY=key
        ),
        400,
        "invalid_idempotency_key",
    )
    assert "Idempotency-Key" in out["fields"]
    assert not Case.objects.exists() and not IdempotencyKey.objects.exists()


def test_idempotency_key_of_the_column_length_works(hall):
    client = api(hall.staff.clerk.user)
    key = "k" * 100
    first = client.post("/api/v1/cases/", body(hall), format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post("/api/v1/cases/", body(hall), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert IdempotencyKey.objects.get().key == key


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases/%00abc/",
        "/api/v1/cases/%00abc/events/",
        "/api/v1/bundle-cases/%00abc/",
        "/api/v1/cases/" + "9" * 60 + "/",
    ],
)
def test_nul_or_overlong_case_number_in_the_path_is_not_found(hall, path):
    _refused(api(hall.staff.clerk.user).get(path), 404, "case_not_found")


def test_nul_in_an_action_path_changes_nothing(hall):
    _refused(
        api(hall.staff.market_chief.user).post(
            "/api/v1/cases/%00abc/accept/", {"expected_version": 1}, format="json"
        ),
        404,
        "case_not_found",
    )


@pytest.mark.parametrize(
    "field,value",
    [("name", "张\x00三"), ("phone", "139\x0004775678"), ("name", "张" * 101)],
)
def test_applicant_strings_are_bounded_and_nul_free(hall, field, value):
    data = body(hall)
    data["applicant"][field] = value
    out = _refused(
        api(hall.staff.clerk.user).post("/api/v1/cases/", data, format="json"),
        400,
        "validation_failed",
    )
    assert f"applicant.{field}" in out["fields"]
    assert not Case.objects.exists()


def test_nul_in_a_query_parameter_is_invalid_filter(hall):
    _refused(api(hall.staff.clerk.user).get("/api/v1/cases/?state=%00"), 400, "invalid_filter")


# --------------------------------------------------------------------------- 承办人


def test_accept_with_a_responsible_of_another_department_is_refused(env):
    case = submit(env)
    out = _refused(
        api(env.s.market_chief.user).post(
            f"/api/v1/cases/{case.number}/accept/",
            {"expected_version": case.version, "responsible": env.health_approver.pk},
            format="json",
        ),
        400,
        "invalid_responsible",
    )
    assert "responsible" in out["fields"]
    case.refresh_from_db()
    assert case.state == "submitted" and case.version == 1 and case.responsible is None
    assert list(case.events.values_list("action", flat=True)) == ["submit"]


# --------------------------------------------------------------------------- files


def _upload(env, name, content):
    case = submit(env)
    material = case.item_version.materials.first()
    response = api(env.s.market_chief.user).post(
        f"/api/v1/cases/{case.number}/request-correction/",
        {
            "expected_version": case.version,
            "corrections": [{"material": material.pk, "problem": "缺"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    case.files_before = sorted(
        SubmittedMaterial.objects.filter(case=case).values_list("pk", "file", "problem")
    )
    return (
        case,
        material,
        api(env.s.clerk.user).post(
            f"/api/v1/cases/{case.number}/resubmit/",
            {
                "expected_version": case.version,
                "material": [material.pk],
                "file": [SimpleUploadedFile(name, content)],
            },
            format="multipart",
        ),
    )


def _ofd(with_manifest=True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("OFD.xml" if with_manifest else "other.xml", "<ofd:OFD/>")
    return out.getvalue()


@pytest.mark.parametrize(
    "name,content",
    [
        ("申请书.pdf", b"%PDF-1.7\n" + b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 256),
        ("申请书.pdf", PDF[: len(PDF) // 2]),
        ("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("照片.jpg", b"\xff\xd8\xff\xe0" + b"MZ" * 64),
        ("文书.ofd", b"PK\x03\x04" + b"\x00" * 64),
        ("文书.ofd", _ofd(with_manifest=False)),
    ],
)
def test_upload_that_does_not_parse_is_refused(env, name, content):
    case, _material, response = _upload(env, name, content)
    out = _refused(response, 400, "invalid_file")
    assert "文件" in out["message"]
    after = Case.objects.get(pk=case.pk)
    assert after.version == case.version and after.state == case.state
    assert case.files_before == sorted(
        SubmittedMaterial.objects.filter(case=case).values_list("pk", "file", "problem")
    )


@pytest.mark.parametrize("name,content", [("申请书.pdf", PDF), ("文书.ofd", _ofd())])
def test_upload_that_parses_is_accepted(env, name, content):
    _case_, _material, response = _upload(env, name, content)
    assert response.status_code == 200, response.content


# --------------------------------------------------------------------------- idempotency race


def _case(hall):
    return services.submit_application(
        actor=hall.staff.clerk.user,
        item=hall.market_item,
        centre=hall.county,
        channel="window",
        applicant=body(hall)["applicant"],
        materials=[{"material": m} for m in hall.market_item.versions.get().materials.all()],
    )


def test_lost_idempotency_race_replays_the_winner(hall, monkeypatch):
    """Two requests with one key at the same moment: both read "no key yet", the
    winner commits first. The loser's insert of the key fails on the unique index;
    it must answer the winner's case (200), not 500, and leave no second case."""
    client = api(hall.staff.clerk.user)
    first = client.post("/api/v1/cases/", body(hall), format="json", HTTP_IDEMPOTENCY_KEY="race")
    assert first.status_code == 201
    real = intake._replayed
    calls = []

    def not_yet_seen(key, fingerprint):
        calls.append(key)
        return None if len(calls) == 1 else real(key, fingerprint)

    monkeypatch.setattr(intake, "_replayed", not_yet_seen)
    again = client.post("/api/v1/cases/", body(hall), format="json", HTTP_IDEMPOTENCY_KEY="race")
    assert again.status_code == 200, again.content
    assert again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    assert CaseEvent.objects.count() == 1

    calls.clear()
    other = client.post(
        "/api/v1/cases/", body(hall, serial=4), format="json", HTTP_IDEMPOTENCY_KEY="race"
    )
    _refused(other, 409, "idempotency_mismatch")
    assert Case.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_make_one_case():
    """Two threads, two connections, one key, released at the same moment."""
    hall = factories.build_hall("market_item")
    data = body(hall)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def post():
        from django.db import connections

        try:
            client = api(hall.staff.clerk.user)
            barrier.wait()
            results.append(
                client.post("/api/v1/cases/", data, format="json", HTTP_IDEMPOTENCY_KEY="same")
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    for _ in range(5):
        threads = [threading.Thread(target=post) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) == 1 and set(statuses) <= {200, 201, 409}, statuses
    assert Case.objects.count() == 1 and IdempotencyKey.objects.count() == 1
