"""Following a request without an account: proofs, the page, documents and messages."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse

from service_requests.legal_dates import french_day
from service_requests.models import Document, Event, Message, Status, TeamTask
from service_requests.tracking import SESSION_KEY
from tests.factories import (
    CitizenFactory,
    EventFactory,
    MessageFactory,
    ServiceRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOOKUP = reverse("service_requests:lookup")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def filed():
    request = ServiceRequestFactory(reference="K7QM-2X4P", contact_email="Lea.Durand@exemple.fr")
    EventFactory(request=request, kind=Event.Kind.SUBMITTED, visibility=Event.Visibility.CITIZEN)
    EventFactory(
        request=request,
        kind=Event.Kind.NOTE,
        visibility=Event.Visibility.INTERNAL,
        payload={"text": "Note interne confidentielle"},
    )
    return request


def page_url(request):
    return reverse("service_requests:tracking", args=[request.reference])


def test_lookup_by_reference_and_email_opens_the_request(client, filed):
    response = client.post(LOOKUP, {"reference": " k7qm 2x4p ", "email": "LEA.DURAND@exemple.fr"})
    assert response.status_code == 302
    assert response["Location"] == page_url(filed)
    html = client.get(page_url(filed)).content.decode()
    assert "K7QM-2X4P" in html
    assert "Reçue" in html
    assert "Votre demande a été reçue." in html
    assert "Note interne" not in html


@pytest.mark.parametrize(
    ("reference", "email"),
    [
        ("K7QM-2X4Q", "lea.durand@exemple.fr"),  # a reference that does not exist
        ("K7QM-2X4P", "autre@exemple.fr"),  # the wrong email
        ("pas une référence", "lea.durand@exemple.fr"),
    ],
)
def test_a_wrong_reference_or_email_gets_the_same_answer(client, filed, reference, email):
    response = client.post(LOOKUP, {"reference": reference, "email": email})
    assert response.status_code == 400
    assert "Aucune demande ne correspond" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_an_invalid_form_is_a_400_with_field_errors(client, filed):
    response = client.post(LOOKUP, {"reference": "", "email": "pas-un-courriel"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ce champ est obligatoire." in html
    assert 'aria-invalid="true"' in html


def test_lookups_are_rate_limited_per_address(client, filed):
    for _ in range(10):
        client.post(LOOKUP, {"reference": "K7QM-0000", "email": "x@exemple.fr"})
    response = client.post(LOOKUP, {"reference": "K7QM-2X4P", "email": "lea.durand@exemple.fr"})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    other = client.post(
        LOOKUP,
        {"reference": "K7QM-2X4P", "email": "lea.durand@exemple.fr"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert other.status_code == 302


def test_the_secret_link_opens_the_request_and_leaves_the_address_bar(client, filed):
    url = reverse("service_requests:secret_link", args=[filed.reference, filed.tracking_token])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == page_url(filed)
    assert client.get(page_url(filed)).status_code == 200


@pytest.mark.parametrize("token", ["forged-token-forged-token-forged", "x" * 32, ""])
def test_a_forged_secret_is_404(client, filed, token):
    url = f"/suivi/{filed.reference}/{token}/" if token else f"/suivi/{filed.reference}/x/"
    assert client.get(url).status_code == 404
    assert SESSION_KEY not in client.session


def test_another_request_secret_does_not_open_this_one(client, filed):
    other = ServiceRequestFactory()
    url = reverse("service_requests:secret_link", args=[filed.reference, other.tracking_token])
    assert client.get(url).status_code == 404


def test_the_page_needs_a_proof(client, filed):
    response = client.get(page_url(filed))
    assert response.status_code == 302
    assert response["Location"] == LOOKUP


def test_a_proof_for_one_request_does_not_open_another(client, filed):
    other = ServiceRequestFactory(contact_email="lea.durand@exemple.fr")
    client.post(LOOKUP, {"reference": filed.reference, "email": "lea.durand@exemple.fr"})
    assert client.get(page_url(filed)).status_code == 200
    assert client.get(page_url(other)).status_code == 302


def test_a_draft_cannot_be_followed(client):
    draft = ServiceRequestFactory(status=Status.DRAFT, contact_email="a@exemple.fr")
    response = client.post(LOOKUP, {"reference": draft.reference, "email": "a@exemple.fr"})
    assert response.status_code == 400


def test_a_signed_in_citizen_sees_their_own_requests_without_proof(client):
    user = UserFactory()
    mine = ServiceRequestFactory(citizen=CitizenFactory(user=user), contact_email="")
    theirs = ServiceRequestFactory()
    client.force_login(user)
    assert client.get(page_url(mine)).status_code == 200
    assert client.get(page_url(theirs)).status_code == 302


def test_the_citizen_writes_a_message(client, filed):
    client.post(LOOKUP, {"reference": filed.reference, "email": "lea.durand@exemple.fr"})
    url = reverse("service_requests:post_message", args=[filed.reference])
    response = client.post(url, {"body": "Voici une précision sur ma demande."})
    assert response.status_code == 302
    message = Message.objects.get(request=filed)
    assert message.direction == Message.Direction.FROM_CITIZEN
    assert filed.events.filter(kind=Event.Kind.MESSAGE, visibility="citizen").exists()
    html = client.get(page_url(filed)).content.decode()
    assert "Voici une précision sur ma demande." in html
    assert "Votre message a été envoyé au service." in html


def test_an_empty_message_is_refused_and_nothing_is_stored(client, filed):
    client.post(LOOKUP, {"reference": filed.reference, "email": "lea.durand@exemple.fr"})
    url = reverse("service_requests:post_message", args=[filed.reference])
    response = client.post(url, {"body": "   "})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not Message.objects.exists()
    assert not filed.events.filter(kind=Event.Kind.MESSAGE).exists()


def test_a_message_without_proof_is_404(client, filed):
    url = reverse("service_requests:post_message", args=[filed.reference])
    assert client.post(url, {"body": "Bonjour"}).status_code == 404
    assert not Message.objects.exists()


def make_document(request, *, visible=True, name="accuse.pdf"):
    document = Document(
        request=request,
        kind=Document.Kind.RECEIPT,
        original_name=name,
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        visible_to_citizen=visible,
    )
    document.file.save(name, ContentFile(b"%PDF-1.7"), save=True)
    return document


def test_documents_are_served_only_through_the_proof(client, filed):
    visible = make_document(filed)
    internal = make_document(filed, visible=False, name="note.pdf")
    other = make_document(ServiceRequestFactory(), name="autre.pdf")
    url = lambda document: reverse(  # noqa: E731
        "service_requests:document", args=[filed.reference, document.pk]
    )
    assert client.get(url(visible)).status_code == 404  # no proof yet
    client.post(LOOKUP, {"reference": filed.reference, "email": "lea.durand@exemple.fr"})
    response = client.get(url(visible))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="accuse.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.7"
    assert client.get(url(internal)).status_code == 404
    assert client.get(url(other)).status_code == 404
    assert "accuse.pdf" in client.get(page_url(filed)).content.decode()


def test_the_page_query_count_does_not_grow_with_the_history(
    client, filed, django_assert_num_queries
):
    client.post(LOOKUP, {"reference": filed.reference, "email": "lea.durand@exemple.fr"})
    # The session, the request, its events, documents and messages (a message's files are
    # among the documents): the same before anybody wrote and after.
    with django_assert_num_queries(5):
        client.get(page_url(filed))
    MessageFactory(request=filed)
    with django_assert_num_queries(5):
        client.get(page_url(filed))
    for _ in range(20):
        EventFactory(request=filed, kind=Event.Kind.MESSAGE, visibility="citizen")
        MessageFactory(request=filed)
    make_document(filed)
    with django_assert_num_queries(5):
        client.get(page_url(filed))


def test_after_an_implicit_rejection_the_citizen_asks_for_the_reasons(client):
    rejected = ServiceRequestFactory(
        status=Status.REJECTED_IMPLICITLY,
        received_on=datetime.date(2025, 1, 10),
        decided_on=datetime.date(2025, 3, 11),
        contact_email="lea.durand@exemple.fr",
    )
    client.post(LOOKUP, {"reference": rejected.reference, "email": "lea.durand@exemple.fr"})
    assert "Demander les motifs" in client.get(page_url(rejected)).content.decode()

    url = reverse("service_requests:ask_reasons", args=[rejected.reference])
    response = client.post(url, follow=True)

    task = TeamTask.objects.get(request=rejected)
    assert task.kind == TeamTask.Kind.REASONS_REQUESTED
    html = response.content.decode()
    assert "le service vous communiquera les motifs au plus tard le" in html
    day = french_day(task.due_on)
    assert (
        "Vous avez demandé les motifs du refus implicite : le service vous les communiquera "
        f"au plus tard le {day}." in html
    )
    assert "Demander les motifs" not in html
    client.post(url)
    assert TeamTask.objects.filter(request=rejected).count() == 1


def test_reasons_are_refused_for_a_request_not_rejected_implicitly(client, filed):
    client.post(LOOKUP, {"reference": filed.reference, "email": "lea.durand@exemple.fr"})
    assert "Demander les motifs" not in client.get(page_url(filed)).content.decode()
    url = reverse("service_requests:ask_reasons", args=[filed.reference])
    response = client.post(url, follow=True)
    assert "qu&#x27;après un rejet implicite" in response.content.decode()
    assert not TeamTask.objects.exists()


def test_reasons_need_a_proof(client):
    rejected = ServiceRequestFactory(
        status=Status.REJECTED_IMPLICITLY,
        received_on=datetime.date(2025, 1, 10),
        decided_on=datetime.date(2025, 3, 11),
    )
    url = reverse("service_requests:ask_reasons", args=[rejected.reference])
    assert client.post(url).status_code == 404
    assert not TeamTask.objects.exists()


# --- The receipt download (made on the spot if the worker has not: test_receipt.py) ------------


def receipt_url(request):
    return reverse("service_requests:receipt", args=[request.reference])


def test_the_receipt_download_needs_a_proof(client, filed):
    assert client.get(receipt_url(filed)).status_code == 404
    other = ServiceRequestFactory(contact_email="lea.durand@exemple.fr")
    client.post(LOOKUP, {"reference": other.reference, "email": "lea.durand@exemple.fr"})
    assert client.get(receipt_url(filed)).status_code == 404
    assert not Document.objects.exists()  # nothing made for whoever asks


def test_a_receipt_made_already_is_served_as_it_is(client, filed, monkeypatch):
    from service_requests.services import receipts

    def no_render(*args, **kwargs):
        raise AssertionError("the receipt exists: nothing to render")

    monkeypatch.setattr(receipts, "render_pdf", no_render)
    receipt = make_document(filed)
    client.post(LOOKUP, {"reference": filed.reference, "email": "lea.durand@exemple.fr"})

    response = client.get(receipt_url(filed))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="accuse.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.7"
    assert list(filed.documents.all()) == [receipt]


def test_a_draft_has_no_receipt_to_download(client):
    user = UserFactory()
    draft = ServiceRequestFactory(status=Status.DRAFT, citizen=CitizenFactory(user=user))
    client.force_login(user)
    assert client.get(receipt_url(draft)).status_code == 404
    assert not Document.objects.exists()


def test_the_agents_messages_are_read_once_the_citizen_has_seen_the_page(client, filed):
    to_citizen = MessageFactory(request=filed, direction=Message.Direction.TO_CITIZEN)
    from_citizen = MessageFactory(request=filed, direction=Message.Direction.FROM_CITIZEN)
    client.post(LOOKUP, {"reference": filed.reference, "email": "lea.durand@exemple.fr"})
    to_citizen.refresh_from_db()
    assert to_citizen.read_at is None  # the lookup only redirects

    assert client.get(page_url(filed)).status_code == 200

    to_citizen.refresh_from_db()
    from_citizen.refresh_from_db()
    assert to_citizen.read_at is not None
    assert from_citizen.read_at is None  # the citizen's own words are the agents' to read
    first_read = to_citizen.read_at
    client.get(page_url(filed))
    to_citizen.refresh_from_db()
    assert to_citizen.read_at == first_read


def test_a_refused_post_does_not_mark_messages_read(client, filed):
    to_citizen = MessageFactory(request=filed, direction=Message.Direction.TO_CITIZEN)
    client.post(LOOKUP, {"reference": filed.reference, "email": "lea.durand@exemple.fr"})
    url = reverse("service_requests:post_message", args=[filed.reference])
    assert client.post(url, {"body": ""}).status_code == 400
    to_citizen.refresh_from_db()
    assert to_citizen.read_at is None
