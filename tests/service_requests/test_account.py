"""The signed-in citizen's space at /compte/: their requests of every channel, drafts, the
agents' messages and the documents issued to them; who may see what (a permission matrix);
a query count that does not grow with the citizen's requests."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from service_requests.models import Document, Message, ServiceRequest, Status
from tests.factories import (
    CitizenFactory,
    FormVersionFactory,
    MessageFactory,
    ServiceRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOME = reverse("account_home")
DOCUMENTS = reverse("account_space:documents")


def html_of(response) -> str:
    return response.content.decode()


def make_document(request, *, kind=Document.Kind.RECEIPT, name="accuse.pdf", visible=True):
    document = Document(
        request=request,
        kind=kind,
        original_name=name,
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        visible_to_citizen=visible,
    )
    document.file.save(name, ContentFile(b"%PDF-1.7"), save=True)
    return document


@pytest.fixture
def citizen(client):
    user = UserFactory(email="helene@exemple.fr")
    citizen = CitizenFactory(user=user, given_names="Hélène", family_name="Garnier")
    client.force_login(user)
    return citizen


@pytest.fixture
def other_citizen():
    return CitizenFactory(user=UserFactory(email="bruno@exemple.fr"))


def discard_url(draft):
    return reverse("account_space:discard_draft", args=[draft.reference])


def draft_of(citizen, **kwargs):
    return ServiceRequestFactory(
        citizen=citizen,
        status=Status.DRAFT,
        received_on=None,
        submitted_at=None,
        contact_email="",
        idempotency_key=None,
        **kwargs,
    )


# --- Permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [HOME, DOCUMENTS, reverse("citizens:profile")])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_anonymous_posts_change_nothing(client, other_citizen):
    draft = draft_of(other_citizen)
    response = client.post(discard_url(draft))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert ServiceRequest.objects.filter(pk=draft.pk).exists()


def test_a_citizen_sees_only_their_own_requests_drafts_messages_and_documents(
    client, citizen, other_citizen
):
    mine = ServiceRequestFactory(citizen=citizen, contact_email="")
    theirs = ServiceRequestFactory(citizen=other_citizen, contact_email="")
    draft_of(other_citizen, form_version=FormVersionFactory(procedure__title="Permis de louer"))
    MessageFactory(request=theirs, direction=Message.Direction.TO_CITIZEN, body="Secret de B")
    make_document(theirs, name="decision-de-b.pdf", kind=Document.Kind.DECISION)

    page = html_of(client.get(HOME))

    assert mine.reference in page
    assert theirs.reference not in page
    assert "Permis de louer" not in page
    assert "Secret de B" not in page
    assert "decision-de-b.pdf" not in page
    assert "decision-de-b.pdf" not in html_of(client.get(DOCUMENTS))


def test_another_citizens_request_page_draft_and_document_are_out_of_reach(
    client, citizen, other_citizen
):
    theirs = ServiceRequestFactory(citizen=other_citizen, contact_email="")
    document = make_document(theirs)
    draft = draft_of(other_citizen)

    # The tracking page asks for a proof (its answer whether the request exists or not).
    tracking = client.get(reverse("service_requests:tracking", args=[theirs.reference]))
    assert tracking.status_code == 302
    assert tracking["Location"] == reverse("service_requests:lookup")
    download = reverse("service_requests:document", args=[theirs.reference, document.pk])
    assert client.get(download).status_code == 404
    assert client.post(discard_url(draft)).status_code == 404
    assert ServiceRequest.objects.filter(pk=draft.pk).exists()


def test_the_owner_opens_the_tracking_page_and_documents_without_the_secret(client, citizen):
    mine = ServiceRequestFactory(citizen=citizen, contact_email="", channel="counter")
    document = make_document(mine, kind=Document.Kind.DECISION, name="decision.pdf")
    response = client.get(reverse("service_requests:tracking", args=[mine.reference]))
    assert response.status_code == 200
    assert mine.reference in html_of(response)
    download = client.get(reverse("service_requests:document", args=[mine.reference, document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7"


# --- The requests --------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["web", "counter", "phone", "email", "mail"])
def test_requests_of_every_channel_are_listed(client, citizen, channel):
    filed = ServiceRequestFactory(
        citizen=citizen,
        channel=channel,
        contact_email="",
        filed_by=UserFactory() if channel != "web" else None,
        form_version=FormVersionFactory(procedure__title="Inscription à la cantine"),
    )
    page = html_of(client.get(HOME))
    assert filed.reference in page
    assert "Inscription à la cantine" in page
    assert filed.get_channel_display() in page
    assert reverse("service_requests:tracking", args=[filed.reference]) in page


@pytest.mark.parametrize(
    ("status", "label", "tone"),
    [
        (Status.SUBMITTED, "Reçue", "info"),
        (Status.IN_REVIEW, "En cours", "info"),
        (Status.AWAITING_CITIZEN, "À compléter", "warning"),
        (Status.REJECTED, "Refusée", "error"),
    ],
)
def test_each_request_shows_its_status_in_plain_french(client, citizen, status, label, tone):
    decided = status == Status.REJECTED
    ServiceRequestFactory(
        citizen=citizen,
        status=status,
        decided_on=timezone.localdate() if decided else None,
    )
    page = html_of(client.get(HOME))
    assert f'<span class="badge badge--{tone}">{label}</span>' in page


def test_the_requests_are_paginated(client, citizen):
    for _ in range(21):
        ServiceRequestFactory(citizen=citizen)
    oldest = ServiceRequest.objects.order_by("created_at", "id").first()
    first = html_of(client.get(HOME))
    assert "21 demandes" in first
    assert "Page 1 sur 2" in first
    assert oldest.reference not in first
    second = html_of(client.get(HOME, {"page": 2}))
    assert oldest.reference in second
    assert "Page précédente" in second
    # Past the end: the last page; not a number: the first.
    beyond = html_of(client.get(HOME, {"page": 9}))
    assert oldest.reference in beyond and "Page 2 sur 2" in beyond
    assert "Page 1 sur 2" in html_of(client.get(HOME, {"page": "deux"}))


def test_a_user_without_a_citizen_record_gets_an_empty_space(client):
    client.force_login(UserFactory())
    response = client.get(HOME)
    assert response.status_code == 200
    assert "Vous n'avez pas encore de demande." in html_of(response)


# --- Drafts --------------------------------------------------------------------------------


def test_drafts_are_listed_with_their_expiry_and_can_be_resumed(client, citizen, settings):
    settings.GRU_DRAFT_LIFESPAN_DAYS = 90
    version = FormVersionFactory(procedure__title="Demande de subvention")
    draft = draft_of(citizen, form_version=version)
    saved = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    ServiceRequest.objects.filter(pk=draft.pk).update(updated_at=saved)

    page = html_of(client.get(HOME))

    assert "Demande de subvention" in page
    assert "supprimée le 31 mai 2026" in page  # 2 March + 90 days
    resume = reverse("service_requests:filing_start", args=[version.procedure.slug])
    assert f'href="{resume}"' in page
    assert draft.reference not in page.split('id="requests-title"')[1]  # not a filed request


def test_a_citizen_deletes_their_draft(client, citizen):
    draft = draft_of(citizen)
    ServiceRequest.history.filter(id=draft.pk).exists()
    response = client.post(discard_url(draft))
    assert response.status_code == 302
    assert not ServiceRequest.objects.filter(pk=draft.pk).exists()
    assert not ServiceRequest.history.filter(id=draft.pk).exists()
    assert "a été supprimé" in html_of(client.get(response["Location"]))


def test_a_filed_request_is_not_deleted_as_a_draft(client, citizen):
    filed = ServiceRequestFactory(citizen=citizen)
    assert client.post(discard_url(filed)).status_code == 404
    assert ServiceRequest.objects.filter(pk=filed.pk).exists()


def test_deleting_a_draft_takes_a_post(client, citizen):
    draft = draft_of(citizen)
    assert client.get(discard_url(draft)).status_code == 405
    assert ServiceRequest.objects.filter(pk=draft.pk).exists()


# --- Messages and documents ----------------------------------------------------------------


def test_agents_messages_are_listed_unread_first(client, citizen):
    filed = ServiceRequestFactory(citizen=citizen)
    MessageFactory(
        request=filed,
        direction=Message.Direction.TO_CITIZEN,
        body="Message déjà lu",
        read_at=timezone.now(),
    )
    MessageFactory(request=filed, direction=Message.Direction.TO_CITIZEN, body="Message non lu")
    MessageFactory(request=filed, direction=Message.Direction.FROM_CITIZEN, body="Ma question")
    page = html_of(client.get(HOME))
    assert page.index("Message non lu") < page.index("Message déjà lu")
    assert "Non lu" in page
    assert "Ma question" not in page  # the citizen's own messages are in the request's page


def test_issued_documents_are_downloadable_from_the_space(client, citizen):
    filed = ServiceRequestFactory(citizen=citizen)
    receipt = make_document(filed, name="accuse-de-reception.pdf")
    decision = make_document(filed, kind=Document.Kind.DECISION, name="decision.pdf")
    attestation = make_document(filed, kind=Document.Kind.ATTESTATION, name="attestation.pdf")
    make_document(filed, kind=Document.Kind.UPLOAD, name="ma-piece.pdf")
    make_document(filed, kind=Document.Kind.LETTER, name="interne.pdf", visible=False)

    page = html_of(client.get(HOME))

    for document in (receipt, decision, attestation):
        url = reverse("service_requests:document", args=[filed.reference, document.pk])
        assert f'href="{url}"' in page
        assert client.get(url).status_code == 200
    assert "ma-piece.pdf" not in page
    assert "interne.pdf" not in page


def test_every_document_is_on_the_documents_page(client, citizen):
    filed = ServiceRequestFactory(citizen=citizen)
    for number in range(7):
        make_document(filed, name=f"courrier-{number}.pdf", kind=Document.Kind.LETTER)
    home = html_of(client.get(HOME))
    assert "courrier-0.pdf" not in home  # the five latest only
    assert DOCUMENTS in home
    page = html_of(client.get(DOCUMENTS))
    assert all(f"courrier-{number}.pdf" in page for number in range(7))


# --- Query count ---------------------------------------------------------------------------

# Queries of the session and of the middlewares (allauth's user sessions, the agents' session
# rules): not the page's, and owned elsewhere.
MACHINERY = ("django_session", "usersessions_", '"gru_user"', "gru_membership", "SAVEPOINT")


def _fill(citizen, count: int) -> None:
    for _ in range(count):
        filed = ServiceRequestFactory(citizen=citizen)
        MessageFactory(request=filed, direction=Message.Direction.TO_CITIZEN)
        make_document(filed)
        draft_of(citizen)
        ServiceRequestFactory(contact_email="helene@exemple.fr")  # offered to join


def test_the_space_query_count_does_not_grow_with_the_requests(
    client, citizen, django_assert_num_queries
):
    EmailAddress.objects.create(
        user=citizen.user, email="helene@exemple.fr", verified=True, primary=True
    )
    _fill(citizen, 2)
    client.get(HOME)  # warm what is read once per process
    with CaptureQueriesContext(connection) as few:
        assert client.get(HOME).status_code == 200
    page_queries = [
        query["sql"]
        for query in few.captured_queries
        if not any(word in query["sql"] for word in MACHINERY)
    ]
    # The requests (a page and, in the same query, how many), the drafts, the messages, the
    # documents, and the requests the verified emails would prove (with them); each finds the
    # citizen record in a subquery.
    assert len(page_queries) == 5, "\n".join(page_queries)
    _fill(citizen, 25)
    with django_assert_num_queries(len(few.captured_queries)):
        page = html_of(client.get(HOME))
    assert "Page 1 sur 2" in page
