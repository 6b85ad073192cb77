"""API clients: created with a token shown once and stored hashed, revoked, found by token."""

import pytest

from api.auth import client_for_token
from api.models import REQUESTS_READ, REQUESTS_WRITE, ApiClient
from api.services import (
    api_client_create,
    api_client_revoke,
    api_client_rotate,
    api_client_set_teams,
)
from gru.models import Membership
from service_requests.permissions import scope_of
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_returns_the_token_once_and_stores_only_its_hash():
    team = TeamFactory()
    client, token = api_client_create(
        name="Urbanisme", teams=[team], scopes=[REQUESTS_READ], actor=UserFactory()
    )
    client.refresh_from_db()
    assert token.startswith("gru_") and len(token) > 50
    assert token not in (client.token_hash, client.token_prefix)
    assert token[4:16] == client.token_prefix
    assert client_for_token(token) == client
    assert client.scopes == [REQUESTS_READ]


def test_technical_user_cannot_sign_in_and_works_the_client_teams():
    team, other = TeamFactory(), TeamFactory()
    client, _ = api_client_create(name="Voirie", teams=[team], scopes=[], actor=None)
    user = client.user
    assert not user.has_usable_password()
    assert not user.is_staff
    assert Membership.objects.get(user=user).team == team
    assert scope_of(user).case_team_ids == [team.pk]
    api_client_set_teams(client=client, teams=[other])
    assert list(Membership.objects.filter(user=user).values_list("team", flat=True)) == [other.pk]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # right prefix, wrong secret
        lambda t: "gru_000000000000_" + t[17:],  # unknown prefix
        lambda t: t[4:],  # not a token
        lambda t: "",
    ],
)
def test_a_wrong_token_finds_no_client(mangle):
    _, token = api_client_create(name="SIG", teams=[], scopes=[REQUESTS_READ], actor=None)
    assert client_for_token(mangle(token)) is None


def test_a_revoked_token_finds_no_client_and_its_user_is_inactive():
    client, token = api_client_create(name="GED", teams=[], scopes=[REQUESTS_WRITE], actor=None)
    api_client_revoke(client=client, actor=None)
    assert client_for_token(token) is None
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert not client.user.is_active


def test_unknown_scopes_are_refused():
    with pytest.raises(ValueError):
        api_client_create(name="X", teams=[], scopes=["requests:delete"], actor=None)
    assert not ApiClient.objects.exists()


def test_rotate_gives_a_new_token_and_the_old_one_stops():
    client, old = api_client_create(name="Rotation", teams=[], scopes=[], actor=None)
    new = api_client_rotate(client=client, actor=None)
    assert new != old
    assert client_for_token(old) is None
    assert client_for_token(new) == client


def test_calls_older_than_the_retention_are_purged():
    from datetime import timedelta

    from django.utils import timezone

    from api.calls import RETENTION_DAYS
    from api.models import ApiCall
    from api.tasks import purge_api_calls

    now = timezone.now()
    for days in (RETENTION_DAYS + 1, RETENTION_DAYS - 1, 0):
        ApiCall.objects.create(
            view_name="api:request-list",
            path="/api/v1/requests/",
            method="GET",
            status=200,
            duration_ms=3,
            at=now - timedelta(days=days),
        )
    assert purge_api_calls() == 1
    assert ApiCall.objects.count() == 2
    assert all(call.at > now - timedelta(days=RETENTION_DAYS) for call in ApiCall.objects.all())
