"""A signed-in citizen's form starts prefilled: their name and contacts, and the organisation
they represent when the procedure is for organisations (its SIRET, RNA and name), which the
request is then recorded as filed for."""

from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse

from citizens.models import Organisation
from forms_builder.models import Procedure
from service_requests.models import ServiceRequest, Status
from tests.factories import (
    CitizenFactory,
    OrganisationFactory,
    RepresentationFactory,
    ServiceRequestFactory,
    UserFactory,
)
from tests.service_requests.test_submit import demo_version

pytestmark = pytest.mark.django_db

SIRET = "73282932000074"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def citizen(client):
    user = UserFactory(first_name="Hélène", last_name="Garnier", email="helene@exemple.fr")
    citizen = CitizenFactory(
        user=user, given_names="Hélène", family_name="Garnier", email="helene@exemple.fr",
        phone="06 12 34 56 78", street="3 rue des Lilas", postcode="00000", city="Démo",
    )  # fmt: skip
    client.force_login(user)
    return citizen


@pytest.fixture
def association(citizen):
    organisation = OrganisationFactory(
        name="Les Jardins partagés", rna="W751234567", siret=SIRET, kind="association"
    )
    RepresentationFactory(citizen=citizen, organisation=organisation)
    return organisation


def url(name: str, slug: str, *args) -> str:
    return reverse(f"service_requests:filing_{name}", args=[slug, *args])


def page_of(client, slug: str, page_id: str) -> str:
    return unescape(client.get(url("page", slug, page_id)).content.decode())


def test_the_question_is_prefilled_with_the_citizens_name_and_contacts(client, citizen):
    demo_version("demande-information")
    page = page_of(client, "demande-information", "question")
    for value in ("Hélène Garnier", "helene@exemple.fr", "06 12 34 56 78", "3 rue des Lilas"):
        assert f'value="{value}"' in page, value


def test_a_grant_is_prefilled_with_the_association_the_citizen_represents(
    client, citizen, association
):
    demo_version("subvention-association")
    page = page_of(client, "subvention-association", "association")
    for value in ("W751234567", SIRET, "Les Jardins partagés"):
        assert f'value="{value}"' in page, value


def test_only_the_organisations_the_procedure_is_for(client, citizen):
    """A company does not prefill an association's grant."""
    company = OrganisationFactory(
        kind=Organisation.Kind.COMPANY, name="Menuiserie Perrin", siret=SIRET, rna=None
    )
    RepresentationFactory(citizen=citizen, organisation=company)
    demo_version("subvention-association")
    page = page_of(client, "subvention-association", "association")
    assert SIRET not in page and "Menuiserie Perrin" not in page
    demo_version("occupation-domaine-public")  # for professionals too: its SIRET and name
    page = page_of(client, "occupation-domaine-public", "demandeur")
    assert f'value="{SIRET}"' in page and 'value="Menuiserie Perrin"' in page


def test_an_anonymous_visitor_gets_nothing_prefilled(client):
    demo_version("demande-information")
    page = page_of(client, "demande-information", "question")
    assert 'name="nom" value=""' in page and "Garnier" not in page


def test_a_grant_filed_for_the_association_is_recorded_as_filed_for_it(
    client, citizen, association
):
    version = demo_version("subvention-association")
    slug = "subvention-association"
    client.get(url("start", slug))
    client.post(url("page", slug, "association"), {
        "rna": "W751234567", "siret": SIRET, "nom_association": "Les Jardins partagés",
        "action": "next",
    })  # fmt: skip
    draft = ServiceRequest.objects.get(status=Status.DRAFT)
    answers = {
        **draft.data, "objet": "fonctionnement", "description": "Ateliers.",
        "public_vise": ["tous"], "budget_total": 1000, "montant_demande": 500,
        "deja_aidee": False,
    }  # fmt: skip
    pdf = {"name": "a.pdf", "kind": "pdf", "size": 10, "key": "uploads/x", "sha256": "0" * 64}
    for page in version.schema["pages"]:
        if page["id"] == "pieces":
            for field in page["fields"]:
                if field["type"] == "file" and field.get("required", True):
                    answers[field["id"]] = [{**pdf, "key": f"uploads/{field['id']}"}]
    ServiceRequest.objects.filter(pk=draft.pk).update(data=answers)
    review = client.get(url("review", slug))
    assert review.status_code == 200, review.get("Location")
    draft.refresh_from_db()
    client.post(url("review", slug), {"idempotency_key": str(draft.idempotency_key)})
    request = ServiceRequest.objects.get()
    assert request.status == Status.SUBMITTED
    assert request.organisation == association


def test_a_new_request_from_an_earlier_one_is_prefilled_too(client, citizen, association):
    version = demo_version("subvention-association")
    Procedure.objects.filter(pk=version.procedure_id).update(identification="account")
    earlier = ServiceRequestFactory(form_version=version, citizen=citizen, data={})
    client.post(url("start_from", "subvention-association", earlier.reference))
    draft = ServiceRequest.objects.get(status=Status.DRAFT)
    assert draft.data["rna"] == "W751234567" and draft.data["nom_association"] == (
        "Les Jardins partagés"
    )
