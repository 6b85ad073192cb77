"""« Mon espace » reads in SQL (citizen_space: REQUESTS_SQL and the others) what the actions
find through querysets (joining a request, discarding a draft): both must select the same
rows, scoped to the signed-in citizen, whatever else the database holds."""

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from service_requests import citizen_space
from service_requests.models import Document, Message, Status
from tests.factories import CitizenFactory, MessageFactory, ServiceRequestFactory, UserFactory
from tests.service_requests.test_account import draft_of, make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowded():
    """A citizen's requests, drafts, messages and documents among another citizen's, anonymous
    requests filed with a verified, an unverified or a stranger's address, and a draft."""
    user = UserFactory(email="helene@exemple.fr")
    citizen = CitizenFactory(user=user)
    other = CitizenFactory(user=UserFactory(email="bruno@exemple.fr"))
    EmailAddress.objects.create(user=user, email="Helene@Exemple.fr", verified=True)
    EmailAddress.objects.create(user=user, email="vieille@exemple.fr", verified=False)
    for owner in (citizen, other):
        for status in (Status.SUBMITTED, Status.REJECTED, Status.CLOSED):
            decided = timezone.localdate() if status == Status.REJECTED else None
            filed = ServiceRequestFactory(citizen=owner, status=status, decided_on=decided)
            MessageFactory(request=filed, direction=Message.Direction.TO_CITIZEN)
            MessageFactory(request=filed, direction=Message.Direction.FROM_CITIZEN)
            make_document(filed)
            make_document(filed, kind=Document.Kind.DECISION, name="decision.pdf")
            make_document(filed, kind=Document.Kind.UPLOAD, name="photo.pdf")
            make_document(filed, kind=Document.Kind.LETTER, name="cache.pdf", visible=False)
        draft = draft_of(owner)
        MessageFactory(request=draft, direction=Message.Direction.TO_CITIZEN)
    for email in ("helene@exemple.fr", "vieille@exemple.fr", "bruno@exemple.fr"):
        ServiceRequestFactory(contact_email=email)
    ServiceRequestFactory(contact_email="HELENE@exemple.fr", citizen=other)  # joined already
    ServiceRequestFactory(contact_email="helene@exemple.fr", status=Status.DRAFT)
    return user, citizen


def references(rows) -> list[str]:
    return [row.reference if hasattr(row, "reference") else row["reference"] for row in rows]


def test_the_requests_are_the_citizens_filed_ones(crowded):
    user, citizen = crowded
    page = citizen_space.request_rows_page(user, 1)
    expected = list(citizen_space.citizen_requests(citizen).values_list("reference", flat=True))
    assert references(page) == expected and len(expected) == 3
    assert page.paginator.count == 3


def test_the_drafts_are_the_citizens(crowded):
    user, citizen = crowded
    expected = list(citizen_space.citizen_drafts(citizen).values_list("reference", flat=True))
    drafts = citizen_space.account_dashboard(user, 1).drafts
    assert references(drafts) == expected and len(expected) == 1
    assert drafts[0]["expires_on"] > drafts[0]["updated_at"].date()


def test_the_requests_offered_are_those_the_verified_address_proves(crowded):
    user, _ = crowded
    expected = citizen_space.requests_claimable_by_email(user).values_list("reference", flat=True)
    rows = citizen_space.account_dashboard(user, 1).claimable
    assert references(rows) == list(expected) and len(rows) == 1
    assert rows[0]["contact_email"] == "helene@exemple.fr"


def test_the_messages_are_the_services_to_the_citizen_on_filed_requests(crowded):
    user, citizen = crowded
    rows = citizen_space.account_dashboard(user, 1).messages  # 3, under the 5 shown
    expected = Message.objects.filter(
        request__citizen=citizen, direction=Message.Direction.TO_CITIZEN
    ).exclude(request__status=Status.DRAFT)
    assert sorted(row["id"] for row in rows) == sorted(expected.values_list("pk", flat=True))
    assert len(rows) == 3


def test_the_documents_are_those_issued_and_shown_to_the_citizen(crowded):
    user, citizen = crowded
    page = citizen_space.document_rows_page(user, 1)
    expected = Document.objects.filter(
        request__citizen=citizen,
        visible_to_citizen=True,
        kind__in=citizen_space.ISSUED_DOCUMENT_KINDS,
    ).exclude(request__status=Status.DRAFT)
    assert sorted(row["id"] for row in page) == sorted(expected.values_list("pk", flat=True))
    assert page.paginator.count == 6  # a receipt and a decision for each of 3 requests
    assert {row["kind_label"] for row in page} == {"Accusé de réception", "Décision"}


def test_a_user_without_a_citizen_record_has_an_empty_space():
    user = UserFactory()
    ServiceRequestFactory(citizen=CitizenFactory())  # somebody's
    assert list(citizen_space.request_rows_page(user, 1)) == []
    space = citizen_space.account_dashboard(user, 1)
    assert space.drafts == space.messages == space.claimable == []
    assert list(citizen_space.document_rows_page(user, 1)) == []
