"""Filing in Chromium, as a new citizen would on the demo démarches: an anonymous report with
a photo and an address, then a multi-page civil-status request through its condition. axe-core
finds no WCAG 2.1 AA violation on a form page in its error state, the review, the contact step,
the confirmation and the tracking page; the confirmation's link downloads the receipt PDF; the
link of the receipt email opens the request.

The live server runs in a thread of this process: its emails land in `mail.outbox` (the
locmem backend the test run installs), and Celery runs the receipt task inline, on commit."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from forms_builder.models import Procedure
from gru.celery import app
from service_requests.models import Document, ServiceRequest, Status
from tests.service_requests.test_submit import demo_version, jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _demo_and_inline_tasks():
    demo_version("signalement-voirie")
    demo_version("acte-etat-civil")
    mail.outbox = []
    conf = app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def click(page, name: str, role: str = "button") -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()


def check_page(page, assert_accessible, csp_violations) -> None:
    """WCAG 2.1 AA by axe-core under the page's real CSP, and reflow at 320 CSS pixels (the
    secret link of the confirmation is long)."""
    assert page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith("system-ui")
    assert_accessible()
    assert not csp_violations(), csp_violations()
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 320px"


def send_anonymously(page, email: str) -> None:
    page.get_by_label(re.compile(r"^Adresse électronique")).fill(email)
    page.get_by_label("Confirmez votre adresse électronique").fill(email)
    click(page, "Envoyer ma demande")


def test_an_anonymous_citizen_files_a_report_with_a_photo_and_follows_the_email_link(
    live_server, page, browser, assert_accessible, csp_violations
):
    page.goto(live_server.url + reverse("forms_builder:procedure", args=["signalement-voirie"]))
    click(page, "Faire la démarche en ligne", role="link")
    assert "Étape 1 · dernière étape avant la vérification" in page.content()

    # The first page in its error state.
    click(page, "Vérifier mes réponses")
    assert page.title().startswith("Erreur :")
    assert page.locator(".error-summary").is_visible()
    check_page(page, assert_accessible, csp_violations)

    page.get_by_label("Nid-de-poule ou chaussée abîmée").check()
    page.get_by_label("Numéro et voie").fill("12 rue de la République")
    page.get_by_label("Code postal").fill("00000")
    page.get_by_label("Commune").fill("Démo")
    page.get_by_label("Décrivez le problème").fill("Un trou profond devant le numéro 12.")
    page.set_input_files(
        "#field-photo",
        files=[{"name": "trou.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}],
    )
    click(page, "Vérifier mes réponses")

    # The review.
    assert page.get_by_role("heading", name="Vérifiez vos réponses").is_visible()
    assert "trou.jpg" in page.content() and "12 rue de la République" in page.content()
    check_page(page, assert_accessible, csp_violations)

    # The contact step, asking name, email (optional for a report) and phone once, in its
    # error state then filled.
    click(page, "Continuer", role="link")
    page.get_by_label("Vos prénom et nom").fill("Léa Durand")
    page.get_by_label("Adresse électronique (facultatif)", exact=True).fill("lea.durand@exemple.fr")
    page.get_by_label("Confirmez votre adresse électronique").fill("lea@exemple.fr")
    click(page, "Envoyer ma demande")
    assert "ne sont pas identiques" in page.content()
    check_page(page, assert_accessible, csp_violations)
    send_anonymously(page, "lea.durand@exemple.fr")

    # The confirmation.
    request = ServiceRequest.objects.get(procedure__slug="signalement-voirie")
    assert request.status == Status.SUBMITTED
    assert request.documents.filter(kind=Document.Kind.UPLOAD).count() == 1
    assert page.get_by_role("heading", name="Votre demande a bien été envoyée").is_visible()
    assert request.reference in page.content()
    check_page(page, assert_accessible, csp_violations)

    # Its receipt link downloads the PDF the receipt task made and emailed.
    receipt = request.documents.get(kind=Document.Kind.RECEIPT)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger l'accusé de réception").click()
    download = download_info.value
    assert download.suggested_filename == f"accuse-reception-{request.reference}.pdf"
    with open(download.path(), "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF-")
    assert content == receipt.file.open("rb").read()
    assert request.documents.filter(kind=Document.Kind.RECEIPT).count() == 1

    # The tracking page it links to.
    click(page, "Voir ma demande", role="link")
    assert "Reçue" in page.locator(".summary-list").inner_text()
    check_page(page, assert_accessible, csp_violations)

    # The receipt email's link, opened in another browser: « Reçue ».
    (message,) = [m for m in mail.outbox if m.to == ["lea.durand@exemple.fr"]]
    assert message.attachments[0][1] == content
    link = re.search(re.escape(settings.SITE_URL) + r"(/suivi/\S+/)", message.body)[1]
    assert request.tracking_token in link
    other = browser.new_context(locale="fr-FR")
    try:
        elsewhere = other.new_page()
        elsewhere.goto(live_server.url + link)
        assert elsewhere.url == live_server.url + reverse(
            "service_requests:tracking", args=[request.reference]
        )
        assert "Reçue" in elsewhere.locator(".summary-list").inner_text()
        assert "Accusé de réception" in elsewhere.content()

        # From there, a message with a photo attached.
        elsewhere.get_by_label("Votre message").fill("Le trou s'agrandit, voici une photo.")
        elsewhere.set_input_files(
            "#id_files",
            files=[{"name": "trou-2.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}],
        )
        click(elsewhere, "Envoyer le message")
        assert "Votre message a été envoyé au service." in elsewhere.content()
        assert elsewhere.get_by_role("link", name="trou-2.jpg").is_visible()
        sent = request.messages.get()
        assert sent.body == "Le trou s'agrandit, voici une photo."
        assert sent.documents.get().original_name == "trou-2.jpg"
    finally:
        other.close()


def test_a_civil_status_request_through_its_condition(
    live_server, page, assert_accessible, csp_violations
):
    page.goto(live_server.url + reverse("service_requests:filing_start", args=["acte-etat-civil"]))
    page.get_by_label("Acte de naissance").check()
    page.get_by_label("Copie intégrale").check()
    click(page, "Continuer")

    page.get_by_label("La personne concernée elle-même").check()
    page.get_by_label("Nom de naissance de la personne concernée").fill("Garnier")
    page.get_by_label("Prénoms", exact=True).fill("Hélène")
    page.get_by_label("Date de l'événement").fill("1990-04-02")
    click(page, "Continuer")

    # Asked only for a birth certificate.
    assert page.get_by_role("heading", name="La naissance").is_visible()
    assert "Étape 3 · encore 1 étape" in page.content()
    page.get_by_label("Nom de naissance et prénoms de la mère").fill("Claire Dubois")
    click(page, "Continuer")

    page.get_by_label("Vos prénoms").fill("Hélène")
    page.get_by_label("Votre nom").fill("Garnier")
    page.get_by_label("Nombre d'exemplaires").fill("2")
    page.get_by_label("Numéro et voie").fill("3 rue des Lilas")
    page.get_by_label("Code postal").fill("00000")
    page.get_by_label("Commune").fill("Démo")
    click(page, "Vérifier mes réponses")

    assert "Claire Dubois" in page.content()
    click(page, "Continuer", role="link")
    check_page(page, assert_accessible, csp_violations)
    send_anonymously(page, "helene@exemple.fr")

    request = ServiceRequest.objects.get(procedure__slug="acte-etat-civil")
    assert request.data["nom_mere"] == "Claire Dubois"
    assert request.decision_due_on is not None
    assert "votre demande sera acceptée le" in page.content()
    check_page(page, assert_accessible, csp_violations)


def test_a_procedure_that_needs_an_account_says_how_to_file_otherwise(
    live_server, page, assert_accessible, csp_violations
):
    Procedure.objects.filter(slug="acte-etat-civil").update(identification="account")
    page.goto(live_server.url + reverse("service_requests:filing_start", args=["acte-etat-civil"]))
    assert page.get_by_role("heading", name="Cette démarche demande un compte").is_visible()
    assert "01 00 00 00 30" in page.content()  # the team's telephone
    check_page(page, assert_accessible, csp_violations)


def test_a_page_left_by_a_link_of_the_site_keeps_what_was_typed(
    live_server, page, assert_accessible, csp_violations
):
    """The script posts the page when the citizen follows a link (here the header's), so the
    answers are there on return, though « Continuer » was never pressed."""
    start = live_server.url + reverse("service_requests:filing_start", args=["acte-etat-civil"])
    page.goto(start)
    page.get_by_label("Acte de décès").check()
    form_page = live_server.url + reverse(
        "service_requests:filing_page", args=["acte-etat-civil", "acte"]
    )
    with (
        page.expect_request(lambda request: request.method == "POST" and request.url == form_page),
        page.expect_navigation(),
    ):
        page.locator("header a[href='/']").first.click()
    assert page.url == live_server.url + "/"
    for _attempt in range(20):  # the keepalive request ends after the next page started
        page.goto(start)
        if page.get_by_label("Acte de décès").is_checked():
            break
        page.wait_for_timeout(100)
    assert page.get_by_label("Acte de décès").is_checked()
    assert not csp_violations(), csp_violations()


def test_save_and_resume_later_says_where_the_answers_wait(
    live_server, page, assert_accessible, csp_violations
):
    start = live_server.url + reverse("service_requests:filing_start", args=["acte-etat-civil"])
    page.goto(start)
    page.get_by_label("Acte de mariage").check()
    click(page, "Enregistrer et reprendre plus tard")
    assert "enregistrées sur ce navigateur pendant 12 heures" in page.content()
    assert page.get_by_label("Acte de mariage").is_checked()
    check_page(page, assert_accessible, csp_violations)
