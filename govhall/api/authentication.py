"""接口客户端 authentication (issue 8 §2): ``Authorization: Bearer <token>`` (or
``Token <token>``) for system-to-system calls, besides session and Basic auth.

* The request's user is the client's acting staff member's ``User``, so department
  isolation (``cases.roles``) and the transition table's roles hold unchanged. The user
  carries the client as ``user.api_client``, which ``core.actors.actor_name`` reads, so
  case events and audit rows read ``接口客户端 <client>（代 <staff>）``; ``request.auth``
  is the client.
* An unknown, malformed or revoked token: 401 ``invalid_token``. A client whose staff
  member left (离岗, 调离) or no longer holds the role its scope needs: 401
  ``acting_staff_inactive`` (``org.api_clients.authority_holds``, asked on every call).
* A read-only client on any unsafe method (POST, PUT, PATCH, DELETE): 403
  ``read_only_client``. The check is here and not in a permission class, because every
  view sets its own ``permission_classes`` and could drop a default one.

A request without such a header is left to the next class (session, Basic). This class
is listed first (settings, block "API clients") so that its ``WWW-Authenticate: Bearer``
challenge makes DRF answer 401, not 403, to a refused token.

This module imports ``org`` (the client model lives there): it sits above ``org`` as the
API's URLconf does, and no lower app imports it.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from govhall.org import api_clients, services

KEYWORDS = (b"bearer", b"token")


class InvalidToken(exceptions.AuthenticationFailed):
    default_code = "invalid_token"
    default_detail = "接口令牌无效或已撤销"


class ActingStaffInactive(exceptions.AuthenticationFailed):
    default_code = "acting_staff_inactive"
    default_detail = "接口客户端代其操作的工作人员已离岗或不再具备相应角色，请联系中心管理员"


class ReadOnlyClient(exceptions.PermissionDenied):
    default_code = "read_only_client"
    default_detail = "只读接口客户端不能修改数据"


class ApiClientAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise InvalidToken("接口令牌格式不正确：应为 Authorization: Bearer <令牌>")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise InvalidToken() from None
        client = api_clients.client_for_token(token)
        if client is None or not client.is_active:
            raise InvalidToken()
        staff = client.acting_staff
        if not api_clients.authority_holds(
            scope=client.scope, department=client.department, staff=staff
        ):
            raise ActingStaffInactive()
        if request.method not in SAFE_METHODS and not client.may_write:
            raise ReadOnlyClient()
        services.note_api_client_use(client=client)
        user = staff.user
        user.api_client = client
        return user, client

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiClientScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of :class:`ApiClientAuthentication`."""

    target_class = ApiClientAuthentication
    name = "apiClientToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "接口客户端令牌（工作平台 → 组织机构 → 接口客户端 创建，只显示一次）；"
            "也可写作 Authorization: Token <令牌>",
        }
