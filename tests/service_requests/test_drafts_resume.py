"""Drafts keep the page being filled: « Enregistrer et reprendre plus tard » saves and says where
the draft waits, leaving the page by a link saves it (the script posts action "leave"), what the
form refused waits as typed, and resuming opens the first page with a missing or refused answer.
The step counter says the step and what is left, never a total that changes under the citizen."""

import re
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse

from forms_builder.engine import FormRun
from forms_builder.models import Procedure
from service_requests import drafts
from service_requests.drafts import REFUSED_KEY, SESSION_KEY, Filing
from service_requests.models import ServiceRequest, Status
from tests.factories import CitizenFactory, UserFactory
from tests.service_requests.test_submit import demo_version

pytestmark = pytest.mark.django_db

BAD_SIRET = "732 829 320 00075"  # the key does not match
ASSOCIATION = {"rna": "W751234567", "nom_association": "Les Jardins partagés"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def citizen(client):
    user = UserFactory(email="helene@exemple.fr")
    citizen = CitizenFactory(user=user, email="helene@exemple.fr")
    client.force_login(user)
    return citizen


def url(name: str, slug: str, *args) -> str:
    return reverse(f"service_requests:filing_{name}", args=[slug, *args])


def html_of(response) -> str:
    return unescape(response.content.decode())


def progress_of(page: str) -> str:
    return re.search(r'<p class="form-progress meta">(.*?)</p>', page, re.S).group(1)


# --- « Enregistrer et reprendre plus tard » ---------------------------------------------------


def test_a_signed_in_citizen_saves_and_is_told_the_draft_waits_in_their_space(client, citizen):
    demo_version("subvention-association")
    slug = "subvention-association"
    page = html_of(client.get(url("start", slug)))
    assert 'name="action" value="save"' in page and "Enregistrer et reprendre plus tard" in page

    response = client.post(
        url("page", slug, "association"), {"rna": "W751234567", "action": "save"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("page", slug, "association")  # the same page
    draft = ServiceRequest.objects.get(status=Status.DRAFT)
    assert draft.citizen == citizen and draft.data["rna"] == "W751234567"
    after = html_of(client.get(response["Location"]))
    assert "Vous la retrouverez dans « Mon espace »" in after and "90 jours" in after
    assert 'value="W751234567"' in after


def test_an_anonymous_citizen_saves_and_is_told_how_long_and_invited_to_sign_in(client):
    version = demo_version("acte-etat-civil")
    slug = "acte-etat-civil"
    page = html_of(client.get(url("start", slug)))
    login = f"{reverse('account_login')}?next={url('page', slug, 'acte').replace('/', '%2F')}"
    assert f'href="{login}"' in page and "gardées 12 heures sur ce navigateur" in page

    response = client.post(url("page", slug, "acte"), {"type_acte": "deces", "action": "save"})

    assert response["Location"] == url("page", slug, "acte")
    entry = client.session[SESSION_KEY][str(version.procedure_id)]
    assert entry["answers"] == {"type_acte": "deces"} and entry["page"] == "acte"
    after = html_of(client.get(response["Location"]))
    assert "enregistrées sur ce navigateur pendant 12 heures" in after
    assert "connectez-vous" in after
    assert not ServiceRequest.objects.exists()


# --- Leaving by a link ------------------------------------------------------------------------


def test_leaving_a_page_by_a_link_saves_it_without_an_answer_to_show(client, citizen):
    demo_version("subvention-association")
    slug = "subvention-association"
    page = html_of(client.get(url("start", slug)))
    assert "data-save-on-leave" in page and '"leave"' in page  # the script that posts it

    response = client.post(
        url("page", slug, "association"), {"rna": "W751234567", "action": "leave"}
    )

    assert response.status_code == 204 and not response.content
    assert ServiceRequest.objects.get(status=Status.DRAFT).data == {"rna": "W751234567"}


# --- What was refused waits as typed -----------------------------------------------------------


def test_a_refused_siret_is_shown_again_on_return_and_not_lost_at_the_review(client, citizen):
    """It was dropped: resumed, the page showed an empty SIRET, and the optional field ended
    « Non renseigné » on the review."""
    demo_version("subvention-association")
    slug = "subvention-association"
    refused = client.post(
        url("page", slug, "association"), {**ASSOCIATION, "siret": BAD_SIRET, "action": "next"}
    )
    assert refused.status_code == 400

    resumed = html_of(client.get(url("start", slug)))

    assert "L'association" in resumed
    assert f'value="{BAD_SIRET}"' in resumed
    assert "Ce numéro SIRET n'est pas valide" in resumed and 'aria-invalid="true"' in resumed
    draft = ServiceRequest.objects.get(status=Status.DRAFT)
    assert draft.data[REFUSED_KEY] == {"association": {"siret": BAD_SIRET}}
    review = client.get(url("review", slug))
    assert review["Location"] == url("page", slug, "association")

    # Corrected: forgotten there, and the form goes on.
    fixed = client.post(
        url("page", slug, "association"),
        {**ASSOCIATION, "siret": "73282932000074", "action": "next"},
    )
    assert fixed["Location"] == url("page", slug, "projet")
    draft.refresh_from_db()
    assert REFUSED_KEY not in draft.data and draft.data["siret"] == "73282932000074"


def test_the_refused_answers_never_reach_the_request(client, citizen):
    demo_version("demande-information")
    slug = "demande-information"
    Procedure.objects.filter(slug=slug).update(identification="account")
    question = {
        "sujet": "voirie", "objet": "Déchetterie", "question": "Horaires ?", "nom": "H. G.",
        "canal_reponse": "telephone",
    }  # fmt: skip
    client.post(url("page", slug, "question"), {**question, "telephone": "12", "action": "next"})
    client.post(
        url("page", slug, "question"), {**question, "telephone": "0612345678", "action": "next"}
    )
    client.get(url("review", slug))
    draft = ServiceRequest.objects.get(status=Status.DRAFT)
    client.post(url("review", slug), {"idempotency_key": str(draft.idempotency_key)})
    request = ServiceRequest.objects.get()
    assert request.status == Status.SUBMITTED and REFUSED_KEY not in request.data


SUBVENTION_DONE = {
    **ASSOCIATION,
    "objet": "fonctionnement",
    "description": "Ateliers.",
    "public_vise": ["tous"],
    "budget_total": 1000,
    "montant_demande": 500,
    "deja_aidee": False,
}


@pytest.mark.parametrize(
    ("answers", "reached", "expected"),
    [
        # Nothing to fix before the page reached: the page reached.
        ({**ASSOCIATION}, "projet", "projet"),
        # A page not seen yet may hold questions: the page reached, before the missing ones.
        (SUBVENTION_DONE, "projet", "projet"),
        # A refusal kept on an earlier page: that page, whatever the page reached.
        (
            {**SUBVENTION_DONE, REFUSED_KEY: {"association": {"siret": BAD_SIRET}}},
            "pieces",
            "association",
        ),
        # A required answer missing on an earlier page (a page reached through « previous »).
        ({**SUBVENTION_DONE, "rna": None}, "pieces", "association"),
        # Everything answered up to the review, a file missing on the last page: that page.
        (SUBVENTION_DONE, drafts.REVIEW, "pieces"),
        # A new form: its first page.
        ({}, None, "association"),
    ],
)
def test_a_draft_resumes_at_the_first_page_with_a_missing_or_refused_answer(
    answers, reached, expected
):
    version = demo_version("subvention-association")
    answers = {key: value for key, value in answers.items() if value is not None}
    found = Filing(
        procedure=version.procedure,
        version=version,
        answers=answers,
        page=reached,
        started=reached is not None,
    )
    assert drafts.resume_page(found, FormRun(version.schema, answers)) == expected


# --- The step counter -------------------------------------------------------------------------


def test_the_step_counter_never_announces_a_total_that_changes(client):
    """It said « Étape 1 sur 3 » then « Étape 2 sur 4 » once a birth was chosen."""
    demo_version("acte-etat-civil")
    slug = "acte-etat-civil"
    steps = [
        ("acte", {"type_acte": "naissance", "forme": "copie-integrale"}),
        ("personne", {"lien": "soi-meme", "nom": "Garnier", "prenoms": "Hélène",
                      "date_evenement": "2015-06-20"}),
        ("naissance", {}),
        ("envoi", {}),
    ]  # fmt: skip
    seen = []
    for number, (page_id, data) in enumerate(steps, start=1):
        page = html_of(client.get(url("page", slug, page_id)))
        progress = progress_of(page)
        assert progress.startswith(f"Étape {number}") and " sur " not in progress
        assert f"\N{EN DASH} Étape {number} \N{EN DASH}" in page  # the title says it too
        seen.append(progress)
        if data:
            client.post(url("page", slug, page_id), {**data, "action": "next"})
    assert seen[2] == "Étape 3 · encore 1 étape avant la vérification de vos réponses"
    assert seen[3] == "Étape 4 · dernière étape avant la vérification de vos réponses"
