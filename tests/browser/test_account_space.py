"""The citizen's space and profile in Chromium: axe-core finds no WCAG 2.1 AA violation on
/compte/ (with requests, drafts, messages, documents and requests to join) and on
/compte/profil/ (declared, certified, and in its error state), the Content-Security-Policy
blocks nothing, and nothing scrolls sideways at 320 CSS pixels."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from citizens.models import Citizen
from service_requests.models import Document, Message, Status
from tests.factories import (
    CitizenFactory,
    FormVersionFactory,
    MessageFactory,
    RepresentationFactory,
    ServiceRequestFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page, live_server, user) -> None:
    """The browser carries the session of a user signed in by Django's test client."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def check(page, assert_accessible, csp_violations) -> None:
    assert_accessible()
    assert not csp_violations(), csp_violations()
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 320px"


@pytest.fixture
def citizen():
    user = UserFactory(email="helene@exemple.fr")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return CitizenFactory(user=user, given_names="Hélène", family_name="Garnier")


def test_the_space_with_everything_in_it(
    live_server, page, assert_accessible, csp_violations, citizen
):
    version = FormVersionFactory(procedure__title="Demande d'occupation du domaine public")
    filed = ServiceRequestFactory(citizen=citizen, form_version=version, channel="counter")
    ServiceRequestFactory(citizen=citizen, status=Status.AWAITING_CITIZEN)
    MessageFactory(request=filed, direction=Message.Direction.TO_CITIZEN, body="Merci de venir.")
    ServiceRequestFactory(
        citizen=citizen,
        status=Status.DRAFT,
        received_on=None,
        submitted_at=None,
        contact_email="",
        idempotency_key=None,
    )
    document = Document(
        request=filed,
        kind=Document.Kind.DECISION,
        original_name="decision-tres-longue-pour-voir-le-retour-a-la-ligne.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
    )
    document.file.save("decision.pdf", ContentFile(b"%PDF-1.7"), save=True)
    ServiceRequestFactory(contact_email="helene@exemple.fr")  # offered to join
    signed_in(page, live_server, citizen.user)

    response = page.goto(live_server.url + reverse("account_home"))

    assert response.status == 200
    assert page.get_by_role("heading", name="Mon espace").is_visible()
    assert page.get_by_text("Demandes déposées avec votre adresse").is_visible()
    check(page, assert_accessible, csp_violations)


def test_decided_and_withdrawn_requests_in_the_space(
    live_server, page, assert_accessible, csp_violations, citizen
):
    """Issue 12, items 2 to 4: a refusal with its motive and letter, an implicit acceptance
    with its attestation, a withdrawn request « Retirée », an open one's legal date."""
    from tests.service_requests.test_tracking_decision import decided_by_an_agent

    refused = decided_by_an_agent("rejected", "Le trottoir est trop étroit.")
    refused.citizen = citizen
    refused.save(update_fields=["citizen"])
    ServiceRequestFactory(
        citizen=citizen,
        status=Status.ACCEPTED_IMPLICITLY,
        received_on=datetime.date(2025, 1, 10),
        decided_on=datetime.date(2025, 3, 11),
        decision_due_on=datetime.date(2025, 3, 11),
    )
    ServiceRequestFactory(citizen=citizen, status=Status.WITHDRAWN)
    ServiceRequestFactory(
        citizen=citizen,
        decision_due_on=datetime.date.today() + datetime.timedelta(days=40),
    )
    signed_in(page, live_server, citizen.user)
    page.goto(live_server.url + reverse("account_home"))

    assert page.get_by_role(
        "link", name=f"Télécharger le courrier de décision de la demande {refused.reference}"
    ).is_visible()
    assert page.get_by_text("Le trottoir est trop étroit.").is_visible()
    assert page.get_by_text("Télécharger l'attestation d'acceptation implicite").is_visible()
    assert page.get_by_text("Retirée", exact=True).is_visible()
    assert page.get_by_text(
        "Sans réponse de notre part, votre demande sera acceptée le"
    ).is_visible()
    check(page, assert_accessible, csp_violations)


def test_an_empty_space(live_server, page, assert_accessible, csp_violations):
    user = UserFactory()
    signed_in(page, live_server, user)
    page.goto(live_server.url + reverse("account_home"))
    assert page.get_by_text("Vous n'avez pas encore de demande.").is_visible()
    check(page, assert_accessible, csp_violations)


def test_the_profile_and_its_error_state(
    live_server, page, assert_accessible, csp_violations, citizen
):
    RepresentationFactory(citizen=citizen)
    signed_in(page, live_server, citizen.user)
    page.goto(live_server.url + reverse("citizens:profile"))
    check(page, assert_accessible, csp_violations)

    page.locator("#id_phone").fill("12 34")
    page.locator("#id_postcode").fill("750")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer mon profil").click()

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    phone = page.locator("#id_phone")
    assert phone.get_attribute("aria-invalid") == "true"
    assert "id_phone_error" in phone.get_attribute("aria-describedby")
    check(page, assert_accessible, csp_violations)


def test_a_certified_profile(live_server, page, assert_accessible, csp_violations):
    user = UserFactory()
    CitizenFactory(
        user=user,
        birth_date=datetime.date(1980, 6, 15),
        identity_assurance=Citizen.IdentityAssurance.FRANCECONNECT,
        franceconnect_sub="sub-de-test-0123456789",
    )
    signed_in(page, live_server, user)
    page.goto(live_server.url + reverse("citizens:profile"))
    assert page.get_by_text("Certifié par FranceConnect").is_visible()
    check(page, assert_accessible, csp_violations)


def test_the_franceconnect_refusal_page(
    live_server, page, assert_accessible, csp_violations, citizen
):
    version = FormVersionFactory(procedure__identification="franceconnect")
    signed_in(page, live_server, citizen.user)
    start = reverse("service_requests:filing_start", args=[version.procedure.slug])
    response = page.goto(live_server.url + start)
    assert response.status == 403
    heading = "Cette démarche demande une identité certifiée par FranceConnect"
    assert page.get_by_role("heading", name=heading).is_visible()
    check(page, assert_accessible, csp_violations)
