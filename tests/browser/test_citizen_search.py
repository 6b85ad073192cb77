"""The one-stop shop's search in Chromium: a front desk agent types a misspelt name in the
header's search box of their landing page, reads the namesakes found, opens the record; a query
too long is refused next to the field. axe-core runs every rule on each page, under the real
Content-Security-Policy, and each page reflows at 320 CSS pixels."""

from datetime import date

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from gru.models import Membership
from tests.browser.test_backoffice import sign_in_with_totp
from tests.browser.test_filing import check_page, click
from tests.factories import CitizenFactory, InteractionFactory, MembershipFactory, TeamFactory
from tests.gru.accounts_support import SECRET, verified_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_front_desk_finds_a_citizen_from_the_header(
    live_server, page, every_rule, csp_violations
):
    agent = verified_user(first_name="Maryse", last_name="Lacroix")
    MembershipFactory(
        user=agent,
        team=TeamFactory(name="Accueil", slug="accueil"),
        role=Membership.Role.FRONT_DESK,
    )
    TOTP.activate(agent, SECRET)
    helene = CitizenFactory(
        given_names="Hélène", family_name="Garnier", birth_date=date(1978, 4, 12), city="Démo"
    )
    namesake = CitizenFactory(
        given_names="Hélène", family_name="Garnier", birth_date=date(1990, 1, 2), city="Rennes"
    )
    InteractionFactory(citizen=namesake)

    sign_in_with_totp(page, live_server, agent)
    check_page(page, every_rule, csp_violations)  # the header's search box
    box = page.get_by_role("search", name="Usagers").get_by_label("Rechercher un usager")
    box.focus()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    box.fill("helene garnyer")
    with page.expect_navigation():
        box.press("Enter")
    assert page.get_by_role("heading", level=2).inner_text() == "2 usagers trouvés"
    rows = page.get_by_role("row").all_inner_texts()
    assert any("12/04/1978" in row and "Démo" in row for row in rows)
    assert any("02/01/1990" in row and "Rennes" in row for row in rows)
    check_page(page, every_rule, csp_violations)

    page.goto(
        live_server.url + reverse("backoffice:citizen_search") + "?q=" + "garnier%20" + "x" * 300
    )
    assert page.get_by_role("heading", name="Le formulaire contient une erreur").is_visible()
    check_page(page, every_rule, csp_violations)

    page.goto(live_server.url + reverse("backoffice:citizen_search") + "?q=06.12")
    click(page, "Créer une fiche usager", role="link")
    assert page.url.endswith(reverse("backoffice:citizen_new") + "?q=06.12")
    page.goto(live_server.url + reverse("backoffice:citizen_search") + "?q=1978-04-12")
    click(page, "Hélène Garnier", role="link")
    assert page.url.endswith(reverse("backoffice:citizen", args=[helene.pk]))
