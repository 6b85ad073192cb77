"""The catalogue of démarches and each démarche's page, as a citizen sees them."""

import pytest
from django.urls import reverse

from forms_builder import selectors
from forms_builder.texts import describe_delay, describe_silence
from tests.factories import ProcedureFactory, ServiceRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedures():
    return {
        "acte": ProcedureFactory(
            slug="acte-etat-civil",
            title="Demander un acte d'état civil",
            summary="Copie ou extrait d'acte de naissance, de mariage ou de décès.",
            category="État civil",
            audiences=["individuals"],
            silence_rule="acceptance",
            silence_delay="P1M",
            required_documents=["Pièce d'identité", "Livret de famille"],
        ),
        "voirie": ProcedureFactory(
            slug="signalement-voirie",
            title="Signaler un problème sur la voirie",
            summary="Nid-de-poule, éclairage en panne, dépôt sauvage.",
            category="Voirie",
            kind="report",
            audiences=["individuals", "professionals"],
            silence_rule="none",
            silence_delay="",
        ),
        "subvention": ProcedureFactory(
            slug="subvention-association",
            title="Demander une subvention",
            summary="Aide financière aux associations de la commune.",
            category="Vie associative",
            kind="grant",
            audiences=["associations"],
            identification="account",
            silence_rule="rejection",
            silence_delay="P2M",
        ),
        "hidden": ProcedureFactory(
            slug="brouillon", title="Démarche en préparation", is_published=False
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("etat civil", ["acte-etat-civil"]),  # without accents
        ("ÉTAT CIVIL", ["acte-etat-civil"]),  # capitals and accents
        ("actes", ["acte-etat-civil"]),  # French stemming: plural
        ("naissance", ["acte-etat-civil"]),  # a word of the summary
        ("subventions", ["subvention-association"]),
        ("nid de poule", ["signalement-voirie"]),
        ("voir", ["signalement-voirie"]),  # a piece of a title word
        ("préparation", []),  # unpublished procedures never show
        ("zzzz", []),
    ],
)
def test_search_is_accent_insensitive_and_french(procedures, query, expected):
    assert [p.slug for p in selectors.catalogue(query=query)] == expected


def test_filters_by_audience_and_category(procedures):
    assert [p.slug for p in selectors.catalogue(audience="associations")] == [
        "subvention-association"
    ]
    assert [p.slug for p in selectors.catalogue(audience="professionals")] == ["signalement-voirie"]
    assert [p.slug for p in selectors.catalogue(category="État civil")] == ["acte-etat-civil"]
    # État civil and Vie associative in GRU_CATALOGUE_CATEGORIES' order, then the unlisted one
    assert selectors.categories() == ["État civil", "Vie associative", "Voirie"]


def test_catalogue_page_groups_by_category(client, procedures):
    response = client.get(reverse("forms_builder:catalogue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 démarches" in html
    assert (
        html.index("<h3>État civil") < html.index("<h3>Vie associative") < html.index("<h3>Voirie")
    )
    assert "Démarche en préparation" not in html
    assert 'href="/demarches/acte-etat-civil/"' in html
    assert 'aria-current="page">Démarches</a>' in html


def test_catalogue_page_search_and_empty_result(client, procedures):
    html = client.get(reverse("forms_builder:catalogue"), {"q": "etat civil"}).content.decode()
    assert "1 démarche" in html
    assert "Demander un acte d&#x27;état civil" in html
    html = client.get(reverse("forms_builder:catalogue"), {"q": "zzzz"}).content.decode()
    assert "0 démarche" in html
    assert "Aucune démarche ne correspond" in html


def test_an_unknown_audience_is_ignored(client, procedures):
    response = client.get(reverse("forms_builder:catalogue"), {"public": "martiens"})
    assert response.status_code == 200
    assert "3 démarches" in response.content.decode()


def test_catalogue_query_count_does_not_grow_with_procedures(client, django_assert_num_queries):
    from django.core.cache import cache

    ProcedureFactory.create_batch(3)
    cache.clear()
    # The catalogue's state, its themes, its démarches (the last one only when not cached).
    with django_assert_num_queries(3):
        client.get(reverse("forms_builder:catalogue"))
    with django_assert_num_queries(2):
        client.get(reverse("forms_builder:catalogue"))
    ProcedureFactory.create_batch(40)
    # A free-text search is never cached: its themes and its démarches, no state.
    with django_assert_num_queries(2):
        client.get(reverse("forms_builder:catalogue"), {"q": "démarche"})


def test_procedure_page_says_what_who_documents_delay_and_data(client, procedures):
    response = client.get(reverse("forms_builder:procedure", args=["acte-etat-civil"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Demander un acte d&#x27;état civil</h1>" in html
    assert "Particuliers" in html
    assert "sans créer de compte" in html
    assert "Livret de famille" in html
    assert "délai d&#x27;un mois" in html and "votre demande est acceptée" in html
    assert "Responsable du traitement" in html and "CNIL" in html
    assert "puis cinq ans après sa clôture" in html


def test_procedure_page_for_an_account_procedure_with_silence_rejection(client, procedures):
    html = client.get(
        reverse("forms_builder:procedure", args=["subvention-association"])
    ).content.decode()
    assert "connecter à votre compte" in html
    assert "considérée comme refusée" in html
    assert "Associations" in html


@pytest.mark.parametrize("slug", ["brouillon", "n-existe-pas"])
def test_unpublished_or_unknown_procedure_is_404(client, procedures, slug):
    response = client.get(reverse("forms_builder:procedure", args=[slug]))
    assert response.status_code == 404


def test_procedure_page_query_count_is_constant(client, procedures, django_assert_num_queries):
    ServiceRequestFactory.create_batch(5, form_version__procedure=procedures["acte"])
    with django_assert_num_queries(1):
        client.get(reverse("forms_builder:procedure", args=["acte-etat-civil"]))


@pytest.mark.parametrize(
    ("delay", "text"),
    [
        ("P1M", "un mois"),
        ("P2M", "deux mois"),
        ("P1D", "un jour"),
        ("P30D", "30 jours"),
        ("P1W", "une semaine"),
        ("P8W", "huit semaines"),
        ("P12M", "un an"),
    ],
)
def test_describe_delay(delay, text):
    assert describe_delay(delay) == text


def test_describe_silence_for_each_rule():
    assert "acceptée" in describe_silence("acceptance", "P2M")
    assert "délai de deux mois" in describe_silence("acceptance", "P2M")
    assert "refusée" in describe_silence("rejection", "P4M")
    assert "délai de quatre mois" in describe_silence("rejection", "P4M")
    assert "n'appelle pas de décision" in describe_silence("none", "")


def test_the_rendered_list_is_cached_and_follows_every_change(client, procedures):
    from django.core.cache import cache

    cache.clear()
    url = reverse("forms_builder:catalogue")
    assert "3 démarches" in client.get(url).content.decode()
    acte = procedures["acte"]
    # Served from the cache: an update that bypasses the model's save is not seen...
    type(acte).objects.filter(pk=acte.pk).update(title="Titre changé sans sauvegarde")
    assert "Titre changé" not in client.get(url).content.decode()
    # ...but a save, a publication or a deletion changes the key.
    acte.title = "Demander un extrait d'acte"
    acte.save()
    assert "Demander un extrait d&#x27;acte" in client.get(url).content.decode()
    procedures["hidden"].is_published = True
    procedures["hidden"].save()
    assert "4 démarches" in client.get(url).content.decode()
    procedures["hidden"].delete()
    assert "3 démarches" in client.get(url).content.decode()


def test_the_catalogue_works_without_redis(client, procedures, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response = client.get(reverse("forms_builder:catalogue"), {"q": "etat civil"})
    assert response.status_code == 200
    assert "1 démarche" in response.content.decode()


def test_the_search_follows_a_procedure_edited_after_its_creation(procedures):
    """PostgreSQL keeps the stored search vector (a generated column) in step with each write:
    a word added to the presentation or the title is found at once, a word removed no more."""
    acte = procedures["acte"]
    assert acte not in selectors.catalogue(query="apostille")
    acte.description = "Avec ou sans apostille, pour une démarche à l'étranger."
    acte.save()
    assert list(selectors.catalogue(query="apostille")) == [acte]
    acte.title = "Obtenir une copie intégrale"
    acte.save()
    assert acte in selectors.catalogue(query="intégrale")
    assert acte not in selectors.catalogue(query="demander")  # the old title's first word
