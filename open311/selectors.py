"""The reports as Open311 shows them: no personal data (no contact, no free text the citizen
wrote), the place, the status, the team in charge."""

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from forms_builder.models import Procedure
from service_requests.models import OPEN_STATES, ServiceRequest, Status

MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


def reports() -> QuerySet[ServiceRequest]:
    return (
        ServiceRequest.objects.filter(procedure__kind=Procedure.Kind.REPORT)
        .exclude(status=Status.DRAFT)
        .select_related("procedure", "team", "georeport")
        .only(
            "reference",
            "status",
            "data",
            "submitted_at",
            "updated_at",
            "procedure__slug",
            "procedure__title",
            "team__name",
            "georeport__lat",
            "georeport__long",
            "georeport__address_string",
        )
    )


def reports_matching(
    *,
    ids: list[str] | None = None,
    service_code: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: set[str] | None = None,
) -> list[ServiceRequest]:
    """The spec's search: by ids (the other filters then ignored), or by service, status and
    dates (the last 90 days by default), newest first, at most MAX_REQUESTS."""
    found = reports()
    if ids:
        return list(found.filter(reference__in=ids[:MAX_REQUESTS]).order_by("-submitted_at"))
    if service_code:
        found = found.filter(procedure__slug=service_code)
    if end is None:
        end = timezone.now() if start is None else start + DEFAULT_WINDOW
    if start is None:
        start = end - DEFAULT_WINDOW
    found = found.filter(submitted_at__gte=start, submitted_at__lte=end)
    if statuses == {"open"}:
        found = found.filter(status__in=OPEN_STATES)
    elif statuses == {"closed"}:
        found = found.exclude(status__in=OPEN_STATES)
    return list(found.order_by("-submitted_at", "-id")[:MAX_REQUESTS])


def _address(request: ServiceRequest) -> str:
    geo = getattr(request, "georeport", None)
    if geo is not None and geo.address_string:
        return geo.address_string
    for value in (request.data or {}).values():
        if isinstance(value, dict) and {"street", "postcode", "city"} <= set(value):
            return f"{value['street']}, {value['postcode']} {value['city']}"
    return ""


def as_open311(request: ServiceRequest) -> dict:
    geo = getattr(request, "georeport", None)
    return {
        "service_request_id": request.reference,
        "status": "open" if request.status in OPEN_STATES else "closed",
        "status_notes": _status_notes(request),
        "service_name": request.procedure.title,
        "service_code": request.procedure.slug,
        "description": None,
        "agency_responsible": request.team.name if request.team_id else None,
        "service_notice": None,
        "requested_datetime": _iso(request.submitted_at),
        "updated_datetime": _iso(request.updated_at),
        "expected_datetime": None,
        "address": _address(request),
        "address_id": None,
        "zipcode": _zipcode(request),
        "lat": float(geo.lat) if geo is not None and geo.lat is not None else None,
        "long": float(geo.long) if geo is not None and geo.long is not None else None,
        "media_url": None,
    }


def _status_notes(request: ServiceRequest) -> str:
    public = request.public_status
    return str(public.label) if public is not None else ""


def _zipcode(request: ServiceRequest) -> str | None:
    for value in (request.data or {}).values():
        if isinstance(value, dict) and "postcode" in value:
            return value["postcode"] or None
    return None


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None
