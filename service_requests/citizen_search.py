"""What the relationship store adds to the citizen search (`citizens.search`), which may not
know requests: a request reference leads to its citizen, and each citizen found shows when the
authority last heard from them."""

from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Greatest

from service_requests.identifiers import normalise_reference
from service_requests.models import Interaction, ServiceRequest, Status


def citizens_by_reference(typed: str) -> tuple[str, QuerySet] | None:
    """`citizens.search.ReferenceLookup`: the reference `typed` means (any case, with or without
    its dash, O for 0…) and the citizen of that filed request, as a subquery; None when `typed`
    cannot be a reference. Any filed request counts: finding a citizen is not limited to a team
    (CITIZEN_RIGHTS « find »), and the request itself stays behind its own door."""
    reference = normalise_reference(typed)
    if reference is None:
        return None
    requests = ServiceRequest.objects.filter(reference=reference).exclude(status=Status.DRAFT)
    return reference, requests.filter(citizen__isnull=False).values("citizen_id")


def last_contact() -> Greatest:
    """The latest of a citizen's contacts (`Interaction`) and filed requests, for a query on
    citizens: two subqueries, each one step down its index (citizen, date descending)."""
    contacted = (
        Interaction.objects.filter(citizen=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    filed = (
        ServiceRequest.objects.filter(citizen=OuterRef("pk"))
        .exclude(status=Status.DRAFT)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return Greatest(
        Subquery(contacted, output_field=DateTimeField()),
        Subquery(filed, output_field=DateTimeField()),
        output_field=DateTimeField(),
    )
