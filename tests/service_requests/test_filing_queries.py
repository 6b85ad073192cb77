"""What a filing costs the database: the submission POST of an anonymous citizen (the contact
step) and of a signed-in citizen (the review page) issue a fixed, small number of SQL queries,
whatever the citizen's history, with and without files.

Counted as production runs them: each request in autocommit mode (`transaction=True`), so
that a transaction is one BEGIN…COMMIT and not a savepoint of the test's own transaction.
The bench (`bench/README.md`) counts them the same way."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from service_requests import drafts
from service_requests.drafts import REVIEW, Filing
from service_requests.models import Document, Event, ServiceRequest, Status
from service_requests.services.filing import draft_save, upload_store
from tests.factories import (
    CitizenFactory,
    EventFactory,
    FormVersionFactory,
    ProcedureFactory,
    ServiceRequestFactory,
    UserFactory,
)
from tests.service_requests.test_submit import jpeg_upload

pytestmark = pytest.mark.django_db(transaction=True)

# The budget for a filing (issue 12, item 13), BEGIN and COMMIT included: the receipt's
# outbox row written in the filing's transaction (issue 13, item 4) fits in it, and so does the
# webhooks' read of the subscribed event kinds when its cache is cold (11 when warm).
MAX_FILING_QUERIES = 12
# A signed-in citizen's filing also reads their account (the session's user) and locks their
# record (a record merged meanwhile takes no request), and checks the key the review page
# posted against filed requests (their session does not hold it: their draft does).
MAX_SIGNED_IN_FILING_QUERIES = 15

SCHEMA = {
    "version": 1,
    "pages": [
        {
            "id": "probleme",
            "title": "Le problème",
            "fields": [
                {"id": "description", "type": "textarea", "label": "Décrivez le problème"},
                {
                    "id": "photo",
                    "type": "file",
                    "label": "Photos",
                    "required": False,
                    "accept": ["jpeg"],
                    "max_files": 3,
                },
            ],
        }
    ],
}


@pytest.fixture
def version():
    procedure = ProcedureFactory(slug="signaler-un-probleme", identification="none")
    return FormVersionFactory(procedure=procedure, schema=SCHEMA)


def answers(photos: int = 0) -> dict:
    from forms_builder.uploads import validate_upload

    stored = [
        upload_store(
            validate_upload(jpeg_upload(f"photo {i}.jpg"), accept=["jpeg"], max_size_mb=10)
        )
        for i in range(photos)
    ]
    return {"description": "Un trou profond devant le numéro 12.", "photo": stored}


def counted(client: Client, path: str, data: dict) -> tuple[int, list[str], object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, data)
    return len(queries), [q["sql"][:160] for q in queries], response


def anonymous_filing(version, photos: int) -> tuple[int, list[str]]:
    """The contact step's POST of an anonymous citizen whose answers wait in the session."""
    client = Client()
    session = client.session
    key = drafts.new_idempotency_key()
    found = Filing(
        procedure=version.procedure,
        version=version,
        answers=answers(photos),
        page=REVIEW,
        idempotency_key=key,
    )
    drafts.session_store(session, found)
    session.save()
    client.cookies["sessionid"] = session.session_key
    path = reverse("service_requests:filing_contact", args=[version.procedure.slug])
    email = "lea.durand@exemple.fr"
    count, sql, response = counted(
        client,
        path,
        {"email": email, "email_confirmation": email, "name": "Léa Durand", "idempotency_key": key},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "/confirmation/" in response["Location"]
    return count, sql


def signed_in_filing(version, user, photos: int) -> tuple[int, list[str]]:
    """The review page's POST of a signed-in citizen whose answers are their draft."""
    client = Client()
    client.force_login(user)
    key = drafts.new_idempotency_key()
    draft = draft_save(
        user=user,
        procedure=version.procedure,
        version=version,
        answers=answers(photos),
        idempotency_key=key,
    )
    session = client.session
    drafts.session_store_page(session, Filing(version.procedure, version, {}, page=REVIEW))
    session.save()
    client.get(reverse("service_requests:filing_review", args=[version.procedure.slug]))
    path = reverse("service_requests:filing_review", args=[version.procedure.slug])
    count, sql, response = counted(client, path, {"idempotency_key": key})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "/confirmation/" in response["Location"]
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    return count, sql


def test_an_anonymous_filing_writes_the_request_in_a_few_queries(version):
    count, sql = anonymous_filing(version, photos=0)

    request = ServiceRequest.objects.get()
    assert request.status == Status.SUBMITTED and request.contact_email == "lea.durand@exemple.fr"
    assert sorted(request.events.values_list("kind", flat=True)) == sorted(
        [Event.Kind.SUBMITTED, Event.Kind.ROUTED]
    )
    assert request.history.count() == 1  # one snapshot of what was filed
    assert count <= MAX_FILING_QUERIES, "\n".join(sql)


def test_files_cost_one_query_whatever_their_number(version):
    one, _sql = anonymous_filing(version, photos=1)
    three, sql = anonymous_filing(version, photos=3)

    assert three == one, "\n".join(sql)
    # The documents' INSERT, and the answers' UPDATE with their ids once they have them.
    assert three <= MAX_FILING_QUERIES + 1, "\n".join(sql)
    request = ServiceRequest.objects.order_by("-pk").first()
    documents = list(request.documents.filter(kind=Document.Kind.UPLOAD).order_by("pk"))
    assert [d.original_name for d in documents] == ["photo 0.jpg", "photo 1.jpg", "photo 2.jpg"]
    assert [d["document"] for d in request.data["photo"]] == [d.pk for d in documents]
    assert request.history.latest().data["photo"][0]["document"] == documents[0].pk


def test_a_signed_in_filing_costs_the_same_whatever_the_citizen_history(version):
    user = UserFactory()
    citizen = CitizenFactory(user=user)
    first, _sql = signed_in_filing(version, user, photos=0)

    for earlier in ServiceRequestFactory.create_batch(
        30, citizen=citizen, form_version=version, status=Status.IN_REVIEW
    ):
        EventFactory.create_batch(3, request=earlier)
    later, sql = signed_in_filing(version, user, photos=0)

    assert later == first, "\n".join(sql)
    assert later <= MAX_SIGNED_IN_FILING_QUERIES, "\n".join(sql)
