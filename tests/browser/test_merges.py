"""Duplicates and merge in Chromium: a front desk agent opens the likely duplicates, compares a
pair side by side, is refused once (no confirmation), merges choosing a value from each record,
then undoes the merge from the link of the message. axe-core runs every rule on each page, under
the real Content-Security-Policy, and each page reflows at 320 CSS pixels."""

from datetime import date

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from citizens.models import Citizen
from gru.models import Membership
from tests.browser.test_backoffice import sign_in_with_totp
from tests.browser.test_filing import check_page, click
from tests.factories import (
    CitizenFactory,
    InteractionFactory,
    MembershipFactory,
    ServiceRequestFactory,
    TeamFactory,
)
from tests.gru.accounts_support import SECRET, verified_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_front_desk_merges_two_records_then_undoes_it(
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
        given_names="Hélène",
        family_name="Garnier",
        birth_date=date(1980, 5, 3),
        phone="06 12 34 56 78",
        email="helene@exemple.fr",
    )
    typo = CitizenFactory(
        given_names="Helene",
        family_name="Garnier",
        birth_date=date(1980, 5, 3),
        phone="",
        email="h.garnier@exemple.fr",
    )
    ServiceRequestFactory(citizen=typo)
    InteractionFactory(citizen=typo)

    sign_in_with_totp(page, live_server, agent)
    page.goto(live_server.url + reverse("backoffice:duplicates"))
    assert "Même date de naissance et nom proche" in page.content()
    check_page(page, every_rule, csp_violations)

    click(page, f"Comparer et fusionner les fiches n° {helene.pk} et n° {typo.pk}", role="link")
    assert page.get_by_role("table", name="Les deux fiches côte à côte").is_visible()
    check_page(page, every_rule, csp_violations)

    click(page, "Fusionner les deux fiches")
    assert page.title().startswith("Erreur :")
    check_page(page, every_rule, csp_violations)

    page.get_by_role("group", name="Adresse électronique valeur à garder").get_by_label(
        f"Fiche n° {typo.pk}"
    ).check()
    page.get_by_label("Je confirme que ces deux fiches désignent la même personne.").check()
    click(page, "Fusionner les deux fiches")
    assert "Fiches fusionnées" in page.content()
    helene.refresh_from_db()
    assert (helene.email, helene.phone) == ("h.garnier@exemple.fr", "06 12 34 56 78")
    assert helene.requests.count() == 1

    click(page, "annuler la fusion", role="link")
    check_page(page, every_rule, csp_violations)
    click(page, "Annuler la fusion")
    assert "Fusion annulée" in page.content()
    assert Citizen.objects.get(pk=typo.pk).requests.count() == 1
    assert Citizen.objects.get(pk=helene.pk).email == "helene@exemple.fr"
