"""Open311 test data: the GeoReport v2 JSON schemas (written from the spec, in schemas/), the
demo's report and question procedures, an API client allowed to file and one that may only
read, and helpers that read an answer in JSON or XML."""

import json
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from django.core.cache import cache

from api.models import REQUESTS_READ, REQUESTS_WRITE
from api.services import api_client_create
from tests.service_requests.test_submit import demo_version

SCHEMAS = Path(__file__).parent / "schemas"
LISTS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def validate(name: str, document) -> None:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        document
    )


def from_xml(element: ElementTree.Element):
    """The XML answer as the JSON one would be, every leaf a string."""
    if element.tag in LISTS:
        assert all(child.tag == LISTS[element.tag] for child in element), element.tag
        return [from_xml(child) for child in element]
    if len(element):
        return {child.tag: from_xml(child) for child in element}
    return element.text or ""


def as_strings(value):
    """A JSON answer with its leaves written as the XML writes them."""
    if isinstance(value, dict):
        return {key: as_strings(v) for key, v in value.items()}
    if isinstance(value, list):
        return [as_strings(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def same_in_xml(client, url: str, json_answer, root: str, **kwargs) -> None:
    xml_url = url.replace(".json", ".xml")
    response = client.get(xml_url, kwargs) if kwargs else client.get(xml_url)
    assert response["Content-Type"].startswith("text/xml")
    element = ElementTree.fromstring(response.content)  # noqa: S314 - our own answer
    assert element.tag == root
    assert from_xml(element) == as_strings(json_answer)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def voirie():
    report = demo_version("signalement-voirie")
    demo_version("demande-information")  # a question: not an Open311 service
    return report


@pytest.fixture
def writer(voirie):
    client, token = api_client_create(
        name="Appli de signalement",
        teams=[voirie.procedure.default_team],
        scopes=[REQUESTS_WRITE],
        actor=None,
    )
    return client, token


@pytest.fixture
def reader(voirie):
    return api_client_create(
        name="Entrepôt de données",
        teams=[voirie.procedure.default_team],
        scopes=[REQUESTS_READ],
        actor=None,
    )
