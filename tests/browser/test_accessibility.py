"""WCAG 2.1 AA checks of the public pages with axe-core, and keyboard use, in Chromium."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import EventFactory, MessageFactory, ProcedureFactory, ServiceRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "home": lambda: reverse("home"),
    "assistance": lambda: reverse("assistance"),
    "accessibility": lambda: reverse("accessibility"),
    "legal_notice": lambda: reverse("legal_notice"),
    "personal_data": lambda: reverse("personal_data"),
    "404": lambda: "/cette-page-n-existe-pas/",
    "catalogue": lambda: reverse("forms_builder:catalogue"),
    "catalogue_search": lambda: (
        reverse("forms_builder:catalogue") + "?q=etat+civil&public=individuals"
    ),
    "catalogue_no_result": lambda: reverse("forms_builder:catalogue") + "?q=zzzz",
    "procedure": lambda: reverse("forms_builder:procedure", args=["acte-etat-civil"]),
    "tracking_lookup": lambda: reverse("service_requests:lookup"),
    "tracking_new_link": lambda: reverse("service_requests:new_link"),
    # The secret link redirects to the request's page.
    "tracking_request": lambda: reverse(
        "service_requests:secret_link", args=["K7QM-2X4P", TRACKING_TOKEN]
    ),
    "tracking_rejected": lambda: reverse(
        "service_requests:secret_link", args=["R3JT-0000", TRACKING_TOKEN + "-rejet"]
    ),
}
TRACKING_TOKEN = "secret-de-suivi-pour-les-tests-0123456789"


@pytest.fixture(autouse=True)
def procedures():
    ProcedureFactory(
        slug="acte-etat-civil",
        title="Demander un acte d'état civil",
        category="État civil",
        required_documents=["Pièce d'identité"],
    )
    ProcedureFactory(
        slug="signalement-voirie", title="Signaler un problème de voirie", category="Voirie"
    )
    request = ServiceRequestFactory(
        reference="K7QM-2X4P", tracking_token=TRACKING_TOKEN, contact_email="lea@exemple.fr"
    )
    EventFactory(request=request)
    MessageFactory(request=request)
    ServiceRequestFactory(  # shows the « Demander les motifs » box
        reference="R3JT-0000",
        tracking_token=TRACKING_TOKEN + "-rejet",
        status="rejected_implicitly",
        received_on=datetime.date(2025, 1, 10),
        decided_on=datetime.date(2025, 3, 11),
    )


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_wcag_violation(live_server, page, every_rule, csp_violations, name):
    response = page.goto(live_server.url + PAGES[name]())
    assert (response.status == 404) == (name == "404"), response.status
    # The stylesheet must have loaded under the page's own CSP: contrast is checked on it.
    assert page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith("system-ui")
    every_rule()  # every rule axe-core has, best practices included
    assert not csp_violations(), csp_violations()


@pytest.mark.parametrize("name", PAGES)
def test_page_reflows_at_320_css_pixels(live_server, page, name):
    # WCAG 1.4.10: no horizontal scrolling at 320 px (a 1280 px screen zoomed to 400 %).
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + PAGES[name]())
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 320px"


def test_tracking_lookup_in_its_error_state(live_server, page, assert_accessible):
    page.goto(live_server.url + reverse("service_requests:lookup"))
    page.get_by_label("Référence de la demande").fill("K7QM-0000")
    page.get_by_label("Adresse électronique donnée lors du dépôt").fill("pas-un-courriel")
    page.get_by_role("button", name="Voir ma demande").click()
    page.wait_for_selector(".field__errors")
    assert page.locator("#id_email").get_attribute("aria-invalid") == "true"
    assert_accessible()


def test_skip_link_is_first_visible_on_focus_and_moves_focus_to_main(live_server, page):
    page.goto(live_server.url + reverse("home"))
    skip_link = page.locator("a.skip-link")
    assert not _in_viewport(page, skip_link), "the skip link shows before it is focused"

    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#contenu"
    assert _in_viewport(page, skip_link), "the focused skip link is off screen"
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none"
    assert outline[1] >= 2

    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "contenu"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main')?.id") == "contenu"


def _in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    viewport = page.viewport_size
    return (
        box is not None
        and box["y"] + box["height"] > 0
        and box["x"] + box["width"] > 0
        and box["y"] < viewport["height"]
        and box["x"] < viewport["width"]
    )


def test_each_home_block_is_one_link_that_the_whole_block_opens(live_server, page):
    """A click anywhere in a block follows its heading's link (stretched over the block), and
    the keyboard meets one link per block."""
    page.goto(live_server.url + reverse("home"))
    blocks = page.locator(".card--link")
    assert blocks.count() == 3
    for index in range(3):
        assert blocks.nth(index).locator("a").count() == 1
    # A click on the block's text, not on its heading: the link's overlay takes it.
    box = blocks.nth(0).locator("p").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**" + reverse("forms_builder:catalogue"))
