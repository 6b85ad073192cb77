"""Filing on a citizen's behalf (issue 11, point 6): who may; a new citizen's record, likely
duplicates first; the démarches an agent may file (FranceConnect ones once the identity is
checked); the form with the same engine and checks as online; the agent's part (channel, date of
receipt, organisation, receipt delivery); one request per key; the legal dates and the receipt
from the date of receipt, not the day of entry; the confirmation, the receipt to print, the
citizen's account."""

import datetime
import io
import re
import uuid
from html import unescape

import pypdf
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import formats, timezone, translation

from backoffice.on_behalf_forms import prefill_from_query
from backoffice.views.on_behalf import SESSION_KEY
from citizens.models import Citizen
from forms_builder.models import Procedure
from forms_builder.selectors import categories as catalogue_categories
from gru.models import AccessLog, Membership
from service_requests.citizen_space import citizen_requests
from service_requests.deadlines import implicit_decision_date
from service_requests.legal_dates import french_day
from service_requests.models import Document, Event, ServiceRequest
from service_requests.services.filing import request_submit
from tests.factories import (
    CitizenFactory,
    FormVersionFactory,
    MembershipFactory,
    ProcedureFactory,
    RepresentationFactory,
    TeamFactory,
    UserFactory,
)
from tests.service_requests.test_submit import demo_version, jpeg_bytes, jpeg_upload

pytestmark = pytest.mark.django_db

Role = Membership.Role
ACTE = "acte-etat-civil"
VOIRIE = "signalement-voirie"


def html_of(response) -> str:
    return unescape(response.content.decode())


def login(client, user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    return user


def make_agent(role=Role.FRONT_DESK, team=None, **names):
    user = UserFactory(**names)
    MembershipFactory(user=user, team=team or TeamFactory(slug="accueil"), role=role)
    return user


@pytest.fixture
def agent(client):
    return login(client, make_agent(first_name="Nadia", last_name="Benali"))


@pytest.fixture
def helene():
    return CitizenFactory(
        given_names="Hélène",
        family_name="Garnier",
        birth_date=datetime.date(1985, 7, 14),
        email="helene.garnier@exemple.fr",
        phone="06 12 34 56 78",
        street="3 rue des Lilas",
        postcode="00000",
        city="Démo",
    )


def choose_url(citizen) -> str:
    return reverse("backoffice:file_choose", args=[citizen.pk])


def fill_url(citizen, slug, step="") -> str:
    url = reverse("backoffice:file_fill", args=[citizen.pk, slug])
    return f"{url}?etape={step}" if step else url


def address(prefix, street="3 rue des Lilas", postcode="00000", city="Démo"):
    return {f"{prefix}-street": street, f"{prefix}-postcode": postcode, f"{prefix}-city": city}


ACTE_PAGES = [
    ("acte", {"type_acte": "naissance", "forme": "copie-integrale"}),
    (
        "personne",
        {"lien": "soi-meme", "nom": "Garnier", "prenoms": "Hélène", "date_evenement": "1985-07-14"},
    ),
    ("naissance", {"nom_mere": "Claire Dubois"}),
    (
        "envoi",
        {
            "demandeur_prenoms": "Hélène",
            "demandeur_nom": "Garnier",
            "nombre_exemplaires": "1",
            **address("adresse_envoi"),
        },
    ),
]
PROBLEME = {
    "nature": "nid-de-poule",
    **address("adresse", street="12 rue de la République"),
    "description": "Un trou profond devant le numéro 12.",
}


def fill_pages(client, citizen, slug, pages):
    for page_id, data in pages:
        response = client.post(fill_url(citizen, slug, page_id), {**data, "action": "next"})
        assert response.status_code == 302, html_of(response)
    return response


def session_key_of(client, citizen, version) -> str:
    return client.session[SESSION_KEY][f"{citizen.pk}:{version.procedure_id}"]["key"]


def filing_data(client, citizen, version, **overrides):
    data = {
        "channel": "counter",
        "received_on": timezone.localdate().isoformat(),
        "receipt_delivery": "print",
        "idempotency_key": session_key_of(client, citizen, version),
    }
    return {**data, **overrides}


def text_of(document: Document) -> str:
    with document.file.open("rb") as pdf:
        reader = pypdf.PdfReader(io.BytesIO(pdf.read()))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def french(day: datetime.date) -> str:
    with translation.override("fr"):
        return formats.date_format(day, "j F Y")


# --- Who may ----------------------------------------------------------------------------------


def _urls(citizen):
    demo_version(ACTE)
    return [
        reverse("backoffice:citizen_new"),
        choose_url(citizen),
        fill_url(citizen, ACTE),
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.FRONT_DESK, 200),
        (Role.INSTRUCTOR, 200),
        (Role.TEAM_MANAGER, 200),
        (Role.ADMINISTRATOR, 404),
        (Role.DATA_PROTECTION_OFFICER, 404),
        (Role.OFFICIAL, 404),
        ("citizen", 404),
    ],
)
def test_who_may_file_on_behalf(client, helene, role, status):
    if role == "citizen":
        user = UserFactory()
        CitizenFactory(user=user)
    else:
        user = make_agent(role)
    login(client, user)
    got = [client.get(url).status_code for url in _urls(helene)]
    assert got == [status] * 3
    posted = client.post(reverse("backoffice:citizen_new"), NEW)
    assert posted.status_code == (404 if status == 404 else 200)  # 200: the duplicate shown
    refused = client.post(choose_url(helene), {"action": "verify_identity"})
    assert refused.status_code == (404 if status == 404 else 302)
    if status == 404:
        assert not Citizen.objects.exclude(pk=helene.pk).exclude(user=user).exists()
        helene.refresh_from_db()
        assert helene.identity_assurance == Citizen.IdentityAssurance.DECLARED


def test_anonymous_visitors_are_sent_to_the_login(client, helene):
    for url in _urls(helene):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_a_merged_record_leads_to_the_kept_one_and_an_unknown_one_is_a_404(client, agent, helene):
    kept = CitizenFactory()
    Citizen.objects.filter(pk=helene.pk).update(merged_into=kept)
    response = client.get(choose_url(helene))
    assert response.status_code == 302 and response.url == choose_url(kept)
    assert client.get(reverse("backoffice:file_choose", args=[999999])).status_code == 404
    assert client.get(fill_url(CitizenFactory.build(pk=999999), VOIRIE)).status_code == 404


def test_a_form_filled_for_a_record_merged_meanwhile_goes_on_on_the_kept_one(client, agent, helene):
    """A colleague merges the record while the agent fills a form for it: the submission does
    not file on the tombstone nor lose the answers; they move to the record kept, whose review
    the agent checks before filing."""
    version = demo_version(VOIRIE)
    fill_pages(client, helene, VOIRIE, [("probleme", PROBLEME)])
    data = filing_data(client, helene, version, channel="mail")
    kept = CitizenFactory(given_names="Hélène", family_name="Garnier")
    Citizen.objects.filter(pk=helene.pk).update(merged_into=kept)

    response = client.post(fill_url(helene, VOIRIE, "verification"), data)

    assert response.status_code == 302 and response.url == fill_url(kept, VOIRIE)
    assert not ServiceRequest.objects.exists()
    review = client.get(response.url, follow=True)
    assert review.redirect_chain[-1][0] == fill_url(kept, VOIRIE, "verification")
    html = html_of(review)
    assert f"La fiche n° {helene.pk} a été fusionnée dans la fiche n° {kept.pk}" in html
    assert "Un trou profond devant le numéro 12." in html
    filed = client.post(
        fill_url(kept, VOIRIE, "verification"), filing_data(client, kept, version, channel="mail")
    )
    assert filed.status_code == 302
    assert ServiceRequest.objects.get().citizen == kept


# --- A new citizen ----------------------------------------------------------------------------

NEW = {
    "given_names": "Helene",
    "family_name": "GARNIER",
    "birth_date": "14/07/1985",
    "email": "",
    "phone": "",
    "street": "8 avenue Foch",
    "postcode": "00000",
    "city": "Démo",
    "preferred_channel": "mail",
}


def test_likely_duplicates_are_shown_before_anything_is_created(client, agent, helene):
    response = client.post(reverse("backoffice:citizen_new"), NEW)

    assert response.status_code == 200
    page = html_of(response)
    assert "pourrait être la même personne" in page
    assert "Hélène Garnier" in page and "14/07/1985" in page and "Démo" in page
    assert "Même date de naissance et nom proche" in page
    assert f'href="{reverse("backoffice:citizen", args=[helene.pk])}"' in page
    assert "C'est cette personne" in page and "Créer quand même" in page
    assert Citizen.objects.count() == 1
    assert AccessLog.objects.filter(user=agent, action="search").exists()


def test_create_anyway_creates_the_record_and_goes_to_the_demarches(client, agent, helene):
    shown = html_of(client.post(reverse("backoffice:citizen_new"), NEW))
    seen = re.search(r'name="duplicates_seen" value="([0-9a-f]+)"', shown).group(1)

    response = client.post(
        reverse("backoffice:citizen_new"),
        {**NEW, "duplicates_seen": seen, "identity_checked": "on"},
    )

    created = Citizen.objects.exclude(pk=helene.pk).get()
    assert response.status_code == 302
    assert response["Location"] == choose_url(created)
    assert (created.given_names, created.family_name) == ("Helene", "GARNIER")
    assert created.birth_date == datetime.date(1985, 7, 14)
    assert created.identity_assurance == Citizen.IdentityAssurance.COUNTER
    assert created.preferred_channel == "mail" and created.user is None
    history = created.history.get()
    assert history.history_user == agent
    assert history.history_change_reason == "créée au guichet"


def test_a_double_click_creates_one_record(client, agent):
    key = str(uuid.uuid4())
    first = client.post(reverse("backoffice:citizen_new"), {**NEW, "creation_key": key})
    again = client.post(reverse("backoffice:citizen_new"), {**NEW, "creation_key": key})
    assert first.status_code == 302 and again["Location"] == first["Location"]
    assert Citizen.objects.count() == 1


def test_the_same_name_without_a_birth_date_is_a_likely_duplicate(client, agent):
    CitizenFactory(given_names="Jean", family_name="Martin", birth_date=None)
    CitizenFactory(given_names="Jeanne", family_name="Dupuis", birth_date=None)
    response = client.post(reverse("backoffice:citizen_new"), {**NEW, "given_names": "Jean",
                           "family_name": "MARTIN", "birth_date": ""})  # fmt: skip
    assert response.status_code == 200
    assert "Même nom (date de naissance non indiquée)" in html_of(response)
    assert "Dupuis" not in html_of(response) and Citizen.objects.count() == 2


def test_create_anyway_checks_again_when_the_details_changed(client, agent, helene):
    shown = html_of(client.post(reverse("backoffice:citizen_new"), NEW))
    seen = re.search(r'name="duplicates_seen" value="([0-9a-f]+)"', shown).group(1)
    other = CitizenFactory(email="h.garnier@exemple.fr")

    response = client.post(
        reverse("backoffice:citizen_new"),
        {**NEW, "email": "H.Garnier@exemple.fr", "duplicates_seen": seen},
    )

    assert response.status_code == 200
    assert "Même adresse électronique" in html_of(response)
    assert f'href="{reverse("backoffice:citizen", args=[other.pk])}"' in html_of(response)
    assert Citizen.objects.count() == 2


def test_no_duplicate_creates_at_once(client, agent, helene):
    data = {**NEW, "given_names": "Bruno", "family_name": "Moreau", "identity_checked": ""}
    response = client.post(reverse("backoffice:citizen_new"), data)
    created = Citizen.objects.get(family_name="Moreau")
    assert response["Location"] == choose_url(created)
    assert created.identity_assurance == Citizen.IdentityAssurance.DECLARED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"family_name": ""}, "family_name", "Indiquez le nom de naissance de l'usager."),
        ({"postcode": "750"}, "postcode", "Saisissez un code postal à 5 chiffres"),
        ({"phone": "12345"}, "phone", "Saisissez un numéro de téléphone français"),
        ({"birth_date": "31/02/1985"}, "birth_date", "Saisissez une date valide"),
        ({"birth_date": "01/01/2999"}, "birth_date", "ne peut pas être dans le futur"),
        ({"preferred_channel": "email"}, "email", "Indiquez l'adresse électronique"),
        ({"street": "", "postcode": "", "city": ""}, "street", "Indiquez l'adresse postale"),
    ],
)
def test_bad_input_creates_nothing_and_says_why_next_to_the_field(
    client, agent, data, field, message
):
    response = client.post(reverse("backoffice:citizen_new"), {**NEW, **data})

    assert response.status_code == 400
    page = html_of(response)
    assert message in page
    assert f'href="#id_{field}' in page  # the summary links to the field
    assert f'id="id_{field}_error"' in page  # the message next to it
    assert not Citizen.objects.exists()


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("DUPONT Marie", {"given_names": "Marie", "family_name": "Dupont"}),
        ("Marie Dupont", {"given_names": "Marie", "family_name": "Dupont"}),
        ("Lefèvre", {"family_name": "Lefèvre"}),
        ("Jean-Pierre N'Diaye", {"given_names": "Jean-Pierre", "family_name": "N'Diaye"}),
        ("06.12.34.56.78", {"phone": "06 12 34 56 78"}),
        ("marie@exemple.fr", {"email": "marie@exemple.fr"}),
        ("14/07/1985", {"birth_date": "1985-07-14"}),
        ("AB-123-CD", {}),
        ("<script>", {}),
        ("", {}),
    ],
)
def test_the_search_words_prefill_a_new_record_when_they_look_like_one(q, expected):
    assert prefill_from_query(q) == expected


def test_the_new_record_page_is_prefilled_from_the_search(client, agent):
    response = client.get(reverse("backoffice:citizen_new"), {"q": "DUPONT Marie"})
    page = html_of(response)
    assert 'name="given_names" value="Marie"' in page
    assert 'name="family_name" value="Dupont"' in page


# --- Choosing the démarche --------------------------------------------------------------------


def test_the_demarches_are_listed_by_theme_as_in_the_catalogue(client, agent, helene):
    demo_version(ACTE)
    demo_version(VOIRIE)
    ProcedureFactory(title="Sans formulaire", category="État civil")
    ProcedureFactory(title="Non publiée", is_published=False)

    page = html_of(client.get(choose_url(helene)))

    themes = re.findall(r"<h3>([^<]+)</h3>", page)
    assert themes == [c for c in catalogue_categories() if c in themes] and len(themes) == 2
    assert f'href="{fill_url(helene, ACTE)}"' in page
    assert "Sans formulaire" in page and "Pas de formulaire publié" in page
    assert "Non publiée" not in page
    assert AccessLog.objects.filter(user=agent, action="view_citizen", citizen_id=helene.pk)


@pytest.fixture
def franceconnect_version():
    procedure = ProcedureFactory(
        slug="carte-stationnement",
        title="Carte de stationnement résident",
        identification=Procedure.Identification.FRANCECONNECT,
    )
    schema = {
        "pages": [
            {
                "id": "vehicule",
                "title": "Le véhicule",
                "fields": [
                    {"id": "immatriculation", "type": "text", "label": "Immatriculation"},
                ],
            }
        ]
    }
    return FormVersionFactory(procedure=procedure, schema=schema)


def test_a_franceconnect_demarche_needs_an_identity_checked_at_the_counter(
    client, agent, helene, franceconnect_version
):
    slug = franceconnect_version.procedure.slug
    page = html_of(client.get(choose_url(helene)))
    assert "Identité vérifiée requise" in page
    assert f'href="{fill_url(helene, slug)}"' not in page
    refused = client.get(fill_url(helene, slug))
    assert refused["Location"] == choose_url(helene)
    assert "identité vérifiée" in html_of(client.get(refused["Location"]))

    client.post(choose_url(helene), {"action": "verify_identity"})

    helene.refresh_from_db()
    assert helene.identity_assurance == Citizen.IdentityAssurance.COUNTER
    assert helene.history.first().history_user == agent
    assert f'href="{fill_url(helene, slug)}"' in html_of(client.get(choose_url(helene)))
    assert client.get(fill_url(helene, slug)).status_code == 200


def test_a_franceconnect_identity_is_never_downgraded(client, agent, franceconnect_version):
    certified = CitizenFactory(identity_assurance=Citizen.IdentityAssurance.FRANCECONNECT)
    client.post(choose_url(certified), {"action": "verify_identity"})
    certified.refresh_from_db()
    assert certified.identity_assurance == Citizen.IdentityAssurance.FRANCECONNECT
    assert client.get(fill_url(certified, "carte-stationnement")).status_code == 200


# --- Filing: the whole path -------------------------------------------------------------------


def test_a_mailed_request_received_a_week_ago(
    client, agent, helene, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    version = demo_version(ACTE)
    received = timezone.localdate() - datetime.timedelta(days=7)
    first = client.get(fill_url(helene, ACTE))
    assert first.status_code == 200 and "Étape 1 sur" in html_of(first)
    fill_pages(client, helene, ACTE, ACTE_PAGES[:3])
    envoi = html_of(client.get(fill_url(helene, ACTE, "envoi")))  # prefilled from the record
    for prefilled in ('value="Hélène"', 'value="Garnier"', 'value="3 rue des Lilas"'):
        assert prefilled in envoi
    fill_pages(client, helene, ACTE, ACTE_PAGES[3:])
    review = html_of(client.get(fill_url(helene, ACTE, "verification")))
    assert "Claire Dubois" in review and "3 rue des Lilas" in review  # answers and prefill
    assert "Envoyé par courriel à helene.garnier@exemple.fr" in review

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            fill_url(helene, ACTE, "verification"),
            filing_data(client, helene, version, channel="mail", received_on=received.isoformat()),
        )

    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("backoffice:file_done", args=[request.reference])
    )
    assert request.channel == "mail"
    assert request.received_on == received
    assert request.decision_due_on == implicit_decision_date(
        received_on=received, rule="acceptance", delay="P1M"
    )
    assert request.filed_by == agent and request.citizen == helene
    assert request.data["demandeur_nom"] == "Garnier"
    submitted = request.events.get(kind=Event.Kind.SUBMITTED)
    assert submitted.payload["filed_on_behalf"] is True
    assert submitted.actor == agent
    receipt = request.documents.get(kind=Document.Kind.RECEIPT)  # made by the worker
    text = text_of(receipt)
    assert f"Date de réception {french(received)}" in text
    assert f"réputée acceptée le {french(request.decision_due_on)}" in text
    assert "Canal de réception Courrier postal" in text
    # Printed; Hélène wants email updates: a copy by email too.
    assert [m.to for m in mailoutbox] == [["helene.garnier@exemple.fr"]]
    assert SESSION_KEY not in client.session or not client.session[SESSION_KEY]

    done = html_of(client.get(response["Location"]))
    for shown in (
        request.reference,
        f"Reçue le {french(received)}",
        french(request.decision_due_on),
        "le silence vaut acceptation",
        reverse("service_requests:tracking", args=[request.reference]),
        "Imprimer l'accusé de réception",
        reverse("backoffice:citizen", args=[helene.pk]),
    ):
        assert shown in done, shown


def test_the_receipt_prints_at_once_even_before_the_worker(client, agent, helene):
    version = demo_version(VOIRIE)
    fill_pages(client, helene, VOIRIE, [("probleme", PROBLEME)])
    done = client.post(
        fill_url(helene, VOIRIE, "verification"), filing_data(client, helene, version)
    )
    request = ServiceRequest.objects.get()
    assert not request.documents.filter(kind=Document.Kind.RECEIPT).exists()  # no worker here

    pdf = client.get(reverse("backoffice:file_receipt", args=[request.reference]))

    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert request.documents.filter(kind=Document.Kind.RECEIPT).count() == 1
    assert f'href="{reverse("backoffice:file_receipt", args=[request.reference])}"' in html_of(
        client.get(done["Location"])
    )
    # Another agent did not file it: neither page is theirs.
    other_client = type(client)()
    login(other_client, make_agent(Role.FRONT_DESK))
    assert other_client.get(done["Location"]).status_code == 404
    assert (
        other_client.get(reverse("backoffice:file_receipt", args=[request.reference])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("email_updates", "delivery", "emailed"),
    [
        (True, "print", True),
        (False, "print", False),
        (False, "post", False),
        (False, "email", True),
    ],
)
def test_the_receipt_is_emailed_when_chosen_or_wanted(
    client, agent, helene, mailoutbox, eager_celery, django_capture_on_commit_callbacks,
    email_updates, delivery, emailed,
):  # fmt: skip
    Citizen.objects.filter(pk=helene.pk).update(email_updates=email_updates)
    version = demo_version(VOIRIE)
    fill_pages(client, helene, VOIRIE, [("probleme", PROBLEME)])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            fill_url(helene, VOIRIE, "verification"),
            filing_data(client, helene, version, receipt_delivery=delivery),
        )
    request = ServiceRequest.objects.get()
    assert request.documents.filter(kind=Document.Kind.RECEIPT).exists()  # made all the same
    assert len(mailoutbox) == (1 if emailed else 0)


def test_no_email_choice_without_an_email_nor_post_without_an_address(client, agent):
    citizen = CitizenFactory(email="", street="", postcode="", city="")
    version = demo_version(VOIRIE)
    fill_pages(client, citizen, VOIRIE, [("probleme", PROBLEME)])
    review = html_of(client.get(fill_url(citizen, VOIRIE, "verification")))
    assert "Envoyé par courriel" not in review and "par la poste" not in review
    response = client.post(
        fill_url(citizen, VOIRIE, "verification"),
        filing_data(client, citizen, version, receipt_delivery="email"),
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in html_of(response)
    assert not ServiceRequest.objects.exists()


def test_a_request_for_an_organisation_the_citizen_represents(client, agent, helene):
    association = RepresentationFactory(citizen=helene).organisation
    stranger = RepresentationFactory().organisation
    version = demo_version(VOIRIE)
    fill_pages(client, helene, VOIRIE, [("probleme", PROBLEME)])
    review = html_of(client.get(fill_url(helene, VOIRIE, "verification")))
    assert association.name in review and stranger.name not in review

    refused = client.post(
        fill_url(helene, VOIRIE, "verification"),
        filing_data(client, helene, version, organisation=stranger.pk),
    )
    assert refused.status_code == 400 and not ServiceRequest.objects.exists()
    client.post(
        fill_url(helene, VOIRIE, "verification"),
        filing_data(client, helene, version, organisation=association.pk),
    )
    assert ServiceRequest.objects.get().organisation == association


# --- The form: the same checks as online ------------------------------------------------------


def test_a_page_with_errors_answers_400_as_online(client, agent, helene):
    demo_version(VOIRIE)
    response = client.post(
        fill_url(helene, VOIRIE, "probleme"),
        {**PROBLEME, **address("adresse", postcode="2A000"), "description": "", "action": "next"},
    )
    assert response.status_code == 400
    page = html_of(response)
    assert "Le formulaire contient 2 erreurs" in page
    assert 'href="#field-adresse-postcode"' in page and 'href="#field-description"' in page
    assert "En Corse, le code postal commence par 20" in page
    assert 'aria-invalid="true"' in page
    assert not ServiceRequest.objects.exists()


def test_conditions_are_honoured_and_hidden_answers_not_stored(client, agent, helene):
    version = demo_version(ACTE)
    pages = [
        ("acte", {"type_acte": "mariage", "forme": "copie-integrale"}),
        ACTE_PAGES[1],
        ("mariage", {"conjoint": "Paul Martin"}),
        ACTE_PAGES[3],
    ]
    fill_pages(client, helene, ACTE, pages)
    assert client.get(fill_url(helene, ACTE, "naissance"))["Location"] == fill_url(helene, ACTE)
    # Back to a birth: the marriage page is hidden, its answer not filed.
    fill_pages(
        client, helene, ACTE, [("acte", {"type_acte": "naissance", "forme": "copie-integrale"})]
    )
    fill_pages(client, helene, ACTE, [ACTE_PAGES[1], ACTE_PAGES[2], ACTE_PAGES[3]])
    client.post(fill_url(helene, ACTE, "verification"), filing_data(client, helene, version))
    request = ServiceRequest.objects.get()
    assert "conjoint" not in request.data and request.data["nom_mere"] == "Claire Dubois"


def test_an_unfinished_form_is_sent_back_to_its_page(client, agent, helene):
    version = demo_version(ACTE)
    fill_pages(client, helene, ACTE, ACTE_PAGES[:1])
    response = client.get(fill_url(helene, ACTE, "verification"))
    assert response["Location"] == fill_url(helene, ACTE, "personne")
    session = client.session
    key = session[SESSION_KEY][f"{helene.pk}:{version.procedure_id}"]["key"]
    response = client.post(
        fill_url(helene, ACTE, "verification"),
        {"channel": "counter", "received_on": timezone.localdate().isoformat(),
         "receipt_delivery": "print", "idempotency_key": key},
    )  # fmt: skip
    assert response["Location"] == fill_url(helene, ACTE, "personne")
    assert not ServiceRequest.objects.exists()


def test_uploads_are_checked_as_online_and_become_the_requests_documents(client, agent, helene):
    version = demo_version(VOIRIE)
    lying = SimpleUploadedFile("photo.jpg", b"%PDF-1.7 not a photo", "image/jpeg")
    response = client.post(
        fill_url(helene, VOIRIE, "probleme"), {**PROBLEME, "photo": lying, "action": "next"}
    )
    assert response.status_code == 400
    assert "n'est pas un JPEG : son contenu ne correspond pas à son extension" in html_of(response)
    assert not default_storage.exists("uploads")
    big = SimpleUploadedFile("grande.jpg", jpeg_bytes() + b"\0" * (10 * 1024 * 1024), "image/jpeg")
    response = client.post(
        fill_url(helene, VOIRIE, "probleme"), {**PROBLEME, "photo": big, "action": "next"}
    )
    assert "dépasse la taille maximale de 10 Mo" in html_of(response)

    fill_pages(
        client, helene, VOIRIE,
        [("probleme", {**PROBLEME, "photo": jpeg_upload("courrier scanné.jpg")})],
    )  # fmt: skip
    client.post(fill_url(helene, VOIRIE, "verification"), filing_data(client, helene, version))

    request = ServiceRequest.objects.get()
    scan = request.documents.get(kind=Document.Kind.UPLOAD)
    assert scan.original_name == "courrier scanné.jpg" and scan.uploaded_by == agent
    assert request.data["photo"][0]["document"] == scan.pk


def test_the_letter_itself_is_attached_as_scans_checked_as_any_upload(client, agent, helene):
    """A form without a file field still takes the scanned letter: on the last step, checked on
    its content; a refusal files nothing and keeps no file; a double POST keeps one copy."""
    version = demo_version(VOIRIE)
    fill_pages(client, helene, VOIRIE, [("probleme", PROBLEME)])
    lying = SimpleUploadedFile("lettre.pdf", b"not a pdf at all", "application/pdf")
    data = filing_data(client, helene, version, channel="mail", scans=[lying])
    response = client.post(fill_url(helene, VOIRIE, "verification"), data)
    assert response.status_code == 400
    assert "lettre.pdf" in html_of(response) and 'id="id_scans"' in html_of(response)
    assert not ServiceRequest.objects.exists() and not default_storage.exists("uploads")

    letter = SimpleUploadedFile(
        "lettre de Mme Garnier.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf"
    )
    data = filing_data(
        client, helene, version, channel="mail", scans=[letter, jpeg_upload("p2.jpg")]
    )
    assert client.post(fill_url(helene, VOIRIE, "verification"), data).status_code == 302
    request = ServiceRequest.objects.get()
    scans = request.documents.order_by("pk")
    assert [d.original_name for d in scans] == ["lettre de Mme Garnier.pdf", "p2.jpg"]
    assert all(d.visible_to_citizen and d.uploaded_by == agent for d in scans)
    assert scans[0].file.read().startswith(b"%PDF-1.7")
    # The same POST again (a double click): the same request, no second copy of the letter.
    letter.seek(0)
    data["scans"] = [letter]
    assert client.post(fill_url(helene, VOIRIE, "verification"), data).status_code in (302, 404)
    assert Document.objects.count() == 2


# --- The date of receipt ----------------------------------------------------------------------


def test_an_invalid_date_of_receipt_is_refused_with_a_date_that_could_be_one(client, agent, helene):
    """The example the message gives is today, not a day the field would refuse too."""
    version = demo_version(VOIRIE)
    fill_pages(client, helene, VOIRIE, [("probleme", PROBLEME)])
    response = client.post(
        fill_url(helene, VOIRIE, "verification"),
        filing_data(client, helene, version, received_on="30/02/2026"),
    )
    assert response.status_code == 400
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert f"Saisissez une date valide, par exemple {today}." in html_of(response)
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-1, "La date de réception ne peut pas être dans le futur."),
        (366, "La date de réception ne peut pas remonter à plus d'un an"),
    ],
)
def test_a_date_of_receipt_out_of_bounds_is_refused(client, agent, helene, days, message):
    version = demo_version(VOIRIE)
    fill_pages(client, helene, VOIRIE, [("probleme", PROBLEME)])
    day = timezone.localdate() - datetime.timedelta(days=days)
    response = client.post(
        fill_url(helene, VOIRIE, "verification"),
        filing_data(client, helene, version, received_on=day.isoformat()),
    )
    assert response.status_code == 400
    page = html_of(response)
    assert message in page
    assert 'href="#id_received_on"' in page and 'id="id_received_on_error"' in page
    assert not ServiceRequest.objects.exists()


def test_a_date_of_receipt_may_be_typed_the_french_way(client, agent, helene):
    version = demo_version(VOIRIE)
    fill_pages(client, helene, VOIRIE, [("probleme", PROBLEME)])
    day = timezone.localdate() - datetime.timedelta(days=3)
    client.post(
        fill_url(helene, VOIRIE, "verification"),
        filing_data(client, helene, version, received_on=day.strftime("%d/%m/%Y")),
    )
    assert ServiceRequest.objects.get().received_on == day


# Entered on `today`, received on `received`: every legal date starts from receipt (LEGAL.md §1),
# with the month arithmetic de quantième à quantième.
DATES = [
    # (today, received, rule, delay, decision holds from)
    ("2026-03-31", "2026-03-24", "acceptance", "P1M", "2026-04-25"),
    ("2026-02-03", "2026-01-31", "acceptance", "P1M", "2026-03-01"),
    ("2026-01-05", "2025-12-31", "rejection", "P2M", "2026-03-01"),
    ("2026-05-20", "2026-05-15", "acceptance", "P30D", "2026-06-15"),
    ("2026-05-20", "2026-05-15", "rejection", "P8W", "2026-07-11"),
    ("2026-05-20", "2026-05-15", "none", "", None),
]


@pytest.mark.parametrize(("today", "received", "rule", "delay", "expected"), DATES)
def test_legal_dates_the_receipt_and_its_email_start_from_the_date_of_receipt(
    mailoutbox, eager_celery, today, received, rule, delay, expected
):
    received, expected = (
        datetime.date.fromisoformat(received),
        expected and (datetime.date.fromisoformat(expected)),
    )
    agent = make_agent()
    citizen = CitizenFactory(email="lea@exemple.fr")
    procedure = ProcedureFactory(
        silence_rule=rule, silence_delay=delay,
        kind=Procedure.Kind.DECISION if rule != "none" else Procedure.Kind.REPORT,
    )  # fmt: skip
    schema = {
        "pages": [
            {
                "id": "objet",
                "title": "Objet",
                "fields": [{"id": "objet", "type": "text", "label": "Objet"}],
            }
        ]
    }
    version = FormVersionFactory(procedure=procedure, schema=schema)
    at = datetime.datetime.fromisoformat(f"{today}T10:00:00+01:00")
    with time_machine.travel(at, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
        request = request_submit(
            procedure=procedure, version=version, answers={"objet": "Une demande"},
            idempotency_key=uuid.uuid4(), citizen=citizen, actor=agent, channel="mail",
            received_on=received,
        ).request  # fmt: skip

    assert request.received_on == received
    assert request.decision_due_on == expected
    text = text_of(request.documents.get(kind=Document.Kind.RECEIPT))
    assert f"Date de réception {french(received)}" in text
    (message,) = mailoutbox
    if expected is None:
        assert "réputée" not in text and "réputée" not in message.body
    else:
        outcome = "acceptée" if rule == "acceptance" else "rejetée"
        assert f"réputée {outcome} le {french(expected)}" in text
        # The email words it plainly (service_requests.legal_dates), the PDF legally.
        assert f"votre demande sera {outcome} le {french_day(expected)}" in message.body
    assert french(datetime.date.fromisoformat(today)) not in text.split("Enregistrée")[0]


# --- Once, and in the citizen's account -------------------------------------------------------


def test_a_double_post_with_the_same_key_makes_one_request(client, agent, helene):
    version = demo_version(VOIRIE)
    fill_pages(client, helene, VOIRIE, [("probleme", PROBLEME)])
    data = filing_data(client, helene, version)
    first = client.post(fill_url(helene, VOIRIE, "verification"), data)
    again = client.post(fill_url(helene, VOIRIE, "verification"), data)
    assert ServiceRequest.objects.count() == 1
    assert again.status_code == 302
    assert again["Location"].split("?")[0] == first["Location"].split("?")[0]
    # The key of a request another agent filed opens nothing.
    other = type(client)()
    login(other, make_agent())
    assert other.post(fill_url(helene, VOIRIE, "verification"), data).status_code == 404
    assert ServiceRequest.objects.count() == 1


def test_the_citizen_with_an_account_sees_the_request_in_it(client, agent):
    user = UserFactory(email="bruno@exemple.fr")
    bruno = CitizenFactory(user=user, email="bruno@exemple.fr", given_names="Bruno")
    version = demo_version(VOIRIE)
    fill_pages(client, bruno, VOIRIE, [("probleme", PROBLEME)])
    done = client.post(fill_url(bruno, VOIRIE, "verification"), filing_data(client, bruno, version))
    request = ServiceRequest.objects.get()
    assert "il retrouve cette demande dans son espace" in html_of(client.get(done["Location"]))

    assert list(citizen_requests(bruno)) == [request]
    citizen_client = type(client)()
    citizen_client.force_login(user)
    account = html_of(citizen_client.get(reverse("account_home")))
    assert request.reference in account
    tracking = citizen_client.get(reverse("service_requests:tracking", args=[request.reference]))
    assert tracking.status_code == 200


def test_an_agent_filing_for_their_own_record_is_not_on_behalf(client, agent):
    own = CitizenFactory(user=agent, email=agent.email)
    version = demo_version(VOIRIE)
    fill_pages(client, own, VOIRIE, [("probleme", PROBLEME)])
    data = filing_data(client, own, version)
    done = client.post(fill_url(own, VOIRIE, "verification"), data)
    request = ServiceRequest.objects.get()
    assert request.filed_by is None
    assert request.events.get(kind=Event.Kind.SUBMITTED).payload["filed_on_behalf"] is False
    assert client.get(done["Location"]).status_code == 200
    assert (
        client.post(fill_url(own, VOIRIE, "verification"), data)["Location"]
        == done["Location"].split("?")[0]
    )


def test_a_form_begun_may_be_abandoned_and_its_files_go(client, agent, helene):
    version = demo_version(VOIRIE)
    fill_pages(client, helene, VOIRIE, [("probleme", {**PROBLEME, "photo": jpeg_upload()})])
    entry = client.session[SESSION_KEY][f"{helene.pk}:{version.procedure_id}"]
    (key,) = [d["key"] for d in entry["answers"]["photo"]]
    assert default_storage.exists(key)
    assert "(commencée : reprendre)" in html_of(client.get(choose_url(helene)))

    response = client.post(fill_url(helene, VOIRIE, "abandon"))

    assert response["Location"] == choose_url(helene)
    assert f"{helene.pk}:{version.procedure_id}" not in client.session[SESSION_KEY]
    assert not default_storage.exists(key)
    assert "(commencée : reprendre)" not in html_of(client.get(choose_url(helene)))
    assert not ServiceRequest.objects.exists()


def test_the_demarches_page_query_count_does_not_grow_with_the_catalogue(
    client, agent, helene, django_assert_max_num_queries
):
    for n in range(30):
        FormVersionFactory(procedure=ProcedureFactory(category=f"Thème {n % 5}"))
    client.get(choose_url(helene))  # the session and the scope, read once
    with django_assert_max_num_queries(10):
        assert client.get(choose_url(helene)).status_code == 200
