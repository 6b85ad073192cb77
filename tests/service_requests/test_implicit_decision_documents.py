"""The attestation of implicit acceptance (L232-3) and the notice of implicit rejection, read back
from the PDF as a citizen's reader would: the mandatory mentions are there."""

import datetime
import io
import re

import pypdf
import pytest

from gru.pdf import render_pdf
from service_requests.models import Document, Status
from service_requests.services import request_issue_implicit_decision_document
from tests.factories import CitizenFactory, TeamFactory, UserFactory
from tests.service_requests.deadline_support import filed_request

pytestmark = pytest.mark.django_db

RECEIVED, DECIDED = datetime.date(2025, 1, 15), datetime.date(2025, 3, 16)


def decided(rule: str, status: str, **fields):
    team = TeamFactory(
        name="Service de l'état civil",
        email="etat-civil@ville-demo.invalid",
        phone="01 00 00 00 40",
        postal_address="Hôtel de ville, 1 place de la Mairie, 00000 Démo",
    )
    return filed_request(
        rule,
        "P2M",
        reference="K7QM-2X4P",
        received_on=RECEIVED,
        decided_on=DECIDED,
        decision_due_on=DECIDED,
        status=status,
        team=team,
        citizen=CitizenFactory(given_names="Hélène", family_name="Garnier"),
        procedure={"title": "Demander un acte d'état civil", "default_team": team},
        **fields,
    )


def text_of(document: Document) -> str:
    reader = pypdf.PdfReader(io.BytesIO(document.file.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)  # lines break where the layout wants


def test_attestation_of_implicit_acceptance():
    agent = UserFactory(first_name="Inès", last_name="Da Silva", job_title="Officière d'état civil")
    request = decided("acceptance", Status.ACCEPTED_IMPLICITLY, assignee=agent)

    document = request_issue_implicit_decision_document(request=request)

    assert document.kind == Document.Kind.ATTESTATION
    assert document.visible_to_citizen
    assert document.size == document.file.size
    text = text_of(document)
    for mention in (
        "Attestation de décision implicite d'acceptation",
        "L232-3",
        "L231-1",
        "K7QM-2X4P",
        "Demander un acte d'état civil",
        "Hélène Garnier",
        "reçue le 15 janvier 2025",
        "délai de deux mois",
        "réputée acceptée depuis le 16 mars 2025",
        # The service in charge, and the agent (L111-2).
        "Service de l'état civil",
        "etat-civil@ville-demo.invalid",
        "01 00 00 00 40",
        "Inès Da Silva, Officière d'état civil",
    ):
        assert mention in text, mention


def test_notice_of_implicit_rejection_gives_the_means_and_delays_of_appeal(settings):
    settings.GRU_ADMINISTRATIVE_COURT = "le tribunal administratif de Démo-sur-Loire"
    request = decided("rejection", Status.REJECTED_IMPLICITLY)

    document = request_issue_implicit_decision_document(request=request)

    assert document.kind == Document.Kind.REJECTION_NOTICE
    assert document.original_name == "avis-rejet-implicite-K7QM-2X4P.pdf"
    text = text_of(document)
    for mention in (
        "Avis de décision implicite de rejet",
        "K7QM-2X4P",
        "reçue le 15 janvier 2025",
        "L231-4",
        "réputée rejetée depuis le 16 mars 2025",
        # Reasons on demand, within one month (L232-4).
        "communication des motifs",
        "délai d'un mois",
        "L232-4",
        # Means and delays of appeal (R112-5 mentions, L112-6).
        "recours gracieux",
        "recours contentieux devant le tribunal administratif de Démo-sur-Loire",
        "délai de deux mois à compter du 16 mars 2025",
        "Télérecours citoyens",
        "www.telerecours.fr",
        "Service de l'état civil",
    ):
        assert mention in text, mention


def test_issued_once_then_the_same_document():
    request = decided("acceptance", Status.ACCEPTED_IMPLICITLY)
    first = request_issue_implicit_decision_document(request=request)
    assert request_issue_implicit_decision_document(request=request) == first
    assert request.documents.count() == 1


def test_only_for_an_implicit_decision():
    request = filed_request(received_on=RECEIVED, status=Status.IN_REVIEW)
    with pytest.raises(ValueError, match="no implicit decision"):
        request_issue_implicit_decision_document(request=request)


def test_a_pdf_fetches_nothing_outside_the_static_files(tmp_path, settings):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    template = tmp_path / "letter.html"
    template.write_text(
        f'<p>Lettre</p><img src="{secret.as_uri()}"><img src="http://example.invalid/x.png">'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    pdf = render_pdf("letter.html", {})

    assert pdf.startswith(b"%PDF")
    assert b"not an image" not in pdf
