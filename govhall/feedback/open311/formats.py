"""GeoReport v2 bodies in JSON and XML (http://wiki.open311.org/GeoReport_v2/).

Every response is a list of flat records (or, for a service definition, one record
with a list of attributes). XML wraps the list in a root element whose children
are named by the spec (``services``/``service``, ``service_requests``/``request``,
``errors``/``error``); a value that is a list becomes one child per element, named
by the list's item name (``attributes``/``attribute``, ``values``/``value``).
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")

# XML: the element name of one item of a list held under a key.
ITEM_NAMES = {"attributes": "attribute", "values": "value", "keywords": "keyword"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(name: str, value) -> ET.Element:
    node = ET.Element(name)
    if isinstance(value, dict):
        for key, inner in value.items():
            node.append(_element(key, inner))
    elif isinstance(value, list):
        child = ITEM_NAMES.get(name, "item")
        for inner in value:
            node.append(_element(child, inner))
    else:
        node.text = _text(value)
    return node


def to_xml(data, *, root: str, item: str | None) -> bytes:
    """``data`` (a list of records, or one record when ``item`` is None) as
    GeoReport XML with a declaration."""
    if item is None:
        tree = _element(root, data)
    else:
        tree = ET.Element(root)
        for record in data:
            tree.append(_element(item, record))
    return ET.tostring(tree, encoding="utf-8", xml_declaration=True)


def respond(data, fmt: str, *, root: str, item: str | None, status: int = 200) -> HttpResponse:
    """The response in ``fmt`` (``json`` or ``xml``)."""
    if fmt == "xml":
        body = to_xml(data, root=root, item=item)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def error(fmt: str, status: int, description: str, code: str) -> HttpResponse:
    """GeoReport's error list: ``[{"code": <HTTP status>, "description": …}]``. The
    spec's ``code`` is the HTTP status; the project's stable error code ends the
    description in brackets (``… [invalid_service_code]``) so a client can match it."""
    record = {"code": status, "description": f"{description} [{code}]"}
    return respond([record], fmt if fmt in FORMATS else "json", root="errors", item="error",
                   status=status)  # fmt: skip
