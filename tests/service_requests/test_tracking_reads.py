"""A request's page reads it in SQL (tracking.PAGE_SQL) where the other views filter
`granted_requests`: both say alike who may see which request (a matrix), and the page's
request is the row the ORM reads."""

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore

from service_requests import tracking
from service_requests.models import ServiceRequest, Status
from tests.factories import CitizenFactory, ServiceRequestFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def seen_by_page(session, user, request) -> bool:
    return tracking.page_request(session, user, request.reference) is not None


def seen_by_queryset(session, user, request) -> bool:
    granted = tracking.granted_requests(session, user)
    return granted.filter(reference=request.reference).exists()


@pytest.fixture
def world():
    owner = CitizenFactory(user=UserFactory())
    stranger = CitizenFactory(user=UserFactory())
    requests = {
        "anonymous": ServiceRequestFactory(),
        "owned": ServiceRequestFactory(citizen=owner),
        "strangers": ServiceRequestFactory(citizen=stranger),
        "owned draft": ServiceRequestFactory(
            citizen=owner, status=Status.DRAFT, received_on=None, submitted_at=None
        ),
        "granted draft": ServiceRequestFactory(
            status=Status.DRAFT, received_on=None, submitted_at=None
        ),
    }
    return owner.user, stranger.user, requests


@pytest.mark.parametrize("grant", ["none", "fresh", "stale"])
@pytest.mark.parametrize("who", ["anonymous", "owner", "stranger"])
@pytest.mark.parametrize(
    "which", ["anonymous", "owned", "strangers", "owned draft", "granted draft"]
)
def test_the_page_and_the_queryset_agree_on_who_sees_what(world, grant, who, which):
    owner, stranger, requests = world
    user = {"anonymous": AnonymousUser(), "owner": owner, "stranger": stranger}[who]
    request = requests[which]
    session = SessionStore()
    if grant != "none":
        tracking.grant(session, request)
    if grant == "stale":
        granted = session[tracking.SESSION_KEY]
        granted[str(request.pk)] = time.time() - tracking.GRANT_SECONDS - 1
        session[tracking.SESSION_KEY] = granted
    expected = seen_by_queryset(session, user, request)
    assert seen_by_page(session, user, request) == expected
    # Spelled out: a draft is nobody's to track; a filed request is seen with a fresh grant,
    # or by its own citizen.
    own = (who, which) in {("owner", "owned"), ("stranger", "strangers")}
    assert expected == (not which.endswith("draft") and (grant == "fresh" or own))


def test_the_page_reads_the_row_as_the_orm_does(world):
    owner, _, requests = world
    request = requests["owned"]
    request.team = TeamFactory(name="Voirie", phone="01 02 03 04 05")
    request.data = {"adresse": "1 rue de la Paix", "photos": []}
    request.save()
    read = tracking.page_request(SessionStore(), owner, request.reference)
    expected = ServiceRequest.objects.get(pk=request.pk)
    for field in ServiceRequest._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert read.procedure.title == expected.procedure.title
    assert read.form_version.schema == expected.form_version.schema
    assert (read.team.name, read.team.phone) == ("Voirie", "01 02 03 04 05")
    assert (read.reasons_asked, read.satisfaction_given, read.pieces_asked) == (False,) * 3
