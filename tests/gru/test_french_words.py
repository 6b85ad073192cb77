"""Durations in words, prepositions before a noun phrase, file sizes in Ko / Mo, and the
authority's name with its article (issue 12, item 12)."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from gru.templatetags.french import duration_words, prep, taille
from tests.gru.test_settings import SETUP, run_python

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("P1M", "un mois"),
        ("P2M", "deux mois"),
        ("P4M", "quatre mois"),
        ("P30D", "30 jours"),
        ("P1D", "un jour"),
        ("P1W", "une semaine"),
        ("P8W", "huit semaines"),
        ("P12M", "un an"),
        # retention, in months
        (120, "10 ans"),
        (60, "cinq ans"),
        (24, "deux ans"),
        (12, "un an"),
        (18, "18 mois"),
        (1, "un mois"),
        ("", ""),
        ("n'importe quoi", "n'importe quoi"),
    ],
)
def test_durations_in_words(value, expected):
    assert duration_words(value) == expected


@pytest.mark.parametrize(
    ("phrase", "preposition", "expected"),
    [
        ("un mois", "de", "d'un mois"),
        ("deux mois", "de", "de deux mois"),
        ("la Ville de Démo", "de", "de la Ville de Démo"),
        ("le Département du Nord", "de", "du Département du Nord"),
        ("l'Eurométropole de Strasbourg", "de", "de l'Eurométropole de Strasbourg"),
        ("les Hauts-de-Seine", "de", "des Hauts-de-Seine"),
        ("le Département du Nord", "à", "au Département du Nord"),
        ("la Ville de Démo", "à", "à la Ville de Démo"),
    ],
)
def test_prepositions_elide_and_contract(phrase, preposition, expected):
    assert prep(phrase, preposition) == expected


def test_a_delay_in_a_template_reads_as_french():
    template = Template('dans un délai {{ delay|duree|prep:"de" }}, conservée {{ months|duree }}')
    assert template.render(Context({"delay": "P1M", "months": 120})) == (
        "dans un délai d'un mois, conservée 10 ans"
    )


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, f"0{NBSP}octet"),
        (1, f"1{NBSP}octet"),
        (850, f"850{NBSP}octets"),
        (1024, f"1{NBSP}Ko"),
        (1250, f"1,2{NBSP}Ko"),
        (150_000, f"146{NBSP}Ko"),
        (2_500_000, f"2,4{NBSP}Mo"),
        (10 * 1024 * 1024, f"10{NBSP}Mo"),
        (3 * 1024**3, f"3{NBSP}Go"),
        (None, ""),
    ],
)
def test_file_sizes_in_french_units(size, expected):
    assert taille(size) == expected


@pytest.mark.django_db
def test_the_home_page_names_the_authority_with_its_article(settings, client):
    settings.AUTHORITY_NAME_WITH_ARTICLE = "le Département du Val Test"
    html = client.get("/").content.decode()
    assert "Vos démarches avec le Département du Val Test" in html


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ville de Démo", "la Ville de Démo"),
        ("Communauté de communes du Val", "la Communauté de communes du Val"),
        ("Eurométropole de Strasbourg", "l'Eurométropole de Strasbourg"),
        ("Département du Nord", "le Département du Nord"),
    ],
)
def test_the_default_article_without_the_variable(name, expected):
    code = SETUP + "; from django.conf import settings; print(settings.AUTHORITY_NAME_WITH_ARTICLE)"
    result = run_python(code, DEBUG="true", AUTHORITY_NAME=name, AUTHORITY_NAME_WITH_ARTICLE=None)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.django_db
def test_the_account_pages_say_adresse_electronique(client):
    """django-allauth's French says « adresse e-mail »; the project's locale overrides it."""
    response = client.post(
        reverse("account_login"), {"login": "nobody@exemple.fr", "password": "not-the-password"}
    )
    html = response.content.decode()
    assert "adresse électronique ou le mot de passe sont incorrects" in html
    assert "e-mail" not in html.lower()
    html = client.get(reverse("account_signup")).content.decode()
    assert "e-mail" not in html.lower()
