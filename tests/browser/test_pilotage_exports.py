"""Exports and the radar in Chromium: a team manager exports their queue as XLSX from the queue
page, watches the progress bar while the worker writes the file (the page asks for its state
every 2 seconds), then downloads it and opens it with openpyxl; the radar page for a manager
and for an elected official. axe-core runs every rule on each page, under the real CSP."""

import io
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from backoffice.models import Export
from gru.models import Membership
from pilotage.exports import export_build
from tests.browser.test_backoffice import sign_in_with_totp
from tests.browser.test_filing import check_page
from tests.factories import (
    CitizenFactory,
    FormVersionFactory,
    MembershipFactory,
    ServiceRequestFactory,
    TeamFactory,
)
from tests.gru.accounts_support import SECRET, verified_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def voirie():
    team = TeamFactory(name="Voirie", slug="voirie")
    version = FormVersionFactory(procedure__default_team=team, procedure__title="Nid-de-poule")
    day = timezone.localdate()
    requests = [
        ServiceRequestFactory(
            form_version=version,
            citizen=CitizenFactory(given_names="Hélène", family_name=f"Garnier-{n}"),
            received_on=day - timedelta(days=n),
            decision_due_on=day + timedelta(days=3 + 5 * n),
        )
        for n in range(6)
    ]
    return team, requests


def _agent(team, role, **names):
    user = verified_user(**names)
    MembershipFactory(user=user, team=team, role=role)
    TOTP.activate(user, SECRET)
    return user


def test_a_manager_exports_the_queue_and_downloads_the_xlsx(
    live_server, page, voirie, every_rule, csp_violations
):
    team, requests = voirie
    manager = _agent(team, Membership.Role.TEAM_MANAGER, first_name="Sophie", last_name="Lemaître")
    sign_in_with_totp(page, live_server, manager)
    page.goto(live_server.url + reverse("backoffice:queue", args=[team.slug]) + "?order=due")
    check_page(page, every_rule, csp_violations)

    # No worker runs here: the export waits, its page shows the bar and asks for its state.
    with page.expect_navigation():
        page.get_by_role("button", name="Exporter (XLSX)").click()
    export = Export.objects.get()
    assert page.url.endswith(reverse("backoffice:export", args=[export.pk]))
    assert page.locator("progress").get_attribute("value") == "0"
    assert page.get_by_text("En attente : l'export va commencer.").is_visible()
    check_page(page, every_rule, csp_violations)

    assert export_build(export_id=export.pk) is True  # what the worker does
    link = page.get_by_role("link", name="Télécharger l'export XLSX (Excel) de la file Voirie")
    link.wait_for(timeout=10_000)  # the page's next poll shows it
    assert page.get_by_role("status").inner_text() == (
        "L'export est prêt : le lien de téléchargement est affiché."
    )
    assert page.get_by_text("Le fichier est prêt : 6 demandes.").is_visible()
    check_page(page, every_rule, csp_violations)

    with page.expect_download() as download:
        link.click()
    content = download.value.path().read_bytes()
    assert download.value.suggested_filename.startswith("export-voirie-")
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Référence"
    # The order of the page (?order=due): the closest legal date first.
    assert [row[0] for row in rows[1:]] == [r.reference for r in requests]
    assert rows[1][8] == "Hélène Garnier-0"

    page.goto(live_server.url + reverse("backoffice:exports"))
    assert page.get_by_role("link", name=f"XLSX (Excel) n°{export.pk}").is_visible()
    check_page(page, every_rule, csp_violations)


@pytest.mark.parametrize("role", ["team_manager", "official"])
def test_the_radar_page(live_server, page, voirie, role, every_rule, csp_violations):
    team, requests = voirie
    if role == "official":
        team = TeamFactory(name="Élus", slug="elus")
    user = _agent(team, role, first_name="Maryse", last_name="Lacroix")
    sign_in_with_totp(page, live_server, user)
    page.goto(live_server.url + reverse("backoffice:pilotage_radar"))
    assert page.get_by_role("heading", level=1).inner_text() == "Radar des décisions implicites"
    body = page.locator("main").inner_text()
    if role == "official":
        assert requests[0].reference not in body and "Garnier" not in body
    else:
        assert page.get_by_role("link", name=requests[0].reference).is_visible()
    check_page(page, every_rule, csp_violations)


def test_the_monthly_report_page_and_its_pdf(live_server, page, voirie, every_rule, csp_violations):
    team, _requests = voirie
    manager = _agent(team, Membership.Role.TEAM_MANAGER, first_name="Sophie", last_name="Lemaître")
    sign_in_with_totp(page, live_server, manager)
    page.goto(live_server.url + reverse("backoffice:pilotage_report"))
    assert (
        page.get_by_role("link", name="Rapport mensuel (PDF)").get_attribute("aria-current")
        == "page"
    )
    check_page(page, every_rule, csp_violations)
    with page.expect_download() as download:
        page.get_by_role("button", name="Rapport mensuel (PDF)").click()
    assert download.value.suggested_filename.startswith("rapport-activite-")
    assert download.value.path().read_bytes().startswith(b"%PDF")
