"""The catalogue's themes come in the order GRU_CATALOGUE_CATEGORIES gives (the démarches
citizens come for most first), the unlisted ones after them alphabetically; the cached rendering
follows a change of that order."""

import re

import pytest
from django.urls import reverse

from forms_builder import selectors
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes():
    for category, title in [
        ("Vie quotidienne", "Poser une question"),
        ("Aaa divers", "Démarche sans thème listé"),
        ("État civil", "Demander un acte"),
        ("Zzz autres", "Une autre démarche"),
        ("Voirie et propreté", "Signaler un problème"),
        ("Vie associative", "Demander une subvention"),
    ]:
        ProcedureFactory(category=category, title=title)


def headings(client) -> list[str]:
    html = client.get(reverse("forms_builder:catalogue")).content.decode()
    return re.findall(r"<h3>([^<]+)</h3>", html)


def test_the_default_order_puts_the_most_used_themes_first(client, themes):
    expected = [
        "État civil",
        "Voirie et propreté",
        "Vie associative",
        "Vie quotidienne",
        "Aaa divers",
        "Zzz autres",
    ]
    assert selectors.categories() == expected
    assert headings(client) == expected
    assert [p.category for p in selectors.catalogue()] == expected


def test_the_order_comes_from_the_settings_and_the_cache_follows(client, themes, settings):
    headings(client)  # cached under the default order
    settings.GRU_CATALOGUE_CATEGORIES = ["Vie quotidienne", "Zzz autres"]
    expected = [
        "Vie quotidienne",
        "Zzz autres",
        "Aaa divers",
        "Vie associative",
        "Voirie et propreté",
        "État civil",
    ]
    assert headings(client) == expected
    assert selectors.categories() == expected
