"""« Mon espace » says of each request what the tracking page says (issue 12, items 2 to 4):
how it ended (motive, decision document, attestation of an implicit acceptance), « Retirée »
for a withdrawn one, and the legal date of an open one in plain French."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from service_requests.models import Document, Status
from service_requests.services import request_decide, request_withdraw
from tests.factories import CitizenFactory, MembershipFactory, TeamFactory, UserFactory
from tests.service_requests.deadline_support import filed_request, paris
from tests.service_requests.test_account import make_document

pytestmark = pytest.mark.django_db

HOME = reverse("account_home")


@pytest.fixture
def citizen(client):
    user = UserFactory(email="helene@exemple.fr")
    citizen = CitizenFactory(user=user, given_names="Hélène", family_name="Garnier")
    client.force_login(user)
    return citizen


def row_of(html: str, reference: str) -> str:
    """The list item of one request in the page."""
    start = html.index(f"<dd>{reference}</dd>")
    return html[html.rindex('<li class="account-item">', 0, start) : html.index("</li>", start)]


def test_a_refusal_shows_its_motive_and_its_letter(client, citizen):
    team = TeamFactory()
    agent = UserFactory()
    MembershipFactory(user=agent, team=team)
    request = filed_request("acceptance", "P2M", citizen=citizen, team=team, status="in_review")
    request_decide(
        request=request, actor=agent, outcome="rejected", motive="Hors délai <article 3>."
    )
    letter = request.documents.get(kind=Document.Kind.DECISION)
    row = row_of(client.get(HOME).content.decode(), request.reference)
    assert "Refusée" in row
    assert "<dt>Motifs</dt><dd>Hors délai &lt;article 3&gt;.</dd>" in row
    href = reverse("service_requests:document", args=[request.reference, letter.pk])
    assert f'<a href="{href}">Télécharger le courrier de décision' in row


def test_an_implicit_acceptance_offers_its_attestation_even_before_it_is_made(client, citizen):
    request = filed_request(
        "acceptance",
        "P2M",
        citizen=citizen,
        status=Status.ACCEPTED_IMPLICITLY,
        received_on=datetime.date(2026, 1, 15),
        decided_on=datetime.date(2026, 3, 16),
        decision_due_on=datetime.date(2026, 3, 16),
    )
    on_demand = reverse("service_requests:decision_document", args=[request.reference])
    row = row_of(client.get(HOME).content.decode(), request.reference)
    assert "Acceptée" in row
    assert f'<a href="{on_demand}">Télécharger l&#x27;attestation d&#x27;acceptation' in row

    attestation = make_document(request, kind=Document.Kind.ATTESTATION, name="attestation.pdf")
    row = row_of(client.get(HOME).content.decode(), request.reference)
    href = reverse("service_requests:document", args=[request.reference, attestation.pk])
    assert f'<a href="{href}">Télécharger l&#x27;attestation' in row


def test_an_open_request_says_when_silence_decides(client, citizen):
    with time_machine.travel(paris(2026, 12, 6)):
        request = filed_request(
            "rejection",
            "P2M",
            citizen=citizen,
            decision_due_on=datetime.date(2027, 2, 7),
        )
        row = row_of(client.get(HOME).content.decode(), request.reference)
    assert "Sans réponse de notre part, votre demande sera rejetée le 7 février 2027." in row
    assert "Télécharger" not in row


def test_a_withdrawn_request_is_retiree_not_terminee(client, citizen):
    request = filed_request("acceptance", "P2M", citizen=citizen)
    request_withdraw(request=request, actor=citizen.user, reason="", by="citizen")
    row = row_of(client.get(HOME).content.decode(), request.reference)
    assert '<span class="badge badge--neutral">Retirée</span>' in row
    assert "Terminée" not in row
    assert "Sans réponse" not in row and "Télécharger" not in row
