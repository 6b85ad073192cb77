"""The contact step of an anonymous citizen asks once: only what the démarche's form did not ask
already, and the email as the procedure needs it (a report: optional; a question: unless the
citizen wants the answer another way; a request for a decision: required, for its receipt)."""

import uuid
from html import unescape

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from service_requests.drafts import SESSION_KEY
from service_requests.models import ServiceRequest
from service_requests.services.filing import request_submit
from tests.service_requests.test_submit import ACTE, SIGNALEMENT, demo_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def url(name: str, slug: str, *args) -> str:
    return reverse(f"service_requests:filing_{name}", args=[slug, *args])


def address(prefix: str, street="12 rue de la République"):
    return {f"{prefix}-street": street, f"{prefix}-postcode": "00000", f"{prefix}-city": "Démo"}


PROBLEME = {
    "nature": "nid-de-poule", **address("adresse"),
    "description": "Un trou profond devant le numéro 12.", "action": "next",
}  # fmt: skip
QUESTION = {
    "sujet": "voirie", "objet": "Déchetterie", "question": "Quels sont ses horaires ?",
    "nom": "Léa Durand", "action": "next",
}  # fmt: skip
ACTE_PAGES = [
    ("acte", {"type_acte": "deces", "forme": "copie-integrale"}),
    ("personne", {"lien": "soi-meme", "nom": "Garnier", "prenoms": "Hélène",
                  "date_evenement": "2015-06-20"}),
    ("envoi", {"demandeur_prenoms": "Hélène", "demandeur_nom": "Garnier",
               "nombre_exemplaires": "1", **address("adresse_envoi")}),
]  # fmt: skip

# slug, the pages answered, what the contact step asks, whether the email is required there,
# and the contacts the form's own answers give.
CASES = {
    "report": (
        "signalement-voirie", [("probleme", PROBLEME)], {"name", "email", "phone"}, False,
        {"name": "", "email": "", "phone": ""},
    ),
    "question answered by email": (
        "demande-information",
        [("question", {**QUESTION, "canal_reponse": "email", "email": "lea@exemple.fr"})],
        {"phone"}, True, {"name": "Léa Durand", "email": "lea@exemple.fr", "phone": ""},
    ),
    "question answered by phone": (
        "demande-information",
        [("question", {**QUESTION, "canal_reponse": "telephone", "telephone": "0612345678"})],
        {"email"}, False, {"name": "Léa Durand", "email": "", "phone": "06 12 34 56 78"},
    ),
    "question answered by post": (
        "demande-information",
        [("question", {**QUESTION, "canal_reponse": "courrier", **address("adresse")})],
        {"email", "phone"}, False, {"name": "Léa Durand", "email": "", "phone": ""},
    ),
    "request for a decision": (
        "acte-etat-civil", ACTE_PAGES, {"email", "phone"}, True,
        {"name": "Hélène Garnier", "email": "", "phone": ""},
    ),
}  # fmt: skip
INPUTS = {"name": 'name="name"', "email": 'name="email"', "phone": 'name="phone"'}


def fill(client, slug, pages) -> str:
    """Answer the pages, open the review (which gives the submission its key): the key."""
    version = demo_version(slug)
    for page_id, data in pages:
        response = client.post(url("page", slug, page_id), {**data, "action": "next"})
        assert response.status_code == 302, unescape(response.content.decode())
    assert response["Location"] == url("review", slug)
    assert client.get(url("review", slug)).status_code == 200
    return client.session[SESSION_KEY][str(version.procedure_id)]["key"]


@pytest.mark.parametrize("case", list(CASES))
def test_the_contact_step_asks_only_what_the_form_did_not(client, case):
    slug, pages, asked, email_required, known = CASES[case]
    fill(client, slug, pages)

    page = unescape(client.get(url("contact", slug)).content.decode())

    for item, marker in INPUTS.items():
        assert (marker in page) == (item in asked), item
    assert ('name="email_confirmation"' in page) == ("email" in asked)
    if "email" in asked:
        optional = 'Adresse électronique <span class="field__optional">(facultatif)</span>'
        assert (optional in page) == (not email_required)
    if known["email"]:
        assert f"vous seront envoyés à {known['email']}" in page


@pytest.mark.parametrize("case", list(CASES))
def test_the_request_takes_the_contacts_given_once(client, case):
    slug, pages, asked, email_required, known = CASES[case]
    key = fill(client, slug, pages)
    typed = {"email": "", "email_confirmation": "", "phone": "", "name": ""}

    response = client.post(url("contact", slug), {**typed, "idempotency_key": key})

    if email_required and "email" in asked:
        assert response.status_code == 400
        assert "Indiquez votre adresse électronique." in unescape(response.content.decode())
        assert not ServiceRequest.objects.exists()
        typed |= {"email": "lea@exemple.fr", "email_confirmation": "lea@exemple.fr"}
        known = {**known, "email": "lea@exemple.fr"}
        response = client.post(url("contact", slug), {**typed, "idempotency_key": key})
    request = ServiceRequest.objects.get()
    assert response["Location"] == url("confirmation", slug, request.reference)
    assert (request.contact_name, request.contact_email, request.contact_phone) == (
        known["name"],
        known["email"],
        known["phone"],
    )


def test_a_report_is_filed_without_an_email_and_the_link_is_said_to_be_the_only_way(
    client, mailoutbox, side_effects
):
    key = fill(client, "signalement-voirie", [("probleme", PROBLEME)])
    with side_effects():
        response = client.post(
            url("contact", "signalement-voirie"),
            {"name": "Léa Durand", "phone": "06 12 34 56 78", "idempotency_key": key},
        )
    request = ServiceRequest.objects.get()
    assert request.contact_email == "" and request.contact_phone == "06 12 34 56 78"
    assert not mailoutbox  # nobody to write to; the receipt is made all the same
    confirmation = unescape(client.get(response["Location"]).content.decode())
    assert request.tracking_token in confirmation
    assert "ce lien est le seul moyen de suivre votre demande" in confirmation
    assert "Il vous est envoyé par courriel" not in confirmation


def test_the_road_report_and_the_question_have_one_page_of_answers(client):
    for slug in ("signalement-voirie", "demande-information"):
        assert len(demo_version(slug).schema["pages"]) == 1


def test_no_demo_form_asks_an_optional_email_that_its_contact_step_would_require():
    """Both pages said « facultatif » and the contact step refused to file without one."""
    from demo.procedures import procedures

    for values in procedures():
        if values["kind"] in ("report", "information"):
            continue
        for page in values["schema"]["pages"]:
            for field in page["fields"]:
                if field["type"] == "email":
                    assert field.get("required", True), (values["slug"], field["id"])


@pytest.mark.parametrize(
    ("slug", "answers", "refused"),
    [("signalement-voirie", SIGNALEMENT, False), ("acte-etat-civil", ACTE, True)],
)
def test_request_submit_wants_an_email_only_where_the_procedure_does(slug, answers, refused):
    version = demo_version(slug)

    def submit():
        return request_submit(
            procedure=version.procedure,
            version=version,
            answers=answers,
            idempotency_key=uuid.uuid4(),
        )

    if refused:
        with pytest.raises(ValidationError):
            submit()
        assert not ServiceRequest.objects.exists()
    else:
        assert submit().request.contact_email == ""
