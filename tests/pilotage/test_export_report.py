"""The monthly activity report as PDF: who may ask for it, a chosen month's figures and radar
counts in it, no personal data from the dataset, bad input refused in French."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from pilotage.refresh import refresh
from tests.factories import TeamFactory, UserFactory
from tests.pilotage.conftest import TODAY, Role, agent, at

pytestmark = pytest.mark.django_db
PAGE, PDF = "/agents/pilotage/rapport/", "/agents/pilotage/rapport/pdf/"


def test_the_urls_are_named():
    assert reverse("backoffice:pilotage_report") == PAGE
    assert reverse("backoffice:pilotage_report_pdf") == PDF


def _text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_an_elected_official_gets_the_figures_and_no_personal_data(client, dataset):
    official = agent(TeamFactory(name="Élus", slug="elus"), Role.OFFICIAL)
    client.force_login(official)
    with at(TODAY, 12):
        refresh(full=True)
        page = client.get(PAGE)
        assert page.status_code == 200
        assert 'value="2026-02" selected' in page.content.decode()  # the last full month
        response = client.get(PDF, {"mois": "2026-02"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="rapport-activite-2026-02.pdf"' in response["Content-Disposition"]
    text = " ".join(_text(response).split())
    assert "Rapport d'activité : février 2026" in text
    assert "comparé à janvier 2026" in text
    assert "Acceptations implicites" in text
    # At risk on 2 March (the day of the report), as in test_radar; B2 born on 16 February.
    assert "Radar des décisions implicites" in text
    assert (
        "à risque au 2 mars 2026 (jour du rapport), et décisions implicites nées en février" in text
    )
    assert "Urbanisme 1 0 0 0 1 0" in text
    assert "Voirie 1 1 1 2 0 0" in text
    for name in ("a1", "a2", "a3", "a4", "a5", "a6", "b1", "b2"):
        assert dataset[name].reference not in text
    for person in ("ines", "hugo", "manager"):
        assert dataset[person].last_name not in text
    assert "Valmorel" not in text and "Gaspard" not in text


MATRIX = {
    "team_manager": 200,
    "instructor": 200,
    "director": 200,
    "official": 200,
    "front_desk": 404,
    "administrator": 404,
    "dpo": 404,
    "citizen": 404,
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_who_may_ask_for_the_report(client, role):
    user = UserFactory() if role == "citizen" else agent(TeamFactory(), role)
    client.force_login(user)
    assert client.get(PAGE).status_code == MATRIX[role]
    response = client.get(PDF, {"mois": "1999-01"})
    assert response.status_code == (400 if MATRIX[role] == 200 else 404)


def test_an_unknown_month_is_a_400_in_french(client):
    client.force_login(agent(TeamFactory(), Role.DIRECTOR))
    response = client.get(PDF, {"mois": "2026-13"})
    assert response.status_code == 400
    assert "Choisissez un mois de la liste (les 24 derniers)." in response.content.decode()
    assert client.get(PDF).status_code == 400
