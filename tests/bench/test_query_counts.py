"""Every benchmarked page (bench/pages.py) issues as many SQL queries on a larger dataset as on
a small one: its query count does not grow with the data. A page added to the registry is
covered here with nothing else to write; a page whose URL does not resolve yet is skipped."""

import hashlib
import random

import pytest
from django.test import Client

from bench import pages as registry
from citizens.models import Citizen
from demo.loader import load_demo
from forms_builder.models import FormVersion, Procedure
from service_requests.models import Document, Event, Interaction, Message, ServiceRequest, Status
from tests.factories import (
    CitizenFactory,
    EventFactory,
    FormVersionFactory,
    InteractionFactory,
    MessageFactory,
    ProcedureFactory,
    ServiceRequestFactory,
)

GROWTH = 200  # citizens, requests, interactions added to the demo data
PER_REQUEST = 5  # events, messages and documents added to each demo request
OPEN = [Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_CITIZEN, Status.CLOSED]


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DEBUG = True  # load_demo refuses otherwise
    load_demo()
    settings.DEBUG = False


def grow() -> None:
    """Many more rows of every kind a page may list or count: procedures in the catalogue
    (published and not), citizens and their requests, and a longer history for each request
    already there (the ones the pages were measured on)."""
    existing = list(ServiceRequest.objects.all())
    versions = list(FormVersion.objects.all())
    categories = list(Procedure.objects.values_list("category", flat=True).distinct())
    procedures = [
        ProcedureFactory(category=categories[i % len(categories)], is_published=i % 4 != 0)
        for i in range(30)
    ]
    versions += [FormVersionFactory(procedure=procedure) for procedure in procedures]
    citizens = Citizen.objects.bulk_create(CitizenFactory.build_batch(GROWTH))
    requests = ServiceRequest.objects.bulk_create(
        ServiceRequestFactory.build(
            form_version=version,
            procedure=version.procedure,
            team=version.procedure.default_team,
            citizen=citizen,
            status=OPEN[i % len(OPEN)],
        )
        for i, (citizen, version) in enumerate(
            zip(citizens, versions * (GROWTH // len(versions) + 1), strict=False)
        )
    )
    # More requests for the citizens with an account: their space (/compte/) lists them.
    account_holders = list(Citizen.objects.filter(user__isnull=False))
    requests += ServiceRequest.objects.bulk_create(
        ServiceRequestFactory.build(
            form_version=versions[i % len(versions)],
            procedure=versions[i % len(versions)].procedure,
            citizen=citizen,
            status=OPEN[i % len(OPEN)],
        )
        for citizen in account_holders
        for i in range(20)
    )
    Interaction.objects.bulk_create(
        InteractionFactory.build(citizen=citizen, request=request)
        for citizen, request in zip(citizens, requests, strict=False)
    )
    histories = existing + requests
    Event.objects.bulk_create(
        EventFactory.build(request=request, visibility=Event.Visibility.CITIZEN)
        for request in histories
        for _ in range(PER_REQUEST)
    )
    messages = Message.objects.bulk_create(
        MessageFactory.build(request=request) for request in existing for _ in range(PER_REQUEST)
    )
    Document.objects.bulk_create(
        _document(message.request, message=message if i % 2 else None)
        for i, message in enumerate(messages)
    )


def _document(request: ServiceRequest, *, message: Message | None) -> Document:
    content = f"pièce {request.pk} {message.pk if message else ''}".encode()
    return Document(
        request=request,
        message=message,
        file=f"documents/bench/{request.pk}.pdf",
        original_name="justificatif.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def visitor(page: registry.Page) -> tuple[Client, registry.Target]:
    client = Client(enforce_csrf_checks=True)
    return client, registry.locate(page, random.Random(0), client)


@pytest.mark.django_db
@pytest.mark.parametrize("page", registry.PAGES, ids=lambda page: page.name)
def test_query_count_does_not_grow_with_the_data(page, demo):
    client, target = visitor(page)
    if target.absent:
        pytest.skip(f"{page.name} is absent: {target.absent}")
    path = target.paths[0]
    small = registry.count_queries(page, client, path)

    grow()
    large = registry.count_queries(page, client, path)

    assert large == small, (
        f"{page.name} ({page.method} {path}): {small} queries on the demo data, "
        f"{large} with {GROWTH} more citizens and requests and longer histories"
    )


@pytest.mark.django_db
def test_the_growth_reaches_the_pages_measured(demo):
    """The larger dataset is larger where the pages read: more of everything, and a longer
    history for the requests the tracking page shows."""
    before = {model: model.objects.count() for model in (Procedure, Citizen, ServiceRequest)}
    demo_request = ServiceRequest.objects.order_by("pk").first()
    events_before = demo_request.events.count()

    grow()

    for model, count in before.items():
        assert model.objects.count() > count
    assert demo_request.events.count() == events_before + PER_REQUEST
    assert demo_request.messages.count() >= PER_REQUEST
