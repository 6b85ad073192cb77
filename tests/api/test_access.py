"""Who may call what: tokens, scopes, teams (404 elsewhere), revocation, sessions refused, the
rate limit, and the log of every call."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from api.models import CITIZENS_READ, EVENTS_READ, REQUESTS_READ, REQUESTS_WRITE, ApiCall
from api.services import api_client_revoke
from gru.models import AccessLog
from service_requests.models import Status
from tests.factories import CitizenFactory, EventFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

DECIDE = {"outcome": "reject", "motive": "Hors délai."}
# (method, url template, body, scope needed)
CALLS = [
    ("get", "/api/v1/procedures/", None, REQUESTS_READ),
    ("get", "/api/v1/requests/", None, REQUESTS_READ),
    ("get", "/api/v1/requests/{ref}/", None, REQUESTS_READ),
    ("post", "/api/v1/requests/{ref}/messages/", {"body": "Bonjour."}, REQUESTS_WRITE),
    ("post", "/api/v1/requests/{ref}/decision/", DECIDE, REQUESTS_WRITE),
    (
        "post",
        "/api/v1/requests/{ref}/ask-documents/",
        {"pieces": ["Plan"], "answer_deadline": "2099-01-01"},
        REQUESTS_WRITE,
    ),
    ("get", "/api/v1/events/", None, EVENTS_READ),
    ("get", "/api/v1/citizens/?q=dupont", None, CITIZENS_READ),
    ("get", "/api/v1/citizens/{citizen}/", None, CITIZENS_READ),
]
SCOPES = [REQUESTS_READ, REQUESTS_WRITE, CITIZENS_READ, EVENTS_READ]
OK = {"get": 200, "post": (200, 201)}


@pytest.fixture
def target(version):
    return ServiceRequestFactory(form_version=version, status=Status.IN_REVIEW)


def _call(http, method, url, body, target, citizen):
    url = url.format(ref=target.reference, citizen=citizen.pk)
    return getattr(http, method)(url, body, format="json") if body else getattr(http, method)(url)


@pytest.mark.parametrize("granted", SCOPES)
@pytest.mark.parametrize(("method", "url", "body", "needed"), CALLS)
def test_scope_matrix(make_client, team, target, granted, method, url, body, needed, eager_celery):
    """Each token scope against each operation: its own scope answers, any other is a 403
    naming the scope, and nothing is written."""
    citizen = CitizenFactory()
    http = make_client(scopes=[granted], teams=[team])
    response = _call(http, method, url, body, target, citizen)
    if granted == needed:
        expected = OK[method]
        assert response.status_code in (expected if isinstance(expected, tuple) else (expected,))
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "scope_missing"
        assert needed in response.json()["message"]["fr"]
        target.refresh_from_db()
        assert target.status == Status.IN_REVIEW


@pytest.mark.parametrize(("method", "url", "body", "needed"), CALLS[2:6])
def test_another_team_request_is_a_404(make_client, other_team, target, method, url, body, needed):
    http = make_client(teams=[other_team])
    response = _call(http, method, url, body, target, CitizenFactory())
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    target.refresh_from_db()
    assert target.status == Status.IN_REVIEW


def test_a_client_without_team_reaches_no_request_nor_citizen(make_client, target):
    http = make_client(teams=[])
    assert http.get("/api/v1/requests/").json()["results"] == []
    assert http.get(f"/api/v1/requests/{target.reference}/").status_code == 404
    citizen = CitizenFactory()
    assert http.get(f"/api/v1/citizens/{citizen.pk}/").status_code == 404


@pytest.mark.parametrize(("method", "url", "body", "needed"), CALLS)
def test_no_token_and_bad_tokens_are_401(make_client, team, target, method, url, body, needed):
    citizen = CitizenFactory()
    anonymous = _call(APIClient(), method, url, body, target, citizen)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    assert anonymous["WWW-Authenticate"] == 'Bearer realm="api"'
    revoked = make_client(teams=[team])
    api_client_revoke(client=revoked.api_client, actor=None)
    response = _call(revoked, method, url, body, target, citizen)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION=revoked.token[:-2] + "xx")
    assert _call(forged, method, url, body, target, citizen).status_code == 401


def test_a_signed_in_agent_session_is_not_accepted(team, target):
    """Token only: the back office's session cookie opens nothing here, so CSRF has nothing to
    protect (a cross-site form cannot act with an agent's cookie)."""
    agent = UserFactory()
    from tests.factories import MembershipFactory

    MembershipFactory(user=agent, team=team)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    assert browser.get("/api/v1/requests/").status_code == 401
    response = browser.post(
        f"/api/v1/requests/{target.reference}/decision/", DECIDE, content_type="application/json"
    )
    assert response.status_code == 401
    target.refresh_from_db()
    assert target.status == Status.IN_REVIEW


def test_csrf_does_not_apply_to_token_calls(api, target, eager_celery):
    api.enforce_csrf_checks = True
    response = api.post(
        f"/api/v1/requests/{target.reference}/messages/", {"body": "Bonjour."}, format="json"
    )
    assert response.status_code == 201


def test_the_rate_limit_answers_429_with_retry_after(make_client, team, cache_clear):
    http = make_client(teams=[team], requests_per_minute=3)
    statuses = [http.get("/api/v1/requests/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = http.get("/api/v1/requests/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "throttled"
    assert response["Retry-After"] in response.json()["message"]["fr"]
    # Per client: another client is not slowed.
    assert make_client(teams=[team]).get("/api/v1/requests/").status_code == 200


def test_every_call_is_logged(api, make_client, target):
    api.get("/api/v1/requests/")
    api.get("/api/v1/requests/ZZZZ/")
    APIClient().get("/api/v1/requests/")
    make_client(scopes=[], teams=[]).get("/api/v1/events/")
    rows = list(
        ApiCall.objects.order_by("id").values_list("client", "view_name", "method", "status")
    )
    assert rows[:2] == [
        (api.api_client.pk, "api:request-list", "GET", 200),
        (api.api_client.pk, "api:request-detail", "GET", 404),
    ]
    assert rows[2] == (None, "api:request-list", "GET", 401)
    assert rows[3][1:] == ("api:event-list", "GET", 403)
    assert all(call.duration_ms >= 0 for call in ApiCall.objects.all())


def test_citizens_read_and_search_are_in_the_access_log(api):
    citizen = CitizenFactory(given_names="Aurélie", family_name="Dupontel")
    found = api.get("/api/v1/citizens/", {"q": "dupontel"})
    assert found.status_code == 200
    assert [hit["id"] for hit in found.json()] == [citizen.pk]
    detail = api.get(f"/api/v1/citizens/{citizen.pk}/")
    assert detail.json()["family_name"] == "Dupontel"
    logs = AccessLog.objects.filter(user=api.api_client.user).order_by("id")
    assert [(log.action, log.detail, log.citizen_id) for log in logs] == [
        (AccessLog.Action.SEARCH, "dupontel", None),
        (AccessLog.Action.VIEW_CITIZEN, "", citizen.pk),
    ]
    assert api.get("/api/v1/citizens/").status_code == 400  # q is required


def test_the_event_feed_holds_the_client_teams_events(api, version, other_team, target):
    EventFactory(request=target, kind="submitted")
    EventFactory(request=ServiceRequestFactory(form_version=version, team=other_team))
    body = api.get("/api/v1/events/").json()
    assert [(e["request"], e["kind"]) for e in body["results"]] == [(target.reference, "submitted")]
    assert api.get("/api/v1/events/", {"kind": "note"}).json()["results"] == []


@pytest.mark.django_db(transaction=True)
def test_a_call_is_logged_outside_any_transaction(make_client, team):
    """As in production (no test transaction around the request): the log line's own
    transaction, committed without waiting for the disk, holds."""
    from django.db import connection

    http = make_client(teams=[team])
    assert not connection.in_atomic_block
    assert http.get("/api/v1/requests/").status_code == 200
    assert ApiCall.objects.filter(client=http.api_client, status=200).count() == 1
    with connection.cursor() as cursor:  # SET LOCAL ended with its transaction
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
