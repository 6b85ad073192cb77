"""The account pages (allauth in the site's look) in Chromium: axe-core finds no WCAG 2.1 AA
violation, the Content-Security-Policy blocks nothing, errors are summarised and tied."""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mot-de-passe-de-test"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # allauth's rate-limit counts


def verified(**fields):
    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def check(page, assert_accessible, csp_violations):
    assert page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith("system-ui")
    assert_accessible()
    assert not csp_violations(), csp_violations()


def sign_in(page, live_server, user):
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_entrance_pages(live_server, page, assert_accessible, csp_violations, name):
    response = page.goto(live_server.url + reverse(name))
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "fr"
    check(page, assert_accessible, csp_violations)


def test_signup_in_error_state(live_server, page, assert_accessible, csp_violations):
    page.goto(live_server.url + reverse("account_signup"))
    page.get_by_label("Adresse électronique").fill("pas-une-adresse")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_load_state()

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    given_names = page.locator("#id_given_names")
    assert given_names.get_attribute("aria-invalid") == "true"
    assert "id_given_names_error" in given_names.get_attribute("aria-describedby")
    summary.get_by_role("link").first.click()
    check(page, assert_accessible, csp_violations)


def test_login_in_error_state(live_server, page, assert_accessible, csp_violations):
    page.goto(live_server.url + reverse("account_login"))
    page.get_by_label("Adresse électronique").fill("personne@exemple.fr")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    check(page, assert_accessible, csp_violations)


def test_totp_activation_page_for_an_agent(live_server, page, assert_accessible, csp_violations):
    agent = verified(is_staff=True)
    MembershipFactory(user=agent)
    sign_in(page, live_server, agent)
    # Sent from the back office to the TOTP setup, with the reason.
    assert page.url.endswith(reverse("mfa_activate_totp"))
    assert page.get_by_text("double authentification", exact=False).first.is_visible()
    assert page.locator("input[autocomplete='one-time-code']").count() == 1
    check(page, assert_accessible, csp_violations)


def test_sessions_page(live_server, page, assert_accessible, csp_violations):
    citizen = verified()
    sign_in(page, live_server, citizen)
    page.goto(live_server.url + reverse("usersessions_list"))
    assert page.get_by_role("heading", level=1).inner_text() == "Sessions ouvertes"
    check(page, assert_accessible, csp_violations)


def test_email_addresses_page(live_server, page, assert_accessible, csp_violations):
    citizen = verified()
    sign_in(page, live_server, citizen)
    page.goto(live_server.url + reverse("account_email"))
    check(page, assert_accessible, csp_violations)
