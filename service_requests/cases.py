"""Reads for the agents' case screen: everything about one request, and its timeline told in
French for an agent (citizen-visible and internal entries alike, marked apart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet

from citizens.models import Channel
from forms_builder.engine import FormRun
from forms_builder.models import SilenceRule
from gru.models import Team, User
from service_requests import lifecycle
from service_requests.deadlines import explain_decision_date
from service_requests.models import (
    OPEN_STATES,
    PUBLIC_STATUS,
    Document,
    DocumentRequest,
    Event,
    EventKind,
    EventVisibility,
    Interaction,
    Message,
    ServiceRequest,
    Status,
)
from service_requests.services.decisions import CLOSURES

OUTCOME_WORDS = {
    "accepted": "acceptée",
    "partially_accepted": "acceptée en partie",
    "rejected": "refusée",
}
CHANNELS = dict(Channel.choices)
DUE_REASONS = {
    "documents_requested": "pièces demandées",
    "documents_received": "pièces reçues",
    "completed": "dossier complet",
    "recomputed": "recalcul",
    "checked": "vérification par le minuteur",
    "reopened": "demande rouverte",
}


def _day(value) -> str:
    if not value:
        return "—"
    return date.fromisoformat(value).strftime("%d/%m/%Y")


def _status(value) -> str:
    try:
        return Status(value).label.lower()
    except ValueError:
        return str(value)


def describe_for_agent(event: Event) -> str:
    """One sentence for an agent about a timeline entry."""
    p, kind = event.payload, event.kind
    texts = {
        EventKind.SUBMITTED: lambda: (
            f"Demande déposée (canal : {CHANNELS.get(p.get('channel'), p.get('channel', ''))})"
            + (", saisie pour le compte de l'usager" if p.get("filed_on_behalf") else "")
            + "."
        ),
        EventKind.ROUTED: lambda: f"Orientée vers {p.get('team_name', '')}. {p.get('reason', '')}",
        EventKind.ASSIGNED: lambda: (
            f"Attribuée à {p['assignee_name']}." if p.get("assignee") else "Attribution retirée."
        ),
        EventKind.TRANSFERRED: lambda: (
            f"Transférée de {p.get('from_team_name', '')} à {p.get('team_name', '')} : "
            f"{p.get('reason', '')}"
        ),
        EventKind.STATUS_CHANGED: lambda: (
            f"Statut : {_status(p.get('from'))} → {_status(p.get('to'))}."
        ),
        EventKind.MESSAGE: lambda: (
            "Message à l'usager." if p.get("direction") == "to_citizen" else "Message de l'usager."
        ),
        EventKind.NOTE: lambda: f"Note interne : {p.get('text', '')}",
        EventKind.DOCUMENTS_REQUESTED: lambda: (
            f"Pièces demandées : {', '.join(p.get('documents', []))} ; à fournir avant le "
            f"{_day(p.get('deadline'))}."
        ),
        EventKind.DOCUMENTS_RECEIVED: lambda: (
            f"Pièces reçues le {_day(p.get('answered_on'))}"
            + (", après la date limite." if p.get("late") else ".")
        ),
        EventKind.DUE_DATE_CHANGED: lambda: (
            (
                f"Échéance déplacée du {_day(p.get('from'))} au {_day(p.get('to'))} "
                if p.get("to")
                else f"Plus de date de décision implicite (au lieu du {_day(p.get('from'))}) "
            )
            + f"({DUE_REASONS.get(p.get('reason'), p.get('reason', ''))})."
        ),
        EventKind.REMINDER: lambda: (
            f"Rappel envoyé à {p.get('to', '')} : décision implicite le {_day(p.get('due_on'))}."
        ),
        EventKind.DECISION: lambda: (
            f"Décision : demande {OUTCOME_WORDS.get(p.get('outcome'), '')}."
            + (f" Motifs : {p['motive']}" if p.get("motive") else "")
        ),
        EventKind.IMPLICIT_DECISION: lambda: (
            f"Décision implicite de {'rejet' if p.get('rule') == 'rejection' else 'acceptation'} "
            f"née le {_day(p.get('due_on'))}."
        ),
        EventKind.WITHDRAWN: lambda: (
            (
                "Retirée par l'usager"
                if p.get("by") != "agent"
                else "Retrait enregistré par un agent"
            )
            + (f" : {p['reason']}" if p.get("reason") else ".")
        ),
        EventKind.COMPLETED: lambda: f"Dossier déclaré complet le {_day(p.get('completed_on'))}.",
        EventKind.DOCUMENTS_OVERDUE: lambda: (
            f"Date limite d'envoi des pièces dépassée ({_day(p.get('deadline'))}) ; "
            f"alerte envoyée à {p.get('to', '')}."
        ),
        EventKind.REASONS_REQUESTED: lambda: (
            "L'usager demande les motifs du rejet implicite : à communiquer avant le "
            f"{_day(p.get('due_on'))}."
        ),
        EventKind.LINKED_TO_ACCOUNT: lambda: "Rattachée au compte de l'usager.",
        EventKind.CLOSED: lambda: (
            f"Clôturée ({CLOSURES.get(p.get('closure'), '')}) : {p.get('motive', '')}"
        ),
        EventKind.REOPENED: lambda: f"Rouverte : {p.get('reason', '')}",
    }
    text = texts.get(kind)
    return text() if text else event.get_kind_display()


@dataclass(frozen=True)
class ContactEntry:
    """A contact about the request (an Interaction, not an Event: logging a call writes no
    event), placed in the history among the events, internal as it is for agents only."""

    created_at: datetime
    actor: User | None
    visibility: str = EventVisibility.INTERNAL


def describe_contact(contact: Interaction) -> str:
    """One sentence for an agent about a contact logged on the request."""
    facts = [contact.motive.label if contact.motive else "", contact.get_outcome_display()]
    if contact.duration_minutes:
        facts.append(f"{contact.duration_minutes} min")
    said = " · ".join(fact for fact in facts if fact)
    return (
        f"Contact {contact.get_direction_display().lower()} "
        f"({contact.get_channel_display().lower()}){f', {said}' if said else ''} : "
        f"{contact.summary}"
    )


@dataclass
class CaseScreen:
    request: ServiceRequest
    sections: list
    documents: list[Document]
    timeline: list[tuple[Event, str]]
    messages: list[Message]
    notes: list[Event]
    document_request: DocumentRequest | None
    due_steps: list[str]
    allowed: frozenset[str]
    last_event_id: int | None
    colleagues: list[User] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)

    @property
    def public_status(self):
        return PUBLIC_STATUS.get(self.request.status)


def case_queryset(requests: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    return requests.select_related(
        "procedure", "form_version", "citizen", "team", "assignee", "organisation", "filed_by"
    )


def case_screen(request: ServiceRequest, *, allowed: frozenset[str]) -> CaseScreen:
    """What the case screen shows, in a constant number of queries."""
    version = request.form_version
    sections = FormRun(version.schema, request.data).summary()
    documents = list(request.documents.select_related("uploaded_by").order_by("created_at", "id"))
    events = list(request.events.select_related("actor").order_by("created_at", "id"))
    contacts = list(
        request.interactions.select_related("agent", "motive").order_by("occurred_at", "id")
    )
    timeline = [(event, describe_for_agent(event)) for event in events]
    timeline += [(ContactEntry(c.occurred_at, c.agent), describe_contact(c)) for c in contacts]
    timeline.sort(key=lambda entry: entry[0].created_at)  # stable: events keep their order
    messages = list(request.messages.select_related("author").order_by("created_at", "id"))
    # A message's files are among the request's documents, already read: no query per message,
    # nor one more query once the first message has files.
    by_message: dict[int, list[Document]] = {}
    for document in documents:
        if document.message_id is not None:
            by_message.setdefault(document.message_id, []).append(document)
    for message in messages:
        message.attached = by_message.get(message.pk, [])
    document_requests = list(request.document_requests.order_by("asked_on", "id"))
    _due, steps = explain_decision_date(
        received_on=request.received_on,
        rule=version.silence_rule,
        delay=version.silence_delay,
        document_requests=[d.as_deadline_input() for d in document_requests],
    )
    if version.silence_rule == SilenceRule.NONE:
        steps = [
            "Pas de décision implicite : cette démarche appelle une réponse, pas une décision."
        ]
    elif request.implicit_decision_triggered_at is not None and request.status in OPEN_STATES:
        steps = [
            "Demande rouverte après sa décision : la règle de silence a joué une fois, il n'y "
            "aura pas de nouvelle décision implicite."
        ]
    colleagues, teams = [], []
    if "assign" in allowed and request.team_id:
        colleagues = team_members(request.team_id)
    if "transfer" in allowed:
        teams = list(Team.objects.filter(is_active=True).exclude(pk=request.team_id))
    return CaseScreen(
        request=request,
        sections=sections,
        documents=documents,
        timeline=timeline,
        messages=messages,
        notes=[e for e in events if e.kind == EventKind.NOTE],
        document_request=next((d for d in document_requests if d.answered_on is None), None),
        due_steps=steps,
        allowed=allowed,
        last_event_id=events[-1].pk if events else None,
        colleagues=colleagues,
        teams=teams,
    )


def team_members(team_id: int) -> list[User]:
    """The instructors and managers of a team, for the assignee filter and bulk assignment."""
    return list(
        User.objects.filter(
            memberships__team_id=team_id,
            memberships__role__in=sorted(lifecycle.CASE_WORKERS),
            is_active=True,
            api_client__isnull=True,  # an API client's technical user is nobody's colleague
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
