"""Who sees which dashboard (issue 14, item 6): the scope in service_requests.permissions and
the HTTP answers of every steering page, role by role."""

import pytest
from django.urls import reverse

from service_requests.permissions import dashboard_scope
from tests.factories import UserFactory
from tests.pilotage.org import login_agent, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Figures are cached by refresh run and team ids, which a new test database reuses."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db):
    return make_org()


# role → (allowed, every team, personal data)
SCOPES = {
    "front_desk": (False, False, False),
    "instructor": (True, False, True),
    "team_manager": (True, False, True),
    "administrator": (False, False, False),
    "dpo": (False, False, False),
    "official": (True, True, False),
    "director": (True, True, True),
}


@pytest.mark.parametrize("role", list(SCOPES))
def test_dashboard_scope_by_role(org, role):
    scope = dashboard_scope(org["users"][role])
    assert (scope.allowed, scope.all_teams, scope.personal_data) == SCOPES[role]
    assert scope.covers(org["own"].pk) == scope.allowed
    assert scope.covers(org["other"].pk) == scope.all_teams


def test_the_stricter_rule_wins_for_an_official_who_manages_a_team(org):
    from tests.factories import MembershipFactory

    official = org["users"]["official"]
    MembershipFactory(user=official, team=org["other"], role="team_manager")
    scope = dashboard_scope(official)
    assert scope.all_teams and not scope.personal_data


PAGES = ["backoffice:pilotage", "backoffice:pilotage_forecast"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", [*SCOPES, "citizen"])
def test_pages_answer_by_role(client, org, role, name):
    if role == "citizen":
        client.force_login(UserFactory(email="usager@exemple.fr"))
    else:
        login_agent(client, org["users"][role])
    expected = 200 if role in SCOPES and SCOPES[role][0] else 404
    assert client.get(reverse(name)).status_code == expected


def test_anonymous_visitors_are_sent_to_the_login(client, org):
    response = client.get(reverse("backoffice:pilotage"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", list(SCOPES))
def test_the_navigation_links_to_the_dashboards_for_those_who_have_them(client, org, role):
    login_agent(client, org["users"][role])
    html = client.get(reverse("backoffice:home")).content.decode()
    assert (reverse("backoffice:pilotage") in html) == SCOPES[role][0]
