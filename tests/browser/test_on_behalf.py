"""Filing on a citizen's behalf in Chromium: a front desk agent creates the record of a citizen who
has no account (a likely duplicate shown first, then « Créer quand même »), files a mailed request
received last week (a date in the future refused first), and opens the receipt to print. The
request's and the receipt's legal dates start from that date. axe-core runs every rule on each
page, under the real Content-Security-Policy, and each page reflows at 320 CSS pixels."""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django.utils import formats, timezone, translation

from gru.models import Membership
from service_requests.deadlines import implicit_decision_date
from service_requests.models import ServiceRequest
from tests.browser.test_backoffice import sign_in_with_totp
from tests.browser.test_filing import check_page, click
from tests.factories import CitizenFactory, MembershipFactory, TeamFactory
from tests.gru.accounts_support import SECRET, verified_user
from tests.service_requests.test_submit import demo_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def french(day: datetime.date) -> str:
    with translation.override("fr"):
        return formats.date_format(day, "j F Y")


def test_a_front_desk_agent_files_a_mailed_request_for_a_new_citizen(
    live_server, page, every_rule, csp_violations
):
    version = demo_version("acte-etat-civil")
    agent = verified_user(first_name="Maryse", last_name="Lacroix")
    MembershipFactory(user=agent, team=TeamFactory(slug="accueil"), role=Membership.Role.FRONT_DESK)
    TOTP.activate(agent, SECRET)
    CitizenFactory(
        given_names="Hélène", family_name="Garnier", birth_date=datetime.date(1985, 7, 14)
    )
    last_week = timezone.localdate() - datetime.timedelta(days=7)

    def fine():
        check_page(page, every_rule, csp_violations)

    sign_in_with_totp(page, live_server, agent)
    page.goto(live_server.url + reverse("backoffice:citizen_new") + "?q=GARNIER+Helene")
    assert page.get_by_label("Prénoms").input_value() == "Helene"
    fine()
    page.get_by_label("Date de naissance").fill("1985-07-14")
    page.get_by_label("Numéro et voie").fill("8 avenue Foch")
    page.get_by_label("Code postal").fill("00000")
    page.get_by_label("Commune").fill("Démo")
    page.get_by_label("Courrier postal").check()
    click(page, "Créer la fiche")
    assert "pourrait être la même personne" in page.content()
    fine()
    click(page, "Créer quand même")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Déposer une demande")
    fine()

    click(page, "Demander un acte d'état civil", role="link")
    assert "Étape 1 sur" in page.content()
    fine()
    page.get_by_label("Acte de naissance").check()
    page.get_by_label("Copie intégrale").check()
    click(page, "Continuer")
    page.get_by_label("La personne concernée elle-même").check()
    page.get_by_label("Nom de naissance de la personne concernée").fill("Garnier")
    page.get_by_label("Prénoms").fill("Hélène")
    page.get_by_label("Date de l'événement").fill("1985-07-14")
    click(page, "Continuer")
    click(page, "Continuer")  # the birth page: nothing more to say
    assert page.get_by_label("Vos prénoms").input_value() == "Helene"  # from the new record
    page.get_by_label("Nombre d'exemplaires").fill("1")
    click(page, "Vérifier et déposer")
    fine()

    page.get_by_label("Par courrier postal").check()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.get_by_label("Date de réception").fill(tomorrow.isoformat())
    page.get_by_label("Imprimé maintenant et remis à l'usager").check()
    click(page, "Déposer la demande")
    assert "La date de réception ne peut pas être dans le futur." in page.content()
    fine()
    page.get_by_label("Date de réception").fill(last_week.isoformat())
    click(page, "Déposer la demande")

    request = ServiceRequest.objects.get()
    assert request.channel == "mail" and request.received_on == last_week
    assert request.filed_by == agent and request.citizen.user is None
    assert request.decision_due_on == implicit_decision_date(
        received_on=last_week, rule=version.silence_rule, delay=version.silence_delay
    )
    assert french(last_week) in page.content()
    assert french(request.decision_due_on) in page.content()
    fine()
    receipt = page.request.get(
        live_server.url + reverse("backoffice:file_receipt", args=[request.reference])
    )
    assert receipt.status == 200 and receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF-")
