"""FranceConnect end to end in Chromium, against the local OpenID provider configured like
FranceConnect v2 (tests/oidc_provider/server.js): a citizen signs in with « S'identifier avec
FranceConnect », files a démarche that requires FranceConnect with their certified identity
shown read-only, then signs out through the provider's end_session, which ends both sessions.
axe-core finds no WCAG 2.1 AA violation on the FranceConnect error page."""

import copy
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from citizens.models import Citizen
from forms_builder.models import Procedure
from service_requests.models import ServiceRequest, Status
from tests.factories import FormVersionFactory, ProcedureFactory
from tests.oidc_provider.fixtures import oidc_provider  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OP_TITLE = "Fournisseur d'identité de test"
SCHEMA = {
    "version": 1,
    "pages": [
        {"id": "identite", "title": "Votre identité", "fields": [
            {"id": "prenoms", "type": "text", "label": "Prénoms", "prefill": "given_names"},
            {"id": "nom", "type": "text", "label": "Nom de naissance", "prefill": "family_name"},
            {"id": "naissance", "type": "date", "label": "Date de naissance", "max": "today",
             "prefill": "birth_date"},
            {"id": "motif", "type": "text", "label": "Motif de la demande"},
        ]},
    ],
}  # fmt: skip


@pytest.fixture
def franceconnect(settings, oidc_provider):  # noqa: F811
    for name, value in oidc_provider.settings().items():
        setattr(settings, name, value)
    # The sign-out form redirects to the provider (settings.py adds the configured issuer's
    # origin at start; the test's issuer is only known now).
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [
        *policy["DIRECTIVES"]["form-action"],
        oidc_provider.issuer,
    ]
    settings.CONTENT_SECURITY_POLICY = policy
    cache.clear()
    return oidc_provider


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(
        slug="carte-stationnement-resident",
        title="Carte de stationnement résident",
        identification=Procedure.Identification.FRANCECONNECT,
    )
    FormVersionFactory(procedure=procedure, number=1, schema=SCHEMA)
    return procedure


def click(page, name: str, role: str = "button") -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()


def test_a_citizen_signs_in_with_franceconnect_files_and_signs_out_of_both(
    live_server, page, franceconnect, procedure, csp_violations
):
    start = reverse("service_requests:filing_start", args=[procedure.slug])
    page.goto(f"{live_server.url}{reverse('account_login')}?{urlencode({'next': start})}")

    # Sign in: the provider asks once, then sends the citizen back, signed in, to the form.
    page.get_by_role("link", name="S'identifier avec FranceConnect").click()
    page.wait_for_url(f"{franceconnect.issuer}/**")
    assert page.get_by_role("heading", name=OP_TITLE).is_visible()
    click(page, "Continuer")
    page.wait_for_url(f"{live_server.url}/**")
    citizen = Citizen.objects.select_related("user").get(franceconnect_sub__isnull=False)
    assert citizen.identity_assurance == Citizen.IdentityAssurance.FRANCECONNECT
    assert urlsplit(page.url).path.startswith(start)

    # The certified identity is shown, read-only, and says where it comes from.
    given_names = page.get_by_label("Prénoms", exact=True)
    assert given_names.input_value() == "Angela Claire Louise"
    assert given_names.get_attribute("readonly") is not None
    assert page.get_by_label("Nom de naissance").input_value() == "DUBOIS"
    assert page.get_by_label("Nom de naissance").get_attribute("readonly") is not None
    assert "Donnée transmise par FranceConnect" in page.content()
    page.get_by_label("Motif de la demande").fill("Nouveau véhicule")
    click(page, "Vérifier mes réponses")
    click(page, "Envoyer ma demande")

    request = ServiceRequest.objects.get(procedure=procedure)
    assert request.status == Status.SUBMITTED
    assert request.citizen_id == citizen.pk
    assert request.data["prenoms"] == "Angela Claire Louise"
    assert request.data["nom"] == "DUBOIS"
    assert request.data["naissance"] == "1962-08-24"

    # While the provider's session lasts, signing in again does not ask.
    page.goto(f"{live_server.url}{reverse('franceconnect:login')}")
    page.wait_for_url(f"{live_server.url}/**")
    assert page.get_by_role("button", name="Se déconnecter").is_visible()

    # Signing out goes through the provider's end_session and back, with its state checked.
    click(page, "Se déconnecter")
    page.wait_for_url(f"{live_server.url}/")
    assert "Vous êtes déconnecté du portail et de FranceConnect." in page.content()
    assert page.get_by_role("link", name="Se connecter").is_visible()
    assert not csp_violations(), csp_violations()

    # The provider's session is gone too: FranceConnect asks again.
    page.goto(f"{live_server.url}{reverse('franceconnect:login')}")
    page.wait_for_url(f"{franceconnect.issuer}/**")
    assert page.get_by_role("heading", name=OP_TITLE).is_visible()


def test_the_franceconnect_error_page_is_accessible(
    live_server, page, franceconnect, assert_accessible, csp_violations
):
    query = urlencode({"error": "access_denied", "error_description": "abandon", "state": "x"})
    response = page.goto(f"{live_server.url}{reverse('franceconnect:callback')}?{query}")
    assert response.status == 400
    assert page.get_by_role("heading", name="Connexion avec FranceConnect impossible").is_visible()
    assert page.get_by_role("alert").is_visible()
    assert_accessible()
    assert not csp_violations(), csp_violations()
