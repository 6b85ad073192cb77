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
