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
    form_page = run.page_view(page_id, shown)
    context = {
        "form_page": form_page,
        "procedure_title": "Démarche d'essai",
        "steps_left": form_page.total - form_page.number,  # as the filing view gives it
    }
    return render(request, "forms_builder/page.html", context)


def review(request):
    answers = {"oui_non": True, "prenoms": "Léa", "nombre": 1200, "cases": ["a", "b"],
               "adresse": {"street": "1 rue A", "postcode": "75001", "city": "Paris"},
               "photos": [{"name": "photo.jpg", "kind": "jpeg", "size": 204800}]}  # fmt: skip
    sections = FormRun(EVERY_TYPE, answers).summary(edit_url=lambda page: f"/essai/{page}/")
    context = {"sections": sections, "procedure_title": "Démarche d'essai"}
    return render(request, "forms_builder/review.html", context)


RULES = {
    "version": 1,
    "pages": [
        {"id": "regles", "title": "Dates, montants et pièces", "fields": [
            {"id": "date_debut", "type": "date", "label": "Premier jour", "min": "today+21"},
            {"id": "date_fin", "type": "date", "label": "Dernier jour",
             "min": {"field": "date_debut"}},
            {"id": "budget_total", "type": "integer", "label": "Budget total (€)"},
            {"id": "montant_demande", "type": "integer", "label": "Montant demandé (€)",
             "max": {"field": "budget_total"}},
            {"id": "identite", "type": "file", "label": "Pièce d'identité", "accept": ["png"]},
        ]},
    ],
}  # fmt: skip
RULES_POST = {
    "date_debut": "2030-01-12",
    "date_fin": "2030-01-10",
    "budget_total": "1000",
    "montant_demande": "1200",
}


def rules_page(request):
    sent = [{"name": "recto.png", "kind": "png", "size": 2048, "sha256": "0" * 64}]
    run = FormRun(RULES, {"identite": sent})
    result = run.validate_page("regles", RULES_POST)
    context = {
        "form_page": run.page_view("regles", result),
        "procedure_title": "Démarche d'essai",
        "steps_left": 0,
    }
    return render(request, "forms_builder/page.html", context)


urlpatterns = [
    path("essai-regles/", rules_page, name="essai_rules"),
    path("essai/verification/", review, name="essai_review"),
    path("essai/<slug:page_id>/", form_page, name="essai_page"),
    path("", include("gru.urls")),
]


@pytest.mark.parametrize(
    "url", ["/essai/tout/", "/essai/premiere/", "/essai/verification/", "/essai-regles/"]
)
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
    assert page.title().startswith("Erreur : Tous les champs \N{EN DASH} Étape 2 \N{EN DASH}")
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


def test_a_broken_rule_between_answers_is_announced_and_leads_to_its_field(
    live_server, page, assert_accessible
):
    page.goto(live_server.url + "/essai-regles/")
    summary = page.locator(".error-summary")
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    assert summary.locator("a").all_inner_texts() == [
        "Dernier jour : la date ne peut pas être avant « Premier jour » (le 12 janvier 2030).",
        "Montant demandé (€) : saisissez un nombre inférieur ou égal à « Budget total (€) » "
        "(1\N{NO-BREAK SPACE}000).",
    ]
    summary.locator('a[href="#field-date_fin"]').click()
    assert page.evaluate("() => document.activeElement.id") == "field-date_fin"
    described = page.locator("#field-date_fin").get_attribute("aria-describedby").split()
    assert [" ".join(page.locator(f"#{i}").text_content().split()) for i in described] == [
        "Le même jour que « Premier jour » ou après.",
        "Erreur : La date ne peut pas être avant « Premier jour » (le 12 janvier 2030).",
    ]
    # A one-file field holding a file says that choosing another replaces it.
    notes = page.locator("#field-identite").get_attribute("aria-describedby").split()
    assert any(
        "Un nouveau fichier remplace celui déjà joint." in page.locator(f"#{i}").inner_text()
        for i in notes
    )
    assert_accessible()
