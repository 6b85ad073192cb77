"""Reads for the agents' 360° view of a citizen and for an organisation's page: who they are,
what they asked for on every channel, and one timeline of every contact with them.

What the viewing agent's role may not read is left out here, in the queries, not hidden by the
page: the internal entries (notes, internal events, internal documents) of a request whose team
the agent is no member of (`permissions.sees_internal_events`). A request of another team is
listed, but links to its case screen only when `permissions.visible_requests` includes it.

Every read is bounded and the number of queries does not depend on the history's size: each
source of the timeline gives its newest entries, merged here (the newest N of the union are
among the newest N of each source)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.template.defaultfilters import truncatechars

from citizens.models import Channel, Citizen, Organisation, Relationship, Representation
from citizens.selectors import representations_of
from gru.models import User
from service_requests.cases import describe_for_agent
from service_requests.models import (
    Document,
    Event,
    EventKind,
    EventVisibility,
    Interaction,
    Message,
    MessageDirection,
    ServiceRequest,
    Status,
)
from service_requests.permissions import scope_of, sees_internal_events, visible_requests

TIMELINE_STEP = 50  # entries per « voir plus »
TIMELINE_MAX = 500
REQUESTS_SHOWN = 100
DOCUMENTS_SHOWN = 50
MESSAGE_EXCERPT = 300
CHANNELS = dict(Channel.choices)


def _person(user: User | None, default: str) -> str:
    if user is None:
        return default
    return user.get_full_name() or user.email


def _inner_team_ids(user) -> list[int]:
    """The teams whose requests' internal entries `user` reads. The rule is
    `sees_internal_events`, which depends on the request's team alone: asked here of each team
    the agent belongs to, so that the queries filter by it and the rule stays in one place."""
    return sorted(
        team_id
        for team_id in scope_of(user).roles_by_team
        if sees_internal_events(user, ServiceRequest(team_id=team_id))
    )


def _openable(user, field: str = "pk") -> Exists:
    """Whether the agent may open the request named by `field` on its case screen."""
    return Exists(visible_requests(user).filter(pk=OuterRef(field)))


# --- Requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestLine:
    """One request as the citizen's and the organisation's pages list it."""

    reference: str
    procedure: str
    status: str  # the agents' label
    is_open: bool
    received_on: date | None
    decision_due_on: date | None
    decided_on: date | None
    team: str
    channel: str
    filed_by: str  # the agent who filed it on the citizen's behalf, else ""
    citizen_id: int | None
    citizen_name: str
    organisation_id: int | None
    organisation: str
    openable: bool


def _request_lines(requests: QuerySet[ServiceRequest], user) -> list[RequestLine]:
    requests = (
        requests.exclude(status=Status.DRAFT)
        .select_related("procedure", "team", "filed_by", "citizen", "organisation")
        .defer("data")
        .annotate(openable=_openable(user))
        .order_by("-received_on", "-submitted_at", "-id")
    )
    return [
        RequestLine(
            reference=r.reference,
            procedure=r.procedure.title,
            status=r.get_status_display(),
            is_open=r.is_open,
            received_on=r.received_on,
            decision_due_on=r.decision_due_on,
            decided_on=r.decided_on,
            team=r.team.name if r.team else "",
            channel=CHANNELS.get(r.channel, r.channel),
            filed_by=_person(r.filed_by, "") if r.filed_by_id else "",
            citizen_id=r.citizen_id,
            citizen_name=r.citizen.display_name if r.citizen else r.contact_name,
            organisation_id=r.organisation_id,
            organisation=r.organisation.name if r.organisation else "",
            openable=r.openable,
        )
        for r in requests[: REQUESTS_SHOWN + 1]
    ]


# --- Timeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "contact", "message", "event", "document": the template's words
    title: str
    text: str
    who: str
    channel: str = ""
    reference: str = ""  # the request it concerns, if any
    openable: bool = False  # the agent may open that request
    internal: bool = False
    document_id: int | None = None
    sort_key: tuple = ()


def _contacts(citizen: Citizen, user, limit: int) -> list[TimelineEntry]:
    interactions = (
        Interaction.objects.filter(citizen=citizen)
        .select_related("agent", "motive", "team")
        .annotate(reference=F("request__reference"), openable=_openable(user, "request_id"))
        .order_by("-occurred_at", "-id")[:limit]
    )
    entries = []
    for i in interactions:
        details = [i.motive.label if i.motive else "", i.get_outcome_display()]
        if i.duration_minutes:
            details.append(f"{i.duration_minutes} min")
        if i.team:
            details.append(f"équipe {i.team.name}")
        if i.caller:
            details.append(f"interlocuteur : {i.caller}")
        facts = " · ".join(d for d in details if d)
        entries.append(
            TimelineEntry(
                at=i.occurred_at,
                kind="contact",
                title=f"Contact {i.get_direction_display().lower()} · {i.get_channel_display()}",
                text=f"{facts} — {i.summary}" if facts else i.summary,
                who=_person(i.agent, "Agent non précisé"),
                channel=i.get_channel_display(),
                reference=i.reference or "",
                openable=bool(i.reference) and i.openable,
                sort_key=(i.occurred_at, 3, i.pk),
            )
        )
    return entries


def _messages(citizen: Citizen, user, limit: int) -> list[TimelineEntry]:
    messages = (
        Message.objects.filter(request__citizen=citizen)
        .exclude(request__status=Status.DRAFT)
        .select_related("author")
        .annotate(reference=F("request__reference"), openable=_openable(user, "request_id"))
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            at=m.created_at,
            kind="message",
            title=(
                "Message à l'usager"
                if m.direction == MessageDirection.TO_CITIZEN
                else "Message de l'usager"
            ),
            text=truncatechars(m.body, MESSAGE_EXCERPT),
            who=_person(m.author, "Un agent")
            if m.direction == MessageDirection.TO_CITIZEN
            else "L'usager",
            channel=CHANNELS[Channel.WEB],
            reference=m.reference,
            openable=m.openable,
            sort_key=(m.created_at, 2, m.pk),
        )
        for m in messages
    ]


def _events(citizen: Citizen, user, limit: int, inner: list[int]) -> list[TimelineEntry]:
    events = (
        Event.objects.filter(request__citizen=citizen)
        .exclude(request__status=Status.DRAFT)
        # A message is told by its Message row, with its text.
        .exclude(kind=EventKind.MESSAGE)
        .filter(Q(visibility=EventVisibility.CITIZEN) | Q(request__team_id__in=inner))
        .select_related("actor")
        .annotate(
            reference=F("request__reference"),
            procedure_title=F("request__procedure__title"),
            openable=_openable(user, "request_id"),
        )
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            at=e.created_at,
            kind="event",
            title=e.procedure_title,
            text=describe_for_agent(e),
            who=_person(e.actor, "Le système" if e.kind != EventKind.SUBMITTED else "L'usager"),
            reference=e.reference,
            openable=e.openable,
            internal=e.visibility == EventVisibility.INTERNAL,
            sort_key=(e.created_at, 1, e.pk),
        )
        for e in events
    ]


@dataclass(frozen=True)
class DocumentLine:
    id: int
    name: str
    kind: str
    size: int
    created_at: datetime
    reference: str
    openable: bool
    internal: bool
    who: str


def _documents(citizen: Citizen, user, limit: int, inner: list[int]) -> list[DocumentLine]:
    documents = (
        Document.objects.filter(request__citizen=citizen)
        .exclude(request__status=Status.DRAFT)
        .filter(Q(visible_to_citizen=True) | Q(request__team_id__in=inner))
        .select_related("uploaded_by")
        .only(
            "id",
            "original_name",
            "kind",
            "size",
            "created_at",
            "visible_to_citizen",
            "request_id",
            "uploaded_by__first_name",
            "uploaded_by__last_name",
            "uploaded_by__email",
        )
        .annotate(reference=F("request__reference"), openable=_openable(user, "request_id"))
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        DocumentLine(
            id=d.pk,
            name=d.original_name,
            kind=d.get_kind_display(),
            size=d.size,
            created_at=d.created_at,
            reference=d.reference,
            openable=d.openable,
            internal=not d.visible_to_citizen,
            who=_person(
                d.uploaded_by, "L'usager" if d.kind == Document.Kind.UPLOAD else "Le système"
            ),
        )
        for d in documents
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


def citizen_record(citizen: Citizen, *, user, timeline_entries: int = TIMELINE_STEP):
    """Everything the authority knows of `citizen` that `user` may read, in a fixed number of
    queries (8) whatever the size of their history."""
    inner = _inner_team_ids(user)
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
    limit = timeline_entries + 1  # one more says whether there is more
    documents = _documents(citizen, user, max(limit, DOCUMENTS_SHOWN + 1), inner)
    document_entries = [
        TimelineEntry(
            at=d.created_at,
            kind="document",
            title=d.kind,
            text=d.name,
            who=d.who,
            reference=d.reference,
            openable=d.openable,
            internal=d.internal,
            document_id=d.id,
            sort_key=(d.created_at, 0, d.id),
        )
        for d in documents
    ]
    merged = sorted(
        chain(
            _contacts(citizen, user, limit),
            _messages(citizen, user, limit),
            _events(citizen, user, limit, inner),
            document_entries,
        ),
        key=lambda entry: entry.sort_key,
        reverse=True,
    )
    more = None
    capped = len(merged) > timeline_entries and timeline_entries >= TIMELINE_MAX
    if len(merged) > timeline_entries and not capped:
        more = timeline_entries + TIMELINE_STEP
    return CitizenRecord(
        citizen=citizen,
        representations=representations,
        household=household,
        requests=requests[:REQUESTS_SHOWN],
        requests_truncated=len(requests) > REQUESTS_SHOWN,
        timeline=merged[:timeline_entries],
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


def organisation_record(organisation: Organisation, *, user) -> OrganisationRecord:
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
