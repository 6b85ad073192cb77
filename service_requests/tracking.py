"""How a citizen without an account reaches a request: its reference with the contact email,
or the secret link. A successful proof grants access for the browser session."""

import hmac
import time
from dataclasses import dataclass, field

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gru.sql import columns
from service_requests.drafts import file_field_ids
from service_requests.identifiers import normalise_reference
from service_requests.legal_dates import DueDateText, due_date_text
from service_requests.models import (
    PUBLIC_STATUS,
    Document,
    DocumentRequest,
    Event,
    EventKind,
    EventVisibility,
    Message,
    ServiceRequest,
    Status,
    TeamTask,
)

# {request id: when this browser proved it may see it} (the secret link, or the reference and
# email). On a shared computer a grant must not outlive its visitor (issue 13, item 7): it lasts
# GRANT_SECONDS, is dropped when anyone signs in or out (`forget_grants`), and an anonymous
# session holding one ends with the browser.
SESSION_KEY = "tracking_grants"
# The requests whose secret link was opened in this session: the only grant that proves the
# request is the visitor's (a reference and an unverified email do not), so the only one that
# lets a signed-in citizen join it to their account.
LINK_SESSION_KEY = "tracking_link_grants"
MAX_GRANTS = 50
GRANT_SECONDS = 30 * 60
# How long after opening the secret link a signed-in citizen may join the request.
LINK_CLAIM_SECONDS = GRANT_SECONDS


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
    """This browser may see `request` for GRANT_SECONDS (the latest MAX_GRANTS grants)."""
    now = time.time()
    grants = {pk: at for pk, at in _grants(session, SESSION_KEY).items() if pk != str(request.pk)}
    grants[str(request.pk)] = now
    session[SESSION_KEY] = dict(list(grants.items())[-MAX_GRANTS:])
    if by_secret:
        links = {
            pk: at for pk, at in _grants(session, LINK_SESSION_KEY).items() if pk != str(request.pk)
        }
        links[str(request.pk)] = now
        session[LINK_SESSION_KEY] = dict(list(links.items())[-MAX_GRANTS:])
    if session.get(AUTH_SESSION_KEY) is None:
        session.set_expiry(0)  # anonymous: the grant goes with the browser


def _grants(session, key: str) -> dict[str, float]:
    value = session.get(key, {})
    return value if isinstance(value, dict) else {}  # a list: a session from before expiry


def _fresh(session, key: str, seconds: int) -> list[int]:
    since = time.time() - seconds
    return [int(pk) for pk, at in _grants(session, key).items() if at >= since]


def forget_grants(session) -> None:
    """Signing in or out ends what this browser was granted before (a shared computer)."""
    session.pop(SESSION_KEY, None)
    session.pop(LINK_SESSION_KEY, None)


def _fresh_link_grants(session) -> list[int]:
    return _fresh(session, LINK_SESSION_KEY, LINK_CLAIM_SECONDS)


def granted_by_secret(session, request: ServiceRequest) -> bool:
    """Whether this session opened the request's secret link lately (the proof to join it)."""
    return request.pk in _fresh_link_grants(session)


def secret_granted_requests(session) -> QuerySet[ServiceRequest]:
    return trackable_requests().filter(pk__in=_fresh_link_grants(session))


def granted_requests(session, user=None) -> QuerySet[ServiceRequest]:
    """The requests this browser session proved it may see, and a signed-in citizen's own
    (anything else is a 404)."""
    allowed = Q(pk__in=_fresh(session, SESSION_KEY, GRANT_SECONDS))
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
    EventKind.REOPENED: _("Votre demande a été rouverte : le service la réexamine."),
    EventKind.LINKED_TO_ACCOUNT: _("Votre demande a été rattachée à votre compte."),
}
DECISION_TEXTS = {
    "accepted": _("Décision du service : votre demande est acceptée."),
    "partially_accepted": _("Décision du service : votre demande est acceptée en partie."),
    "rejected": _("Décision du service : votre demande est refusée."),
}
IMPLICIT_TEXTS = {
    "acceptance": _(
        "Sans réponse dans le délai, votre demande est réputée acceptée depuis le %(day)s."
    ),
    "rejection": _(
        "Sans réponse dans le délai, votre demande est réputée rejetée depuis le %(day)s."
    ),
}
CLOSURE_TEXTS = {
    "answered": _("Le service a répondu à votre demande et l'a close."),
    "no_follow_up": _("Le service a classé votre demande sans suite."),
}
# Why an implicit decision date moved, as the DUE_DATE_CHANGED event's `reason` says it.
DUE_DATE_REASONS = {
    "documents_requested": _("des pièces vous sont demandées"),
    "documents_received": _("vos pièces ont été reçues"),
    "completed": _("votre dossier est complet"),
    "reopened": _("votre demande a été rouverte"),
}


def _day(value) -> str:
    from datetime import date

    from service_requests.legal_dates import french_day

    if not value:
        return ""
    return french_day(value if isinstance(value, date) else date.fromisoformat(value))


def _due_date_changed(event: Event, rule: str | None) -> str:
    old, new = _day(event.payload.get("from")), _day(event.payload.get("to"))
    word = {"acceptance": _("acceptée"), "rejection": _("rejetée")}.get(rule or "", "")
    what = (
        _("La date à laquelle votre demande sera %(word)s sans réponse") % {"word": word}
        if word
        else _("La date de la décision implicite")
    )
    if old and new:
        text = _("%(what)s passe du %(old)s au %(new)s") % {"what": what, "old": old, "new": new}
    elif new:
        text = _("%(what)s est fixée au %(new)s") % {"what": what, "new": new}
    elif old:
        text = _("%(what)s n'est plus le %(old)s") % {"what": what, "old": old}
    else:
        return str(_("La date de la décision implicite a été recalculée."))
    why = DUE_DATE_REASONS.get(event.payload.get("reason", ""))
    return f"{text} : {why}." if why else f"{text}."


def describe_event(event: Event, request: ServiceRequest | None = None) -> str:
    """One plain-French sentence for a citizen-visible timeline entry: what happened, who wrote
    (the service or the citizen), the old and new legal date, the outcome. `request` (the
    event's, with its form version) words the date changes by its silence rule."""
    payload = event.payload
    if event.kind == EventKind.STATUS_CHANGED:
        status = payload.get("to")
        public = PUBLIC_STATUS.get(status)
        if public is not None:
            return _("Statut de votre demande : %(status)s.") % {"status": public.label.lower()}
    if event.kind == EventKind.MESSAGE and payload.get("direction"):
        count = len(payload.get("documents") or [])
        if payload.get("direction") == Message.Direction.FROM_CITIZEN:
            text = ngettext(
                "Vous avez écrit au service (%(count)s fichier joint).",
                "Vous avez écrit au service (%(count)s fichiers joints).",
                count,
            )
            plain = _("Vous avez écrit au service.")
        else:
            text = ngettext(
                "Le service vous a écrit (%(count)s fichier joint).",
                "Le service vous a écrit (%(count)s fichiers joints).",
                count,
            )
            plain = _("Le service vous a écrit.")
        return text % {"count": count} if count else str(plain)
    if event.kind == EventKind.DOCUMENTS_REQUESTED and payload.get("documents"):
        return _("Le service vous demande, avant le %(day)s : %(pieces)s.") % {
            "day": _day(payload.get("deadline")),
            "pieces": ", ".join(f"« {label} »" for label in payload["documents"]),
        }
    if event.kind == EventKind.DOCUMENTS_RECEIVED and payload.get("answered_on"):
        return _("Vos pièces ont été reçues le %(day)s.") % {"day": _day(payload["answered_on"])}
    if event.kind == EventKind.DUE_DATE_CHANGED:
        rule = request.form_version.silence_rule if request is not None else None
        return _due_date_changed(event, rule)
    if event.kind == EventKind.DECISION and payload.get("outcome") in DECISION_TEXTS:
        return str(DECISION_TEXTS[payload["outcome"]])
    if event.kind == EventKind.IMPLICIT_DECISION and payload.get("rule") in IMPLICIT_TEXTS:
        return IMPLICIT_TEXTS[payload["rule"]] % {"day": _day(payload.get("due_on"))}
    if event.kind == EventKind.CLOSED and payload.get("closure") in CLOSURE_TEXTS:
        return str(CLOSURE_TEXTS[payload["closure"]])
    if event.kind == EventKind.WITHDRAWN and payload.get("by") == "agent":
        return str(_("Votre demande a été retirée à votre demande, par le service."))
    if event.kind == EventKind.REASONS_REQUESTED and payload.get("due_on"):
        return _(
            "Vous avez demandé les motifs du refus implicite : le service vous les "
            "communiquera au plus tard le %(day)s."
        ) % {"day": _day(payload["due_on"])}
    text = CITIZEN_EVENT_TEXTS.get(event.kind)
    return str(text) if text else event.get_kind_display()


HISTORY_PAGE = 20  # timeline entries shown before « Voir tout l'historique »


# The request's page reads in SQL (gru/sql.py says why). PAGE_SQL says who may see the request
# as granted_requests does (tests/service_requests/test_tracking_reads.py checks they agree),
# and reads with it what the page needs beyond the row: its procedure's title, its team's
# name and phone, its form version (the answers are shown as filed under it), whether the
# reasons of an implicit rejection were asked, whether the citizen gave their opinion, whether
# pieces were ever asked.
PAGE_SQL = f"""
SELECT {columns(ServiceRequest, "r")},
       p.id AS procedure__id, p.title AS procedure__title,
       v.id AS form_version__id, v.number AS form_version__number,
       v.schema AS form_version__schema, v.silence_rule AS form_version__silence_rule,
       v.silence_delay AS form_version__silence_delay,
       t.id AS team__id, t.name AS team__name, t.phone AS team__phone,
       EXISTS (SELECT 1 FROM service_requests_teamtask k
                WHERE k.request_id = r.id AND k.kind = %(reasons)s) AS reasons_asked,
       EXISTS (SELECT 1 FROM service_requests_satisfactionanswer s
                WHERE s.request_id = r.id) AS satisfaction_given,
       EXISTS (SELECT 1 FROM service_requests_documentrequest q
                WHERE q.request_id = r.id) AS pieces_asked
  FROM service_requests_servicerequest r
  JOIN forms_builder_procedure p ON p.id = r.procedure_id
  JOIN forms_builder_formversion v ON v.id = r.form_version_id
  LEFT JOIN gru_team t ON t.id = r.team_id
 WHERE r.reference = %(reference)s AND r.status <> %(draft)s
   AND (r.id = ANY(%(granted)s)
        OR r.citizen_id = (SELECT c.id FROM citizens_citizen c WHERE c.user_id = %(user)s))
"""  # noqa: S608 (the columns are the model's; every value is a parameter)
# The latest first; LIMIT NULL is no limit (the whole history).
EVENTS_SQL = f"""
SELECT {columns(Event, "e")} FROM service_requests_event e
 WHERE e.request_id = %(request)s AND e.visibility = %(citizen)s
 ORDER BY e.created_at DESC, e.id DESC
 LIMIT %(limit)s
"""  # noqa: S608
DOCUMENTS_SQL = f"""
SELECT {columns(Document, "d")} FROM service_requests_document d
 WHERE d.request_id = %(request)s AND d.visible_to_citizen
 ORDER BY d.created_at, d.id
"""  # noqa: S608
MESSAGES_SQL = f"""
SELECT {columns(Message, "m")} FROM service_requests_message m
 WHERE m.request_id = %(request)s
 ORDER BY m.created_at, m.id
"""  # noqa: S608


def page_request(session, user, reference: str) -> ServiceRequest | None:
    """The request of this reference if this browser session or the signed-in citizen may see
    it (granted_requests), with what its page reads (PAGE_SQL); None otherwise."""
    from forms_builder.models import FormVersion, Procedure
    from gru.models import Team
    from gru.sql import fetch, instance

    rows = fetch(
        PAGE_SQL,
        {
            "reference": reference,
            "draft": Status.DRAFT.value,
            "granted": _fresh(session, SESSION_KEY, GRANT_SECONDS),
            "user": user.pk if user is not None and user.is_authenticated else None,
            "reasons": TeamTask.Kind.REASONS_REQUESTED.value,
        },
    )
    if not rows:
        return None
    row = rows[0]
    request = instance(ServiceRequest, row)
    request.procedure = instance(Procedure, row, "procedure__")
    request.form_version = instance(FormVersion, row, "form_version__")
    request.team = instance(Team, row, "team__") if row["team__id"] is not None else None
    request.reasons_asked = row["reasons_asked"]
    request.satisfaction_given = row["satisfaction_given"]
    request.pieces_asked = row["pieces_asked"]
    return request


@dataclass
class Outcome:
    """How the request ended, for the citizen: a sentence, the motive, the document to keep
    (the decision letter, the attestation of an implicit acceptance, the notice of an implicit
    rejection; `document_url` makes the last two on demand when the worker has not yet), and
    the means of appeal of a refusal."""

    sentence: str
    motive: str = ""
    document: Document | None = None
    document_url: str = ""
    document_label: str = ""
    appeal: str = ""


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
OUTCOME_DOCUMENT_LABELS = {
    Status.ACCEPTED: _("Télécharger le courrier de décision"),
    Status.PARTIALLY_ACCEPTED: _("Télécharger le courrier de décision"),
    Status.REJECTED: _("Télécharger le courrier de décision"),
    Status.ACCEPTED_IMPLICITLY: _("Télécharger l'attestation d'acceptation implicite"),
    Status.REJECTED_IMPLICITLY: _("Télécharger l'avis de rejet implicite"),
}
# Their document is made on demand too when missing (L232-3: « automatiquement et à la
# demande »; a decision recorded without its letter).
IMPLICIT_STATUSES = frozenset({Status.ACCEPTED_IMPLICITLY, Status.REJECTED_IMPLICITLY})
EXPLICIT_DECISIONS = frozenset({Status.ACCEPTED, Status.PARTIALLY_ACCEPTED, Status.REJECTED})
REFUSALS = frozenset({Status.REJECTED, Status.PARTIALLY_ACCEPTED, Status.REJECTED_IMPLICITLY})
ENDING_EVENTS = {
    EventKind.DECISION,
    EventKind.IMPLICIT_DECISION,
    EventKind.CLOSED,
    EventKind.WITHDRAWN,
}


def appeal_text(request: ServiceRequest) -> str:
    """The means and delays of appeal of a refusal, whole, in part or by silence."""
    from django.conf import settings

    from gru.templatetags.french import prep
    from service_requests.legal_dates import french_day

    if request.status not in REFUSALS:
        return ""
    if request.status == Status.REJECTED_IMPLICITLY and request.decided_on:
        since = _("à compter du %(day)s") % {"day": french_day(request.decided_on)}
    else:
        since = _("à compter de sa notification")
    return _(
        "Vous pouvez contester cette décision par un recours gracieux auprès %(authority)s, ou "
        "par un recours contentieux devant %(court)s, dans un délai de deux mois %(since)s. Le "
        "tribunal peut être saisi par l'application Télérecours citoyens (www.telerecours.fr)."
    ) % {
        "authority": prep(settings.AUTHORITY_NAME_WITH_ARTICLE, "de"),
        "court": settings.GRU_ADMINISTRATIVE_COURT,
        "since": since,
    }


def outcome_document_url(request: ServiceRequest, document_id: int | None) -> str:
    """Where the citizen downloads the document of the outcome: the document kept, else, for a
    decision, the page that makes it."""
    from django.urls import reverse

    if document_id is not None:
        return reverse("service_requests:document", args=[request.reference, document_id])
    if request.status in IMPLICIT_STATUSES or request.status in EXPLICIT_DECISIONS:
        return reverse("service_requests:decision_document", args=[request.reference])
    return ""


def outcome_of(
    request: ServiceRequest, documents: list[Document], latest: list[Event], *, complete: bool
) -> Outcome | None:
    """How `request` ended, or None while it is open. Its ending event is the latest of
    ENDING_EVENTS the citizen sees: found among `latest` (its latest citizen-visible events,
    newest first; `complete` when they are all of them), else read (one query, when more than
    the page's history came after it)."""
    from django.utils import timezone

    from service_requests.legal_dates import french_day

    sentence = OUTCOME_SENTENCES.get(request.status)
    if sentence is None:
        return None
    ending = next((event for event in latest if event.kind in ENDING_EVENTS), None)
    if ending is None and not complete:
        ending = (
            request.events.filter(
                kind__in=sorted(ENDING_EVENTS), visibility=EventVisibility.CITIZEN
            )
            .order_by("-created_at", "-id")
            .first()
        )
    day = request.decided_on or (timezone.localdate(ending.created_at) if ending else None)
    text = str(sentence) % {"day": french_day(day) if day else "—"}
    kind = OUTCOME_DOCUMENTS.get(request.status)
    document = next((d for d in reversed(documents) if kind and d.kind == kind), None)
    motive = ending.payload.get("motive", "") if ending is not None else ""
    url = outcome_document_url(request, document.pk if document else None)
    return Outcome(
        sentence=text,
        motive=motive,
        document=document,
        document_url=url,
        document_label=str(OUTCOME_DOCUMENT_LABELS.get(request.status, "")) if url else "",
        appeal=appeal_text(request),
    )


def filed_answers(request: ServiceRequest, documents: dict[int, Document]) -> list:
    """The citizen's answers as the review page showed them, under the form version the request
    was filed under; each file they sent is a link to download it (`documents`: the request's
    documents the citizen sees, by id). Typed text stays text: the review escapes it."""
    from django.urls import reverse
    from django.utils.html import format_html

    from forms_builder.engine import FormRun, ReviewItem, ReviewSection
    from forms_builder.fields.files import describe

    schema = request.form_version.schema
    sections = FormRun(schema, request.data).summary()
    file_fields = set(file_field_ids(schema))
    shown = []
    for section in sections:
        items = []
        for item in section.items:
            descriptors = request.data.get(item.field_id) if item.field_id in file_fields else None
            if descriptors:
                lines = []
                for descriptor in descriptors:
                    document = documents.get(descriptor.get("document"))
                    if document is None:
                        lines.append(describe(descriptor))
                        continue
                    url = reverse(
                        "service_requests:document", args=[request.reference, document.pk]
                    )
                    lines.append(
                        format_html(
                            '<a href="{}">{}</a> <span class="meta">({})</span>',
                            url,
                            document.original_name,
                            filesizeformat(document.size),
                        )
                    )
                item = ReviewItem(item.field_id, item.label, lines)
            items.append(item)
        shown.append(ReviewSection(section.page_id, section.title, items, None))
    return shown


@dataclass
class TrackingPage:
    request: ServiceRequest
    events: list[tuple[Event, str]]
    documents: list[Document]
    messages: list[Message]
    document_request: DocumentRequest | None = None
    history_truncated: bool = False  # older entries left out: link to the whole history
    outcome: Outcome | None = None
    answers: list = field(default_factory=list)  # forms_builder ReviewSection
    due_date: DueDateText | None = None

    @property
    def status_tone(self) -> str:
        """The status badge's colour, as « Mon espace » gives it (the label carries the
        meaning)."""
        from service_requests.citizen_space import status_tone

        return status_tone(self.request)

    @property
    def may_ask_reasons(self) -> bool:
        """After an implicit rejection, until the citizen has asked (L232-4)."""
        if self.request.status != Status.REJECTED_IMPLICITLY:
            return False
        asked = getattr(self.request, "reasons_asked", None)
        if asked is None:  # a request not read through page_request
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


def _attach_message_documents(messages: list[Message], documents: list[Document]) -> None:
    """Each message's files (`message.documents.all`) from the request's documents already
    read, as a prefetch leaves them: no query for them, with or without messages, so that the
    page's count does not depend on whether anybody wrote yet."""
    by_message: dict[int, list[Document]] = {}
    for document in documents:
        if document.message_id is not None:
            by_message.setdefault(document.message_id, []).append(document)
    for message in messages:
        files = message.documents.get_queryset()
        files._result_cache = by_message.get(message.pk, [])
        files._prefetch_done = True
        message._prefetched_objects_cache = {"documents": files}


def tracking_page(request: ServiceRequest, *, whole_history: bool = False) -> TrackingPage:
    """What the citizen sees of their request: a constant number of queries whatever its
    history, its answers or its files: its events, documents, messages and their files, one
    more for the pieces asked when some ever were (and, once it has ended, one more for how
    only when over HISTORY_PAGE entries came after its ending). The timeline shows its latest
    HISTORY_PAGE entries unless `whole_history`."""
    from gru.sql import fetch_together, instance

    read = {"request": request.pk, "citizen": EventVisibility.CITIZEN.value}
    limit = None if whole_history else HISTORY_PAGE + 1
    events, documents, messages = fetch_together(
        (EVENTS_SQL, {**read, "limit": limit}), (DOCUMENTS_SQL, read), (MESSAGES_SQL, read)
    )
    latest = [instance(Event, row) for row in events]
    truncated = len(latest) > HISTORY_PAGE and not whole_history
    shown = (latest if whole_history else latest[:HISTORY_PAGE])[::-1]
    documents = [instance(Document, row) for row in documents]
    messages = [instance(Message, row) for row in messages]
    _attach_message_documents(messages, documents)
    document_request, due_date = None, None
    # Without pieces ever asked (most requests: known from page_request), no query for them.
    pieces_asked = getattr(request, "pieces_asked", True)
    if request.is_open and (pieces_asked or request.status == Status.AWAITING_CITIZEN):
        # Every documents request: the one awaited, and why the legal date moved.
        document_requests = list(request.document_requests.order_by("asked_on", "id"))
        if request.status == Status.AWAITING_CITIZEN:
            document_request = next((d for d in document_requests if d.answered_on is None), None)
        due_date = due_date_text(request, document_requests)
    elif request.is_open:
        due_date = due_date_text(request, [])
    answers = filed_answers(request, {d.pk: d for d in documents})
    filed_ids = {
        descriptor.get("document")
        for field_id in file_field_ids(request.form_version.schema)
        for descriptor in request.data.get(field_id) or []
        if isinstance(descriptor, dict)
    }
    # The files sent with the form are under « Votre demande »; the rest (receipt, decision,
    # pieces sent later) under « Documents »; a message's files with their message.
    listed = [d for d in documents if d.message_id is None and d.pk not in filed_ids]
    return TrackingPage(
        request=request,
        events=[(event, describe_event(event, request)) for event in shown],
        documents=listed,
        outcome=outcome_of(request, listed, latest, complete=whole_history or not truncated),
        messages=messages,
        document_request=document_request,
        history_truncated=truncated,
        answers=answers,
        due_date=due_date,
    )
