"""The steering dashboards in Chromium: a team manager and an elected official sign in with
their second factor, open « Pilotage » from the menu, then the overview over two months of a
known dataset (every chart's data table opened) and the workload forecast. axe-core runs every
rule at 1280 and 390 px, under the real Content-Security-Policy; the pages reflow at 320 px."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.urls import reverse

from gru.celery import app
from gru.models import Membership
from tests.browser.test_backoffice import sign_in_with_totp
from tests.browser.test_filing import check_page
from tests.factories import MembershipFactory
from tests.gru.accounts_support import SECRET, verified_user
from tests.pilotage.known_dataset import SECRETS, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Role = Membership.Role
QUERY = "?periode=custom&debut=2026-01-01&fin=2026-02-28"


@pytest.fixture(autouse=True)
def _inline_tasks():
    cache.clear()
    conf = app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved
    cache.clear()


def _check_at_both_widths(page, every_rule, csp_violations):
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    check_page(page, every_rule, csp_violations)
    page.set_viewport_size({"width": 390, "height": 800})
    every_rule()
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.parametrize("role", [Role.TEAM_MANAGER, Role.OFFICIAL])
def test_a_manager_and_an_official_open_their_dashboards(
    live_server, page, role, every_rule, csp_violations
):
    known = build()
    user = verified_user(first_name="Maryse", last_name="Lacroix")
    MembershipFactory(user=user, team=known["voirie"], role=role)
    TOTP.activate(user, SECRET)
    sign_in_with_totp(page, live_server, user)
    page.get_by_role("navigation", name="Espace agents").get_by_role(
        "link", name="Pilotage"
    ).click()
    page.wait_for_url(f"**{reverse('backoffice:pilotage')}")
    assert page.get_by_role("heading", name="Pilotage de la relation aux usagers").is_visible()

    page.goto(live_server.url + reverse("backoffice:pilotage") + QUERY)
    table = page.get_by_role("table", name="Chiffres clés")
    received = table.get_by_role("row", name="Demandes reçues").first
    # Voirie received 6 of the 7 requests; the official sees urbanisme's too.
    assert received.get_by_role("cell").first.inner_text() == (
        "7" if role == Role.OFFICIAL else "6"
    )
    assert page.locator("svg[role='img'] title").count() == 7
    text = page.locator("main").inner_text()
    if role == Role.OFFICIAL:
        assert not [secret for secret in SECRETS if secret in text]
    _check_at_both_widths(page, every_rule, csp_violations)

    page.get_by_role("link", name="Charge prévue").click()
    assert page.get_by_role("heading", name="Charge prévue des équipes").is_visible()
    _check_at_both_widths(page, every_rule, csp_violations)
