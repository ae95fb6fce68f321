"""Every API error is JSON {code, message[, fields]} with a stable code."""

import pytest
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from govhall.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


def _view_raising(exc):
    class Failing(APIView):
        def get(self, request):
            raise exc

    return Failing.as_view()


@pytest.mark.parametrize(
    "exc,status,code",
    [
        (
            ValidationFailed("承诺时限不得超过法定时限", fields={"x": ["错"]}),
            400,
            "validation_failed",
        ),
        (PermissionDenied("您无权维护该部门的事项"), 403, "permission_denied"),
        (NotFound("事项不存在", code="item_not_found"), 404, "item_not_found"),
        (Conflict("该草稿已被他人修改", code="stale_edit"), 409, "stale_edit"),
    ],
)
def test_domain_errors_map_by_http_status(exc, status, code):
    response = _view_raising(exc)(APIRequestFactory().get("/x"))
    assert response.status_code == status
    assert response.data["code"] == code
    assert response.data["message"] == exc.message
    assert response.data.get("fields", {}) == exc.fields


def test_unexpected_error_is_json_500():
    response = _view_raising(RuntimeError("boom"))(APIRequestFactory().get("/x"))
    assert response.status_code == 500
    assert response.data == {"code": "server_error", "message": "服务器内部错误，请稍后重试"}


def test_wrong_method_is_json_405(db, client):
    response = client.post("/api/v1/items/")
    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "message": "不支持该请求方法"}


def test_unknown_api_path_is_json_404(db, client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    # without the final slash the client is first sent to the canonical URL
    assert client.get("/api/v1/items").status_code == 301
    assert client.get("/api/v1/items/ABC/versions/first/").json()["code"] == "not_found"
