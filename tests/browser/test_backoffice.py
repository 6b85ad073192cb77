"""The back office in Chromium, end to end: a citizen files a civil-status request; an
instructor signs in with password and TOTP, lands on their work, opens the queue and the case,
asks for a document; the citizen sends it from the tracking page; the instructor accepts; the
citizen's page then shows the decision and its letter, whose text names the agent and the
means of appeal. axe-core runs every rule (best practices included) on each agent page, under
the real Content-Security-Policy, and each agent page reflows at 320 CSS pixels."""

import io
import re
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from gru.celery import app
from gru.models import Membership
from service_requests.models import Document, ServiceRequest, Status
from tests.browser.test_filing import check_page, click, send_anonymously
from tests.browser.test_tracking import open_with_secret_link
from tests.factories import MembershipFactory
from tests.gru.accounts_support import PASSWORD, SECRET, totp_code, verified_user
from tests.service_requests.test_submit import demo_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _inline_tasks():
    cache.clear()
    mail.outbox = []
    conf = app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved
    cache.clear()


def file_a_civil_status_request(page, live_server) -> ServiceRequest:
    page.goto(live_server.url + reverse("service_requests:filing_start", args=["acte-etat-civil"]))
    page.get_by_label("Acte de naissance").check()
    page.get_by_label("Copie intégrale").check()
    click(page, "Continuer")
    page.get_by_label("La personne concernée elle-même").check()
    page.get_by_label("Nom de naissance de la personne concernée").fill("Garnier")
    page.get_by_label("Prénoms", exact=True).fill("Hélène")
    page.get_by_label("Date de l'événement").fill("1990-04-02")
    click(page, "Continuer")
    page.get_by_label("Nom de naissance et prénoms de la mère").fill("Claire Dubois")
    click(page, "Continuer")
    page.get_by_label("Vos prénoms").fill("Hélène")
    page.get_by_label("Votre nom").fill("Garnier")
    page.get_by_label("Nombre d'exemplaires").fill("1")
    page.get_by_label("Numéro et voie").fill("3 rue des Lilas")
    page.get_by_label("Code postal").fill("00000")
    page.get_by_label("Commune").fill("Démo")
    click(page, "Vérifier mes réponses")
    click(page, "Continuer", role="link")
    send_anonymously(page, "helene@exemple.fr")
    return ServiceRequest.objects.get(procedure__slug="acte-etat-civil")


def sign_in_with_totp(page, live_server, user) -> None:
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    click(page, "Se connecter")
    # A code typed in the last seconds of its 30-second period may arrive in the next one, where
    # it is refused: wait for a fresh period, as a person would for their app's next code.
    if time.time() % 30 > 24:
        time.sleep(30.5 - time.time() % 30)
    page.locator("input[autocomplete='one-time-code']").fill(totp_code())
    page.locator("input[autocomplete='one-time-code']").press("Enter")
    page.wait_for_url(f"**{reverse('backoffice:home')}")


def test_an_instructor_takes_a_request_from_the_queue_to_its_decision(
    live_server, browser, page, assert_accessible, every_rule, csp_violations
):
    version = demo_version("acte-etat-civil")
    team = version.procedure.default_team
    instructor = verified_user(first_name="Inès", last_name="Da Silva", job_title="Officière")
    MembershipFactory(user=instructor, team=team, role=Membership.Role.INSTRUCTOR)
    TOTP.activate(instructor, SECRET)

    def agent_page_is_fine():
        check_page(page, every_rule, csp_violations)

    citizen = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 800})
    citizen_page = citizen.new_page()
    try:
        request = file_a_civil_status_request(citizen_page, live_server)

        # The instructor signs in (password, then TOTP) and lands on their work.
        sign_in_with_totp(page, live_server, instructor)
        assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Inès"
        assert "Inès Da Silva" in page.locator("header").inner_text()
        agent_page_is_fine()

        click(page, f"File {team.name}", role="link")
        assert page.get_by_role("link", name=request.reference).is_visible()
        agent_page_is_fine()

        click(page, request.reference, role="link")
        assert "Claire Dubois" in page.content()  # the citizen's answers
        agent_page_is_fine()

        click(page, "Me l'attribuer")
        assert "La demande vous est attribuée." in page.content()

        # Asking for a document: first with nothing, the error state, then for real.
        page.get_by_text("Demander des pièces", exact=True).click()
        click(page, "Demander ces pièces")
        assert page.title().startswith("Erreur :")
        agent_page_is_fine()
        page.get_by_label("Pièces demandées").fill("Justificatif de domicile")
        click(page, "Demander ces pièces")
        request.refresh_from_db()
        assert request.status == Status.AWAITING_CITIZEN
        agent_page_is_fine()

        # The citizen sends it from the tracking page.
        open_with_secret_link(citizen_page, live_server, request)
        citizen_page.set_input_files(
            "#id_piece_0",
            files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        click(citizen_page, "Envoyer les pièces")
        request.refresh_from_db()
        assert request.status == Status.IN_REVIEW

        # The instructor sees it and accepts.
        page.reload()
        assert page.get_by_role("link", name="facture.pdf").first.is_visible()
        page.get_by_text("Décider", exact=True).click()
        page.get_by_label("Accepter", exact=True).check()
        click(page, "Enregistrer la décision et envoyer le courrier")
        assert "La décision est enregistrée" in page.content()
        agent_page_is_fine()
        request.refresh_from_db()
        assert request.status == Status.ACCEPTED

        # The citizen's page shows the decision and its letter.
        citizen_page.reload()
        assert "Acceptée" in citizen_page.content()
        letter = Document.objects.get(request=request, kind=Document.Kind.DECISION)
        link = citizen_page.get_by_role("link", name=letter.original_name)
        with citizen_page.expect_download() as download:
            link.click()
        content = Path(download.value.path()).read_bytes()
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
        text = re.sub(r"\s+", " ", text)
        assert "Inès Da Silva" in text and "Officière" in text
        assert "recours gracieux" in text and "recours contentieux" in text
        assert any(letter.original_name in [a[0] for a in m.attachments] for m in mail.outbox)
    finally:
        citizen.close()


@pytest.mark.parametrize("role", ["official", "dpo", "front_desk"])
def test_the_other_roles_land_on_their_page(live_server, page, role, every_rule, csp_violations):
    version = demo_version("acte-etat-civil")
    user = verified_user(first_name="Maryse", last_name="Lacroix")
    MembershipFactory(user=user, team=version.procedure.default_team, role=role)
    TOTP.activate(user, SECRET)
    sign_in_with_totp(page, live_server, user)
    heading = {
        "official": "Tableaux de bord",
        "dpo": "Journal des accès des agents",
        "front_desk": "Les files des équipes",
    }[role]
    assert page.get_by_role("heading", name=heading).is_visible()
    check_page(page, every_rule, csp_violations)


def test_the_notification_preferences_page(live_server, page, every_rule, csp_violations):
    version = demo_version("acte-etat-civil")
    user = verified_user(first_name="Inès", last_name="Da Silva")
    MembershipFactory(
        user=user, team=version.procedure.default_team, role=Membership.Role.TEAM_MANAGER
    )
    TOTP.activate(user, SECRET)
    sign_in_with_totp(page, live_server, user)
    click(page, "Mes notifications", role="link")
    assert page.get_by_role("heading", level=1).is_visible()
    check_page(page, every_rule, csp_violations)
