"""The legal date in plain French in the citizen's emails (issue 12, item 4): the receipt says
it (test_receipt.py), and so does the request for pieces, with the date the request moved it
to."""

import datetime

import pytest
import time_machine
from django.core import mail

from service_requests.services import request_ask_documents
from tests.factories import MembershipFactory, TeamFactory
from tests.service_requests.deadline_support import filed_request, paris

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rule", "sentence"),
    [
        # Suspended from the 20th of May to the deadline, the 20th of June (32 days).
        ("rejection", "Sans réponse de notre part, votre demande sera rejetée le 17 août 2023."),
        # An acceptance waits for the pieces.
        ("acceptance", "Sans réponse de notre part, votre demande sera acceptée "),
    ],
)
def test_the_request_for_pieces_says_the_new_legal_date(rule, sentence, agent, side_effects):
    team = TeamFactory()
    MembershipFactory(user=agent, team=team)
    with time_machine.travel(paris(2023, 5, 15)):
        request = filed_request(
            rule,
            "P2M",
            team=team,
            status="in_review",
            received_on=datetime.date(2023, 5, 15),
            decision_due_on=datetime.date(2023, 7, 16),
            contact_email="lea.durand@exemple.fr",
        )
    with time_machine.travel(paris(2023, 5, 20)), side_effects():
        request_ask_documents(
            request=request,
            actor=agent,
            pieces=["Plan de situation"],
            answer_deadline=datetime.date(2023, 6, 20),
        )
    (email,) = mail.outbox
    for body in (email.body, email.alternatives[0][0]):
        assert sentence in body
        if rule == "acceptance":
            assert "après la réception des pièces demandées." in body
