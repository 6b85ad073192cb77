"""The administrator creates a client and reads its token once, changes its teams, revokes it."""

import pytest
from django.urls import reverse

from api.auth import client_for_token
from api.models import REQUESTS_READ, REQUESTS_WRITE, ApiCall, ApiClient
from gru.models import Membership

pytestmark = pytest.mark.django_db


def test_create_shows_the_token_once(admin_client, admin_user, team, other_team):
    response = admin_client.post(
        reverse("admin:api_apiclient_add"),
        {
            "name": "Logiciel d'urbanisme",
            "teams": [team.pk, other_team.pk],
            "scopes": [REQUESTS_READ, REQUESTS_WRITE],
            "requests_per_minute": 120,
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    client = ApiClient.objects.get()
    token = response.context["token"]
    assert token in response.content.decode()
    assert client_for_token(token) == client
    assert client.scopes == [REQUESTS_READ, REQUESTS_WRITE]
    assert client.requests_per_minute == 120
    assert client.created_by == admin_user
    assert set(Membership.objects.filter(user=client.user).values_list("team", flat=True)) == {
        team.pk,
        other_team.pk,
    }
    # Never again: not on the change page, not in the list.
    for url in (
        reverse("admin:api_apiclient_change", args=[client.pk]),
        reverse("admin:api_apiclient_changelist"),
    ):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert token not in page.content.decode()
        assert token.split("_")[2] not in page.content.decode()


def test_change_teams_and_revoke(admin_client, make_client, team, other_team):
    http = make_client(teams=[team], scopes=[REQUESTS_READ])
    client = http.api_client
    response = admin_client.post(
        reverse("admin:api_apiclient_change", args=[client.pk]),
        {
            "name": client.name,
            "teams": [other_team.pk],
            "scopes": [REQUESTS_READ],
            "requests_per_minute": 600,
        },
    )
    assert response.status_code == 302
    assert list(Membership.objects.filter(user=client.user).values_list("team", flat=True)) == [
        other_team.pk
    ]
    assert http.get("/api/v1/requests/").status_code == 200
    admin_client.post(
        reverse("admin:api_apiclient_changelist"),
        {"action": "revoke", "_selected_action": [client.pk]},
    )
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert http.get("/api/v1/requests/").status_code == 401


def test_calls_are_read_only(admin_client, api):
    api.get("/api/v1/requests/")
    call = ApiCall.objects.get()
    assert admin_client.get(reverse("admin:api_apicall_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:api_apicall_add")).status_code == 403
    page = admin_client.get(reverse("admin:api_apicall_change", args=[call.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
