"""The tracking page, what the citizen sends from it: messages with files, the pieces asked
(all at once or nothing), and its history shown by pages with a constant query count."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from forms_builder.uploads import MEGABYTE
from service_requests.models import Document, DocumentRequest, Event, Message, Status
from service_requests.services import request_ask_documents
from service_requests.services.messages import (
    UploadsRefused,
    message_post_from_agent,
    message_post_from_citizen,
)
from service_requests.tracking import HISTORY_PAGE
from tests.factories import (
    CitizenFactory,
    EventFactory,
    MessageFactory,
    ServiceRequestFactory,
    UserFactory,
)
from tests.service_requests.test_submit import jpeg_bytes

pytestmark = pytest.mark.django_db

LOOKUP = reverse("service_requests:lookup")
EMAIL = "lea.durand@exemple.fr"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def filed():
    return ServiceRequestFactory(contact_email=EMAIL)


@pytest.fixture
def proven(client, filed):
    """A browser that proved it may see `filed`."""
    client.post(LOOKUP, {"reference": filed.reference, "email": EMAIL})
    return client


def page_url(request) -> str:
    return reverse("service_requests:tracking", args=[request.reference])


def message_url(request) -> str:
    return reverse("service_requests:post_message", args=[request.reference])


def documents_url(request) -> str:
    return reverse("service_requests:send_documents", args=[request.reference])


def pdf(name="justificatif.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def photo(name="photo.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def stored_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def download(client, request, document) -> bytes:
    url = reverse("service_requests:document", args=[request.reference, document.pk])
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


# --- Messages with files ----------------------------------------------------------------------


def test_the_message_form_says_the_formats_and_size_before_the_input(proven, filed):
    html = proven.get(page_url(filed)).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "Formats acceptés : PDF, JPEG, PNG, HEIC, WebP." in html
    assert "Taille maximale : 10 Mo par fichier, 5 fichiers au plus." in html
    assert 'accept="application/pdf,image/jpeg,image/png,image/heic,image/heif,image/webp' in html
    assert 'name="files"' in html and "multiple" in html
    # The hint comes before the input and the input is described by it.
    assert html.index("Formats acceptés") < html.index('name="files"')
    assert 'aria-describedby="id_files_helptext"' in html
    assert 'name="idempotency_key"' in html


def test_a_message_with_a_photo_and_a_pdf_is_stored_and_downloadable(proven, filed):
    response = proven.post(
        message_url(filed),
        {"body": "Voici la photo et le devis.", "files": [photo("trou.jpg"), pdf("devis.pdf")]},
    )
    assert response.status_code == 302
    message = Message.objects.get(request=filed)
    documents = list(message.documents.order_by("pk"))
    assert [d.original_name for d in documents] == ["trou.jpg", "devis.pdf"]
    assert [d.content_type for d in documents] == ["image/jpeg", "application/pdf"]
    assert all(d.kind == Document.Kind.UPLOAD and d.request == filed for d in documents)
    # Kept under a random name, never the citizen's.
    assert all("trou" not in d.file.name and "devis" not in d.file.name for d in documents)
    event = filed.events.get(kind=Event.Kind.MESSAGE)
    assert event.payload["documents"] == [d.pk for d in documents]
    html = proven.get(page_url(filed)).content.decode()
    assert "trou.jpg" in html and "devis.pdf" in html
    assert download(proven, filed, documents[1]) == PDF
    assert download(proven, filed, documents[0]) == jpeg_bytes()


def test_attachments_are_served_only_to_who_may_see_the_request(client, proven, filed):
    proven.post(message_url(filed), {"body": "Ci-joint.", "files": [pdf()]})
    document = Document.objects.get(request=filed)
    url = reverse("service_requests:document", args=[filed.reference, document.pk])
    assert proven.get(url).status_code == 200

    stranger = type(client)()
    assert stranger.get(url).status_code == 404
    # Another request's proof, nor its reference in the address, opens it.
    other = ServiceRequestFactory(contact_email="autre@exemple.fr")
    stranger.post(LOOKUP, {"reference": other.reference, "email": "autre@exemple.fr"})
    assert stranger.get(url).status_code == 404
    other_url = reverse("service_requests:document", args=[other.reference, document.pk])
    assert stranger.get(other_url).status_code == 404
    # A signed-in citizen, for their own requests only.
    user = UserFactory()
    stranger.force_login(user)
    assert stranger.get(url).status_code == 404


def test_a_signed_in_owner_downloads_the_attachment(client):
    user = UserFactory()
    mine = ServiceRequestFactory(citizen=CitizenFactory(user=user), contact_email="")
    client.force_login(user)
    client.post(message_url(mine), {"body": "Ci-joint.", "files": [photo()]})
    document = Document.objects.get(request=mine)
    assert document.uploaded_by == user
    assert download(client, mine, document) == jpeg_bytes()


@pytest.mark.parametrize(
    ("files", "error"),
    [
        (
            [SimpleUploadedFile("facture.pdf", b"MZ\x90\x00 not a pdf at all")],
            "Le fichier « facture.pdf » n&#x27;est pas un PDF : son contenu ne correspond pas",
        ),
        (
            [SimpleUploadedFile("photo.jpg", PDF)],
            "Le fichier « photo.jpg » n&#x27;est pas un JPEG",
        ),
        (
            [SimpleUploadedFile("notes.txt", b"quelques notes")],
            "n&#x27;est pas dans un format accepté. Formats acceptés : PDF, JPEG, PNG, HEIC, WebP.",
        ),
        (
            [pdf("gros.pdf", PDF + b"0" * (10 * MEGABYTE))],
            "Le fichier « gros.pdf » dépasse la taille maximale de 10 Mo.",
        ),
        ([pdf(f"piece-{i}.pdf") for i in range(6)], "Vous pouvez joindre au plus 5 fichiers."),
        ([pdf("vide.pdf", b"")], "Le fichier « vide.pdf » est vide."),
    ],
    ids=["lying-pdf", "lying-jpeg", "text", "oversize", "too-many", "empty"],
)
def test_a_bad_file_is_refused_next_to_the_field_and_nothing_is_stored(proven, filed, files, error):
    before = stored_files()
    response = proven.post(message_url(filed), {"body": "Ci-joint.", "files": [photo(), *files]})
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    # Next to the field, announced with it, and in the summary that links to it.
    assert '<ul class="field__errors" id="id_files_error">' in html
    assert 'aria-describedby="id_files_helptext id_files_error"' in html
    assert 'class="alert alert--error error-summary"' in html and 'href="#id_files"' in html
    assert html.count("<title>Erreur :") == 1
    # The message typed is kept, nothing is written.
    assert "Ci-joint." in html
    assert not Message.objects.exists()
    assert not Document.objects.exists()
    assert not filed.events.filter(kind=Event.Kind.MESSAGE).exists()
    assert stored_files() == before


def test_a_double_submit_makes_one_message(proven, filed):
    html = proven.get(page_url(filed)).content.decode()
    key = html.split('name="idempotency_key" value="')[1].split('"')[0]
    for _ in range(2):
        response = proven.post(
            message_url(filed), {"body": "Bonjour", "files": [pdf()], "idempotency_key": key}
        )
        assert response.status_code == 302
    assert Message.objects.filter(request=filed).count() == 1
    assert Document.objects.filter(request=filed).count() == 1
    assert filed.events.filter(kind=Event.Kind.MESSAGE).count() == 1
    assert len(stored_files()) == 1
    # The page rendered again carries a new key: a new message is a new message.
    html = proven.get(page_url(filed)).content.decode()
    assert key not in html


def test_a_failure_after_the_files_are_written_leaves_no_file(filed, monkeypatch):
    from service_requests.services import messages

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(messages, "record", broken)
    with pytest.raises(RuntimeError):
        message_post_from_citizen(request=filed, body="Bonjour", files=[pdf(), photo()])
    assert not Document.objects.exists() and not Message.objects.exists()
    assert stored_files() == []


def test_the_service_refuses_bad_files_with_their_messages(filed):
    with pytest.raises(UploadsRefused) as refused:
        message_post_from_citizen(
            request=filed, body="Bonjour", files=[SimpleUploadedFile("a.png", PDF)]
        )
    assert refused.value.by_field["files"] == [
        "Le fichier « a.png » n'est pas un PNG : son contenu ne correspond pas à son extension."
    ]


def test_an_agent_message_with_a_file_shows_on_the_page(proven, filed):
    agent = UserFactory()
    message = message_post_from_agent(filed, agent, "Merci de préciser l'adresse.", [pdf()])
    assert message.direction == Message.Direction.TO_CITIZEN
    assert message.author == agent
    document = message.documents.get()
    assert document.uploaded_by == agent
    event = filed.events.get(kind=Event.Kind.MESSAGE)
    assert event.visibility == Event.Visibility.CITIZEN and event.actor == agent
    html = proven.get(page_url(filed)).content.decode()
    assert "Merci de préciser l&#x27;adresse." in html and "justificatif.pdf" in html
    assert download(proven, filed, document) == PDF


# --- The pieces asked -------------------------------------------------------------------------


@pytest.fixture
def awaiting(filed):
    agent = UserFactory()
    deadline = timezone.localdate() + datetime.timedelta(days=15)
    request_ask_documents(
        request=filed,
        actor=agent,
        pieces=["Justificatif de domicile", "Pièce d'identité"],
        answer_deadline=deadline,
    )
    filed.refresh_from_db()
    return filed


def test_the_page_lists_the_pieces_asked_their_deadline_and_an_input_each(proven, awaiting):
    document_request = awaiting.document_requests.get()
    html = proven.get(page_url(awaiting)).content.decode()
    assert "Pièces à fournir" in html
    assert "Justificatif de domicile" in html and "Pièce d&#x27;identité" in html
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août"]
    months += ["septembre", "octobre", "novembre", "décembre"]
    deadline = document_request.answer_deadline
    plain = f"{deadline.day} {months[deadline.month - 1]} {deadline.year}"
    assert f"avant le <strong>{plain}</strong>" in html
    assert '<label class="field__label" for="id_piece_0">Justificatif de domicile' in html
    assert '<label class="field__label" for="id_piece_1">Pièce d&#x27;identité' in html
    assert f'name="document_request" value="{document_request.pk}"' in html


def test_a_request_not_awaiting_pieces_shows_no_upload_form(proven, filed):
    assert "Pièces à fournir" not in proven.get(page_url(filed)).content.decode()


def test_the_pieces_sent_in_one_go_answer_the_request(proven, awaiting):
    document_request = awaiting.document_requests.get()
    response = proven.post(
        documents_url(awaiting),
        {
            "document_request": document_request.pk,
            "piece_0": [pdf("facture-edf.pdf")],
            "piece_1": [photo("cni-recto.jpg"), photo("cni-verso.jpg")],
        },
    )
    assert response.status_code == 302
    awaiting.refresh_from_db()
    document_request.refresh_from_db()
    assert awaiting.status == Status.IN_REVIEW
    assert document_request.answered_on == timezone.localdate()
    assert awaiting.events.filter(kind=Event.Kind.DOCUMENTS_RECEIVED).count() == 1
    message = Message.objects.get(request=awaiting)
    assert message.direction == Message.Direction.FROM_CITIZEN
    assert "Justificatif de domicile : facture-edf.pdf" in message.body
    assert "Pièce d'identité : cni-recto.jpg, cni-verso.jpg" in message.body
    names = sorted(message.documents.values_list("original_name", flat=True))
    assert names == ["cni-recto.jpg", "cni-verso.jpg", "facture-edf.pdf"]
    html = proven.get(page_url(awaiting)).content.decode()
    assert "Vos pièces ont été envoyées au service" in html
    assert "Pièces à fournir" not in html
    # Sent again (a double click, the back button): refused, nothing more stored.
    again = proven.post(
        documents_url(awaiting),
        {"document_request": document_request.pk, "piece_0": [pdf()], "piece_1": [pdf()]},
        follow=True,
    )
    assert "Ces pièces ont déjà été reçues" in again.content.decode()
    assert Document.objects.filter(request=awaiting).count() == 3


@pytest.mark.parametrize(
    ("piece_1", "error"),
    [
        ([], "Joignez un fichier pour « Pièce d&#x27;identité »."),
        ([SimpleUploadedFile("cni.jpg", b"GIF89a pas un jpeg")], "n&#x27;est pas un JPEG"),
        ([pdf(f"page-{i}.pdf") for i in range(6)], "Vous pouvez joindre au plus 5 fichiers."),
    ],
    ids=["missing", "lying", "too-many"],
)
def test_one_bad_piece_refuses_them_all(proven, awaiting, piece_1, error):
    document_request = awaiting.document_requests.get()
    before = stored_files()
    response = proven.post(
        documents_url(awaiting),
        {"document_request": document_request.pk, "piece_0": [pdf()], "piece_1": piece_1},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert '<ul class="field__errors" id="id_piece_1_error">' in html
    assert 'id="id_piece_0_error"' not in html
    assert 'href="#id_piece_1"' in html
    awaiting.refresh_from_db()
    document_request.refresh_from_db()
    assert awaiting.status == Status.AWAITING_CITIZEN
    assert document_request.answered_on is None
    assert not Document.objects.exists() and not Message.objects.exists()
    assert not awaiting.events.filter(kind=Event.Kind.DOCUMENTS_RECEIVED).exists()
    assert stored_files() == before


def test_the_pieces_need_a_proof(client, awaiting):
    document_request = awaiting.document_requests.get()
    response = client.post(
        documents_url(awaiting),
        {"document_request": document_request.pk, "piece_0": [pdf()], "piece_1": [pdf()]},
    )
    assert response.status_code == 404
    assert not Document.objects.exists()
    assert DocumentRequest.objects.get().answered_on is None


# --- The history, by pages --------------------------------------------------------------------


def test_the_page_shows_the_latest_events_and_links_to_the_whole_history(proven, filed):
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=30)
    events = []
    for i in range(HISTORY_PAGE + 5):
        # An hour apart (events are append-only: their date is the one of their insert).
        with time_machine.travel(start + datetime.timedelta(hours=i), tick=False):
            events.append(
                EventFactory(request=filed, kind=Event.Kind.MESSAGE, visibility="citizen")
            )
    html = proven.get(page_url(filed)).content.decode()
    assert html.count("Un message a été échangé.") == HISTORY_PAGE
    assert f"Les {HISTORY_PAGE} derniers événements sont affichés." in html
    assert "Voir tout l'historique" in html
    newest = timezone.localtime(start + datetime.timedelta(hours=len(events) - 1))
    oldest = timezone.localtime(start)
    assert newest.isoformat() in html and oldest.isoformat() not in html

    whole = proven.get(page_url(filed) + "?historique=tout").content.decode()
    assert whole.count("Un message a été échangé.") == len(events)
    assert oldest.isoformat() in whole
    assert "Voir seulement les derniers événements" in whole


def test_the_query_count_stays_constant_with_hundreds_of_events(
    proven, filed, django_assert_num_queries
):
    MessageFactory(request=filed)
    # The session, the request (with its page data), its latest events, documents (a
    # message's files among them) and messages.
    with django_assert_num_queries(5):
        proven.get(page_url(filed))
    Event.objects.bulk_create(
        Event(request=filed, kind=Event.Kind.MESSAGE, visibility="citizen") for _ in range(300)
    )
    Message.objects.bulk_create(MessageFactory.build(request=filed) for _ in range(30))
    with django_assert_num_queries(5):
        html = proven.get(page_url(filed)).content.decode()
    assert html.count("Un message a été échangé.") == HISTORY_PAGE
    with django_assert_num_queries(5):
        proven.get(page_url(filed) + "?historique=tout")


def test_the_query_count_of_a_page_awaiting_pieces(proven, awaiting, django_assert_num_queries):
    MessageFactory(request=awaiting)
    # One more: the pieces awaited.
    with django_assert_num_queries(6):
        proven.get(page_url(awaiting))
    for _ in range(50):
        EventFactory(request=awaiting, kind=Event.Kind.MESSAGE, visibility="citizen")
    with django_assert_num_queries(6):
        proven.get(page_url(awaiting))


def test_every_form_of_the_page_carries_its_csrf_token(awaiting):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    secret = reverse(
        "service_requests:secret_link", args=[awaiting.reference, awaiting.tracking_token]
    )
    html = client.get(secret, follow=True).content.decode()
    # The pieces, the message (the partials are included with `only`).
    assert html.count('name="csrfmiddlewaretoken"') == 2
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(message_url(awaiting), {"body": "Bonjour", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
