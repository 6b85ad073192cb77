"""Reading requests: list with filters and cursor pages, detail with answers, documents and
events, ETag, the access log."""

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.selectors import request_for_client
from api.serializers import RequestDetailSerializer
from gru.models import AccessLog
from service_requests.models import Document, Status
from tests.factories import CitizenFactory, EventFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def plan_pdf(request) -> Document:
    """A 13-byte PDF sent with `request`."""
    return Document.objects.create(
        request=request,
        file=ContentFile(b"%PDF-1.4 test", name="plan.pdf"),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )


def test_the_list_holds_the_client_teams_requests_only(api, version, other_team):
    mine = ServiceRequestFactory(form_version=version)
    ServiceRequestFactory(form_version=version, team=other_team)
    ServiceRequestFactory(form_version=version, status=Status.DRAFT, received_on=None)
    response = api.get("/api/v1/requests/")
    assert response.status_code == 200
    assert [r["reference"] for r in response.json()["results"]] == [mine.reference]
    row = response.json()["results"][0]
    assert row["procedure"] == "permis" and row["team"] == "urbanisme"
    assert row["url"].endswith(f"/api/v1/requests/{mine.reference}/")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=in_review", ["b"]),
        ("team=urbanisme", ["a", "b", "c"]),
        ("team=voirie", []),
        ("procedure=permis", ["a", "b", "c"]),
        ("procedure=autre", []),
        ("received_from=2026-03-01", ["b", "c"]),
        ("received_to=2026-03-01", ["a", "b"]),
        ("received_from=2026-03-01&received_to=2026-03-01", ["b"]),
    ],
)
def test_filters(api, version, query, expected):
    made = {
        "a": ServiceRequestFactory(form_version=version, received_on=date(2026, 2, 1)),
        "b": ServiceRequestFactory(
            form_version=version, received_on=date(2026, 3, 1), status=Status.IN_REVIEW
        ),
        "c": ServiceRequestFactory(form_version=version, received_on=date(2026, 4, 1)),
    }
    names = {r.reference: name for name, r in made.items()}
    response = api.get(f"/api/v1/requests/?{query}")
    assert response.status_code == 200
    assert sorted(names[r["reference"]] for r in response.json()["results"]) == expected


def test_updated_since(api, version):
    old = ServiceRequestFactory(form_version=version)
    cut = timezone.now()
    new = ServiceRequestFactory(form_version=version)
    type(old).objects.filter(pk=old.pk).update(updated_at=cut - timedelta(hours=1))
    response = api.get("/api/v1/requests/", {"updated_since": cut.isoformat()})
    assert [r["reference"] for r in response.json()["results"]] == [new.reference]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=brouillon", "status"),
        ("status=draft", "status"),
        ("received_from=demain", "received_from"),
        ("updated_since=hier", "updated_since"),
        ("received_from=2026-03-02&received_to=2026-03-01", "received_to"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(api, query, field):
    response = api.get(f"/api/v1/requests/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"]["fr"] and body["message"]["en"]
    assert list(body["fields"]) == [field]
    assert body["fields"][field][0]["message"]


def test_detail_with_answers_documents_and_events(api, version, settings):
    request = ServiceRequestFactory(form_version=version, data={"surface": 42})
    EventFactory(request=request, kind="submitted")
    EventFactory(request=request, kind="note", visibility="internal", payload={"text": "à voir"})
    document = plan_pdf(request)
    response = api.get(f"/api/v1/requests/{request.reference}/")
    assert response.status_code == 200
    body = response.json()
    assert body["answers"] == {"surface": 42}
    assert [e["kind"] for e in body["events"]] == ["submitted", "note"]
    assert body["events"][1]["payload"] == {"text": "à voir"}
    (doc,) = body["documents"]
    assert doc["original_name"] == "plan.pdf"
    assert "accept" in body["actions"] and "reject" in body["actions"]
    log = AccessLog.objects.get(action=AccessLog.Action.VIEW_REQUEST)
    assert log.user == api.api_client.user and log.request_reference == request.reference

    download = api.get(doc["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert download["Content-Type"] == "application/pdf"
    assert AccessLog.objects.filter(
        action=AccessLog.Action.DOWNLOAD_DOCUMENT, document_id=document.pk
    ).exists()


def test_a_document_of_another_team_request_is_a_404(api, make_client, version, other_team):
    theirs = ServiceRequestFactory(form_version=version, team=other_team)
    document = plan_pdf(theirs)
    url = f"/api/v1/requests/{theirs.reference}/documents/{document.pk}/file/"
    assert api.get(url).status_code == 404
    assert make_client(teams=[other_team]).get(url).status_code == 200


def test_etag_and_if_none_match(api, version):
    request = ServiceRequestFactory(form_version=version)
    for url in ("/api/v1/requests/", f"/api/v1/requests/{request.reference}/"):
        first = api.get(url)
        etag = first["ETag"]
        assert etag.startswith('"')
        again = api.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == etag
        assert api.get(url, HTTP_IF_NONE_MATCH='"autre"').status_code == 200
    # A change gives another ETag.
    etag = api.get("/api/v1/requests/")["ETag"]
    type(request).objects.filter(pk=request.pk).update(status=Status.IN_REVIEW)
    changed = api.get("/api/v1/requests/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_procedures(api, version):
    response = api.get("/api/v1/procedures/")
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["results"]] == ["permis"]
    detail = api.get("/api/v1/procedures/permis/")
    assert detail.json()["default_team"] == "urbanisme"
    assert api.get("/api/v1/procedures/nope/").status_code == 404


def test_a_list_row_says_what_the_detail_says(api, version):
    """The list's rows are written without DRF's fields: the same values as the detail's."""
    request = ServiceRequestFactory(
        form_version=version,
        status=Status.ACCEPTED,
        decided_on=timezone.localdate(),
        completed_on=timezone.localdate(),
        decision_due_on=None,
    )
    (row,) = api.get("/api/v1/requests/").json()["results"]
    detail = api.get(f"/api/v1/requests/{request.reference}/").json()
    assert row == {key: detail[key] for key in row}
    assert row["decision_due_on"] is None and row["decided_on"]
    assert row["updated_at"].endswith("+01:00") or row["updated_at"].endswith("+02:00")


def test_the_detail_written_directly_is_what_drf_writes_field_by_field(api, version):
    """The detail's representation is written by hand for speed: it must say, to the byte, what
    the declared fields (the published schema) say, with a citizen, an assignee, a document
    and an event by an agent."""
    agent = UserFactory(first_name="Léa", last_name="Martin")
    request = ServiceRequestFactory(
        form_version=version,
        citizen=CitizenFactory(),
        assignee=agent,
        data={"surface": 42, "note": "à l'angle"},
        decision_due_on=date(2027, 2, 7),
    )
    EventFactory(request=request, kind="note", actor=agent, payload={"text": "à voir"})
    EventFactory(request=request, kind="submitted")
    plan_pdf(request)
    user = api.api_client.user
    http = Request(APIRequestFactory().get("/api/v1/requests/"))
    http.user = user
    obj = request_for_client(user, request.reference)
    serializer = RequestDetailSerializer(obj, context={"request": http})
    by_drf = serializers.ModelSerializer.to_representation(serializer, obj)
    direct = serializer.to_representation(obj)
    assert direct == by_drf
    assert list(direct) == list(by_drf)  # the same order of keys, too
    assert direct["citizen"]["family_name"] and direct["assignee"] == str(agent)
    assert {e["actor"] for e in direct["events"]} == {str(agent), None}
    assert api.get(f"/api/v1/requests/{request.reference}/").json() == direct
