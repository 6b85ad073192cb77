"""The REST API's endpoints in the benchmark (issue 15): the request list and detail, as a
business application calls them, with the token of an API client on the busiest team."""

from __future__ import annotations

import random

from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Count
from django.urls import reverse

BENCH_CLIENT_NAME = "Banc d'essai de l'API"


def _busiest_team_id() -> int | None:
    from service_requests.models import ServiceRequest

    busiest = (
        ServiceRequest.objects.open()
        .values("team_id")
        .annotate(open=Count("id"))
        .order_by("-open", "team_id")
        .first()
    )
    return busiest["team_id"] if busiest else None


_headers: dict[str, str] = {}


def api_headers(rng: random.Random) -> dict[str, str] | None:
    """The bench's API client on the busiest team (created the first time), its token renewed
    once for this run (tokens are shown once) and shared by the API's pages, its rate limit out
    of the way."""
    from api.auth import client_for_token

    token = _headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or client_for_token(token) is None:  # none yet, or another database's
        _headers.clear()
        made = _bench_client_headers()
        if made is None:
            return None
        _headers.update(made)
    return dict(_headers)


def _bench_client_headers() -> dict[str, str] | None:
    from api.models import REQUESTS_READ, ApiClient
    from api.services import api_client_create, api_client_rotate, api_client_set_teams
    from gru.models import Team

    team_id = _busiest_team_id()
    if team_id is None:
        return None
    team = Team.objects.get(pk=team_id)
    client = ApiClient.objects.filter(name=BENCH_CLIENT_NAME).first()
    if client is None:
        client, token = api_client_create(
            name=BENCH_CLIENT_NAME, teams=[team], scopes=[REQUESTS_READ], actor=None
        )
    else:
        api_client_set_teams(client=client, teams=[team])
        token = api_client_rotate(client=client, actor=None)
    ApiClient.objects.filter(pk=client.pk).update(requests_per_minute=100_000_000)
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def api_list_paths(rng: random.Random, session: SessionBase) -> list[str]:
    """The list as a synchronising application reads it: its first page, open requests in
    review, what changed since yesterday, and a page further on."""
    from django.utils import timezone

    from service_requests.models import ServiceRequest

    team_id = _busiest_team_id()
    if team_id is None:
        return []
    url = reverse("api:request-list")
    middle = ServiceRequest.objects.filter(team_id=team_id).order_by("-pk").values("pk")[5000:5001]
    since = (timezone.now() - timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    paths = [url, f"{url}?status=in_review", f"{url}?updated_since={since}", f"{url}?page_size=100"]
    if middle:
        paths.append(f"{url}?cursor={_cursor(middle[0]['pk'])}")
    return paths


def _cursor(after_id: int) -> str:
    """DRF's opaque cursor for the page after `after_id` (the API's pages are by id)."""
    from base64 import b64encode
    from urllib.parse import quote, urlencode

    return quote(b64encode(urlencode({"p": after_id}).encode()).decode())


def api_detail_paths(rng: random.Random, session: SessionBase) -> list[str]:
    """Random requests of the busiest team, as the application opens them."""
    from bench.pages import sample_values
    from service_requests.models import ServiceRequest

    team_id = _busiest_team_id()
    if team_id is None:
        return []
    requests = ServiceRequest.objects.exclude(status="draft").filter(team_id=team_id)
    references = sample_values(requests, "reference", rng, 20)
    return [reverse("api:request-detail", args=[reference]) for reference in references]
