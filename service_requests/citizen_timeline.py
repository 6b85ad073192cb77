"""The one timeline of a citizen on the 360° view: contacts, messages, request events and
documents across channels, newest first, as the viewing agent may read them.

Internal entries (notes, internal events, documents not shown to the citizen) of a request whose
team the agent is no member of are left out in the queries (`permissions.sees_internal_events`).
Each source gives its newest N + 1 entries in one query; merged, the newest N of the union are
among them, so the number of queries does not grow with the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from django.db.models import Exists, F, OuterRef, Q
from django.template.defaultfilters import truncatechars

from citizens.models import Citizen
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

MESSAGE_EXCERPT = 300


def person(user: User | None, default: str) -> str:
    if user is None:
        return default
    return user.get_full_name() or user.email


def inner_team_ids(user) -> list[int]:
    """The teams whose requests' internal entries `user` reads. The rule is
    `sees_internal_events`, which depends on the request's team alone: asked here of each team
    the agent belongs to, so that the queries filter by it and the rule stays in one place."""
    return sorted(
        team_id
        for team_id in scope_of(user).roles_by_team
        if sees_internal_events(user, ServiceRequest(team_id=team_id))
    )


def openable_by(user, field: str = "pk") -> Exists:
    """Whether the agent may open the request named by `field` on its case screen."""
    return Exists(visible_requests(user).filter(pk=OuterRef(field)))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "contact", "message", "event", "document": the template's words
    title: str
    text: str
    who: str
    reference: str = ""  # the request it concerns, if any
    openable: bool = False  # the agent may open that request
    internal: bool = False
    document_id: int | None = None
    sort_key: tuple = ()


def _contacts(citizen: Citizen, user, limit: int) -> list[TimelineEntry]:
    interactions = (
        Interaction.objects.filter(citizen=citizen)
        .select_related("agent", "motive", "team")
        .annotate(reference=F("request__reference"), openable=openable_by(user, "request_id"))
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
                who=person(i.agent, "Agent non précisé"),
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
        .annotate(reference=F("request__reference"), openable=openable_by(user, "request_id"))
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
            who=person(m.author, "Un agent")
            if m.direction == MessageDirection.TO_CITIZEN
            else "L'usager",
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
            openable=openable_by(user, "request_id"),
        )
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            at=e.created_at,
            kind="event",
            title=e.procedure_title,
            text=describe_for_agent(e),
            who=person(e.actor, "Le système" if e.kind != EventKind.SUBMITTED else "L'usager"),
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
        .annotate(reference=F("request__reference"), openable=openable_by(user, "request_id"))
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
            who=person(
                d.uploaded_by, "L'usager" if d.kind == Document.Kind.UPLOAD else "Le système"
            ),
        )
        for d in documents
    ]


def timeline(
    citizen: Citizen, *, user: User, entries: int, documents_shown: int
) -> tuple[list[TimelineEntry], bool, list[DocumentLine]]:
    """The newest `entries` of the citizen's timeline, whether there are more, and their newest
    documents (at least `documents_shown` + 1 of them, read once for both), in 4 queries."""
    inner = inner_team_ids(user)
    limit = entries + 1  # one more says whether there is more
    documents = _documents(citizen, user, max(limit, documents_shown + 1), inner)
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
    return merged[:entries], len(merged) > entries, documents
