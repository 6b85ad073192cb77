"""The legal dates in plain French (service_requests.legal_dates): one function words what
silence will mean, another why the day moved; the days themselves come from the deadline
engine."""

import datetime

import pytest

from service_requests.legal_dates import (
    due_date_reasons,
    due_date_text,
    french_day,
    implicit_decision_sentence,
)
from service_requests.models import DocumentRequest, Status
from tests.service_requests.deadline_support import filed_request

D = datetime.date
TODAY = D(2026, 12, 6)


@pytest.mark.parametrize(
    ("rule", "due", "delay", "flags", "expected"),
    [
        (
            "acceptance",
            D(2027, 2, 7),
            "P2M",
            {},
            "Sans réponse de notre part, votre demande sera acceptée le 7 février 2027.",
        ),
        (
            "rejection",
            D(2027, 2, 7),
            "P2M",
            {},
            "Sans réponse de notre part, votre demande sera rejetée le 7 février 2027.",
        ),
        (
            "acceptance",
            D(2027, 3, 1),
            "P2M",
            {},
            "Sans réponse de notre part, votre demande sera acceptée le 1er mars 2027.",
        ),
        (  # the day came, the sweep has not recorded it yet: the decision exists already
            "acceptance",
            TODAY,
            "P2M",
            {},
            "Sans réponse de notre part, votre demande est acceptée depuis le 6 décembre 2026.",
        ),
        (
            "rejection",
            D(2026, 12, 1),
            "P2M",
            {},
            "Sans réponse de notre part, votre demande est rejetée depuis le 1er décembre 2026.",
        ),
        (  # an acceptance clock waits for the pieces (L114-5)
            "acceptance",
            None,
            "P2M",
            {"awaiting_pieces": True},
            "Sans réponse de notre part, votre demande sera acceptée deux mois après la "
            "réception des pièces demandées.",
        ),
        (
            "acceptance",
            None,
            "P30D",
            {"awaiting_pieces": True},
            "Sans réponse de notre part, votre demande sera acceptée 30 jours après la "
            "réception des pièces demandées.",
        ),
        (
            "rejection",
            None,
            "P2M",
            {"reopened": True},
            "Votre demande a été rouverte après sa décision : il n'y aura pas de nouvelle "
            "décision implicite, le service vous répondra.",
        ),
        (
            "none",
            None,
            "",
            {},
            "Cette démarche n'appelle pas de décision implicite : le service vous informera "
            "de la suite donnée à votre demande.",
        ),
    ],
)
def test_the_sentence(rule, due, delay, flags, expected):
    assert implicit_decision_sentence(rule, due, delay, today=TODAY, **flags) == expected


@pytest.mark.parametrize(
    ("day", "text"),
    [(D(2027, 2, 7), "7 février 2027"), (D(2027, 8, 1), "1er août 2027")],
)
def test_french_day(day, text):
    assert french_day(day) == text


def pieces(asked, answered, deadline):
    return DocumentRequest(asked_on=asked, answered_on=answered, answer_deadline=deadline)


# LEGAL.md §1's examples: received 2023-05-15, pieces asked 05-20 and received 05-25.
@pytest.mark.parametrize(
    ("rule", "requests", "today", "expected"),
    [
        ("rejection", [], D(2023, 6, 1), []),
        ("acceptance", [], D(2023, 6, 1), []),
        (
            "rejection",
            [pieces(D(2023, 5, 20), D(2023, 5, 25), D(2023, 6, 20))],
            D(2023, 6, 1),
            ["Le délai a été suspendu du 20 mai 2023 au 25 mai 2023 en attendant vos pièces."],
        ),
        (  # not sent yet: suspended until the deadline at most
            "rejection",
            [pieces(D(2023, 5, 20), None, D(2023, 6, 1))],
            D(2023, 5, 22),
            [
                "Le délai est suspendu du 20 mai 2023 au 1er juin 2023 au plus tard en "
                "attendant vos pièces : il reprend dès leur réception."
            ],
        ),
        (  # the deadline passed without them: the suspension ended on it
            "rejection",
            [pieces(D(2023, 5, 20), None, D(2023, 6, 1))],
            D(2023, 6, 10),
            [
                "Le délai a été suspendu du 20 mai 2023 au 1er juin 2023, date limite donnée "
                "pour envoyer vos pièces."
            ],
        ),
        (
            "acceptance",
            [pieces(D(2023, 5, 20), D(2023, 5, 25), D(2023, 6, 20))],
            D(2023, 6, 1),
            [
                "Le délai est reparti de zéro le 25 mai 2023, à la réception des pièces "
                "demandées le 20 mai 2023."
            ],
        ),
        (
            "acceptance",
            [pieces(D(2023, 5, 20), None, D(2023, 6, 20))],
            D(2023, 6, 1),
            [
                "Le délai ne court pas tant que les pièces demandées le 20 mai 2023 ne sont "
                "pas reçues."
            ],
        ),
        ("none", [pieces(D(2023, 5, 20), None, D(2023, 6, 20))], D(2023, 6, 1), []),
    ],
)
def test_why_the_day_moved(rule, requests, today, expected):
    reasons = due_date_reasons(
        received_on=D(2023, 5, 15),
        rule=rule,
        delay="P2M" if rule != "none" else "",
        document_requests=requests,
        today=today,
    )
    assert reasons == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        (Status.SUBMITTED, D(2027, 2, 7), "votre demande sera rejetée le 7 février 2027."),
        (Status.IN_REVIEW, D(2027, 2, 7), "votre demande sera rejetée le 7 février 2027."),
        (Status.AWAITING_CITIZEN, D(2027, 2, 9), "votre demande sera rejetée le 9 février 2027."),
        (Status.ACCEPTED, D(2027, 2, 7), None),
        (Status.REJECTED_IMPLICITLY, D(2027, 2, 7), None),
        (Status.WITHDRAWN, D(2027, 2, 7), None),
    ],
)
def test_only_an_open_request_has_a_sentence(status, due, expected):
    decided_on = due if status in (Status.ACCEPTED, Status.REJECTED_IMPLICITLY) else None
    request = filed_request(
        "rejection", "P2M", status=status, decision_due_on=due, decided_on=decided_on
    )
    text = due_date_text(request, today=TODAY)
    if expected is None:
        assert text is None
    else:
        assert text.sentence.endswith(expected)
        assert text.reasons == []  # not asked: lists do not read the pieces
