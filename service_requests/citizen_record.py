"""Reads for the agents' 360° view of a citizen and for an organisation's page: who they are,
what they asked for on every channel, and one timeline of every contact with them.

What the viewing agent's role may not read is left out here, in the queries, not hidden by the
page: the internal entries (notes, internal events, internal documents) of a request whose team
the agent is no member of (`permissions.sees_internal_events`). A request of another team is
listed, but links to its case screen only when `permissions.visible_requests` includes it.

Every read is bounded and the number of queries does not depend on the history's size (the
timeline: service_requests.citizen_timeline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, QuerySet

from citizens.models import Channel, Citizen, Organisation, Relationship, Representation
from citizens.selectors import representations_of
from forms_builder.models import SilenceRule
from gru.models import User
from service_requests.citizen_timeline import (
    DocumentLine,
    TimelineEntry,
    openable_by,
    person,
    timeline,
)
from service_requests.models import ServiceRequest, Status

TIMELINE_STEP = 25  # entries per « voir plus » (a sixth of the page's time at 50, bench/README)
TIMELINE_MAX = 500
REQUESTS_SHOWN = 100
DOCUMENTS_SHOWN = 50
CHANNELS = dict(Channel.choices)


# --- Requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestLine:
    """One request as the citizen's and the organisation's pages list it."""

    reference: str
    procedure: str
    status: str  # the agents' label
    received_on: date | None
    decision_due_on: date | None
    due_note: str  # why there is no implicit decision date, when there is none
    decided_on: date | None
    team: str
    channel: str
    filed_by: str  # the agent who filed it on the citizen's behalf, else ""
    citizen_id: int | None
    citizen_name: str
    organisation_id: int | None
    organisation: str
    openable: bool


def _due_note(request: ServiceRequest) -> str:
    if request.decision_due_on is not None:
        return ""
    if request.silence_rule == SilenceRule.NONE:
        return "pas de décision implicite"
    if request.status == Status.AWAITING_CITIZEN:
        return "suspendue : pièces attendues"
    return ""


def _request_lines(requests: QuerySet[ServiceRequest], user) -> list[RequestLine]:
    requests = (
        requests.exclude(status=Status.DRAFT)
        .select_related("procedure", "team", "filed_by", "citizen", "organisation")
        .defer("data")
        .annotate(openable=openable_by(user), silence_rule=F("form_version__silence_rule"))
        .order_by("-received_on", "-submitted_at", "-id")
    )
    return [
        RequestLine(
            reference=r.reference,
            procedure=r.procedure.title,
            status=r.get_status_display(),
            received_on=r.received_on,
            decision_due_on=r.decision_due_on,
            due_note=_due_note(r),
            decided_on=r.decided_on,
            team=r.team.name if r.team else "",
            channel=CHANNELS.get(r.channel, r.channel),
            filed_by=person(r.filed_by, "") if r.filed_by_id else "",
            citizen_id=r.citizen_id,
            citizen_name=r.citizen.display_name if r.citizen else r.contact_name,
            organisation_id=r.organisation_id,
            organisation=r.organisation.name if r.organisation else "",
            openable=r.openable,
        )
        for r in requests[: REQUESTS_SHOWN + 1]
    ]


# --- The 360° view -------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdLink:
    relation: str  # « parent de », « enfant de »…
    other: Citizen


RELATION_WORDS = {
    # (kind, the viewed citizen is the `from` side)
    (Relationship.Kind.PARENT, True): "Parent de",
    (Relationship.Kind.PARENT, False): "Enfant de",
    (Relationship.Kind.GUARDIAN, True): "Tuteur ou curateur de",
    (Relationship.Kind.GUARDIAN, False): "Sous la tutelle ou la curatelle de",
}


@dataclass
class CitizenRecord:
    citizen: Citizen
    representations: list[Representation]
    household: list[HouseholdLink]
    requests: list[RequestLine]
    requests_truncated: bool
    timeline: list[TimelineEntry]
    timeline_more: int | None  # the number of entries « voir plus » asks for, if any
    timeline_capped: bool  # more than TIMELINE_MAX entries: the oldest are not shown
    documents: list[DocumentLine]
    documents_truncated: bool


def timeline_size(asked: str | None) -> int:
    """The number of timeline entries a page asks for (`?entrees=`), in steps, bounded."""
    try:
        size = int(asked or TIMELINE_STEP)
    except ValueError:
        size = TIMELINE_STEP
    size = max(TIMELINE_STEP, min(size, TIMELINE_MAX))
    return size - size % TIMELINE_STEP


def citizen_record(
    citizen: Citizen, *, user: User, timeline_entries: int = TIMELINE_STEP
) -> CitizenRecord:
    """Everything the authority knows of `citizen` that `user` may read, in 7 queries whatever
    the size of their history (the scope of `user` read before). The record's field history
    is citizens.selectors.citizen_history."""
    representations = list(representations_of(citizen))
    # The organisations' ids as values, not a subquery: with both sides of the OR on an index,
    # PostgreSQL reads two index ranges instead of the whole table.
    represented = [r.organisation_id for r in representations]
    requests = _request_lines(
        ServiceRequest.objects.filter(Q(citizen=citizen) | Q(organisation_id__in=represented)),
        user,
    )
    household = [
        HouseholdLink(
            relation=RELATION_WORDS[(link.kind, link.from_citizen_id == citizen.pk)],
            other=link.to_citizen if link.from_citizen_id == citizen.pk else link.from_citizen,
        )
        for link in Relationship.objects.filter(Q(from_citizen=citizen) | Q(to_citizen=citizen))
        # A merged record's links name the record kept, not its tombstone.
        .filter(from_citizen__merged_into=None, to_citizen__merged_into=None)
        .select_related("from_citizen", "to_citizen")
        .order_by("kind", "pk")
    ]
    entries, has_more, documents = timeline(
        citizen, user=user, entries=timeline_entries, documents_shown=DOCUMENTS_SHOWN
    )
    capped = has_more and timeline_entries >= TIMELINE_MAX
    more = timeline_entries + TIMELINE_STEP if has_more and not capped else None
    return CitizenRecord(
        citizen=citizen,
        representations=representations,
        household=household,
        requests=requests[:REQUESTS_SHOWN],
        requests_truncated=len(requests) > REQUESTS_SHOWN,
        timeline=entries,
        timeline_more=more,
        timeline_capped=capped,
        documents=documents[:DOCUMENTS_SHOWN],
        documents_truncated=len(documents) > DOCUMENTS_SHOWN,
    )


# --- An organisation's page ----------------------------------------------------------------


@dataclass
class OrganisationRecord:
    organisation: Organisation
    representations: list[Representation]
    requests: list[RequestLine]
    requests_truncated: bool


def organisation_record(organisation: Organisation, *, user: User) -> OrganisationRecord:
    """An organisation, who acts for it and the requests filed for it, in 2 queries."""
    representations = list(
        Representation.objects.filter(organisation=organisation, citizen__merged_into=None)
        .select_related("citizen")
        .order_by("citizen__family_name", "citizen__given_names", "pk")
    )
    requests = _request_lines(ServiceRequest.objects.filter(organisation=organisation), user)
    return OrganisationRecord(
        organisation=organisation,
        representations=representations,
        requests=requests[:REQUESTS_SHOWN],
        requests_truncated=len(requests) > REQUESTS_SHOWN,
    )
