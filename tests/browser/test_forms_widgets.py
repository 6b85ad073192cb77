"""The form widgets in Chromium, served by a test-only view under the real layout and CSP:
axe-core finds no WCAG 2.1 AA violation on a page of every field type in its error state nor on
the review page; the error summary takes the focus and its links reach the inputs; a field
asked under a condition on its own page appears when its condition holds (the page's script
runs under the nonce)."""

import pytest
from django.shortcuts import render
from django.urls import include, path

from forms_builder.engine import FormRun
from tests.forms_builder.test_widgets import EVERY_TYPE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls(__name__),
]

ERRORS_POST = {"choix": "b", "nombre": "0", "adresse-postcode": "2A000", "courriel": "x@"}


def form_page(request, page_id):
    run = FormRun(EVERY_TYPE, {"oui_non": True})
    result = run.validate_page(page_id, request.POST or ERRORS_POST if page_id == "tout" else {})
    shown = result if request.method == "POST" or page_id == "tout" else None
    context = {"form_page": run.page_view(page_id, shown), "procedure_title": "Démarche d'essai"}
    return render(request, "forms_builder/page.html", context)


def review(request):
    answers = {"oui_non": True, "prenoms": "Léa", "nombre": 1200, "cases": ["a", "b"],
               "adresse": {"street": "1 rue A", "postcode": "75001", "city": "Paris"},
               "photos": [{"name": "photo.jpg", "kind": "jpeg", "size": 204800}]}  # fmt: skip
    sections = FormRun(EVERY_TYPE, answers).summary(edit_url=lambda page: f"/essai/{page}/")
    context = {"sections": sections, "procedure_title": "Démarche d'essai"}
    return render(request, "forms_builder/review.html", context)


urlpatterns = [
    path("essai/verification/", review, name="essai_review"),
    path("essai/<slug:page_id>/", form_page, name="essai_page"),
    path("", include("gru.urls")),
]


@pytest.mark.parametrize("url", ["/essai/tout/", "/essai/premiere/", "/essai/verification/"])
def test_form_pages_have_no_wcag_violation(
    live_server, page, assert_accessible, csp_violations, url
):
    page.goto(live_server.url + url)
    assert page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith("system-ui")
    assert_accessible()
    assert not csp_violations(), csp_violations()


@pytest.mark.parametrize("url", ["/essai/tout/", "/essai/verification/"])
def test_form_pages_reflow_at_320_css_pixels(live_server, page, url):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + url)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at 320px"


def test_the_error_summary_has_the_focus_and_its_links_reach_the_inputs(live_server, page):
    page.goto(live_server.url + "/essai/tout/")
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    assert page.title().startswith("Erreur : Tous les champs \N{EN DASH} Étape 2 sur 3")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#field-prenoms"
    page.keyboard.press("Enter")
    page.locator("#field-adresse-postcode").wait_for()
    page.click('.error-summary a[href="#field-adresse-postcode"]')
    assert page.evaluate("() => document.activeElement.id") == "field-adresse-postcode"


def test_a_field_under_a_condition_of_its_page_appears_when_it_holds(
    live_server, page, assert_accessible, csp_violations
):
    page.goto(live_server.url + "/essai/tout/")
    precision = page.locator("#field-precision")
    assert precision.is_visible()  # « Seconde » was chosen in the POST shown
    page.check("#field-choix")  # « Première »
    assert not precision.is_visible()
    page.check("#field-choix-2")
    assert precision.is_visible()
    assert_accessible()
    assert not csp_violations(), csp_violations()
