"""The one-stop shop's search page (/agents/usagers/) and the search box of every agent page's
header: who may search, what is logged, what bad input gets, how many queries it costs."""

from datetime import date

import pytest
from django.urls import reverse

from citizens.models import Citizen
from gru.models import AccessLog, Membership
from tests.factories import (
    CitizenFactory,
    InteractionFactory,
    MembershipFactory,
    ServiceRequestFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Role = Membership.Role
URL = reverse("backoffice:citizen_search")
# Who may search (CITIZEN_RIGHTS « find »): the answer to a search, by role.
ANSWERS = {
    Role.FRONT_DESK: 200,
    Role.INSTRUCTOR: 200,
    Role.TEAM_MANAGER: 200,
    Role.ADMINISTRATOR: 404,
    Role.DATA_PROTECTION_OFFICER: 404,
    Role.OFFICIAL: 404,
}


def agent(role, team=None):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(email=f"{role}@ville-demo.invalid")
    MembershipFactory(user=user, team=team or TeamFactory(slug="accueil"), role=role)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def helene():
    return CitizenFactory(
        given_names="Hélène", family_name="Garnier", birth_date=date(1978, 4, 12),
        phone="06 12 34 56 78", city="Démo",
    )  # fmt: skip


@pytest.fixture
def desk(client):
    user = agent(Role.FRONT_DESK)
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", list(ANSWERS))
def test_who_may_search(client, helene, role):
    user = agent(role)
    client.force_login(user)
    response = client.get(URL, {"q": "garnier"})
    assert response.status_code == ANSWERS[role]
    logged = AccessLog.objects.filter(user=user, action=AccessLog.Action.SEARCH)
    assert logged.count() == (1 if ANSWERS[role] == 200 else 0)
    home = client.get(reverse("backoffice:home")).content.decode()
    assert ('role="search"' in home) == (ANSWERS[role] == 200)  # the header's box
    assert (f'href="{URL}"' in home) == (ANSWERS[role] == 200)


def test_a_citizen_gets_a_404_and_a_visitor_the_login(client, helene):
    response = client.get(URL, {"q": "garnier"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory(email="usager@exemple.fr"))
    assert client.get(URL, {"q": "garnier"}).status_code == 404
    assert not AccessLog.objects.exists()


def test_results_link_to_the_record_with_what_tells_namesakes_apart(client, desk, helene):
    namesake = CitizenFactory(
        given_names="Hélène", family_name="Garnier", birth_date=date(1990, 1, 2), city="Rennes"
    )
    InteractionFactory(citizen=namesake)
    response = client.get(URL, {"q": "helene garnyer"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 usagers trouvés" in page
    for citizen in (helene, namesake):
        assert f'href="{reverse("backoffice:citizen", args=[citizen.pk])}"' in page
    assert "12/04/1978" in page and "02/01/1990" in page and "Rennes" in page
    assert "06 12 34 56 78" not in page  # nothing more than what tells them apart
    new = reverse("backoffice:citizen_new")
    assert f'href="{new}?q=helene+garnyer"' in page


def test_the_search_is_logged_with_the_query(client, desk, helene):
    client.get(URL, {"q": "  06.12.34.56.78  "})
    (entry,) = AccessLog.objects.all()
    assert (entry.user, entry.action, entry.detail) == (desk, "search", "06.12.34.56.78")


def test_a_reference_leads_to_its_citizen(client, desk, helene):
    ServiceRequestFactory(reference="K7QM-2X4P", citizen=helene)
    page = client.get(URL, {"q": "k7qm2x4p"}).content.decode()
    assert reverse("backoffice:citizen", args=[helene.pk]) in page
    assert "référence de demande K7QM-2X4P" in page


def test_an_organisation_number_lists_the_organisation(client, desk, helene):
    from tests.factories import OrganisationFactory, RepresentationFactory

    association = OrganisationFactory(name="Les Jardins partagés", rna="W001000042")
    RepresentationFactory(citizen=helene, organisation=association)
    page = client.get(URL, {"q": "w001000042"}).content.decode()
    assert reverse("backoffice:organisation", args=[association.pk]) in page
    assert reverse("backoffice:citizen", args=[helene.pk]) in page


def test_no_query_shows_the_box_and_an_empty_one_says_what_to_type(client, desk):
    response = client.get(URL)
    assert response.status_code == 200
    assert "La recherche est vide" not in response.content.decode()
    # The page's one box is not labelled optional.
    assert "(facultatif)" not in response.content.decode()
    for empty in ("", "   ", "\t\n"):
        response = client.get(URL, {"q": empty})
        assert response.status_code == 200
        assert "La recherche est vide : saisissez un nom" in response.content.decode()
        assert "(facultatif)" not in response.content.decode()
    assert not AccessLog.objects.exists()  # nothing searched


def test_a_500_character_query_is_refused_next_to_the_field(client, desk, helene):
    response = client.get(URL, {"q": "garnier " + "x" * 492})
    page = response.content.decode()
    assert response.status_code == 400
    assert "La recherche est limitée à 200 caractères (elle en compte 500)" in page
    assert 'id="id_q_error"' in page and 'aria-invalid="true"' in page
    assert 'href="#id_q"' in page  # the error summary
    assert "usager trouvé" not in page and "usagers trouvés" not in page
    assert not AccessLog.objects.exists()


def test_a_null_character_is_refused(client, desk):
    # Refused at the edge, before the view (gru/edge.py): no box can type one.
    response = client.get(URL, {"q": "garnier\x00"})
    assert response.status_code == 400
    assert "Demande incorrecte" in response.content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE citizens_citizen; --",
        "garnier' OR 1=1 --",
        '<script>alert("x")</script>',
        '"><img src=x onerror=alert(1)>',
        "%' OR '%'='",
    ],
)
def test_sql_or_markup_in_the_query_is_harmless(client, desk, helene, query):
    response = client.get(URL, {"q": query})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in page and "<img src=x" not in page
    assert Citizen.objects.filter(pk=helene.pk).exists()
    assert AccessLog.objects.get().detail == query


def test_the_header_search_box_is_labelled_and_leaves_the_search_page_alone(client, desk):
    home = client.get(reverse("backoffice:home")).content.decode()
    assert '<label for="agent-search-q">Rechercher un usager</label>' in home
    assert f'action="{URL}" role="search"' in home
    assert f'href="{reverse("backoffice:duplicates")}"' in home  # the front desk merges
    page = client.get(URL).content.decode()
    assert 'id="agent-search-q"' not in page  # one search box on its own page
    assert page.count('role="search"') == 1
    assert f'href="{URL}" aria-current="page"' in page


def test_an_instructor_has_no_duplicates_link(client):
    client.force_login(agent(Role.INSTRUCTOR))
    home = client.get(reverse("backoffice:home")).content.decode()
    assert reverse("backoffice:duplicates") not in home
    assert f'href="{URL}"' in home


def test_the_query_count_does_not_grow_with_the_results(client, desk, django_assert_num_queries):
    for i in range(30):
        citizen = CitizenFactory(given_names="Marie", family_name="Dupont", city=f"Ville {i}")
        InteractionFactory(citizen=citizen)
        ServiceRequestFactory(citizen=citizen)
    client.get(URL, {"q": "dupont"})  # per-process caches filled
    # Session, user, memberships (the door, the rights, the header), the access log entry
    # (savepoint, insert, release), the threshold and the citizens with their last contact
    # (savepoint, set, select, release).
    with django_assert_num_queries(10):
        response = client.get(URL, {"q": "dupont"})
    page = response.content.decode()
    assert page.count('href="/agents/usagers/') >= 25
    assert "Seuls les 25 plus proches sont affichés" in page
    with django_assert_num_queries(10 - 4 + 1):  # a phone: one query, no threshold
        client.get(URL, {"q": "06 12 34 56 78"})
