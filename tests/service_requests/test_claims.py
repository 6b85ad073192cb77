"""Joining requests filed without an account to the signed-in citizen's account, only on proof:
the tracking secret opened in this browser session, or a verified email. An unverified email
(the one FranceConnect returns) is no proof; a request of another citizen is never taken."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse

from citizens.models import Citizen
from service_requests.models import Event, ServiceRequest, Status
from service_requests.services.claims import (
    PROOF_SECRET,
    PROOF_VERIFIED_EMAIL,
    request_link_to_account,
)
from service_requests.services.errors import TransitionRefused
from tests.factories import CitizenFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME = reverse("account_home")
OFFER = "Demandes déposées avec votre adresse"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def user(client):
    user = UserFactory(email="helene@exemple.fr")
    client.force_login(user)
    return user


@pytest.fixture
def citizen(user):
    return CitizenFactory(user=user, email="helene@exemple.fr")


def claim_url(request):
    return reverse("account_space:claim", args=[request.reference])


def secret_url(request):
    return reverse("service_requests:secret_link", args=[request.reference, request.tracking_token])


def tracking_url(request):
    return reverse("service_requests:tracking", args=[request.reference])


def verify(user, email, *, verified=True):
    return EmailAddress.objects.create(user=user, email=email, verified=verified, primary=False)


def html_of(response) -> str:
    return response.content.decode()


# --- By the secret link -------------------------------------------------------------------------


def test_the_secret_link_offers_to_join_and_joins_the_request(client, citizen):
    anonymous = ServiceRequestFactory(contact_email="autre-adresse@exemple.fr")
    client.get(secret_url(anonymous))
    page = html_of(client.get(tracking_url(anonymous)))
    assert "Rattacher cette demande à mon compte" in page
    assert f'action="{claim_url(anonymous)}"' in page

    response = client.post(claim_url(anonymous))

    assert response.status_code == 302
    assert response["Location"] == tracking_url(anonymous)
    anonymous.refresh_from_db()
    assert anonymous.citizen == citizen
    event = anonymous.events.get(kind=Event.Kind.LINKED_TO_ACCOUNT)
    assert event.visibility == Event.Visibility.CITIZEN
    assert event.actor == citizen.user
    assert event.payload["proof"] == PROOF_SECRET
    assert "est rattachée à votre compte" in html_of(client.get(response["Location"]))
    assert anonymous.reference in html_of(client.get(HOME))


def test_a_lookup_by_reference_and_email_is_no_proof(client, citizen):
    """Whoever knows a reference and the email typed at filing may read the request, not take
    it: its emails, decisions included, would then go to their account."""
    anonymous = ServiceRequestFactory(contact_email="victime@exemple.fr")
    lookup = client.post(
        reverse("service_requests:lookup"),
        {"reference": anonymous.reference, "email": "victime@exemple.fr"},
    )
    assert lookup.status_code == 302
    page = html_of(client.get(tracking_url(anonymous)))
    assert "Rattacher cette demande à mon compte" not in page

    assert client.post(claim_url(anonymous)).status_code == 404
    anonymous.refresh_from_db()
    assert anonymous.citizen is None
    assert not anonymous.events.filter(kind=Event.Kind.LINKED_TO_ACCOUNT).exists()


def test_a_secret_link_opened_long_before_signing_in_is_no_longer_proof(client, citizen):
    """On a shared computer, whoever signs in after the visitor who opened the link is not
    offered their request: the link proves ownership for half an hour."""
    anonymous = ServiceRequestFactory(contact_email="visiteur@exemple.fr")
    with time_machine.travel("2026-11-02 09:00 +0000", tick=False) as clock:
        client.get(secret_url(anonymous))
        clock.shift(datetime.timedelta(minutes=29))
        assert "Rattacher cette demande" in html_of(client.get(tracking_url(anonymous)))
        clock.shift(datetime.timedelta(minutes=2))
        # The grant itself has ended (issue 13, item 7): neither the page nor the joining.
        assert client.get(tracking_url(anonymous))["Location"] == reverse("service_requests:lookup")
        assert client.post(claim_url(anonymous)).status_code == 404
        # Opening the link again proves it again.
        client.get(secret_url(anonymous))
        assert client.post(claim_url(anonymous)).status_code == 302
    anonymous.refresh_from_db()
    assert anonymous.citizen == citizen


def test_a_second_click_finds_the_request_joined_already(client, citizen):
    anonymous = ServiceRequestFactory()
    client.get(secret_url(anonymous))
    client.post(claim_url(anonymous))
    response = client.post(claim_url(anonymous))
    assert response["Location"] == tracking_url(anonymous)
    assert "déjà rattachée à votre compte" in html_of(client.get(response["Location"]))
    assert anonymous.events.filter(kind=Event.Kind.LINKED_TO_ACCOUNT).count() == 1


def test_joining_makes_the_citizen_record_of_an_account_without_one(client, user):
    anonymous = ServiceRequestFactory()
    client.get(secret_url(anonymous))
    client.post(claim_url(anonymous))
    anonymous.refresh_from_db()
    assert anonymous.citizen == Citizen.objects.get(user=user)


def test_no_offer_to_join_for_an_anonymous_visitor_or_a_request_already_joined(client, citizen):
    anonymous = ServiceRequestFactory()
    mine = ServiceRequestFactory(citizen=citizen)
    client.get(secret_url(mine))
    assert "Rattacher cette demande" not in html_of(client.get(tracking_url(mine)))
    client.logout()
    client.get(secret_url(anonymous))
    assert "Rattacher cette demande" not in html_of(client.get(tracking_url(anonymous)))


def test_a_forged_post_for_another_reference_is_404(client, citizen):
    opened = ServiceRequestFactory()
    unproven = ServiceRequestFactory(contact_email="quelquun@exemple.fr")
    client.get(secret_url(opened))
    assert client.post(claim_url(unproven)).status_code == 404
    assert client.post(reverse("account_space:claim", args=["ZZZZ-ZZZZ"])).status_code == 404
    unproven.refresh_from_db()
    assert unproven.citizen is None
    assert not Event.objects.filter(kind=Event.Kind.LINKED_TO_ACCOUNT).exists()


def test_a_request_joined_to_another_citizen_is_never_taken(client, citizen):
    someone = CitizenFactory(user=UserFactory())
    theirs = ServiceRequestFactory(citizen=someone, contact_email="helene@exemple.fr")
    verify(citizen.user, "helene@exemple.fr")
    client.get(secret_url(theirs))  # even with its secret
    assert client.post(claim_url(theirs)).status_code == 404
    assert theirs.reference not in html_of(client.get(HOME))
    theirs.refresh_from_db()
    assert theirs.citizen == someone


def test_the_service_refuses_a_request_of_another_citizen(citizen):
    theirs = ServiceRequestFactory(citizen=CitizenFactory())
    with pytest.raises(TransitionRefused, match="déjà rattachée à un autre compte"):
        request_link_to_account(request=theirs, user=citizen.user, proof=PROOF_SECRET)
    theirs.refresh_from_db()
    assert theirs.citizen != citizen
    assert not theirs.events.exists()


def test_joining_twice_records_one_event(citizen):
    anonymous = ServiceRequestFactory()
    assert request_link_to_account(request=anonymous, user=citizen.user, proof=PROOF_SECRET)
    assert not request_link_to_account(request=anonymous, user=citizen.user, proof=PROOF_SECRET)
    assert anonymous.events.filter(kind=Event.Kind.LINKED_TO_ACCOUNT).count() == 1


def test_a_draft_is_not_joined(citizen):
    draft = ServiceRequestFactory(status=Status.DRAFT, received_on=None, submitted_at=None)
    with pytest.raises(TransitionRefused):
        request_link_to_account(request=draft, user=citizen.user, proof=PROOF_SECRET)


# --- By a verified email ------------------------------------------------------------------------


def test_requests_filed_with_a_verified_email_are_offered_and_joined(client, citizen):
    verify(citizen.user, "helene@exemple.fr")
    first = ServiceRequestFactory(contact_email="Helene@Exemple.fr")
    second = ServiceRequestFactory(contact_email="helene@exemple.fr")
    stranger = ServiceRequestFactory(contact_email="inconnu@exemple.fr")

    page = html_of(client.get(HOME))

    assert f"{OFFER} helene@exemple.fr" in page
    assert first.reference in page and second.reference in page
    assert stranger.reference not in page
    response = client.post(claim_url(first))
    assert response.status_code == 302
    assert response["Location"] == HOME
    first.refresh_from_db()
    assert first.citizen == citizen
    event = first.events.get(kind=Event.Kind.LINKED_TO_ACCOUNT)
    assert event.payload["proof"] == PROOF_VERIFIED_EMAIL
    second.refresh_from_db()
    assert second.citizen is None  # one at a time, each on the citizen's click


def test_an_unverified_email_is_no_proof(client, citizen):
    # The email FranceConnect returned is stored unverified: it proves nothing (LEGAL.md §3).
    verify(citizen.user, "helene@exemple.fr", verified=False)
    anonymous = ServiceRequestFactory(contact_email="helene@exemple.fr")

    page = html_of(client.get(HOME))

    assert OFFER not in page
    assert anonymous.reference not in page
    assert client.post(claim_url(anonymous)).status_code == 404
    anonymous.refresh_from_db()
    assert anonymous.citizen is None
    with pytest.raises(TransitionRefused):
        request_link_to_account(request=anonymous, user=citizen.user, proof=PROOF_VERIFIED_EMAIL)
    assert not anonymous.events.filter(kind=Event.Kind.LINKED_TO_ACCOUNT).exists()


def test_the_account_email_alone_is_no_proof(client, citizen):
    # The user's and the citizen record's email are helene@exemple.fr, with no verified row.
    anonymous = ServiceRequestFactory(contact_email="helene@exemple.fr")
    assert OFFER not in html_of(client.get(HOME))
    assert client.post(claim_url(anonymous)).status_code == 404


def test_another_users_verified_email_is_no_proof(client, citizen):
    verify(UserFactory(), "helene.bis@exemple.fr")
    anonymous = ServiceRequestFactory(contact_email="helene.bis@exemple.fr")
    assert OFFER not in html_of(client.get(HOME))
    assert client.post(claim_url(anonymous)).status_code == 404


def test_drafts_and_joined_requests_are_never_offered(client, citizen):
    verify(citizen.user, "helene@exemple.fr")
    ServiceRequestFactory(
        status=Status.DRAFT, received_on=None, submitted_at=None, contact_email="helene@exemple.fr"
    )
    ServiceRequestFactory(citizen=CitizenFactory(), contact_email="helene@exemple.fr")
    assert OFFER not in html_of(client.get(HOME))


def test_a_joining_post_needs_a_signed_in_user_and_a_post(client):
    anonymous = ServiceRequestFactory()
    client.get(secret_url(anonymous))
    response = client.post(claim_url(anonymous))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    user = UserFactory()
    client.force_login(user)
    client.get(secret_url(anonymous))
    assert client.get(claim_url(anonymous)).status_code == 405
    assert ServiceRequest.objects.get(pk=anonymous.pk).citizen is None


def test_joining_revokes_the_old_secret_link(client, citizen):
    """Issue 13, item 13: the link sits in an email, a history, on a shared computer; once the
    request is the account's, the account opens it and the old link opens nothing."""
    anonymous = ServiceRequestFactory(contact_email="autre-adresse@exemple.fr")
    old_link = secret_url(anonymous)
    client.get(old_link)
    assert client.post(claim_url(anonymous)).status_code == 302
    anonymous.refresh_from_db()
    assert secret_url(anonymous) != old_link
    client.post(reverse("account_logout"))
    assert client.get(old_link).status_code == 404
    assert client.get(secret_url(anonymous)).status_code == 302  # the new one still works


def test_joining_by_verified_email_revokes_the_old_secret_link_too(citizen):
    anonymous = ServiceRequestFactory(contact_email="helene@exemple.fr")
    EmailAddress.objects.filter(user=citizen.user).delete()
    verify(citizen.user, "helene@exemple.fr")
    before = anonymous.tracking_token
    request_link_to_account(request=anonymous, user=citizen.user, proof=PROOF_VERIFIED_EMAIL)
    anonymous.refresh_from_db()
    assert anonymous.tracking_token != before
