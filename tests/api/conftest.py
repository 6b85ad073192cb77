import pytest
from rest_framework.test import APIClient

from api.models import CITIZENS_READ, EVENTS_READ, REQUESTS_READ, REQUESTS_WRITE
from api.services import api_client_create
from tests.factories import FormVersionFactory, ProcedureFactory, TeamFactory

ALL_SCOPES = [REQUESTS_READ, REQUESTS_WRITE, CITIZENS_READ, EVENTS_READ]


@pytest.fixture
def team(db):
    return TeamFactory(slug="urbanisme", name="Urbanisme")


@pytest.fixture
def other_team(db):
    return TeamFactory(slug="voirie", name="Voirie")


@pytest.fixture
def version(team):
    return FormVersionFactory(procedure=ProcedureFactory(default_team=team, slug="permis"))


@pytest.fixture
def make_client(db):
    """An HTTP client carrying the token of a new API client (its ApiClient as `.api_client`)."""
    counter = iter(range(1000))

    def make(*, scopes=ALL_SCOPES, teams=(), **fields):
        api_client, token = api_client_create(
            name=f"Application {next(counter)}", teams=list(teams), scopes=scopes, actor=None
        )
        for key, value in fields.items():
            setattr(api_client, key, value)
        if fields:
            api_client.save()
        http = APIClient()
        http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        http.api_client = api_client
        http.token = token
        return http

    return make


@pytest.fixture
def api(make_client, team):
    """Every scope, on `team`."""
    return make_client(teams=[team])


@pytest.fixture(autouse=True)
def cache_clear():
    """Rate counters are keyed by client id, which a new test database gives again."""
    from django.core.cache import cache

    cache.clear()
