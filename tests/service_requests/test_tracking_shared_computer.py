"""A shared computer (issue 13, item 7): a citizen opens their secret link and leaves; the next
person on the same browser must not open the request (page, messages, downloads). Grants last
30 minutes, are dropped when anyone signs in or out, and an anonymous session holding one ends
with the browser."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from tests.factories import ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
PASSWORD = "mot-de-passe-de-test"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def filed():
    return ServiceRequestFactory(contact_email="visiteur@exemple.fr")


def open_link(client, request):
    url = reverse("service_requests:secret_link", args=[request.reference, request.tracking_token])
    return client.get(url)


def page(client, request):
    return client.get(reverse("service_requests:tracking", args=[request.reference]))


def refused(response) -> bool:
    """Not shown: sent to the lookup form, where the reference and email are asked again."""
    return response.status_code == 302 and response["Location"] == reverse(
        "service_requests:lookup"
    )


def test_a_grant_lasts_thirty_minutes(client, filed):
    with time_machine.travel(START, tick=False) as clock:
        open_link(client, filed)
        clock.shift(datetime.timedelta(minutes=29))
        assert page(client, filed).status_code == 200
        clock.shift(datetime.timedelta(minutes=2))
        assert refused(page(client, filed))
        open_link(client, filed)  # the link again: another half hour
        assert page(client, filed).status_code == 200


def test_the_next_person_who_signs_in_does_not_inherit_the_grant(client, filed):
    from allauth.account.models import EmailAddress

    open_link(client, filed)
    assert page(client, filed).status_code == 200
    next_person = UserFactory(email="suivant@exemple.fr")
    EmailAddress.objects.create(
        user=next_person, email=next_person.email, verified=True, primary=True
    )
    response = client.post(
        reverse("account_login"), {"login": next_person.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert refused(page(client, filed))


def test_signing_out_drops_the_grant(client, filed):
    client.force_login(UserFactory())
    open_link(client, filed)
    assert page(client, filed).status_code == 200
    client.post(reverse("account_logout"))
    assert refused(page(client, filed))


def test_an_anonymous_session_holding_a_grant_ends_with_the_browser(client, filed):
    response = open_link(client, filed)
    cookie = response.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie


def test_a_signed_in_citizens_session_keeps_its_lifetime(client, filed):
    client.force_login(UserFactory())
    response = open_link(client, filed)
    assert response.cookies["sessionid"]["max-age"]
