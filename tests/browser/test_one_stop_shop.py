"""The one-stop shop end to end in Chromium, as issue 11 tells it: a front desk agent finds, from
the header's search box and a misspelt name, a citizen who has no account; opens their 360°
view; logs the phone call; files for them the civil-status request they mailed last week; and
prints the receipt. The request's implicit decision date and the receipt's text start from the
day the letter arrived, not from the day it was entered. axe-core runs every rule on each page
under the real Content-Security-Policy, and each page reflows at 320 CSS pixels."""

import datetime
import io
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone
from pypdf import PdfReader

from citizens.models import Channel
from gru.models import AccessLog, Membership
from service_requests.deadlines import implicit_decision_date
from service_requests.models import Interaction, InteractionMotive, ServiceRequest
from tests.browser.test_backoffice import sign_in_with_totp
from tests.browser.test_filing import check_page, click
from tests.browser.test_on_behalf import french
from tests.factories import CitizenFactory, MembershipFactory, TeamFactory
from tests.gru.accounts_support import SECRET, verified_user
from tests.service_requests.test_submit import demo_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_a_citizen_log_their_call_and_file_their_mailed_request(
    live_server,
    page,
    every_rule,
    csp_violations,
):
    version = demo_version("acte-etat-civil")
    agent = verified_user(first_name="Amélie", last_name="Rousseau")
    MembershipFactory(user=agent, team=TeamFactory(slug="accueil"), role=Membership.Role.FRONT_DESK)
    TOTP.activate(agent, SECRET)
    germaine = CitizenFactory(
        given_names="Germaine",
        family_name="Roux",
        usage_name="Besson",
        birth_date=datetime.date(1939, 2, 3),
        phone="01 00 11 22 33",
        street="3 impasse des Glycines",
        postcode="00000",
        city="Démo",
        preferred_channel=Channel.MAIL,
        user=None,
    )
    CitizenFactory(given_names="Gérard", family_name="Bessonneau", user=None)  # not her
    last_week = timezone.localdate() - datetime.timedelta(days=7)
    # The seeded motives are gone once an earlier browser test has emptied the tables.
    InteractionMotive.objects.get_or_create(label="État civil (naissance, mariage, PACS, décès)")

    def fine():
        check_page(page, every_rule, csp_violations)

    sign_in_with_totp(page, live_server, agent)
    fine()

    # Found from the header with her usage name misspelt and no accent.
    search = page.get_by_role("search")
    search.get_by_label("Rechercher un usager").fill("germene beson")
    search.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/agents/usagers/?q=*")
    fine()
    results = page.get_by_role("table")
    assert "03/02/1939" in results.inner_text()
    click(page, "Germaine Besson", role="link")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Germaine Besson")
    assert AccessLog.objects.filter(
        user=agent, action=AccessLog.Action.VIEW_CITIZEN, citizen_id=germaine.pk
    ).exists()
    fine()

    # The phone call, in a few keystrokes.
    click(page, "Consigner un contact", role="link")
    fine()
    page.get_by_label("Résumé").fill(
        "Appelle pour savoir si sa demande d'acte, postée, est arrivée."
    )
    page.get_by_label("Téléphone").check()
    page.get_by_label("Motif").select_option(label="État civil (naissance, mariage, PACS, décès)")
    page.get_by_label("Demande déposée").check()
    page.get_by_label("Durée (minutes)").fill("4")
    click(page, "Enregistrer le contact")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Germaine Besson")
    call = Interaction.objects.get(citizen=germaine)
    assert (call.channel, call.agent, call.duration_minutes) == (Channel.PHONE, agent, 4)
    assert "sa demande d'acte, postée" in page.content()  # on her timeline
    fine()

    # Her letter, received last week, entered today.
    click(page, "Déposer une demande pour cet usager", role="link")
    click(page, "Demander un acte d'état civil", role="link")
    page.get_by_label("Acte de naissance").check()
    page.get_by_label("Copie intégrale").check()
    click(page, "Continuer")
    page.get_by_label("La personne concernée elle-même").check()
    page.get_by_label("Nom de naissance de la personne concernée").fill("Roux")
    page.get_by_label("Prénoms").fill("Germaine")
    page.get_by_label("Date de l'événement").fill("1939-02-03")
    click(page, "Continuer")
    click(page, "Continuer")
    page.get_by_label("Nombre d'exemplaires").fill("1")
    click(page, "Vérifier et déposer")
    fine()
    page.get_by_label("Par courrier postal").check()
    page.get_by_label("Date de réception").fill(last_week.isoformat())
    page.get_by_label("Imprimé maintenant et remis à l'usager").check()
    click(page, "Déposer la demande")
    fine()

    request = ServiceRequest.objects.get(citizen=germaine)
    due = implicit_decision_date(
        received_on=last_week, rule=version.silence_rule, delay=version.silence_delay
    )
    assert (request.channel, request.received_on, request.filed_by) == ("mail", last_week, agent)
    assert request.decision_due_on == due
    assert french(last_week) in page.content() and french(due) in page.content()

    # The receipt, printed at once: its dates are the letter's.
    link = page.get_by_role("link", name=re.compile("Imprimer l'accusé de réception"))
    receipt = page.request.get(live_server.url + link.get_attribute("href"))
    assert receipt.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(receipt.body())).pages
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))
    assert request.reference in text
    assert french(last_week) in text and french(due) in text


def test_an_agent_records_the_company_a_citizen_acts_for(
    live_server, page, every_rule, csp_violations
):
    agent = verified_user(first_name="Amélie", last_name="Rousseau")
    MembershipFactory(user=agent, team=TeamFactory(slug="accueil"), role=Membership.Role.FRONT_DESK)
    TOTP.activate(agent, SECRET)
    lucas = CitizenFactory(given_names="Lucas", family_name="Perrin", user=None)

    sign_in_with_totp(page, live_server, agent)
    page.goto(live_server.url + f"/agents/usagers/{lucas.pk}/")
    click(page, "Ajouter une organisation représentée", role="link")
    check_page(page, every_rule, csp_violations)
    page.get_by_label("SIRET ou numéro RNA").fill("732 829 320 00075")
    page.get_by_label("Rôle de l'usager").select_option(label="Représentant légal")
    click(page, "Enregistrer")
    assert page.title().startswith("Erreur :")
    check_page(page, every_rule, csp_violations)
    page.get_by_label("SIRET ou numéro RNA").fill("732 829 320 00074")
    page.get_by_label("Dénomination").fill("Menuiserie Perrin")
    click(page, "Enregistrer")
    assert "Lucas Perrin représente désormais Menuiserie Perrin" in page.content()
    check_page(page, every_rule, csp_violations)
    click(page, "Menuiserie Perrin", role="link")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Menuiserie Perrin")
    check_page(page, every_rule, csp_violations)


def test_an_agent_links_a_parent_and_her_child(live_server, page, every_rule, csp_violations):
    agent = verified_user(first_name="Amélie", last_name="Rousseau")
    MembershipFactory(user=agent, team=TeamFactory(slug="accueil"), role=Membership.Role.FRONT_DESK)
    TOTP.activate(agent, SECRET)
    helene = CitizenFactory(given_names="Hélène", family_name="Garnier", user=None)
    leo = CitizenFactory(given_names="Léo", family_name="Garnier", user=None)

    sign_in_with_totp(page, live_server, agent)
    page.goto(live_server.url + f"/agents/usagers/{helene.pk}/")
    click(page, "Ajouter un lien familial", role="link")
    check_page(page, every_rule, csp_violations)
    page.get_by_label("Parent de").check()
    click(page, "Enregistrer")  # no record number
    assert page.title().startswith("Erreur :")
    check_page(page, every_rule, csp_violations)
    page.get_by_label("Numéro de fiche de l'autre personne").fill(str(leo.pk))
    click(page, "Enregistrer")
    assert "Le lien familial est enregistré." in page.content()
    assert page.get_by_role("link", name="Léo Garnier").is_visible()
    check_page(page, every_rule, csp_violations)
