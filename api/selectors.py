"""What the API reads, always through the back office's scope (`visible_requests`): out of the
client's teams is a 404, as for a reference that does not exist."""

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404

from citizens.models import Citizen
from service_requests.identifiers import normalise_reference
from service_requests.models import Document, Event, ServiceRequest
from service_requests.permissions import visible_requests

# What a list row shows (api.serializers.RequestListSerializer), and nothing more.
LIST_COLUMNS = (
    "id",
    "reference",
    "status",
    "channel",
    "received_on",
    "completed_on",
    "decision_due_on",
    "decided_on",
    "submitted_at",
    "updated_at",
)


def requests_for_client(user, filters: dict) -> QuerySet[ServiceRequest]:
    """The requests the client reaches, filtered; one query with the list's columns."""
    requests = (
        visible_requests(user)
        .annotate(procedure_slug=F("procedure__slug"), team_slug=F("team__slug"))
        .only(*LIST_COLUMNS)
    )
    if "team" in filters:
        requests = requests.filter(team__slug=filters["team"])
    if "status" in filters:
        requests = requests.filter(status=filters["status"])
    if "procedure" in filters:
        requests = requests.filter(procedure__slug=filters["procedure"])
    if "received_from" in filters:
        requests = requests.filter(received_on__gte=filters["received_from"])
    if "received_to" in filters:
        requests = requests.filter(received_on__lte=filters["received_to"])
    if "updated_since" in filters:
        requests = requests.filter(updated_at__gte=filters["updated_since"])
    return requests


def request_for_client(user, reference: str, *, detail: bool = True) -> ServiceRequest:
    """One request the client reaches, with (`detail`) its documents and events: a constant
    number of queries. Http404 otherwise."""
    normalised = normalise_reference(reference)
    if normalised is None:
        raise Http404
    requests = visible_requests(user).filter(reference=normalised)
    if detail:
        requests = (
            requests.select_related("procedure", "team", "form_version", "citizen", "assignee")
            # The form's schema and the procedure's presentation: large, and not shown.
            .defer("form_version__schema", "procedure__description")
        ).prefetch_related(
            Prefetch(
                "documents",
                queryset=Document.objects.order_by("created_at", "id"),
                to_attr="api_documents",
            ),
            Prefetch(
                "events",
                queryset=Event.objects.select_related("actor").order_by("created_at", "id"),
                to_attr="api_events",
            ),
        )
    found = list(requests[:1])
    if not found:
        raise Http404
    return found[0]


def events_for_client(user, filters: dict) -> QuerySet[Event]:
    events = Event.objects.filter(request__in=visible_requests(user)).select_related(
        "actor", "request"
    )
    if "kind" in filters:
        events = events.filter(kind=filters["kind"])
    if "request" in filters:
        events = events.filter(request__reference=normalise_reference(filters["request"]) or "")
    if "created_since" in filters:
        events = events.filter(created_at__gte=filters["created_since"])
    return events


def citizen_for_client(citizen_id: int) -> Citizen:
    """A citizen's record (never a merged one's tombstone)."""
    found = list(Citizen.objects.filter(pk=citizen_id, merged_into__isnull=True)[:1])
    if not found:
        raise Http404
    return found[0]
