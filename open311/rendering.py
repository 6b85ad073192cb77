"""Open311 answers in JSON or XML (the format is the URL's extension), errors included."""

import json
from xml.etree import ElementTree

from django.http import HttpResponse

# The element of each item of a list, by the list's name (the spec's XML).
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ElementTree.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ElementTree.SubElement(element, key), child)
    elif isinstance(value, list):
        tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ElementTree.SubElement(element, tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, value)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def answer(value, *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """`value` (a list for `services`, `service_requests`…; an object otherwise) in `fmt`;
    `root` names the XML's root element."""
    body = to_xml(root, value) if fmt == "xml" else json.dumps(value, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(status: int, descriptions: list[str], *, fmt: str) -> HttpResponse:
    items = [{"code": status, "description": d} for d in descriptions]
    return answer(items, fmt=fmt, root="errors", status=status)
