"""Read-only queries and small readings of the relationship store."""

from collections.abc import Iterable
from datetime import date

from forms_builder.texts import describe_delay
from service_requests.deadlines import implicit_decision_date
from service_requests.models import OPEN_STATES, DocumentRequest, ServiceRequest


def decision_date_of(
    request: ServiceRequest, document_requests: Iterable[DocumentRequest] | None = None
) -> date | None:
    """The day the request's implicit decision holds, from its receipt, the silence rule and
    delay of the form version it was filed under, and its documents requests: the one call of
    `deadlines.implicit_decision_date` that every stored date comes from. None for a draft, a
    procedure without implicit decision, an acceptance clock waiting for pieces, or a request
    reopened after its decision.

    `document_requests` spares a query when the caller already loaded them (the sweep does, a
    batch at a time)."""
    if request.received_on is None:
        return None
    if request.implicit_decision_triggered_at is not None and request.status in OPEN_STATES:
        # Reopened after a decision (services.decisions.request_reopen): the silence rule
        # played once, no second implicit decision.
        return None
    if document_requests is None:
        document_requests = request.document_requests.all()
    version = request.form_version
    return implicit_decision_date(
        received_on=request.received_on,
        rule=version.silence_rule,
        delay=version.silence_delay,
        document_requests=[item.as_deadline_input() for item in document_requests],
    )


def open_document_request(request: ServiceRequest) -> DocumentRequest | None:
    return request.document_requests.filter(answered_on__isnull=True).first()


def due_badge(decision_due_on: date | None, today: date) -> str:
    """What an agent's list shows of the implicit decision date: « J-12 » while it is ahead,
    « échéance dépassée » from the day the decision holds, nothing when none can arise."""
    if decision_due_on is None:
        return ""
    days_left = (decision_due_on - today).days
    if days_left <= 0:
        return "échéance dépassée"
    return f"J-{days_left}"


def delay_label(delay: str) -> str:
    """« 2 mois », « 30 jours », « 1 semaine »: a procedure's delay as letters print it."""
    return describe_delay(delay)


def citizen_email_of(request: ServiceRequest) -> str:
    """Where the citizen is written to: their record's address, else the one given when filing."""
    if request.citizen_id and request.citizen.email:
        return request.citizen.email
    return request.contact_email


def citizen_name_of(request: ServiceRequest) -> str:
    if request.citizen_id:
        return request.citizen.display_name
    return request.contact_name


def team_email_of(request: ServiceRequest) -> str:
    team = request.team or request.procedure.default_team
    return team.email


def agent_email_of(request: ServiceRequest) -> str:
    """The assignee's address, or the team's when nobody is assigned."""
    if request.assignee_id and request.assignee.email:
        return request.assignee.email
    return team_email_of(request)
