"""What the receipt says for each kind of démarche of the demo (issue 12, item 10): a question
calls for an answer, not a decision (no implicit decision, no appeal mentions, the day by which
it is answered); a report neither, and promises no date; a waiver of a municipal bill is
financial, so silence is a rejection and the receipt carries every mention of LEGAL.md §2 for a
rejection."""

import pytest

from demo.files import stored_answer
from tests.service_requests.test_receipt import (
    QUESTION,
    common_mentions,
    filed,
    receipt_of,
    text_of,
)
from tests.service_requests.test_submit import SIGNALEMENT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

APPEAL_WORDS = ("recours", "Télérecours", "réputée", "tribunal", "L232-3", "L232-4")


def waiver_answers() -> dict:
    return {
        "nature_facture": "cantine",
        "reference_facture": "2026-CAN-004127",
        "titulaire": "Karine Vidal",
        "montant": "84,60",
        "remise_totale": True,
        "motif": "ressources",
        "explications": "Perte d'emploi en décembre.",
        "facture": stored_answer(("Facture.pdf",)),
        "justificatif": stored_answer(("Attestation.pdf",)),
    }


def test_a_question_says_by_when_it_is_answered_and_no_appeal(settings):
    settings.GRU_ANSWER_DAYS = 15
    request = filed("demande-information", QUESTION)
    text = text_of(receipt_of(request))
    for mention in [
        *common_mentions(request),
        "Suite donnée à votre demande",
        "elle n'appelle pas de décision administrative mais une réponse",
        # filed on 15 January 2026: answered within 15 days
        "Le service vous répondra au plus tard le 30 janvier 2026",
    ]:
        assert mention in text, mention
    assert not [word for word in APPEAL_WORDS if word in text]
    assert "Décision implicite" not in text
    assert request.decision_due_on is None


def test_a_report_promises_no_date_and_no_appeal():
    request = filed("signalement-voirie", SIGNALEMENT)
    text = text_of(receipt_of(request))
    assert "Les services interviennent selon l'urgence de la situation" in text
    assert "au plus tard" not in text
    assert not [word for word in APPEAL_WORDS if word in text]


def test_a_waiver_of_a_bill_carries_every_mention_of_a_rejection():
    request = filed("remise-gracieuse", waiver_answers())
    assert request.citizen is None and request.contact_email  # filed without an account
    text = text_of(receipt_of(request))
    mentions = [
        *common_mentions(request),  # 1 the date, 2 the service, 5 the missing pieces
        "Finances",
        # 3 the implicit rejection and its date: the delay of 2 months ends on 15 March
        "susceptible de donner lieu à une décision implicite de rejet",
        "vaut rejet (article L231-4",
        "réputée rejetée le 16 mars 2026",  # the day the rejection holds
        # 4 the delays and means of appeal
        "Voies et délais de recours",
        "recours gracieux auprès de",
        "recours contentieux devant le tribunal administratif territorialement compétent",
        "dans un délai de deux mois",
        "Télérecours citoyens",
        "www.telerecours.fr",
        "demander les motifs de la décision",
        "L232-4",
        # 5 the effect of missing pieces on the delay (SVR: suspended)
        "est suspendu pendant le délai imparti pour fournir les pièces",
    ]
    missing = [mention for mention in mentions if mention not in text]
    assert not missing, f"missing {missing} in:\n{text}"
    assert "L232-3" not in text  # no attestation: that is for an acceptance
