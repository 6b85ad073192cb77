"""Open311 GeoReport v2 endpoints (/open311/v2/): thin views over `definitions`, `selectors`
and `services`. Reading needs no key (nothing personal is shown); filing needs the `api_key`
of an API client granted `requests:write`, and is rate-limited per client."""

import time
from datetime import datetime

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from api.auth import client_for_token
from api.calls import api_call_record
from api.models import REQUESTS_WRITE
from gru.ratelimit import allow
from open311 import definitions, selectors
from open311.rendering import answer, errors
from open311.services import Open311Error, open311_request_create
from service_requests import drafts

RATE_WINDOW_SECONDS = 60
NOTICE = "Signalement reçu : les services techniques interviennent selon l'urgence."


@require_GET
def discovery(request, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:services", args=["json"]))
    value = {
        "changeset": "2026-12-07T00:00:00Z",
        "contact": f"{settings.AUTHORITY_NAME} : {settings.AUTHORITY_EMAIL}",
        "key_service": "Demandez une clé d'API (droit requests:write) à l'administrateur.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base.rsplit("/services.json", 1)[0],
                "changeset": "2026-12-07T00:00:00Z",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return answer(value, fmt=fmt, root="discovery")


@require_GET
def services(request, fmt: str) -> HttpResponse:
    value = [definitions.service(p) for p in definitions.report_procedures()]
    return answer(value, fmt=fmt, root="services")


@require_GET
def service_definition(request, code: str, fmt: str) -> HttpResponse:
    procedure = definitions.report_procedures().filter(slug=code).first()
    version = drafts.published_version(procedure) if procedure is not None else None
    if version is None:
        return errors(404, [f"Aucun service « {code[:80]} »."], fmt=fmt)
    value = definitions.service_definition(procedure, version.schema)
    return answer(value, fmt=fmt, root="service_definition")


def _moment(params, name: str) -> datetime | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, [f"{name} : une date ISO 8601, par exemple 2026-03-01T00:00:00Z."])
    if not 1900 <= moment.year <= 2100:  # the 90-day window would leave the calendar (a 500)
        raise Open311Error(400, [f"{name} : une date entre 1900 et 2100."])
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _search(request, fmt: str) -> HttpResponse:
    params = request.GET
    ids = [i.strip().upper() for i in params.get("service_request_id", "").split(",") if i.strip()]
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, ["status : open ou closed."])
    start, end = _moment(params, "start_date"), _moment(params, "end_date")
    if start and end and start > end:
        raise Open311Error(400, ["start_date est après end_date."])
    found = selectors.reports_matching(
        ids=ids,
        service_code=params.get("service_code", "").strip(),
        start=start,
        end=end,
        statuses=statuses or None,
    )
    return answer([selectors.as_open311(r) for r in found], fmt=fmt, root="service_requests")


def _file(request, fmt: str) -> HttpResponse:
    client = client_for_token(request.POST.get("api_key", ""))
    request.auth = client  # for the API's call log
    if client is None or not client.has_scope(REQUESTS_WRITE):
        raise Open311Error(
            403, ["api_key absente, inconnue, révoquée ou sans le droit requests:write."]
        )
    limit = settings.OPEN311_POSTS_PER_MINUTE
    if not allow(
        scope="open311-post", key=str(client.pk), limit=limit, window_seconds=RATE_WINDOW_SECONDS
    ):
        response = errors(
            429, ["Trop de signalements pour cette clé : réessayez dans une minute."], fmt=fmt
        )
        response["Retry-After"] = str(RATE_WINDOW_SECONDS)
        return response
    created = open311_request_create(client=client, params=request.POST)
    value = [
        {
            "service_request_id": created.reference,
            "service_notice": NOTICE,
            "account_id": None,
        }
    ]
    return answer(value, fmt=fmt, root="service_requests", status=201)


@csrf_exempt  # no cookie is read: filing takes the client's api_key, reading nothing
@require_http_methods(["GET", "HEAD", "POST"])
def requests_(request, fmt: str) -> HttpResponse:
    if request.method != "POST":
        try:
            return _search(request, fmt)
        except Open311Error as error:
            return errors(error.status, error.descriptions, fmt=fmt)
    started = time.monotonic()
    try:
        response = _file(request, fmt)
    except Open311Error as error:
        response = errors(error.status, error.descriptions, fmt=fmt)
    if getattr(request, "auth", None) is not None:  # a known client: logged as its API calls
        duration_ms = int((time.monotonic() - started) * 1000)
        api_call_record(request=request, status=response.status_code, duration_ms=duration_ms)
    return response


@require_GET
def request_detail(request, reference: str, fmt: str) -> HttpResponse:
    found = selectors.reports_matching(ids=[reference.upper()])
    if not found:
        return errors(404, [f"Aucun signalement « {reference[:40]} »."], fmt=fmt)
    return answer([selectors.as_open311(found[0])], fmt=fmt, root="service_requests")
