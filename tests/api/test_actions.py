"""Actions through the API go through the back office's services: the lifecycle's guards and
events, the legal dates, the letters; a wrong state is a 409, bad input a 400 naming the field,
and nothing is half-written."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from service_requests.deadlines import implicit_decision_date
from service_requests.models import Document, DocumentRequest, Event, Message, Status
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def request_(version):
    return ServiceRequestFactory(
        form_version=version,
        status=Status.IN_REVIEW,
        received_on=timezone.localdate() - timedelta(days=3),
        decision_due_on=timezone.localdate() + timedelta(days=57),
    )


def test_decide_accept_goes_through_the_lifecycle(
    api, request_, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/requests/{request_.reference}/decision/",
            {"outcome": "accept"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    request_.refresh_from_db()
    assert request_.status == Status.ACCEPTED
    assert request_.decided_on == timezone.localdate()
    event = Event.objects.get(request=request_, kind=Event.Kind.DECISION)
    assert event.actor == api.api_client.user
    assert event.payload["from"] == "in_review" and event.payload["to"] == "accepted"
    letter = Document.objects.get(request=request_, kind=Document.Kind.DECISION)
    assert letter.file.open("rb").read(5) == b"%PDF-"
    assert [m.to for m in mail.outbox] == [["contact@exemple.fr"]]
    # Decided: deciding again is a 409 with a JSON error, and nothing changes.
    again = api.post(
        f"/api/v1/requests/{request_.reference}/decision/",
        {"outcome": "reject", "motive": "Non conforme au PLU."},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "action_not_allowed"
    assert again.json()["message"]["en"]
    request_.refresh_from_db()
    assert request_.status == Status.ACCEPTED


def test_a_rejection_without_motive_is_a_400_naming_motive_and_writes_nothing(api, request_):
    response = api.post(
        f"/api/v1/requests/{request_.reference}/decision/", {"outcome": "reject"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["motive"]
    assert "motiv" in response.json()["fields"]["motive"][0]["message"]
    request_.refresh_from_db()
    assert request_.status == Status.IN_REVIEW
    assert not Document.objects.filter(request=request_).exists()
    assert not Event.objects.filter(request=request_).exists()


def test_a_stale_seen_event_is_a_409(api, request_):
    from tests.factories import EventFactory

    seen = EventFactory(request=request_)
    EventFactory(request=request_, kind="note", visibility="internal", payload={"text": "x"})
    response = api.post(
        f"/api/v1/requests/{request_.reference}/decision/",
        {"outcome": "accept", "seen_event_id": seen.pk},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    request_.refresh_from_db()
    assert request_.status == Status.IN_REVIEW


def test_ask_documents_moves_the_legal_date(api, request_, eager_celery):
    deadline = timezone.localdate() + timedelta(days=15)
    response = api.post(
        f"/api/v1/requests/{request_.reference}/ask-documents/",
        {"pieces": ["Plan de masse", "Photo"], "answer_deadline": deadline.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    request_.refresh_from_db()
    assert request_.status == Status.AWAITING_CITIZEN
    asked = DocumentRequest.objects.get(request=request_)
    assert asked.pieces == ["Plan de masse", "Photo"] and asked.answer_deadline == deadline
    # An acceptance clock waits for the pieces (L114-5): the one function says so.
    assert request_.decision_due_on == implicit_decision_date(
        received_on=request_.received_on,
        rule="acceptance",
        delay="P2M",
        document_requests=[asked.as_deadline_input()],
    )
    assert request_.decision_due_on is None
    # Asked already: a 409.
    again = api.post(
        f"/api/v1/requests/{request_.reference}/ask-documents/",
        {"pieces": ["Autre"], "answer_deadline": deadline.isoformat()},
        format="json",
    )
    assert again.status_code == 409


def test_ask_documents_with_a_past_deadline_names_the_field(api, request_):
    response = api.post(
        f"/api/v1/requests/{request_.reference}/ask-documents/",
        {"pieces": ["Plan"], "answer_deadline": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["answer_deadline"]
    assert not DocumentRequest.objects.exists()


def test_post_a_message(api, request_, eager_celery):
    response = api.post(
        f"/api/v1/requests/{request_.reference}/messages/",
        {"body": "Votre dossier est en cours d'examen."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    message = Message.objects.get(request=request_)
    assert message.author == api.api_client.user
    assert message.direction == Message.Direction.TO_CITIZEN
    assert Event.objects.filter(request=request_, kind=Event.Kind.MESSAGE).exists()
    empty = api.post(
        f"/api/v1/requests/{request_.reference}/messages/", {"body": "  "}, format="json"
    )
    assert empty.status_code == 400 and list(empty.json()["fields"]) == ["body"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("messages/", {"body": 123}, "body"),
        ("messages/", {"body": True}, "body"),
        ("decision/", {"outcome": "reject", "motive": 42}, "motive"),
        ("ask-documents/", {"pieces": [1], "answer_deadline": "2099-01-01"}, "pieces.0"),
    ],
)
def test_a_number_where_text_is_expected_is_a_400_not_a_message(api, request_, path, body, field):
    """DRF's CharField would take 123 as the text « 123 » and send it to the citizen."""
    response = api.post(f"/api/v1/requests/{request_.reference}/{path}", body, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()["fields"]) == [field]
    assert not Message.objects.filter(request=request_).exists()
    assert not Event.objects.filter(request=request_).exists()


def test_add_a_document(api, request_, eager_celery):
    upload = SimpleUploadedFile("arrete.pdf", PDF, content_type="application/pdf")
    response = api.post(
        f"/api/v1/requests/{request_.reference}/documents/",
        {"file": upload, "message": "Voici l'arrêté."},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    (document,) = response.json()["documents"]
    assert document["original_name"] == "arrete.pdf"
    assert Document.objects.get(request=request_).message.body == "Voici l'arrêté."


def test_a_refused_file_names_the_field_and_writes_nothing(api, request_):
    upload = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/pdf")
    response = api.post(
        f"/api/v1/requests/{request_.reference}/documents/",
        {"file": upload, "message": "Voici."},
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["file"]
    assert not Document.objects.exists() and not Message.objects.exists()


def test_a_question_is_answered_not_decided(api, team):
    from tests.factories import FormVersionFactory, ProcedureFactory

    question = FormVersionFactory(
        procedure=ProcedureFactory(
            default_team=team, kind="information", silence_rule="none", silence_delay=""
        )
    )
    request = ServiceRequestFactory(form_version=question, status=Status.IN_REVIEW)
    response = api.post(
        f"/api/v1/requests/{request.reference}/decision/", {"outcome": "accept"}, format="json"
    )
    assert response.status_code == 409
