"""Filing a démarche from the citizen's side: page by page, back and next, the review, the
contact step of an anonymous citizen, the submission and its confirmation; uploads kept
privately; bad input refused in French with nothing stored; procedures that need an account;
signed-in citizens' drafts, saved on each page and resumed."""

import uuid
from html import unescape

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forms_builder.models import Procedure
from service_requests.drafts import SESSION_KEY
from service_requests.models import Document, Event, ServiceRequest, Status
from tests.factories import (
    CitizenFactory,
    FormVersionFactory,
    ProcedureFactory,
    ServiceRequestFactory,
    UserFactory,
)
from tests.service_requests.test_submit import (
    SIGNALEMENT,
    demo_version,
    jpeg_bytes,
    jpeg_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def url(name: str, slug: str, *args) -> str:
    return reverse(f"service_requests:filing_{name}", args=[slug, *args])


def page_url(slug: str, page_id: str) -> str:
    return url("page", slug, page_id)


def session_entry(client, version) -> dict:
    return client.session[SESSION_KEY][str(version.procedure_id)]


def stored_keys(client, version, field_id) -> list[str]:
    return [d["key"] for d in session_entry(client, version)["answers"].get(field_id, [])]


def address(prefix: str, street="12 rue de la République", postcode="00000", city="Démo"):
    return {f"{prefix}-street": street, f"{prefix}-postcode": postcode, f"{prefix}-city": city}


PROBLEME = {
    "nature": "nid-de-poule",
    **address("adresse"),
    "description": "Un trou profond devant le numéro 12.",
    "action": "next",
}


def html_of(response) -> str:
    return unescape(response.content.decode())


# --- The whole anonymous path -----------------------------------------------------------------


def test_an_anonymous_citizen_files_a_report_with_a_photo_and_an_address(
    client, mailoutbox, eager_celery, django_capture_on_commit_callbacks
):
    version = demo_version("signalement-voirie")
    slug = "signalement-voirie"

    first = client.get(url("start", slug))
    assert first.status_code == 200
    assert "Le problème" in html_of(first) and "Étape 1 · dernière étape" in html_of(first)
    assert f'action="{page_url(slug, "probleme")}"' in html_of(first)

    response = client.post(page_url(slug, "probleme"), {**PROBLEME, "photo": jpeg_upload()})
    assert response.status_code == 302
    assert response["Location"] == url("review", slug)  # one page of answers
    (key,) = stored_keys(client, version, "photo")
    assert key.startswith("uploads/") and "nid" not in key  # a random name
    assert default_storage.exists(key)
    for public in (f"/{key}", f"/media/{key}"):  # nothing serves the storage: only the
        assert client.get(public).status_code == 404  # document view, which checks rights
    assert not ServiceRequest.objects.exists()  # nothing filed before the end

    review = html_of(client.get(url("review", slug)))
    for shown in ("Nid-de-poule ou chaussée abîmée", "12 rue de la République", "nid de poule.jpg"):
        assert shown in review
    assert url("contact", slug) in review

    contact = client.get(url("contact", slug))
    assert contact.status_code == 200
    for asked in ('name="name"', 'name="email"', 'name="phone"'):  # asked here, once
        assert asked in html_of(contact)
    key_field = session_entry(client, version)["key"]
    assert f'value="{key_field}"' in html_of(contact)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("contact", slug),
            {
                "email": "lea.durand@exemple.fr",
                "email_confirmation": "Lea.Durand@exemple.fr",
                "phone": "0612345678",
                "name": "Léa Durand",
                "idempotency_key": key_field,
            },
        )

    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("confirmation", slug, request.reference)
    assert request.status == Status.SUBMITTED
    assert request.contact_email == "lea.durand@exemple.fr"
    assert request.contact_phone == "06 12 34 56 78"
    assert request.data["adresse"] == {
        "street": "12 rue de la République",
        "postcode": "00000",
        "city": "Démo",
    }
    assert request.contact_name == "Léa Durand"
    assert str(request.idempotency_key) == key_field
    assert set(request.events.values_list("kind", flat=True)) == {
        Event.Kind.SUBMITTED,
        Event.Kind.ROUTED,
    }
    photo = request.documents.get(kind=Document.Kind.UPLOAD)
    assert photo.file.name == key and photo.original_name == "nid de poule.jpg"
    # Made by the receipt task (run here on commit, as the worker would), and emailed.
    receipt = request.documents.get(kind=Document.Kind.RECEIPT)
    assert (
        SESSION_KEY not in client.session
        or str(version.procedure_id) not in (client.session[SESSION_KEY])
    )
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["lea.durand@exemple.fr"]
    assert mailoutbox[0].attachments[0][1] == receipt.file.open("rb").read()

    confirmation = html_of(client.get(response["Location"]))
    assert request.reference in confirmation
    assert request.tracking_token in confirmation  # the secret link, on screen
    receipt_url = reverse("service_requests:receipt", args=[request.reference])
    assert f'href="{receipt_url}"' in confirmation
    assert "Voirie" in confirmation and "lea.durand@exemple.fr" in confirmation
    assert "n'appelle pas de décision implicite" in confirmation
    # The session that filed it may open its page and download the receipt, from the
    # confirmation's link (the one the worker made) and from the page's list of documents.
    assert (
        client.get(reverse("service_requests:tracking", args=[request.reference])).status_code
        == 200
    )
    download = client.get(receipt_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == receipt.file.open("rb").read()
    assert request.documents.filter(kind=Document.Kind.RECEIPT).count() == 1
    download = client.get(
        reverse("service_requests:document", args=[request.reference, receipt.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_multi_page_form_with_a_condition_back_and_next(client):
    version = demo_version("acte-etat-civil")
    slug = "acte-etat-civil"

    assert client.post(
        page_url(slug, "acte"),
        {"type_acte": "mariage", "forme": "copie-integrale", "action": "next"},
    )["Location"] == page_url(slug, "personne")
    personne = {
        "lien": "soi-meme", "nom": "Garnier", "prenoms": "Hélène",
        "date_evenement": "2015-06-20", "action": "next",
    }  # fmt: skip
    assert client.post(page_url(slug, "personne"), personne)["Location"] == (
        page_url(slug, "mariage")
    )
    page = html_of(client.get(page_url(slug, "mariage")))
    assert "Étape 3 · encore 1 étape" in page
    # The birth page is not shown for a marriage: straight back to the form.
    assert client.get(page_url(slug, "naissance"))["Location"] == url("start", slug)

    # Back: the answers of the page are kept, and shown again.
    response = client.post(
        page_url(slug, "mariage"), {"conjoint": "Paul Martin", "action": "previous"}
    )
    assert response["Location"] == page_url(slug, "personne")
    assert 'value="Garnier"' in html_of(client.get(page_url(slug, "personne")))
    assert 'value="Paul Martin"' in html_of(client.get(page_url(slug, "mariage")))

    # A change on the first page changes the pages that follow: a birth now.
    client.post(
        page_url(slug, "acte"),
        {"type_acte": "naissance", "forme": "copie-integrale", "action": "next"},
    )
    assert client.post(page_url(slug, "personne"), personne)["Location"] == (
        page_url(slug, "naissance")
    )
    assert "Étape 3 · encore 1 étape" in html_of(client.get(page_url(slug, "naissance")))
    client.post(page_url(slug, "naissance"), {"nom_mere": "Claire Dubois", "action": "next"})
    envoi = {
        "demandeur_prenoms": "Hélène", "demandeur_nom": "Garnier", "nombre_exemplaires": "2",
        **address("adresse_envoi", street="3 rue des Lilas"), "action": "next",
    }  # fmt: skip
    assert client.post(page_url(slug, "envoi"), envoi)["Location"] == url("review", slug)

    review = html_of(client.get(url("review", slug)))
    assert "La naissance" in review and "Claire Dubois" in review
    assert "Le mariage" not in review and "Paul Martin" not in review  # hidden now
    client.get(url("contact", slug))
    key = session_entry(client, version)["key"]
    response = client.post(
        url("contact", slug),
        {"email": "helene@exemple.fr", "email_confirmation": "helene@exemple.fr",
         "idempotency_key": key},
    )  # fmt: skip
    request = ServiceRequest.objects.get()
    assert response["Location"] == url("confirmation", slug, request.reference)
    assert request.data["nom_mere"] == "Claire Dubois"
    assert "conjoint" not in request.data  # answered, then hidden: not stored
    assert request.team.slug == "etat-civil"
    assert request.decision_due_on is not None


def test_the_start_page_resumes_where_the_citizen_stopped(client):
    demo_version("acte-etat-civil")
    slug = "acte-etat-civil"
    client.post(
        page_url(slug, "acte"), {"type_acte": "deces", "forme": "copie-integrale", "action": "next"}
    )
    page = html_of(client.get(url("start", slug)))
    assert "La personne concernée" in page and "Étape 2 · encore 1 étape" in page


def test_the_review_sends_back_to_an_unfinished_page(client):
    demo_version("acte-etat-civil")
    slug = "acte-etat-civil"
    client.post(
        page_url(slug, "acte"), {"type_acte": "deces", "forme": "copie-integrale", "action": "next"}
    )
    response = client.get(url("review", slug))
    assert response["Location"] == page_url(slug, "personne")
    assert "Votre demande est incomplète" in html_of(client.get(response["Location"]))
    demo_version("signalement-voirie")  # never started: back to its first page
    assert client.get(url("review", "signalement-voirie"))["Location"] == url(
        "start", "signalement-voirie"
    )


# --- Replays and double clicks ----------------------------------------------------------------


def _ready_to_send(client) -> tuple[str, dict]:
    """An anonymous report filled in up to the contact step: its URL and the POST to send."""
    version = demo_version("signalement-voirie")
    slug = "signalement-voirie"
    client.post(page_url(slug, "probleme"), PROBLEME)
    client.get(url("review", slug))
    key = session_entry(client, version)["key"]
    data = {
        "email": "lea@exemple.fr",
        "email_confirmation": "lea@exemple.fr",
        "idempotency_key": key,
    }
    return url("contact", slug), data


def test_a_replayed_submission_shows_the_same_confirmation(client):
    target, data = _ready_to_send(client)
    first = client.post(target, data)
    again = client.post(target, data)  # a refresh, a double click, the back button
    assert ServiceRequest.objects.count() == 1
    assert again.status_code == 302 and again["Location"] == first["Location"]


def test_the_confirmation_offers_the_receipt_before_the_worker_made_it(client):
    """The receipt task has not run (the broker is away, or the worker is behind): the
    confirmation's link makes the receipt on the citizen's click."""
    target, data = _ready_to_send(client)
    confirmation = client.post(target, data)["Location"]  # its on-commit tasks never run here
    request = ServiceRequest.objects.get()
    assert not request.documents.filter(kind=Document.Kind.RECEIPT).exists()
    receipt_url = reverse("service_requests:receipt", args=[request.reference])
    assert f'href="{receipt_url}"' in html_of(client.get(confirmation))

    download = client.get(receipt_url)

    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="accuse-reception-{request.reference}.pdf"'
    )
    receipt = request.documents.get(kind=Document.Kind.RECEIPT)
    assert b"".join(download.streaming_content) == receipt.file.open("rb").read()
    assert type(client)().get(receipt_url).status_code == 404  # not for another browser


def test_someone_elses_key_opens_nothing(client, django_user_model):
    target, data = _ready_to_send(client)
    client.post(target, data)
    other = type(client)()
    assert other.post(target, data).status_code == 404
    assert ServiceRequest.objects.count() == 1


def test_an_expired_session_at_the_last_step_says_so(client):
    demo_version("signalement-voirie")
    key = str(uuid.uuid4())
    response = client.post(
        url("contact", "signalement-voirie"),
        {"email": "lea@exemple.fr", "email_confirmation": "lea@exemple.fr", "idempotency_key": key},
    )
    assert response["Location"] == url("start", "signalement-voirie")
    assert "Votre session a expiré" in html_of(client.get(response["Location"]))
    assert not ServiceRequest.objects.exists()


def test_the_confirmation_is_only_for_the_session_that_filed(client):
    target, data = _ready_to_send(client)
    confirmation = client.post(target, data)["Location"]
    assert client.get(confirmation).status_code == 200
    assert type(client)().get(confirmation).status_code == 404


def test_answers_no_longer_valid_at_submission_send_back_to_their_page(client):
    target, data = _ready_to_send(client)
    session = client.session
    entry = session[SESSION_KEY][str(demo_version("signalement-voirie").procedure_id)]
    del entry["answers"]["description"]  # as if a rule had changed since the page was sent
    session.save()

    response = client.post(target, data)

    assert response["Location"] == page_url("signalement-voirie", "probleme")
    assert "Votre demande est incomplète" in html_of(client.get(response["Location"]))
    assert not ServiceRequest.objects.exists()


def test_a_refusal_at_submission_is_said_on_the_review_not_a_500(client, monkeypatch):
    """A record merged while the citizen sends: the service refuses (ValidationError); the
    citizen reads why on the review page and nothing is filed."""
    from django.core.exceptions import ValidationError

    from service_requests.views import filing as filing_views

    target, data = _ready_to_send(client)

    def refuse(**kwargs):
        raise ValidationError("Cette fiche a été fusionnée avec une autre.")

    monkeypatch.setattr(filing_views, "request_submit", refuse)
    response = client.post(target, data)

    assert response["Location"] == page_url("signalement-voirie", "verification")
    assert "Cette fiche a été fusionnée avec une autre." in html_of(
        client.get(response["Location"])
    )
    assert not ServiceRequest.objects.exists()


# --- Bad input --------------------------------------------------------------------------------


def test_a_page_with_errors_answers_400_with_a_summary_and_keeps_what_was_right(client):
    version = demo_version("signalement-voirie")
    slug = "signalement-voirie"
    response = client.post(
        page_url(slug, "probleme"),
        {**PROBLEME, **address("adresse", postcode="2A000"), "description": ""},
    )
    assert response.status_code == 400
    page = html_of(response)
    assert "Le formulaire contient 2 erreurs" in page
    assert 'href="#field-adresse-postcode"' in page and 'href="#field-description"' in page
    assert "En Corse, le code postal commence par 20" in page
    assert 'aria-invalid="true"' in page
    # What was refused waits as typed (to show it again on return), a blank field does not.
    assert session_entry(client, version)["answers"] == {
        "nature": "nid-de-poule",
        "_refused": {
            "probleme": {
                "adresse": {
                    "street": "12 rue de la République",
                    "postcode": "2A000",
                    "city": "Démo",
                }
            }
        },
    }
    assert not ServiceRequest.objects.exists()


def test_a_file_with_a_lying_extension_is_refused_and_nothing_is_stored(client):
    version = demo_version("signalement-voirie")
    pdf_named_jpg = SimpleUploadedFile("photo.jpg", b"%PDF-1.7 not a photo", "image/jpeg")
    response = client.post(
        page_url("signalement-voirie", "probleme"), {**PROBLEME, "photo": pdf_named_jpg}
    )
    assert response.status_code == 400
    assert (
        "Le fichier « photo.jpg » n'est pas un JPEG : son contenu ne correspond pas à son "
        "extension." in html_of(response)
    )
    assert "photo" not in session_entry(client, version)["answers"]
    assert not default_storage.exists("uploads")


def test_an_oversize_file_is_refused_and_nothing_is_stored(client):
    version = demo_version("signalement-voirie")
    big = SimpleUploadedFile("grande.jpg", jpeg_bytes() + b"\0" * (10 * 1024 * 1024), "image/jpeg")
    response = client.post(page_url("signalement-voirie", "probleme"), {**PROBLEME, "photo": big})
    assert response.status_code == 400
    assert "Le fichier « grande.jpg » dépasse la taille maximale de 10 Mo." in html_of(response)
    assert "photo" not in session_entry(client, version)["answers"]
    assert not default_storage.exists("uploads")


def test_a_post_for_a_field_hidden_by_a_condition_stores_nothing_for_it(client):
    version = demo_version("signalement-voirie")
    client.post(
        page_url("signalement-voirie", "probleme"),
        {**PROBLEME, "nature_precision": "Un arbre tombé"},  # asked only for « Autre »
    )
    assert "nature_precision" not in session_entry(client, version)["answers"]


def test_a_file_removed_or_hidden_is_deleted_from_the_storage(client):
    version = demo_version("signalement-voirie")
    slug = "signalement-voirie"
    client.post(page_url(slug, "probleme"), {**PROBLEME, "photo": jpeg_upload()})
    (key,) = stored_keys(client, version, "photo")
    client.post(page_url(slug, "probleme"), {**PROBLEME, "photo-remove": "0"})
    assert stored_keys(client, version, "photo") == []
    assert not default_storage.exists(key)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"email": "lea@", "email_confirmation": "lea@"},
            "Saisissez une adresse électronique valide",
        ),
        (
            {"email": "lea@exemple.fr", "email_confirmation": ""},
            "Saisissez une seconde fois votre adresse électronique.",
        ),
        (
            {"email": "lea@exemple.fr", "email_confirmation": "lea@exemple.com"},
            "Les deux adresses électroniques ne sont pas identiques",
        ),
        (
            {"email": "lea@exemple.fr", "email_confirmation": "lea@exemple.fr", "phone": "12"},
            "Saisissez un numéro de téléphone français",
        ),
    ],
)
def test_the_contact_step_refuses_bad_input_in_french(client, data, message):
    target, valid = _ready_to_send(client)
    response = client.post(target, {**valid, **data})
    assert response.status_code == 400
    page = html_of(response)
    assert message in page
    assert "error-summary" in page and "Erreur :" in page
    assert not ServiceRequest.objects.exists()


# --- Procedures that need an account ------------------------------------------------------------


@pytest.mark.parametrize(
    ("identification", "heading"),
    [("account", "Cette démarche demande un compte"), ("franceconnect", "demande FranceConnect")],
)
def test_an_anonymous_visitor_is_told_how_to_file_otherwise(client, identification, heading):
    procedure = ProcedureFactory(slug="occupation", identification=identification)
    FormVersionFactory(procedure=procedure, schema=demo_version("acte-etat-civil").schema)
    for target in (
        url("start", "occupation"),
        page_url("occupation", "acte"),
        url("review", "occupation"),
    ):
        response = client.get(target)
        assert response.status_code == 200
        page = html_of(response)
        assert heading in page
        assert "au guichet ou par téléphone" in page.lower()
        assert procedure.default_team.phone in page
    assert (
        client.post(page_url("occupation", "acte"), {"type_acte": "naissance"}).status_code == 200
    )
    assert not ServiceRequest.objects.exists()


def test_a_procedure_without_a_published_form_is_not_filed_online(client):
    ProcedureFactory(slug="bientot")
    response = client.get(url("start", "bientot"))
    assert response.status_code == 200
    assert "pas encore disponible" in html_of(response)


def test_an_unknown_or_unpublished_procedure_is_a_404(client):
    ProcedureFactory(slug="brouillon", is_published=False)
    assert client.get(url("start", "brouillon")).status_code == 404
    assert client.get(url("start", "inconnue")).status_code == 404


def test_the_procedure_page_links_the_form(client):
    demo_version("signalement-voirie")
    page = html_of(client.get(reverse("forms_builder:procedure", args=["signalement-voirie"])))
    assert url("start", "signalement-voirie") in page


# --- Signed-in citizens -----------------------------------------------------------------------


@pytest.fixture
def citizen(client):
    user = UserFactory(first_name="Hélène", last_name="Garnier", email="helene@exemple.fr")
    citizen = CitizenFactory(
        user=user, given_names="Hélène", family_name="Garnier", email="helene@exemple.fr",
        street="3 rue des Lilas", postcode="00000", city="Démo",
    )  # fmt: skip
    client.force_login(user)
    return citizen


def test_a_signed_in_citizen_files_an_account_procedure_with_a_draft_saved_on_each_page(
    client, citizen
):
    version = demo_version("acte-etat-civil")
    Procedure.objects.filter(pk=version.procedure_id).update(identification="account")
    slug = "acte-etat-civil"

    first = html_of(client.get(url("start", slug)))
    assert "Étape 1 ·" in first
    assert not ServiceRequest.objects.exists()  # a look creates nothing

    client.post(
        page_url(slug, "acte"), {"type_acte": "deces", "forme": "copie-integrale", "action": "next"}
    )
    draft = ServiceRequest.objects.get()
    assert draft.status == Status.DRAFT and draft.citizen == citizen
    assert draft.data["type_acte"] == "deces"
    assert draft.data["demandeur_nom"] == "Garnier"  # prefilled from the profile
    page = html_of(client.get(page_url(slug, "personne")))
    assert "Brouillon enregistré à" in page

    # The session ends: signed in again elsewhere, the draft resumes where it stopped.
    client.logout()
    client.force_login(citizen.user)
    resumed = html_of(client.get(url("start", slug)))
    assert "La personne concernée" in resumed

    client.post(page_url(slug, "personne"), {
        "lien": "soi-meme", "nom": "Garnier", "prenoms": "Hélène",
        "date_evenement": "2015-06-20", "action": "next",
    })  # fmt: skip
    client.post(page_url(slug, "envoi"), {
        "demandeur_prenoms": "Hélène", "demandeur_nom": "Garnier", "nombre_exemplaires": "1",
        **address("adresse_envoi"), "action": "next",
    })  # fmt: skip
    review = html_of(client.get(url("review", slug)))
    assert "helene@exemple.fr" in review and "Brouillon enregistré à" in review
    draft.refresh_from_db()
    assert draft.idempotency_key is not None
    assert f'value="{draft.idempotency_key}"' in review

    response = client.post(url("review", slug), {"idempotency_key": str(draft.idempotency_key)})
    request = ServiceRequest.objects.get()
    assert request.pk == draft.pk and request.status == Status.SUBMITTED
    assert response["Location"] == url("confirmation", slug, request.reference)
    assert request.contact_email == "helene@exemple.fr"
    assert request.events.get(kind=Event.Kind.SUBMITTED).actor == citizen.user
    again = client.post(url("review", slug), {"idempotency_key": str(draft.idempotency_key)})
    assert again["Location"] == response["Location"]
    assert client.get(response["Location"]).status_code == 200


def test_answers_given_before_signing_in_move_into_the_draft(client):
    version = demo_version("signalement-voirie")
    slug = "signalement-voirie"
    client.post(page_url(slug, "probleme"), {**PROBLEME, "photo": jpeg_upload()})
    client.get(url("review", slug))
    (key,) = stored_keys(client, version, "photo")
    contact = html_of(client.get(url("contact", slug)))
    login = reverse("service_requests:filing_contact", args=[slug])
    assert f"{reverse('account_login')}?next={login.replace('/', '%2F')}" in contact

    user = UserFactory(email="lea@exemple.fr")
    client.force_login(user)  # the session keeps its data, as Django's login does
    response = client.get(url("contact", slug))

    assert response["Location"] == url("review", slug)
    draft = ServiceRequest.objects.get()
    assert draft.status == Status.DRAFT and draft.citizen.user == user
    assert draft.data["description"] == PROBLEME["description"]
    assert draft.data["photo"][0]["key"] == key
    assert "answers" not in session_entry(client, version)
    review = client.get(url("review", slug))
    assert review.status_code == 200
    draft.refresh_from_db()
    client.post(url("review", slug), {"idempotency_key": str(draft.idempotency_key)})
    request = ServiceRequest.objects.get()
    assert request.status == Status.SUBMITTED
    assert request.documents.get(kind=Document.Kind.UPLOAD).file.name == key


def test_a_new_request_from_an_earlier_one_carries_over_what_the_form_allows(client, citizen):
    version = demo_version("demande-information")
    slug = "demande-information"
    question = {"sujet": "voirie", "objet": "Déchetterie", "question": "Quels horaires ?"}
    contact = {"nom": "Hélène G.", "canal_reponse": "email", "email": "h@exemple.fr",
               "telephone": "06 12 34 56 78"}  # fmt: skip
    earlier = ServiceRequestFactory(
        form_version=version, citizen=citizen, data={**question, **contact}
    )

    response = client.post(url("start_from", slug, earlier.reference))

    assert response["Location"] == url("start", slug)
    draft = ServiceRequest.objects.get(status=Status.DRAFT)
    assert draft.data["nom"] == "Hélène G." and draft.data["telephone"] == "06 12 34 56 78"
    assert draft.data["email"] == "h@exemple.fr"
    assert "question" not in draft.data and "canal_reponse" not in draft.data  # not carried
    other = ServiceRequestFactory(form_version=version, citizen=CitizenFactory())
    assert client.post(url("start_from", slug, other.reference)).status_code == 404


# --- Query counts -----------------------------------------------------------------------------


def _grow(n: int) -> None:
    for _ in range(n):
        procedure = ProcedureFactory()
        version = FormVersionFactory(
            procedure=procedure, schema=demo_version("acte-etat-civil").schema
        )
        ServiceRequestFactory(form_version=version)


# The same count with 3 or 30 more démarches and requests: a fresh visitor (the démarche, its
# form), a visitor half-way (and the session), a signed-in citizen with a draft (and the user,
# the draft with its form and citizen: the page reached is in the session).
QUERIES = {"fresh": 2, "half-way": 3, "signed-in": 4}


@pytest.mark.parametrize("visitor", list(QUERIES))
def test_the_form_page_query_count_does_not_grow_with_the_data(
    client, django_assert_num_queries, visitor
):
    demo_version("acte-etat-civil")
    slug = "acte-etat-civil"
    if visitor == "signed-in":
        user = UserFactory()
        CitizenFactory(user=user)
        client.force_login(user)
    if visitor != "fresh":
        first_page = {"type_acte": "deces", "forme": "copie-integrale", "action": "next"}
        client.post(page_url(slug, "acte"), first_page)
    target = url("start", slug)
    client.get(target)  # warm: the same request once, as a running server has done
    _grow(3)
    with django_assert_num_queries(QUERIES[visitor]):
        assert client.get(target).status_code == 200
    _grow(27)
    with django_assert_num_queries(QUERIES[visitor]):
        assert client.get(target).status_code == 200


def test_a_page_sent_after_the_draft_was_filed_starts_a_new_draft(client, citizen):
    """Another tab filed the draft meanwhile: the request is left alone."""
    demo_version("acte-etat-civil")
    slug = "acte-etat-civil"
    first_page = {"type_acte": "deces", "forme": "copie-integrale", "action": "next"}
    client.post(page_url(slug, "acte"), first_page)
    ServiceRequest.objects.update(status=Status.SUBMITTED, received_on="2026-01-15")

    client.post(page_url(slug, "acte"), {**first_page, "type_acte": "mariage"})

    filed = ServiceRequest.objects.get(status=Status.SUBMITTED)
    assert filed.data["type_acte"] == "deces"
    assert ServiceRequest.objects.get(status=Status.DRAFT).data["type_acte"] == "mariage"


def test_a_new_request_from_an_earlier_one_resumes_a_draft_in_progress(client, citizen):
    version = demo_version("signalement-voirie")
    earlier = ServiceRequestFactory(form_version=version, citizen=citizen, data=SIGNALEMENT)
    client.post(page_url("signalement-voirie", "probleme"), PROBLEME)

    response = client.post(url("start_from", "signalement-voirie", earlier.reference))

    assert response["Location"] == url("start", "signalement-voirie")
    assert ServiceRequest.objects.filter(status=Status.DRAFT).count() == 1
    assert "déjà une demande en cours" in html_of(client.get(response["Location"], follow=True))


def test_an_account_without_citizen_record_is_prefilled_from_the_account(client):
    demo_version("acte-etat-civil")
    user = UserFactory(first_name="Hélène", last_name="Garnier", email="helene@exemple.fr")
    client.force_login(user)
    page = html_of(client.get(page_url("acte-etat-civil", "envoi")))
    assert 'value="Hélène"' in page and 'value="Garnier"' in page
    demo_version("demande-information")
    page = html_of(client.get(page_url("demande-information", "question")))
    assert 'value="helene@exemple.fr"' in page
