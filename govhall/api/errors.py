"""Maps every error to JSON ``{"code": …, "message": …, "fields": {…}}`` once.

* ``DomainError`` subclasses keep their own ``code`` and ``http_status`` (400/403/404/409).
* DRF and Django errors get a stable code and a Chinese message.
* An unexpected exception is logged with its traceback and answered as 500
  ``server_error`` — still JSON, so a client never has to parse an HTML page.
* Unknown URLs under /api/ answer 404 ``not_found`` (:func:`not_found`, the last
  route of ``govhall.api.urls``).
"""

from __future__ import annotations

import logging

from django.core.exceptions import (
    PermissionDenied as DjangoPermissionDenied,
)
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from govhall.core.errors import DomainError

logger = logging.getLogger("govhall.api")

_DRF_MESSAGES = {
    "not_authenticated": "请先登录",
    "authentication_failed": "身份认证失败",
    "permission_denied": "您无权执行此操作",
    "not_found": "请求的资源不存在",
    "method_not_allowed": "不支持该请求方法",
    "not_acceptable": "无法按请求的格式返回",
    "parse_error": "请求内容无法解析",
    "unsupported_media_type": "不支持的请求内容类型",
    "throttled": "请求过于频繁，请稍后再试",
    "invalid": "请求参数不正确",
}


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's nested errors → ``{"materials.1.copies": ["…"]}``: a nested serializer
    by its field name, a list of them (``many=True``) by index."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
                for index, item in enumerate(value):
                    if isinstance(item, dict):
                        for sub, msgs in _flatten(item).items():
                            out[f"{key}.{index}.{sub}"] = msgs
                    elif item:
                        out[f"{key}.{index}"] = [str(item)]
            else:
                out[key] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {"non_field_errors": [str(detail)]}


# Django refuses a request body beyond its limits (DATA_UPLOAD_MAX_*) while DRF parses
# it: the caller's mistake, answered 4xx with a code, not a 500.
_LIMITS = [
    (RequestDataTooBig, 413, "request_too_large", "请求内容过大"),
    (TooManyFilesSent, 400, "too_many_files", "上传的文件数量过多"),
    (TooManyFieldsSent, 400, "too_many_fields", "请求的字段数量过多"),
    (SuspiciousOperation, 400, "bad_request", "请求内容不正确"),
]


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.http_status)
    for kind, http_status, code, message in _LIMITS:
        if isinstance(exc, kind):
            return Response({"code": code, "message": message}, status=http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        request = context.get("request")
        logger.exception("API 内部错误：%s", getattr(request, "path", "?"), exc_info=exc)
        return Response(
            {"code": "server_error", "message": "服务器内部错误，请稍后重试"},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "validation_failed",
            "message": "请求参数不正确",
            "fields": _flatten(exc.detail),
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    code = getattr(exc, "default_code", "error")
    response.data = {
        "code": code,
        "message": _DRF_MESSAGES.get(code, str(getattr(exc, "detail", exc))),
    }
    return response


def not_found(request, *args, **kwargs):
    """Catch-all for /api/…/ paths no route matched (JSON, not Django's HTML page)."""
    return JsonResponse(
        {"code": "not_found", "message": "请求的接口不存在"},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


class ErrorSerializer(serializers.Serializer):
    """The error body of every endpoint (documentation only)."""

    code = serializers.CharField(help_text="稳定的错误代码，如 item_not_found、invalid_filter")
    message = serializers.CharField(help_text="中文说明")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="出错的参数或字段 → 中文说明列表",
    )


def error_responses(**by_status: str) -> dict:
    """``error_responses(**{"400": "…", "404": "…"})`` → spectacular ``responses``."""
    return {
        int(code): OpenApiResponse(ErrorSerializer, description=text)
        for code, text in by_status.items()
    }
