"""The 360° view, the edit of a citizen's record and an organisation's page in Chromium: a
front desk agent opens a citizen with requests, contacts and history, corrects their phone
number (refused once, then saved with its reason), and goes to an organisation they represent.
axe-core runs every rule on each page, under the real Content-Security-Policy, and each page
reflows at 320 CSS pixels."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from citizens.models import Relationship
from gru.models import Membership
from service_requests.models import Event
from tests.browser.test_backoffice import sign_in_with_totp
from tests.browser.test_filing import check_page, click
from tests.factories import (
    CitizenFactory,
    EventFactory,
    FormVersionFactory,
    InteractionFactory,
    MembershipFactory,
    MessageFactory,
    OrganisationFactory,
    ProcedureFactory,
    RepresentationFactory,
    ServiceRequestFactory,
    TeamFactory,
)
from tests.gru.accounts_support import SECRET, verified_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_front_desk_reads_and_corrects_a_citizens_record(
    live_server, page, every_rule, csp_violations
):
    team = TeamFactory(name="Accueil", slug="accueil")
    other = TeamFactory(name="État civil", slug="etat-civil")
    agent = verified_user(first_name="Maryse", last_name="Lacroix")
    MembershipFactory(user=agent, team=team, role=Membership.Role.FRONT_DESK)
    TOTP.activate(agent, SECRET)
    helene = CitizenFactory(given_names="Hélène", family_name="Garnier", phone="06 12 34 56 78")
    Relationship.objects.create(
        from_citizen=helene, to_citizen=CitizenFactory(given_names="Léo"), kind="parent"
    )
    association = OrganisationFactory(name="Comité des fêtes")
    RepresentationFactory(citizen=helene, organisation=association)
    for t, organisation in ((team, None), (other, association)):
        version = FormVersionFactory(procedure=ProcedureFactory(default_team=t))
        request = ServiceRequestFactory(
            form_version=version, team=t, citizen=helene, organisation=organisation
        )
        EventFactory(request=request, payload={"channel": "web"})
        EventFactory(
            request=request,
            kind=Event.Kind.NOTE,
            visibility=Event.Visibility.INTERNAL,
            payload={"text": f"Note de l'équipe {t.name}"},
        )
        MessageFactory(request=request)
    InteractionFactory(citizen=helene, agent=agent, summary="Appel pour un acte de naissance")

    sign_in_with_totp(page, live_server, agent)
    page.goto(live_server.url + reverse("backoffice:citizen", args=[helene.pk]))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hélène Garnier")
    assert "Note de l'équipe Accueil" in page.content()
    assert "Note de l'équipe État civil" not in page.content()
    check_page(page, every_rule, csp_violations)

    click(page, "Modifier les coordonnées", role="link")
    page.get_by_role("textbox", name="Téléphone").fill("12")
    click(page, "Enregistrer les modifications")
    assert page.get_by_role("heading", name="Le formulaire contient 2 erreurs").is_visible()
    check_page(page, every_rule, csp_violations)
    page.get_by_role("textbox", name="Téléphone").fill("+33 6 98 76 54 32")
    page.get_by_label("Motif de la modification").fill("Nouveau numéro donné au téléphone")
    click(page, "Enregistrer les modifications")
    assert "La fiche de l'usager est modifiée : téléphone." in page.content()
    assert "Nouveau numéro donné au téléphone" in page.content()

    click(page, "Comité des fêtes", role="link")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Comité des fêtes")
    check_page(page, every_rule, csp_violations)
