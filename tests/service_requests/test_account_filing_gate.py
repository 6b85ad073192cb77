"""The identification a démarche requires, checked before any of its filing pages: "account"
needs a signed-in user, "franceconnect" a citizen whose identity FranceConnect certified. A
local account is refused a FranceConnect démarche with a clear 403 page."""

from html import unescape

import pytest
from django.urls import reverse

from citizens.models import Citizen
from forms_builder.models import Procedure
from service_requests.models import ServiceRequest, Status
from tests.factories import CitizenFactory, UserFactory
from tests.service_requests.test_submit import demo_version

pytestmark = pytest.mark.django_db

SLUG = "acte-etat-civil"
CERTIFIED_HEADING = "Cette démarche demande une identité certifiée par FranceConnect"


def filing_urls() -> list[str]:
    return [
        reverse("service_requests:filing_start", args=[SLUG]),
        reverse("service_requests:filing_page", args=[SLUG, "acte"]),
        reverse("service_requests:filing_review", args=[SLUG]),
    ]


def html_of(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def procedure_requiring():
    def require(identification: str) -> Procedure:
        version = demo_version(SLUG)
        Procedure.objects.filter(pk=version.procedure_id).update(identification=identification)
        return version.procedure

    return require


def sign_in(client, *, assurance=Citizen.IdentityAssurance.DECLARED, with_citizen=True):
    user = UserFactory()
    if with_citizen:
        CitizenFactory(user=user, identity_assurance=assurance)
    client.force_login(user)
    return user


def test_a_local_account_is_refused_a_franceconnect_procedure(client, procedure_requiring):
    procedure_requiring("franceconnect")
    sign_in(client)
    for target in filing_urls():
        response = client.get(target)
        assert response.status_code == 403
        page = html_of(response)
        assert CERTIFIED_HEADING in page
        assert "au guichet ou par téléphone" in page
    response = client.post(filing_urls()[1], {"type_acte": "naissance", "action": "next"})
    assert response.status_code == 403
    assert not ServiceRequest.objects.exists()


def test_an_account_without_citizen_record_is_refused_a_franceconnect_procedure(
    client, procedure_requiring
):
    procedure_requiring("franceconnect")
    sign_in(client, with_citizen=False)
    assert client.get(filing_urls()[0]).status_code == 403


def test_a_citizen_checked_at_the_counter_is_not_franceconnect_certified(
    client, procedure_requiring
):
    procedure_requiring("franceconnect")
    sign_in(client, assurance=Citizen.IdentityAssurance.COUNTER)
    assert client.get(filing_urls()[0]).status_code == 403


def test_the_refusal_offers_franceconnect_when_enabled(client, procedure_requiring, settings):
    procedure_requiring("franceconnect")
    sign_in(client)
    settings.FRANCECONNECT_ISSUER = ""
    page = html_of(client.get(filing_urls()[0]))
    assert "Relier FranceConnect" not in page
    assert reverse("citizens:profile") in page
    settings.FRANCECONNECT_ISSUER = "https://fcp-low.sbx.dev-franceconnect.fr/api/v2"
    settings.FRANCECONNECT_CLIENT_ID = "client-du-portail"
    page = html_of(client.get(filing_urls()[0]))
    link = reverse("franceconnect:link")
    assert "Relier FranceConnect" in page
    assert f'action="{link}"' in page


def test_a_franceconnect_citizen_files_a_franceconnect_procedure(client, procedure_requiring):
    procedure_requiring("franceconnect")
    sign_in(client, assurance=Citizen.IdentityAssurance.FRANCECONNECT)
    response = client.get(filing_urls()[0])
    assert response.status_code == 200
    assert "Étape 1 ·" in html_of(response)
    client.post(
        filing_urls()[1], {"type_acte": "deces", "forme": "copie-integrale", "action": "next"}
    )
    assert ServiceRequest.objects.get().status == Status.DRAFT


@pytest.mark.parametrize("assurance", ["declared", "franceconnect"])
def test_any_signed_in_citizen_files_an_account_procedure(client, procedure_requiring, assurance):
    procedure_requiring("account")
    sign_in(client, assurance=assurance)
    response = client.get(filing_urls()[0])
    assert response.status_code == 200
    assert "Étape 1 ·" in html_of(response)


def test_an_account_procedure_makes_the_citizen_record_of_an_account_without_one(
    client, procedure_requiring
):
    procedure_requiring("account")
    user = sign_in(client, with_citizen=False)
    client.post(
        filing_urls()[1], {"type_acte": "deces", "forme": "copie-integrale", "action": "next"}
    )
    assert ServiceRequest.objects.get().citizen == Citizen.objects.get(user=user)


def test_an_anonymous_visitor_is_invited_to_sign_in(client, procedure_requiring):
    procedure_requiring("account")
    response = client.get(filing_urls()[0])
    assert response.status_code == 200
    start = filing_urls()[0].replace("/", "%2F")
    assert f"{reverse('account_login')}?next={start}" in html_of(response)


def test_an_anonymous_visitor_signs_in_with_franceconnect_when_enabled(
    client, procedure_requiring, settings
):
    procedure_requiring("franceconnect")
    settings.FRANCECONNECT_ISSUER = ""
    page = html_of(client.get(filing_urls()[0]))
    assert "demande FranceConnect" in page
    assert "Se connecter avec FranceConnect" not in page
    settings.FRANCECONNECT_ISSUER = "https://fcp-low.sbx.dev-franceconnect.fr/api/v2"
    settings.FRANCECONNECT_CLIENT_ID = "client-du-portail"
    response = client.get(filing_urls()[0])
    assert response.status_code == 200
    assert "Se connecter avec FranceConnect" in html_of(response)
