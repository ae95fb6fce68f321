"""One REST route per row of an app's transition table: ``POST …/<key>/<action>/``.

Complaints (``feedback/complaints/workflow.py``), adjustment requests
(``governance/workflow.py``) and filings (``filings/workflow.py``) each describe their
steps as rows (action, label, source states, inputs, whether the step takes files).
Their APIs offer every row the same way: a request body of ``expected_version`` (the
optimistic lock of the detail's ``version``), the row's inputs and, where the row takes
them, ``files``; the answer is the object's detail. This module builds those serializers
and views from an :class:`ActionApi` the app fills in — how to find the object, how to
run the row (its ``services.transition``), how to show the result — so the rule stays in
the app's service and the HTTP shape is written once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from . import params
from .errors import error_responses
from .params import INT_MAX


def text_field(max_length: int, *, required: bool = False, help_text: str = ""):
    """A bounded text input; an optional one defaults to the empty string."""
    return serializers.CharField(
        max_length=max_length,
        required=required,
        allow_blank=not required,
        default=serializers.empty if required else "",
        help_text=help_text,
    )


@dataclass(frozen=True)
class ActionApi:
    """What an app tells this module about its transition table's routes.

    ``name`` prefixes the generated class names (``Complaint`` → ``ComplaintAcceptIn``),
    ``operation`` the OpenAPI operation ids (``complaints_accept``); ``noun`` is the
    object's Chinese name in the ``expected_version`` help; ``state_label`` gives a
    source state's label; ``input_field`` turns one row input into a serializer field;
    ``load(request, key)`` finds the object the caller may see (or raises ``NotFound``);
    ``run(request, obj, row, version, files, data)`` calls the app's transition service;
    ``detail(request, obj)`` is the answer's body, described by ``response``."""

    name: str
    operation: str
    tag: str
    noun: str
    state_label: Callable[[str], str]
    input_field: Callable[[Any], serializers.Field]
    load: Callable[[Any, str], Any]
    run: Callable[..., Any]
    detail: Callable[[Any, Any], dict]
    response: type[serializers.Serializer]
    max_files: int = 10


def _camel(action: str) -> str:
    return "".join(part.title() for part in action.split("_"))


def action_serializer(api: ActionApi, row) -> type[serializers.Serializer]:
    fields = {
        "expected_version": serializers.IntegerField(
            min_value=0, max_value=INT_MAX, help_text=f"{api.noun}的版本号（详情中的 version）"
        )
    }
    for spec in row.inputs:
        fields[spec.name] = api.input_field(spec)
    if row.attachments:
        fields["files"] = serializers.ListField(
            child=serializers.FileField(), required=False, max_length=api.max_files
        )
    return type(f"{api.name}{_camel(row.action)}In", (serializers.Serializer,), fields)


def action_view(api: ActionApi, row) -> type[APIView]:
    request_serializer = action_serializer(api, row)
    media = {"application/json": request_serializer}
    if row.attachments:
        media["multipart/form-data"] = request_serializer

    class View(APIView):
        permission_classes = [permissions.IsAuthenticated]
        parser_classes = [JSONParser, MultiPartParser, FormParser]

        @extend_schema(
            tags=[api.tag],
            operation_id=f"{api.operation}_{row.action}",
            summary=f"{row.label}（{row.action}）",
            description="可执行的状态：" + "、".join(api.state_label(s) for s in row.sources),
            request=media,
            responses={200: api.response, **error_responses()},
        )
        def post(self, request, key: str):
            obj = api.load(request, key)
            data = dict(params.validated(request_serializer, request.data))
            version = data.pop("expected_version")
            data.pop("files", None)
            files = request.FILES.getlist("files") if row.attachments else []
            obj = api.run(request, obj, row, version, files, data)
            return Response(api.detail(request, obj))

    View.__name__ = f"{api.name}{_camel(row.action)}Api"
    View.__qualname__ = View.__name__
    return View


def action_paths(api: ActionApi, rows, *, route: str, name: str, dashes: bool = True) -> list:
    """``route`` is the detail's path with ``<str:key>`` (``"complaints/<str:key>/"``);
    each row's route adds its action (``_`` as ``-`` unless ``dashes`` is false)."""
    paths = []
    for row in rows:
        action = row.action.replace("_", "-") if dashes else row.action
        paths.append(
            path(f"{route}{action}/", action_view(api, row).as_view(), name=f"{name}-{action}")
        )
    return paths
