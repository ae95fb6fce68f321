"""Maps every error to JSON ``{"code": …, "message": …, "fields": {…}}`` once."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from govhall.core.errors import DomainError

_DRF_MESSAGES = {
    "not_authenticated": "请先登录",
    "authentication_failed": "身份认证失败",
    "permission_denied": "您无权执行此操作",
    "not_found": "请求的资源不存在",
    "method_not_allowed": "不支持该请求方法",
    "parse_error": "请求内容无法解析",
    "unsupported_media_type": "不支持的请求内容类型",
    "throttled": "请求过于频繁，请稍后再试",
    "invalid": "请求参数不正确",
}


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            else:
                out[key] = [str(v) for v in (value if isinstance(value, list) else [value])]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(v) for v in detail]}
    return {"non_field_errors": [str(detail)]}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
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
