"""The one family of domain errors.

Services raise these; the API maps them once (``govhall.api.errors``) to HTTP
400/403/404/409 with a stable ``code`` and a Chinese ``message``; pages show the
message, and ``fields`` beside the named form fields.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request. Nothing was changed."""

    http_status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        # field name -> list of Chinese messages
        self.fields: dict[str, list[str]] = fields or {}

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.fields:
            data["fields"] = self.fields
        return data


class ValidationFailed(DomainError):
    """Input does not satisfy a rule (400)."""

    default_code = "validation_failed"


class PermissionDenied(DomainError):
    """The actor's role or department may not do this (403)."""

    http_status = 403
    default_code = "permission_denied"


class NotFound(DomainError):
    http_status = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The state changed under the caller (stale edit, duplicate, wrong state) (409)."""

    http_status = 409
    default_code = "conflict"
