"""Logging a contact in Chromium, with the keyboard as a front desk agent does it: the summary
has the focus, the channel and the direction are chosen already; an empty summary is refused
with the error summary focused; then a call is logged from the citizen's record, and an
anonymous one from the landing. axe-core runs every rule on each page, under the real
Content-Security-Policy, and each page reflows at 320 CSS pixels."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from gru.models import Membership
from service_requests.models import Interaction, InteractionMotive
from tests.browser.test_backoffice import sign_in_with_totp
from tests.browser.test_filing import check_page, click
from tests.factories import CitizenFactory, MembershipFactory, ServiceRequestFactory, TeamFactory
from tests.gru.accounts_support import SECRET, verified_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_front_desk_logs_a_call_then_an_anonymous_one(
    live_server,
    page,
    every_rule,
    csp_violations,
):
    team = TeamFactory(name="Accueil", slug="accueil")
    agent = verified_user(first_name="Maryse", last_name="Lacroix")
    MembershipFactory(user=agent, team=team, role=Membership.Role.FRONT_DESK)
    TOTP.activate(agent, SECRET)
    # A transactional test starts from an empty table: the seeded motives are not there.
    motive, _ = InteractionMotive.objects.get_or_create(label="Déchets et encombrants")
    InteractionMotive.objects.get_or_create(label="Autre", defaults={"position": 1000})
    helene = CitizenFactory(given_names="Hélène", family_name="Garnier")
    request = ServiceRequestFactory(citizen=helene, team=team)

    sign_in_with_totp(page, live_server, agent)
    page.goto(live_server.url + reverse("backoffice:citizen_contact", args=[helene.pk]))
    assert page.evaluate("() => document.activeElement.name") == "summary"
    assert page.get_by_label("Téléphone").is_checked()
    assert page.get_by_label("Entrant (l'usager nous contacte)").is_checked()
    check_page(page, every_rule, csp_violations)

    click(page, "Enregistrer le contact")  # nothing typed
    assert page.title().startswith("Erreur : ")
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    assert page.get_by_role("link", name="Résumez le contact en quelques mots.").is_visible()
    check_page(page, every_rule, csp_violations)
    assert not Interaction.objects.exists()

    page.get_by_label("Résumé").fill("Demande quand passent les encombrants : jeudi.")
    page.get_by_label("Motif").select_option(label="Déchets et encombrants")
    page.get_by_label("Réponse donnée sur le moment").check()
    page.get_by_label("Durée (minutes)").fill("3")
    page.get_by_label("Demande concernée").select_option(str(request.pk))
    click(page, "Enregistrer le contact")
    contact = Interaction.objects.get()
    assert (contact.citizen, contact.request, contact.motive, contact.duration_minutes) == (
        helene,
        request,
        motive,
        3,
    )

    page.goto(live_server.url + reverse("backoffice:home"))
    assert "Contacts du jour" in page.content()
    check_page(page, every_rule, csp_violations)
    click(page, "Consigner un appel anonyme", role="link")
    page.keyboard.type("Horaires de la mairie le samedi.")
    page.get_by_label("Motif").select_option(label="Autre")
    page.get_by_label("Interlocuteur").fill("M. X, n'a pas souhaité donner son nom")
    check_page(page, every_rule, csp_violations)
    click(page, "Enregistrer le contact")
    assert page.url.endswith(reverse("backoffice:home"))
    assert "Le contact (téléphone) est enregistré." in page.content()
    assert Interaction.objects.filter(citizen=None, caller__startswith="M. X").exists()
