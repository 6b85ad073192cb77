"""The radar page: who reads it (role and page to status), what an elected official's copy leaves
out (no reference, no citizen's or agent's name), the query count whatever the rows, bad input."""

import pytest
from django.urls import reverse

from tests.factories import TeamFactory, UserFactory
from tests.pilotage.conftest import TODAY, agent, at

pytestmark = pytest.mark.django_db
URL = "/agents/pilotage/radar/"


def test_the_url_is_named():
    assert reverse("backoffice:pilotage_radar") == URL


def _user(dataset, role):
    if role == "citizen":
        return UserFactory(email="usager@exemple.fr")
    if role in ("team_manager", "instructor", "front_desk"):
        return agent(dataset["voirie"], role)
    return agent(TeamFactory(name="Direction", slug="direction"), role)


# role → status; the manager and the instructor of Voirie read Voirie only.
MATRIX = {
    "team_manager": 200,
    "instructor": 200,
    "director": 200,
    "official": 200,
    "front_desk": 404,
    "administrator": 404,
    "dpo": 404,
    "citizen": 404,
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_who_reads_the_radar(client, dataset, role):
    client.force_login(_user(dataset, role))
    with at(TODAY):
        assert client.get(URL).status_code == MATRIX[role]


def test_anonymous_is_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].endswith("?next=/agents/pilotage/radar/")


def test_a_manager_reads_their_teams_list_with_links_to_the_cases(client, dataset):
    client.force_login(_user(dataset, "team_manager"))
    with at(TODAY):
        page = client.get(URL).content.decode()
    for name in ("a1", "a2", "a3"):
        reference = dataset[name].reference
        assert f'href="/agents/demandes/{reference}/"' in page
    assert dataset["b1"].reference not in page  # Urbanisme is not theirs
    assert "Urbanisme" not in page
    assert "Valmorel" not in page  # no citizen's name on a dashboard, even a manager's
    assert "Inès Da Silva" in page
    assert "pièces demandées, attendues avant le 12/03/2026" in page


def test_a_director_reads_every_team(client, dataset):
    client.force_login(_user(dataset, "director"))
    with at(TODAY):
        page = client.get(URL).content.decode()
    assert dataset["b1"].reference in page and dataset["a1"].reference in page
    assert dataset["b2"].reference in page  # born by silence on 16/02
    assert "Hugo Bernard" in page


def test_an_elected_official_reads_counts_and_no_personal_data(client, dataset):
    client.force_login(_user(dataset, "official"))
    with at(TODAY):
        page = client.get(URL, {"periode": "90"}).content.decode()
    assert "Voirie" in page and "Urbanisme" in page
    for name in ("a1", "a2", "a3", "a4", "a5", "a6", "b1", "b2"):
        request = dataset[name]
        assert request.reference not in page
        for name_of_citizen in (
            request.contact_name,
            request.citizen and request.citizen.family_name,
        ):
            assert not name_of_citizen or name_of_citizen not in page
    for person in ("ines", "hugo", "manager"):
        user = dataset[person]
        assert user.last_name not in page and user.email not in page
    assert "/agents/demandes/" not in page


def test_query_count_does_not_grow_with_the_rows(client, dataset, django_assert_max_num_queries):
    from tests.pilotage.conftest import D, _filed

    client.force_login(_user(dataset, "director"))
    with at(TODAY):
        with django_assert_max_num_queries(12) as first:
            client.get(URL)
        for _ in range(10):
            _filed(dataset["voirie"], "acceptance", "P10D", D(2026, 2, 26))
        with django_assert_max_num_queries(len(first.captured_queries)):
            page = client.get(URL).content.decode()
    assert page.count('href="/agents/demandes/') == 4 + 10 + 1


def test_an_unknown_period_is_a_400_in_french(client, dataset):
    client.force_login(_user(dataset, "team_manager"))
    with at(TODAY):
        response = client.get(URL, {"periode": "365"})
    assert response.status_code == 400
    assert "Choisissez une période de la liste." in response.content.decode()


def test_other_parameters_leave_the_default_period(client, dataset):
    """A link carrying another parameter (a tracker's, a stale filter) shows the 30 days."""
    client.force_login(_user(dataset, "team_manager"))
    with at(TODAY):
        response = client.get(URL, {"utm_source": "courriel", "equipe": "voirie"})
    assert response.status_code == 200
    assert '<option value="30" selected>' in response.content.decode()


def test_the_shared_counts_are_cut_to_each_readers_teams(client, dataset):
    client.force_login(_user(dataset, "director"))
    with at(TODAY):
        assert "Urbanisme" in client.get(URL).content.decode()  # fills the shared counts
        client.force_login(_user(dataset, "team_manager"))
        page = client.get(URL).content.decode()
    assert "Voirie" in page and "Urbanisme" not in page


@pytest.mark.django_db
def test_the_period_shown_in_the_form_is_the_one_the_page_counts(client):
    """Unfiltered, the page counts the implicit decisions of the last 30 days: its form says
    so rather than showing the first choice of the list."""
    client.force_login(agent(TeamFactory(), "team_manager"))
    page = client.get(URL).content.decode()
    assert '<option value="30" selected>' in page
