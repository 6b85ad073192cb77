"""The acknowledgment of receipt, read back from the PDF as a citizen's reader would: every
mention of LEGAL.md §2 for an acceptance (SVA), a rejection (SVR) and a démarche without
implicit decision; and the email that carries it, with the secret tracking link."""

import datetime
import io
import re
from html import unescape

import pypdf
import pytest
import time_machine
from django.urls import reverse

from service_requests.models import Document, DocumentRequest, Status
from service_requests.services.receipts import (
    implicit_decision_sentence,
    request_issue_receipt,
    request_send_receipt,
)
from service_requests.tasks import send_receipt
from tests.factories import CitizenFactory, UserFactory
from tests.service_requests.test_submit import ACTE, SIGNALEMENT, demo_version, submit

pytestmark = pytest.mark.django_db

FILED_AT = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC)
QUESTION = {
    "sujet": "urbanisme",
    "objet": "Clôture",
    "question": "Faut-il une autorisation pour une clôture ?",
    "nom": "Léa Durand",
    "canal_reponse": "email",
    "email": "lea.durand@exemple.fr",
}


def text_of(document: Document) -> str:
    with document.file.open("rb") as pdf:
        reader = pypdf.PdfReader(io.BytesIO(pdf.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)  # lines break where the layout wants


def filed(slug: str, answers: dict, **kwargs):
    with time_machine.travel(FILED_AT):
        return submit(demo_version(slug), answers, **kwargs).request


def receipt_of(request) -> Document:
    return request.documents.get(kind=Document.Kind.RECEIPT)


def common_mentions(request) -> list[str]:
    team = request.team
    return [
        "Accusé de réception",
        "Ville de Démo",  # the authority
        request.procedure.title,
        request.reference,
        # 1. the date of receipt
        "Date de réception 15 janvier 2026",
        # 2. the service in charge: name, postal address, email, telephone
        team.name,
        *team.postal_address.split("\n"),
        team.email,
        team.phone,
        # 5. missing pieces: none at filing, what the service will do, the effect on the delay
        "Aucune pièce manquante",
        "le service vous indiquera la liste des pièces manquantes et le délai",
        "L114-5",
        # the tracking link
        "http://127.0.0.1:8000" + reverse("service_requests:tracking", args=[request.reference]),
    ]


def assert_mentions(text: str, mentions: list[str]) -> None:
    missing = [mention for mention in mentions if mention not in text]
    assert not missing, f"missing {missing} in:\n{text}"


def test_receipt_of_a_request_that_silence_accepts():
    request = filed("acte-etat-civil", ACTE)
    text = text_of(receipt_of(request))
    assert_mentions(
        text,
        [
            *common_mentions(request),
            # 3. implicit acceptance and its date (one month, received 15 January)
            "décision implicite d'acceptation",
            "1 mois",
            "L231-1",
            "réputée acceptée le 16 février 2026",
            # 4. the attestation of L232-3
            "attestation de cette acceptation implicite",
            "L232-3",
            # 5. the effect of missing pieces on an acceptance delay
            "ne court qu'à compter de la réception des pièces manquantes",
        ],
    )
    assert "Télérecours" not in text
    assert request.decision_due_on == datetime.date(2026, 2, 16)


def test_receipt_of_a_request_that_silence_rejects(settings):
    settings.GRU_ADMINISTRATIVE_COURT = "le tribunal administratif de Démo-sur-Loire"
    request = filed("demande-information", QUESTION)
    text = text_of(receipt_of(request))
    assert_mentions(
        text,
        [
            *common_mentions(request),
            # 3. implicit rejection and its date (two months)
            "décision implicite de rejet",
            "2 mois",
            "L231-4",
            "réputée rejetée le 16 mars 2026",
            # 4. the means and delays of appeal
            "recours gracieux auprès de Ville de Démo",
            "recours contentieux devant le tribunal administratif de Démo-sur-Loire",
            "délai de deux mois",
            "Télérecours citoyens",
            # 5. the effect of missing pieces on a rejection delay
            "est suspendu pendant le délai imparti pour fournir les pièces",
        ],
    )
    assert "L232-3" not in text


def test_receipt_of_a_request_without_implicit_decision():
    request = filed("signalement-voirie", SIGNALEMENT)
    text = text_of(receipt_of(request))
    assert_mentions(
        text,
        [
            *common_mentions(request),
            # 3. that no implicit decision can arise
            "ne peut donner lieu à aucune décision implicite, ni d'acceptation ni de rejet",
            "le traitement de votre demande attend la réception des pièces manquantes",
        ],
    )
    assert "réputée" not in text and "Télérecours" not in text
    assert request.decision_due_on is None


def test_a_receipt_issued_while_pieces_are_missing_lists_them_and_gives_no_date():
    """An acceptance clock waiting for pieces has no date yet (a receipt made again later, or
    for a request entered at the counter)."""
    request = filed("acte-etat-civil", ACTE)
    receipt_of(request).delete()
    DocumentRequest.objects.create(
        request=request,
        asked_on=datetime.date(2026, 1, 20),
        answer_deadline=datetime.date(2026, 2, 20),
        pieces=["Livret de famille"],
        asked_by=UserFactory(),
    )
    request.status = Status.AWAITING_CITIZEN
    request.save()

    text = text_of(request_issue_receipt(request=request))

    assert_mentions(
        text,
        [
            "aucune date ne peut encore être indiquée",
            "Livret de famille",
            "au plus tard le 20 février 2026",
        ],
    )


def test_the_requester_is_named_when_known():
    citizen = CitizenFactory(given_names="Hélène", family_name="Garnier")
    request = filed("acte-etat-civil", ACTE, citizen=citizen, contact_email="")
    assert "Demandeur Hélène Garnier" in text_of(receipt_of(request))


def test_a_receipt_is_issued_once():
    request = filed("signalement-voirie", SIGNALEMENT)
    assert request_issue_receipt(request=request) == receipt_of(request)
    assert request.documents.filter(kind=Document.Kind.RECEIPT).count() == 1


@pytest.mark.parametrize(
    ("rule", "day", "expected"),
    [
        ("acceptance", datetime.date(2026, 2, 16), "réputée acceptée le 16 février 2026"),
        ("acceptance", None, "1 mois après la réception des pièces manquantes"),
        ("rejection", datetime.date(2026, 3, 16), "réputée rejetée le 16 mars 2026"),
        ("none", None, "n'appelle pas de décision implicite"),
    ],
)
def test_the_plain_sentence_of_the_confirmation_and_the_email(rule, day, expected):
    assert expected in implicit_decision_sentence(rule, day, "P1M" if rule != "none" else "")


# --- The email --------------------------------------------------------------------------------


def test_the_receipt_email_carries_the_pdf_and_the_secret_link(
    mailoutbox, eager_celery, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://demarches.ville-demo.fr"
    with django_capture_on_commit_callbacks(execute=True):
        request = filed("acte-etat-civil", ACTE, contact_email="lea.durand@exemple.fr")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["lea.durand@exemple.fr"]
    assert message.subject == f"Accusé de réception de votre demande {request.reference}"
    link = "https://demarches.ville-demo.fr" + reverse(
        "service_requests:secret_link",
        kwargs={"reference": request.reference, "token": request.tracking_token},
    )
    html = unescape(message.alternatives[0][0])
    for body in (message.body, html):
        assert request.reference in body
        assert link in body
        assert "Demander un acte d'état civil" in body
        assert "réputée acceptée le 16 février 2026" in body
        assert "01 00 00 00 30" in body  # the team's telephone
    assert message.alternatives[0][1] == "text/html"
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == (f"accuse-reception-{request.reference}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")
    assert content == receipt_of(request).file.open("rb").read()


def test_the_email_goes_to_the_citizen_when_no_contact_address_was_given(mailoutbox):
    citizen = CitizenFactory(email="helene@exemple.fr")
    request = filed("signalement-voirie", SIGNALEMENT, citizen=citizen, contact_email="")

    assert send_receipt(request.pk) is True
    assert mailoutbox[0].to == ["helene@exemple.fr"]


def test_nobody_to_write_to_sends_nothing(mailoutbox):
    citizen = CitizenFactory(email="")
    request = filed("signalement-voirie", SIGNALEMENT, citizen=citizen, contact_email="")

    assert request_send_receipt(request_id=request.pk) is False
    assert request_send_receipt(request_id=0) is False
    assert mailoutbox == []


def test_a_broker_away_does_not_fail_the_submission(
    monkeypatch, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Redis is away")

    monkeypatch.setattr(send_receipt, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        request = filed("signalement-voirie", SIGNALEMENT)

    assert request.pk and receipt_of(request)  # filed, with its receipt to download
    assert mailoutbox == []
