"""The citizen withdraws an open request from its tracking page, after a confirmation: it is
« Retirée », no decision can arise from it, and the team is told by email."""

import pytest
from django.core import mail
from django.urls import reverse

from service_requests import tracking
from service_requests.models import Event, PublicStatus, Status
from tests.factories import ServiceRequestFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def granted(client, request):
    session = client.session
    tracking.grant(session, request)
    session.save()


def test_the_citizen_withdraws_after_a_confirmation_and_the_team_is_told(
    client, eager_celery, django_capture_on_commit_callbacks
):
    team = TeamFactory(email="voirie@ville-demo.invalid")
    request = ServiceRequestFactory(team=team, status=Status.IN_REVIEW)
    granted(client, request)
    page = client.get(reverse("service_requests:tracking", args=[request.reference]))
    url = reverse("service_requests:withdraw", args=[request.reference])
    assert f'href="{url}"' in page.content.decode()
    confirm = client.get(url)
    assert "Confirmer le retrait" in confirm.content.decode()
    request.refresh_from_db()
    assert request.status == Status.IN_REVIEW  # nothing happens before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Réglé avec le voisin."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.public_status) == (Status.WITHDRAWN, PublicStatus.WITHDRAWN)
    event = request.events.get(kind=Event.Kind.WITHDRAWN)
    assert event.payload == {
        "from": "in_review",
        "to": "withdrawn",
        "reason": "Réglé avec le voisin.",
        "by": "citizen",
    }
    (email,) = [m for m in mail.outbox if m.to == ["voirie@ville-demo.invalid"]]
    assert request.reference in email.subject
    assert "Réglé avec le voisin." in email.body
    page = client.get(reverse("service_requests:tracking", args=[request.reference]))
    assert "Vous avez retiré votre demande le" in page.content.decode()
    assert f'href="{url}"' not in page.content.decode()


def test_a_decided_request_cannot_be_withdrawn(client):
    request = ServiceRequestFactory(
        status=Status.ACCEPTED, decided_on=ServiceRequestFactory.received_on.function()
    )
    granted(client, request)
    url = reverse("service_requests:withdraw", args=[request.reference])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "ne peut plus être retirée" in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED


def test_a_too_long_reason_is_refused_next_to_its_field(client):
    request = ServiceRequestFactory()
    granted(client, request)
    url = reverse("service_requests:withdraw", args=[request.reference])
    response = client.post(url, {"reason": "x" * 1001})
    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED


def test_someone_without_the_link_gets_a_404(client):
    request = ServiceRequestFactory()
    client.force_login(UserFactory())
    url = reverse("service_requests:withdraw", args=[request.reference])
    assert client.post(url, {"reason": ""}).status_code == 404
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED
