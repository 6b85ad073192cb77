"""How a citizen without an account reaches a request: its reference with the contact email,
or the secret link. A successful proof grants access for the browser session."""

import hmac
import time
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from service_requests.identifiers import normalise_reference
from service_requests.models import (
    PUBLIC_STATUS,
    Document,
    DocumentRequest,
    Event,
    EventKind,
    EventVisibility,
    Message,
    SatisfactionAnswer,
    ServiceRequest,
    Status,
    TeamTask,
)

SESSION_KEY = "tracking_grants"
# The requests whose secret link was opened in this session: the only grant that proves the
# request is the visitor's (a reference and an unverified email do not), so the only one that
# lets a signed-in citizen join it to their account.
LINK_SESSION_KEY = "tracking_link_grants"
MAX_GRANTS = 50
# How long after opening the secret link a signed-in citizen may join the request: on a shared
# computer, the next person to sign in is not offered the previous visitor's request.
LINK_CLAIM_SECONDS = 30 * 60


def trackable_requests() -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.exclude(status=Status.DRAFT)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def find_by_reference_and_email(reference: str, email: str) -> ServiceRequest | None:
    """The request, if the email is its contact's; None alike for a wrong reference or a wrong
    email, so that nobody can learn which references exist."""
    normalised = normalise_reference(reference)
    email = email.strip().lower()
    if not normalised or not email:
        return None
    request = trackable_requests().select_related("citizen").filter(reference=normalised).first()
    if request is None:
        return None
    known = {request.contact_email.lower()}
    if request.citizen is not None and request.citizen.email:
        known.add(request.citizen.email.lower())
    matches = [_same(email, address) for address in known if address]
    return request if any(matches) else None


def find_by_secret(reference: str, token: str) -> ServiceRequest | None:
    """The request if the token is its tracking secret, compared in constant time."""
    normalised = normalise_reference(reference)
    if not normalised:
        return None
    request = trackable_requests().filter(reference=normalised).first()
    if request is None or not _same(token, request.tracking_token):
        return None
    return request


def grant(session, request: ServiceRequest, *, by_secret: bool = False) -> None:
    grants = [pk for pk in session.get(SESSION_KEY, []) if pk != request.pk]
    session[SESSION_KEY] = [request.pk, *grants][:MAX_GRANTS]
    if by_secret:
        # {request id: when its secret link was opened}, the latest MAX_GRANTS.
        links = dict(session.get(LINK_SESSION_KEY, {}))
        links.pop(str(request.pk), None)
        links[str(request.pk)] = time.time()
        session[LINK_SESSION_KEY] = dict(list(links.items())[-MAX_GRANTS:])


def _fresh_link_grants(session) -> list[int]:
    since = time.time() - LINK_CLAIM_SECONDS
    return [int(pk) for pk, at in session.get(LINK_SESSION_KEY, {}).items() if at >= since]


def granted_by_secret(session, request: ServiceRequest) -> bool:
    """Whether this session opened the request's secret link lately (the proof to join it)."""
    return request.pk in _fresh_link_grants(session)


def secret_granted_requests(session) -> QuerySet[ServiceRequest]:
    return trackable_requests().filter(pk__in=_fresh_link_grants(session))


def granted_requests(session, user=None) -> QuerySet[ServiceRequest]:
    """The requests this browser session proved it may see, and a signed-in citizen's own
    (anything else is a 404)."""
    allowed = Q(pk__in=session.get(SESSION_KEY, []))
    if user is not None and user.is_authenticated:
        allowed |= Q(citizen__user=user)
    return trackable_requests().filter(allowed)


CITIZEN_EVENT_TEXTS = {
    EventKind.SUBMITTED: _("Votre demande a été reçue."),
    EventKind.ROUTED: _("Votre demande a été transmise au service compétent."),
    EventKind.DOCUMENTS_REQUESTED: _("Des pièces complémentaires vous sont demandées."),
    EventKind.DOCUMENTS_RECEIVED: _("Vos pièces complémentaires ont été reçues."),
    EventKind.DECISION: _("Une décision a été prise sur votre demande."),
    EventKind.IMPLICIT_DECISION: _(
        "Une décision implicite est née du silence de l'administration."
    ),
    EventKind.WITHDRAWN: _("Vous avez retiré votre demande."),
    EventKind.MESSAGE: _("Un message a été échangé."),
    EventKind.REASONS_REQUESTED: _("Vous avez demandé les motifs du refus implicite."),
    EventKind.COMPLETED: _("Votre dossier est complet."),
}


def describe_event(event: Event) -> str:
    """One plain-French sentence for a citizen-visible timeline entry."""
    if event.kind == EventKind.STATUS_CHANGED:
        status = event.payload.get("to")
        public = PUBLIC_STATUS.get(status)
        if public is not None:
            return _("Statut de votre demande : %(status)s.") % {"status": public.label.lower()}
    text = CITIZEN_EVENT_TEXTS.get(event.kind)
    return str(text) if text else event.get_kind_display()


HISTORY_PAGE = 20  # timeline entries shown before « Voir tout l'historique »


def with_page_data(queryset: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """What the request's page needs beyond its row, in the same query: whether the reasons of
    an implicit rejection were asked, whether the citizen gave their opinion."""
    return queryset.select_related("procedure", "team").annotate(
        reasons_asked=Exists(
            TeamTask.objects.filter(request=OuterRef("pk"), kind=TeamTask.Kind.REASONS_REQUESTED)
        ),
        satisfaction_given=Exists(SatisfactionAnswer.objects.filter(request=OuterRef("pk"))),
    )


@dataclass
class Outcome:
    """How the request ended, for the citizen: a sentence, the motive, the document to keep
    (the decision letter, the attestation of an implicit acceptance, the notice of an implicit
    rejection)."""

    sentence: str
    motive: str = ""
    document: Document | None = None


OUTCOME_SENTENCES = {
    Status.ACCEPTED: _("Votre demande a été acceptée le %(day)s."),
    Status.PARTIALLY_ACCEPTED: _("Votre demande a été acceptée en partie le %(day)s."),
    Status.REJECTED: _("Votre demande a été refusée le %(day)s."),
    Status.ACCEPTED_IMPLICITLY: _(
        "Sans réponse dans le délai, votre demande est réputée acceptée depuis le %(day)s. "
        "L'attestation ci-dessous le prouve (article L232-3)."
    ),
    Status.REJECTED_IMPLICITLY: _(
        "Sans réponse dans le délai, votre demande est réputée rejetée depuis le %(day)s."
    ),
    Status.CLOSED: _("Votre demande a été traitée et close le %(day)s."),
    Status.WITHDRAWN: _("Vous avez retiré votre demande le %(day)s."),
}
OUTCOME_DOCUMENTS = {
    Status.ACCEPTED: Document.Kind.DECISION,
    Status.PARTIALLY_ACCEPTED: Document.Kind.DECISION,
    Status.REJECTED: Document.Kind.DECISION,
    Status.ACCEPTED_IMPLICITLY: Document.Kind.ATTESTATION,
    Status.REJECTED_IMPLICITLY: Document.Kind.REJECTION_NOTICE,
}
ENDING_EVENTS = {
    EventKind.DECISION,
    EventKind.IMPLICIT_DECISION,
    EventKind.CLOSED,
    EventKind.WITHDRAWN,
}


def outcome_of(request: ServiceRequest, documents: list[Document]) -> Outcome | None:
    """How `request` ended, or None while it is open (one query, for an ended request only)."""
    from django.utils import formats

    sentence = OUTCOME_SENTENCES.get(request.status)
    if sentence is None:
        return None
    ending = (
        request.events.filter(kind__in=sorted(ENDING_EVENTS), visibility=EventVisibility.CITIZEN)
        .order_by("-created_at", "-id")
        .first()
    )
    day = request.decided_on or (ending.created_at.date() if ending else None)
    text = str(sentence) % {"day": formats.date_format(day, "j F Y") if day else "—"}
    kind = OUTCOME_DOCUMENTS.get(request.status)
    document = next((d for d in reversed(documents) if kind and d.kind == kind), None)
    motive = ending.payload.get("motive", "") if ending is not None else ""
    return Outcome(sentence=text, motive=motive, document=document)


@dataclass
class TrackingPage:
    request: ServiceRequest
    events: list[tuple[Event, str]]
    documents: list[Document]
    messages: list[Message]
    document_request: DocumentRequest | None = None
    history_truncated: bool = False  # older entries left out: link to the whole history
    outcome: Outcome | None = None

    @property
    def may_ask_reasons(self) -> bool:
        """After an implicit rejection, until the citizen has asked (L232-4)."""
        if self.request.status != Status.REJECTED_IMPLICITLY:
            return False
        asked = getattr(self.request, "reasons_asked", None)
        if asked is None:  # a request not read through with_page_data
            asked = self.request.tasks.filter(kind=TeamTask.Kind.REASONS_REQUESTED).exists()
        return not asked

    @property
    def satisfaction_open(self) -> bool:
        """The question is asked once the request is closed, until answered."""
        from service_requests.services.messages import may_answer_satisfaction

        given = getattr(self.request, "satisfaction_given", None)
        if given is None:
            given = self.request.satisfaction_answers.exists()
        return may_answer_satisfaction(self.request) and not given


def tracking_page(request: ServiceRequest, *, whole_history: bool = False) -> TrackingPage:
    """What the citizen sees of their request: a constant number of queries whatever its
    history (three, and one more for the pieces awaited). The timeline shows its latest
    HISTORY_PAGE entries unless `whole_history`."""
    events = request.events.filter(visibility=EventVisibility.CITIZEN)
    if whole_history:
        shown, truncated = list(events.order_by("created_at", "id")), False
    else:
        latest = list(events.order_by("-created_at", "-id")[: HISTORY_PAGE + 1])
        truncated = len(latest) > HISTORY_PAGE
        shown = latest[:HISTORY_PAGE][::-1]
    documents = request.documents.filter(visible_to_citizen=True).order_by("created_at", "id")
    messages = request.messages.prefetch_related(
        Prefetch("documents", queryset=Document.objects.filter(visible_to_citizen=True))
    ).order_by("created_at", "id")
    document_request = None
    if request.status == Status.AWAITING_CITIZEN:
        document_request = request.document_requests.filter(answered_on__isnull=True).first()
    documents = [d for d in documents if d.message_id is None]
    return TrackingPage(
        request=request,
        events=[(event, describe_event(event)) for event in shown],
        documents=documents,
        outcome=outcome_of(request, documents),
        messages=list(messages),
        document_request=document_request,
        history_truncated=truncated,
    )
