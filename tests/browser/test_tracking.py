"""The tracking page in Chromium: the pieces asked and their upload form, a message with a
photo (in its error state, then sent), and the satisfaction question once the request is
closed. axe-core finds no WCAG 2.1 AA violation under the page's real CSP, and the page reflows
at 320 CSS pixels."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from service_requests.models import Document, SatisfactionAnswer, Status
from service_requests.services import request_ask_documents
from tests.browser.test_filing import check_page, click
from tests.factories import ServiceRequestFactory, UserFactory
from tests.service_requests.test_submit import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def open_with_secret_link(page, live_server, request) -> None:
    url = reverse("service_requests:secret_link", args=[request.reference, request.tracking_token])
    page.goto(live_server.url + url)
    assert page.get_by_role("heading", level=1).is_visible()


def test_pieces_asked_and_a_message_with_a_photo(
    live_server, page, assert_accessible, csp_violations
):
    request = ServiceRequestFactory(contact_email="lea.durand@exemple.fr")
    request_ask_documents(
        request=request,
        actor=UserFactory(),
        pieces=["Justificatif de domicile", "Pièce d'identité"],
        answer_deadline=timezone.localdate() + datetime.timedelta(days=15),
    )
    open_with_secret_link(page, live_server, request)
    assert page.get_by_role("heading", name="Pièces à fournir").is_visible()
    check_page(page, assert_accessible, csp_violations)

    # A message with a file that lies about its type: refused next to the field.
    page.get_by_label("Votre message").fill("Voici une photo du trou.")
    page.set_input_files(
        "#id_files",
        files=[{"name": "trou.jpg", "mimeType": "image/jpeg", "buffer": PDF}],
    )
    click(page, "Envoyer le message")
    assert page.title().startswith("Erreur :")
    assert "n'est pas un JPEG" in page.locator("#id_files_error").inner_text()
    check_page(page, assert_accessible, csp_violations)
    assert not Document.objects.filter(request=request).exists()

    # Then with a real photo, as a phone sends it.
    page.set_input_files(
        "#id_files",
        files=[{"name": "trou.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}],
    )
    click(page, "Envoyer le message")
    assert "Votre message a été envoyé au service." in page.content()
    assert page.get_by_role("link", name="trou.jpg").is_visible()
    check_page(page, assert_accessible, csp_violations)

    # The pieces, one input each, sent in one go.
    page.set_input_files(
        "#id_piece_0",
        files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.set_input_files(
        "#id_piece_1",
        files=[{"name": "cni.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}],
    )
    click(page, "Envoyer les pièces")
    assert "Vos pièces ont été envoyées au service" in page.content()
    request.refresh_from_db()
    assert request.status == Status.IN_REVIEW
    assert request.documents.count() == 3


def test_the_satisfaction_question(live_server, page, assert_accessible, csp_violations):
    request = ServiceRequestFactory(
        status=Status.ACCEPTED,
        received_on=datetime.date(2025, 1, 10),
        decided_on=datetime.date(2025, 3, 1),
        contact_email="lea.durand@exemple.fr",
    )
    open_with_secret_link(page, live_server, request)
    question = page.get_by_role(
        "group", name="Êtes-vous satisfait·e du traitement de votre demande ?"
    )
    assert question.is_visible()
    check_page(page, assert_accessible, csp_violations)

    click(page, "Donner mon avis")  # no mark chosen: the error state
    assert page.title().startswith("Erreur :")
    check_page(page, assert_accessible, csp_violations)

    page.get_by_label("4 sur 5 : satisfait·e").check()
    page.get_by_label("Un commentaire pour nous aider à nous améliorer").fill("Rapide.")
    click(page, "Donner mon avis")
    assert "Merci pour votre avis" in page.content()
    assert not question.count()
    check_page(page, assert_accessible, csp_violations)
    answer = SatisfactionAnswer.objects.get()
    assert (answer.rating, answer.comment) == (4, "Rapide.")


def test_withdrawing_a_request(live_server, page, assert_accessible, csp_violations):
    request = ServiceRequestFactory(contact_email="lea.durand@exemple.fr")
    open_with_secret_link(page, live_server, request)
    click(page, "Retirer ma demande", role="link")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Retirer la demande")
    check_page(page, assert_accessible, csp_violations)
    page.get_by_label("Pourquoi la retirez-vous ?").fill("Plus nécessaire.")
    click(page, "Confirmer le retrait")
    assert "Votre demande est retirée." in page.content()
    assert page.get_by_role("heading", name="Suite donnée").is_visible()
    check_page(page, assert_accessible, csp_violations)
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN


def test_what_was_filed_and_how_it_ended(live_server, page, assert_accessible, csp_violations):
    """Issue 12, items 1, 2 and 4: the answers and the photo under « Votre demande », the
    legal date in plain French while open; the refusal, its motive, its letter and the means
    of appeal once decided; the attestation of an implicit acceptance."""
    from tests.service_requests.test_submit import stored_photo
    from tests.service_requests.test_tracking_decision import decided_by_an_agent, file_it

    request = file_it(
        answers={
            "objet": "<b>Terrasse</b>",
            "details": "Du 1er au 30 juin.",
            "photo": [stored_photo("terrasse.jpg")],
        }
    )
    open_with_secret_link(page, live_server, request)
    assert page.get_by_role("heading", name="Votre demande", level=2).is_visible()
    assert page.get_by_text("<b>Terrasse</b>").is_visible()  # text, not markup
    assert page.get_by_role("link", name="terrasse.jpg").is_visible()
    assert "Sans réponse de notre part, votre demande sera acceptée le" in page.content()
    check_page(page, assert_accessible, csp_violations)

    refused = decided_by_an_agent("rejected", "Le trottoir est trop étroit.")
    refused.contact_email = "lea.durand@exemple.fr"
    refused.save(update_fields=["contact_email"])
    open_with_secret_link(page, live_server, refused)
    assert page.get_by_role("link", name="Télécharger le courrier de décision").is_visible()
    assert page.get_by_role("heading", name="Voies et délais de recours").is_visible()
    check_page(page, assert_accessible, csp_violations)

    accepted = ServiceRequestFactory(
        status=Status.ACCEPTED_IMPLICITLY,
        received_on=datetime.date(2025, 1, 10),
        decided_on=datetime.date(2025, 3, 11),
        decision_due_on=datetime.date(2025, 3, 11),
        contact_email="lea.durand@exemple.fr",
    )
    open_with_secret_link(page, live_server, accepted)
    link = page.get_by_role("link", name="Télécharger l'attestation d'acceptation implicite")
    with page.expect_download() as download:
        link.click()
    assert (
        download.value.suggested_filename
        == f"attestation-acceptation-implicite-{accepted.reference}.pdf"
    )
    check_page(page, assert_accessible, csp_violations)
