"""The base layout, the home page, the authority's own pages and the error pages."""

import re
from html import unescape

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_protect

from gru import urls as gru_urls
from gru.models import SitePage
from gru.views import errors

# A test-only URLconf (`@pytest.mark.urls(__name__)`): the project's URLs, plus views that
# fail on purpose, with the project's error handlers.


def _forbidden(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("malformed")


def _broken(request):
    raise RuntimeError("boom")


@csrf_protect
def _form(request):
    return HttpResponse("ok")


urlpatterns = [
    path("test/interdit/", _forbidden),
    path("test/suspect/", _suspicious),
    path("test/panne/", _broken),
    path("test/formulaire/", _form),
    *gru_urls.urlpatterns,
]
handler400 = gru_urls.handler400
handler403 = gru_urls.handler403
handler404 = gru_urls.handler404
handler500 = gru_urls.handler500

SITE_PAGES = [
    ("accessibility", SitePage.Slug.ACCESSIBILITY, "Accessibilité"),
    ("legal_notice", SitePage.Slug.LEGAL_NOTICE, "Mentions légales"),
    ("personal_data", SitePage.Slug.PERSONAL_DATA, "Données personnelles"),
]
PLACEHOLDER_NOTICE = "Texte provisoire : la collectivité complète cette page dans l'administration."


def _html(response) -> str:
    # Unescaped: `translate` output is not escaped while variables are; compare as text.
    return unescape(response.content.decode())


def _assert_no_inline_style_or_script(html: str) -> None:
    # The CSP allows neither: an inline style or script would be silently blocked.
    assert not re.search(r"\sstyle=", html)
    assert "<style" not in html
    assert "<script" not in html


@pytest.fixture
def authority(settings):
    settings.AUTHORITY_NAME = "Communauté de communes du Val Test"
    settings.AUTHORITY_ADDRESS = "3 rue des Essais, 12345 Val-Test"
    settings.AUTHORITY_PHONE = "05 11 22 33 44"
    settings.AUTHORITY_EMAIL = "accueil@val-test.invalid"
    return settings


# Base layout


@pytest.mark.django_db
def test_base_layout_is_french_with_skip_link_first(client, authority):
    html = _html(client.get(reverse("home")))
    assert '<html lang="fr">' in html
    first_focusable = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", html).group(0)
    assert 'href="#contenu"' in first_focusable
    assert "skip-link" in first_focusable
    assert '<main id="contenu"' in html
    assert "<title>Accueil · Communauté de communes du Val Test</title>" in html


@pytest.mark.django_db
def test_base_layout_has_main_navigation_marking_the_current_page(client, authority):
    html = _html(client.get(reverse("home")))
    nav = re.search(r'<nav[^>]*aria-label="Menu principal".*?</nav>', html, re.S).group(0)
    assert f'<a href="{reverse("home")}" aria-current="page">Accueil</a>' in nav


@pytest.mark.django_db
def test_base_layout_footer_links_to_the_three_site_pages_and_states_compliance(client, authority):
    html = _html(client.get(reverse("home")))
    footer = re.search(r"<footer.*?</footer>", html, re.S).group(0)
    for url_name, _slug, label in SITE_PAGES:
        assert re.search(rf'<a href="{reverse(url_name)}">{label}[^<]*</a>', footer), label
    assert "Accessibilité : non conforme (audit à venir)" in footer
    assert "Communauté de communes du Val Test" in footer


@pytest.mark.django_db
def test_responses_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_content_security_policy_has_no_literal_nonce_placeholder(client):
    assert "'nonce'" not in client.get(reverse("home"))["Content-Security-Policy"]


@pytest.mark.django_db
def test_stylesheet_is_served_and_uses_no_external_font(client):
    html = _html(client.get(reverse("home")))
    href = re.search(r'<link rel="stylesheet" href="([^"]+)">', html).group(1)
    response = client.get(href)
    assert response.status_code == 200
    css = b"".join(response.streaming_content).decode()
    assert ":focus-visible" in css
    assert "prefers-reduced-motion" in css
    assert "@import" not in css
    assert "@font-face" not in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    font_stack = re.search(r"--font-family:([^;]+);", css).group(1)
    assert font_stack.strip().startswith("system-ui")
    assert "marianne" not in font_stack.lower()


# Home page


@pytest.mark.django_db
def test_home_names_the_authority_and_explains_how_to_get_help(client, authority):
    authority.AUTHORITY_NAME_WITH_ARTICLE = "la Communauté de communes du Val Test"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = _html(response)
    assert "<h1>Vos démarches avec la Communauté de communes du Val Test</h1>" in html
    # Each of the three blocks is one link, its heading's: the catalogue, the tracking of a
    # request, how to be helped by an agent (stretched over the block by the CSS).
    blocks = re.findall(r'<li class="card card--link">(.*?)</li>', html, flags=re.S)
    assert len(blocks) == 3
    for block, (heading, url) in zip(
        blocks,
        [
            ("Faire une démarche", reverse("forms_builder:catalogue")),
            ("Suivre une demande", reverse("service_requests:lookup")),
            ("Être accompagné", reverse("assistance")),
        ],
        strict=True,
    ):
        assert re.findall(r"<a\b[^>]*>", block) == [f'<a href="{url}">'], heading
        assert re.search(rf'<h2><a href="{url}">{heading}</a></h2>', block), heading
        assert "<button" not in block and "<input" not in block
    assert "prochainement" not in html
    assert "3 rue des Essais, 12345 Val-Test" in html and "05 11 22 33 44" in html
    _assert_no_inline_style_or_script(html)


@pytest.mark.django_db
def test_the_assistance_page_gives_the_counter_the_phone_and_the_address(client, authority):
    authority.AUTHORITY_NAME_WITH_ARTICLE = "la Communauté de communes du Val Test"
    response = client.get(reverse("assistance"))
    assert response.status_code == 200
    html = _html(response)
    assert "<h1>Être accompagné dans vos démarches</h1>" in html
    assert "3 rue des Essais, 12345 Val-Test" in html
    assert '<a href="tel:0511223344">05 11 22 33 44</a>' in html
    assert "écrire à la Communauté de communes du Val Test" in html
    assert '<a href="mailto:accueil@val-test.invalid">' in html
    _assert_no_inline_style_or_script(html)


# The authority's own pages


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "slug", "label"), SITE_PAGES)
def test_site_page_shows_a_placeholder_until_written(client, authority, url_name, slug, label):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = _html(response)
    assert f"<h1>{label}</h1>" in html
    # The notice is the alert's only content (no page variable leaks into the component).
    alert = re.search(r'<div class="alert alert--info">(.*?)</div>', html, re.S).group(1)
    assert (
        alert.strip()
        == f'<p><span class="visually-hidden">Information : </span>{PLACEHOLDER_NOTICE}</p>'
    )
    assert "Communauté de communes du Val Test" in html
    _assert_no_inline_style_or_script(html)


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "slug", "label"), SITE_PAGES)
def test_site_page_shows_the_authoritys_own_text(client, url_name, slug, label):
    SitePage.objects.create(
        slug=slug,
        title=f"{label} du Val Test",
        body="Premier paragraphe écrit par la collectivité.\r\n\r\nSecond paragraphe.",
    )
    html = _html(client.get(reverse(url_name)))
    assert f"<h1>{label} du Val Test</h1>" in html
    assert "<p>Premier paragraphe écrit par la collectivité.</p>" in html
    assert "<p>Second paragraphe.</p>" in html
    assert PLACEHOLDER_NOTICE not in html
    assert "Mise à jour le" in html


# Error pages


@pytest.mark.django_db
def test_404_page_is_in_french(client, authority):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = _html(response)
    assert '<html lang="fr">' in html
    assert "<h1>Page introuvable</h1>" in html
    home_link = f'<a href="{reverse("home")}">'
    assert f"{home_link}Retourner à la page d'accueil</a>" in html
    assert "05 11 22 33 44" in html


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_403_page_is_in_french(client):
    response = client.get("/test/interdit/")
    assert response.status_code == 403
    html = _html(response)
    assert "<h1>Vous n'avez pas accès à cette page</h1>" in html
    assert f'href="{reverse("home")}"' in html


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_400_page_is_in_french(client):
    response = client.get("/test/suspect/")
    assert response.status_code == 400
    assert "<h1>La demande n'a pas pu être traitée</h1>" in _html(response)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_csrf_failure_page_is_in_french(settings):
    settings.CSRF_FAILURE_VIEW = "gru.views.errors.csrf_failure"
    response = Client(enforce_csrf_checks=True).post("/test/formulaire/")
    assert response.status_code == 403
    assert "<h1>Le formulaire n'a pas pu être envoyé</h1>" in _html(response)


def test_500_page_renders_without_database_or_context_processors(authority):
    # No django_db mark: any query would fail the test.
    request = RequestFactory().get("/")
    response = errors.server_error(request)
    assert response.status_code == 500
    html = _html(response)
    assert '<html lang="fr">' in html
    assert "<h1>Le service rencontre un problème</h1>" in html
    assert "Communauté de communes du Val Test" in html
    assert "05 11 22 33 44" in html
    assert '<link rel="stylesheet" href="/static/css/gru.css">' in html
    assert '<a href="/">' in html
    _assert_no_inline_style_or_script(html)


def test_500_template_needs_only_the_authority_name():
    html = loader.get_template("errors/500.html").render({"authority_name": "Ville d'Essai"})
    html = unescape(html)
    assert "Ville d'Essai" in html
    assert 'href="/static/css/gru.css"' in html


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_500_handler_serves_the_french_page(client):
    client.raise_request_exception = False
    response = client.get("/test/panne/")
    assert response.status_code == 500
    assert "Le service rencontre un problème" in _html(response)


# Components


class _ContactForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique", help_text="Exemple : nom@domaine.fr")
    channel = forms.ChoiceField(
        label="Comment vous répondre ?",
        choices=[("email", "Par courriel"), ("mail", "Par courrier")],
        widget=forms.RadioSelect,
        required=False,
    )


def _render(template_name: str, **context) -> str:
    return unescape(loader.get_template(template_name).render(context))


def test_field_ties_label_hint_and_error_to_the_input():
    form = _ContactForm(data={"email": "pas-une-adresse"})
    html = _render("components/field.html", field=form["email"])
    assert '<label class="field__label" for="id_email">Adresse électronique</label>' in html
    assert re.search(r'<input[^>]*aria-describedby="id_email_helptext id_email_error"', html)
    assert re.search(r'<input[^>]*aria-invalid="true"', html)
    assert 'id="id_email_helptext"' in html
    assert 'id="id_email_error"' in html
    assert "Erreur :" in html


def test_field_groups_radio_buttons_in_a_fieldset_marked_optional():
    form = _ContactForm()
    html = _render("components/field.html", field=form["channel"])
    assert "<fieldset" in html
    assert re.search(r"<legend[^>]*>Comment vous répondre \?.*\(facultatif\)", html)


@pytest.mark.parametrize(
    ("level", "role", "spoken"),
    [
        ("error", 'role="alert"', "Erreur :"),
        ("success", 'role="status"', "Succès :"),
        ("info", None, "Information :"),
    ],
)
def test_alert_announces_its_level(level, role, spoken):
    html = _render("components/alert.html", level=level, message="Message.")
    assert f"alert--{level}" in html
    assert spoken in html
    if role:
        assert role in html
    else:
        assert "role=" not in html


def test_button_and_badge_render():
    assert '<button class="button button--primary" type="submit">Envoyer</button>' in _render(
        "components/button.html", label="Envoyer"
    )
    assert '<a class="button button--secondary" href="/aide/">Aide</a>' in _render(
        "components/button.html", label="Aide", href="/aide/", variant="secondary"
    )
    assert '<span class="badge badge--success">Acceptée</span>' in _render(
        "components/status_badge.html", label="Acceptée", tone="success"
    )
