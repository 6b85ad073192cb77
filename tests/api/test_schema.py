"""The OpenAPI document is valid, the documentation page is drawn from it without any CDN, and
the API is fuzzed from it: no 500, every answer as the schema says."""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import api_client_create
from api.views.docs import _schema
from service_requests.models import Status
from tests.factories import FormVersionFactory, ProcedureFactory, ServiceRequestFactory, TeamFactory


@pytest.mark.django_db
def test_the_schema_is_valid_openapi(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    document = response.json()
    validate(document)  # raises on an invalid document
    assert document["openapi"].startswith("3.")
    operations = {
        op["operationId"]: op for item in document["paths"].values() for op in item.values()
    }
    assert operations["requests_decide"]["x-scope"] == "requests:write"
    assert operations["requests_list"]["x-scope"] == "requests:read"
    assert "409" in operations["requests_decide"]["responses"]
    assert document["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_the_docs_page_lists_every_operation_and_loads_nothing_from_elsewhere(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    for item in _schema()["paths"].values():
        for operation in item.values():
            assert f'id="{operation["operationId"]}"' in html
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "script-src" in response["Content-Security-Policy"]


# --- Fuzzing ------------------------------------------------------------------------------------

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
FUZZED = [
    "procedures_list",
    "requests_list",
    "requests_retrieve",
    "events_list",
    "requests_messages_create",
    "requests_ask_documents",
    "requests_decide",
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection at each request's end, as in
    production; the test's transaction lives on it, so keep it (Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(db, keep_connection):
    """A client with every scope on a team with a few requests, one of them in review."""
    team = TeamFactory(slug="fuzz")
    version = FormVersionFactory(procedure=ProcedureFactory(default_team=team, slug="fuzz"))
    ServiceRequestFactory(form_version=version, status=Status.IN_REVIEW, reference="FUZZ-0001")
    ServiceRequestFactory.create_batch(3, form_version=version)
    client, token = api_client_create(
        name="Fuzz",
        teams=[team],
        scopes=["requests:read", "requests:write", "events:read", "citizens:read"],
        actor=None,
    )
    client.requests_per_minute = 1_000_000
    client.save()
    return token


@schema.include(operation_id=FUZZED).parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzz(case, fuzz_token, eager_celery):
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_token}"}, checks=CHECKS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/requests/?status=%01", 400, "bad_request"),  # refused at the edge
        ("/api/v1/nulle-part/", 404, "not_found"),  # no route
    ],
)
def test_errors_outside_the_api_views_are_json_too(api, url, status, code):
    response = api.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == code
    assert response.json()["message"]["en"]


@pytest.mark.django_db
def test_a_body_too_large_is_a_json_413(api, settings):
    settings.MAX_REQUEST_BODY_BYTES = 100
    response = api.post("/api/v1/requests/X/messages/", {"body": "x" * 500}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
