"""Property-based test of the whole API (issue 8 §3): requests generated from the
OpenAPI schema itself (schemathesis over Hypothesis), valid and invalid, against
every operation — the action endpoints on a real case — and no answer is a 5xx.

Bounded and reproducible: a fixed number of examples per operation, derandomized
(the same requests on every run and every machine), no example database. Signed in
with Basic auth as the department's chief representative, who may try most actions
on the case (``{number}`` always names the real case, ``{implementation_code}`` the
real item, so the generated bodies reach the services rather than a 404)."""

from __future__ import annotations

import base64

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings

from govhall.cases import services
from govhall.testing import factories

EXAMPLES = 6  # per operation: ~36 operations → ~200 requests, ~30 s on SQLite

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture
def _keep_the_test_connection():
    """Schemathesis calls the WSGI application itself, so Django's request signals
    would close the database connection after each request, which inside the test's
    transaction breaks every later query (on PostgreSQL; an in-memory SQLite database
    is never closed). Django's own test client disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, _keep_the_test_connection):
    hall = factories.build_hall("market_item")
    version = hall.market_item.versions.get()
    case = services.submit_application(
        actor=hall.staff.clerk.user,
        item=hall.market_item,
        centre=hall.county,
        channel="window",
        applicant={
            "kind": "person",
            "name": "王小明",
            "id_number": factories.make_id_number(3),
            "phone": "13904775678",
        },
        materials=[{"material": m} for m in version.materials.all()],
    )
    token = base64.b64encode(b"market_chief:govhall-test").decode()
    return {
        "case": case,
        "code": hall.market_item.implementation_code,
        "version": version.number,
        "department": hall.market.pk,
        "centre": hall.county.code,
        "headers": {"Authorization": f"Basic {token}"},
    }


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx(case, world):
    path = case.path_parameters or {}
    if "number" in path:
        path["number"] = world["case"].number
    if "implementation_code" in path:
        path["implementation_code"] = world["code"]
    if "code" in path:
        path["code"] = world["centre"]
    response = case.call(headers=world["headers"])
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:500]}"
    )
