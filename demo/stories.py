"""The demo's requests, played through the services at the moments of their stories.

Each request of `demo_data.REQUESTS` is filed with `request_submit` (or saved as a draft with
`draft_save`), then every step of its story is the service an agent, the citizen or the
deadline sweep would call: assigning, asking for pieces, messages, notes, decisions with their
letter, closing, withdrawal, the implicit decision with its attestation. The demo therefore
holds exactly the rows, events and payloads the services write, and nothing the lifecycle
refuses; an agent takes only the actions the back office would offer them
(`service_requests.permissions.allowed_actions`), which the loader checks before each step.

The story happened in the past: during each step `django.utils.timezone.now` answers the
step's moment, so that the services' dates (receipt, decision due date, decision day, the
timeline's stamps, the files' folders) are the story's, not the day of loading.
"""

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from citizens.models import Citizen, Organisation
from demo import demo_data
from demo.files import stored_answer
from forms_builder.models import FormVersion
from gru.models import User
from service_requests import lifecycle, permissions
from service_requests.models import (
    AgentNotification,
    Document,
    DocumentRequest,
    Event,
    Interaction,
    InteractionDirection,
    InteractionMotive,
    Message,
    OutboxMessage,
    ServiceRequest,
)
from service_requests.services import (
    request_add_note,
    request_apply_implicit_decision,
    request_ask_documents,
    request_assign,
    request_close,
    request_decide,
    request_issue_implicit_decision_document,
    request_mark_complete,
    request_start_review,
    request_withdraw,
)
from service_requests.services.filing import draft_save, request_submit
from service_requests.services.interactions import interaction_log
from service_requests.services.messages import (
    message_post_from_agent,
    message_post_from_citizen,
    messages_mark_read_by_citizen,
)

# The demo's documents requests give the citizen this many days.
DOCUMENTS_DEADLINE_DAYS = 15
# Where the demo's idempotency keys come from: the same request gets the same key every load.
KEY_NAMESPACE = uuid.UUID("5b0f3c56-8e0b-4c6e-9a53-6a1f0d3e7d21")


@dataclass
class World:
    users: dict[str, User]
    citizens: dict[str, Citizen]
    organisations: dict[str, Organisation]
    versions: dict[str, FormVersion]


@contextmanager
def recorded_at(moment: datetime) -> Iterator[None]:
    """Let the services and the automatic stamps (created_at, history dates) say when the demo
    story happened rather than when it was loaded: a timeline all dated today would tell
    nothing. time-machine would do the same, but it is a test dependency only."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@contextmanager
def _reference(reference: str) -> Iterator[None]:
    """The filing draws a random reference; the demo's are fixed, so that a second load finds
    them and a demo can name them. The draw answers the demo's reference (its uniqueness is
    still checked by the filing and by the database)."""
    from service_requests.services import filing

    with ExitStack() as stack:
        stack.enter_context(
            mock.patch("service_requests.identifiers.new_reference", return_value=reference)
        )
        # The filing may hold its own name for the draw (`from … import new_reference`).
        if hasattr(filing, "new_reference"):
            stack.enter_context(mock.patch.object(filing, "new_reference", return_value=reference))
        yield


@contextmanager
def side_effects_discarded() -> Iterator[None]:
    """Run the block without what it enqueues for after the commit.

    The services enqueue their side effects with `transaction.on_commit`: the receipt and its
    email, the citizen's emails at each step, the implicit decision's notices. The demo's
    citizens are not to be emailed (their addresses end in .invalid, and the console would be
    flooded at each `make run`), so the whole load runs in one transaction and the callbacks
    the block registered are dropped before it commits, with the outbox rows the services
    wrote for them (`service_requests.outbox`: the beat catch-up would send them otherwise);
    the loader's other writes register none. Django's own `captureOnCommitCallbacks` reads the
    same list. What is not generated
    then is generated when first asked: the receipt on the citizen's first click
    (`tracking.receipt`); the implicit decision's attestation is made by the story itself."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("the demo's side effects are discarded inside its transaction only")
    kept = len(connection.run_on_commit)
    last_outbox_id = OutboxMessage.objects.aggregate(last=Max("pk"))["last"] or 0
    try:
        yield
    finally:
        del connection.run_on_commit[kept:]
        OutboxMessage.objects.filter(pk__gt=last_outbox_id).delete()


def create_requests(world: World) -> int:
    """File and play every demo request not in the database yet; return the rows created."""
    created = 0
    with side_effects_discarded():
        for index, spec in enumerate(demo_data.REQUESTS):
            if not ServiceRequest.objects.filter(reference=spec.reference).exists():
                created += _create(spec, index, world)
        # The agents' news of the demo's past (assignments, citizens' answers) was written for
        # their emails and digests: dropped too, so that no morning digest tells it.
        AgentNotification.objects.filter(
            request__reference__in=[spec.reference for spec in demo_data.REQUESTS],
            state=AgentNotification.State.PENDING,
        ).update(state=AgentNotification.State.DROPPED, handled_at=timezone.now())
    return created


def _moment(day: date, hour: int, minute: int, now: datetime) -> datetime:
    """That day at that time in the authority's time zone, but never in the future."""
    moment = timezone.make_aware(datetime.combine(day, time(hour, minute % 60)))
    return min(moment, now)


def _answers(data: dict, start: date) -> dict:
    """The form's answers: dates after receipt resolved, files uploaded (at the filing's
    moment, as the filing pages upload them)."""
    answers = {}
    for name, value in data.items():
        if isinstance(value, demo_data.After):
            value = (start + timedelta(days=value.days)).isoformat()
        elif isinstance(value, demo_data.Files):
            value = stored_answer(value.names)
        answers[name] = value
    return answers


def _create(spec: demo_data.DemoRequest, index: int, world: World) -> int:
    now = timezone.now()
    version = world.versions[spec.procedure]
    citizen = world.citizens[spec.citizen] if spec.citizen else None
    citizen_user = citizen.user if citizen else None
    filer = world.users.get(spec.filed_by)
    start = timezone.localdate() - timedelta(days=spec.days_ago)
    minute = 7 * index  # requests spread over the morning
    with recorded_at(_moment(start, 9, minute, now)), _reference(spec.reference):
        answers = _answers(spec.data, start)
        if spec.draft:
            request = draft_save(
                user=citizen_user, procedure=version.procedure, version=version, answers=answers
            )
        else:
            request = request_submit(
                procedure=version.procedure,
                version=version,
                answers=answers,
                idempotency_key=uuid.uuid5(KEY_NAMESPACE, spec.reference),
                citizen=citizen,
                actor=filer or citizen_user,
                channel=spec.channel,
                organisation=world.organisations.get(spec.organisation),
                **spec.contact,
            ).request

    for hour, step in enumerate(spec.steps, start=10):
        request.refresh_from_db()
        if step.day is None:  # the sweep's night run, on the due date
            moment = _moment(request.decision_due_on, 3, minute, now)
        else:
            moment = _moment(start + timedelta(days=step.day), min(hour, 18), minute, now)
        with recorded_at(moment):
            _play(step, request, world, citizen_user)
    _read_by_citizen(request, now)
    for contact in spec.contacts:
        # Same minute as the filing: the counter visit is when the request was entered.
        occurred_at = _moment(start + timedelta(days=contact.day), contact.hour, minute, now)
        with recorded_at(occurred_at):
            _log_contact(request, citizen, contact, world)
    return _rows_of(request)


def _check_allowed(agent: User, request: ServiceRequest, action: str) -> None:
    """An agent of the demo does only what the back office offers them: a story that breaks
    the rules would show a timeline no one could have made."""
    if action not in permissions.allowed_actions(agent, request):
        raise ValueError(f"{request.reference}: {agent.email} may not {action} now")


def _play(step: demo_data.Step, request: ServiceRequest, world: World, citizen_user) -> None:
    """One step of the story, through the service that does it."""
    agent = world.users.get(step.actor)
    action, call = _ACTIONS[step.action](step, request, world, agent, citizen_user)
    if agent is not None and action is not None:
        _check_allowed(agent, request, action)
    call()


def _assign(step, request, world, agent, citizen_user):
    assignee = world.users[step.assignee]
    action = "take" if assignee == agent else "assign"
    return action, lambda: request_assign(request=request, actor=agent, assignee=assignee)


def _start_review(step, request, world, agent, citizen_user):
    return "start_review", lambda: request_start_review(request=request, actor=agent)


def _ask_documents(step, request, world, agent, citizen_user):
    def call():
        deadline = timezone.localdate() + timedelta(days=DOCUMENTS_DEADLINE_DAYS)
        request_ask_documents(
            request=request, actor=agent, pieces=list(step.documents), answer_deadline=deadline
        )

    return "ask_documents", call


def _mark_complete(step, request, world, agent, citizen_user):
    return "mark_complete", lambda: request_mark_complete(request=request, actor=agent)


def _note(step, request, world, agent, citizen_user):
    return "note", lambda: request_add_note(request=request, actor=agent, text=step.text)


def _to_citizen(step, request, world, agent, citizen_user):
    return "message", lambda: message_post_from_agent(request, agent, step.text)


def _from_citizen(step, request, world, agent, citizen_user):
    def call():
        message_post_from_citizen(request=request, body=step.text, author=citizen_user)

    return None, call


def _decide(step, request, world, agent, citizen_user):
    action = lifecycle.DECISION_TRANSITIONS[step.outcome]
    return action, lambda: request_decide(
        request=request, actor=agent, outcome=step.outcome, motive=step.text
    )


def _close(step, request, world, agent, citizen_user):
    return "close", lambda: request_close(
        request=request, actor=agent, closure=step.outcome, motive=step.text
    )


def _withdraw(step, request, world, agent, citizen_user):
    by = "agent" if agent is not None else "citizen"
    actor = agent if agent is not None else citizen_user
    return "withdraw", lambda: request_withdraw(
        request=request, actor=actor, reason=step.text, by=by
    )


def _implicit_decision(step, request, world, agent, citizen_user):
    def call():
        # The sweep's decision, then the part of its delivery that is no email: the
        # attestation (or the rejection notice) kept with the request.
        if not request_apply_implicit_decision(request=request, notify=False):
            raise ValueError(f"{request.reference}: no implicit decision is due")
        request_issue_implicit_decision_document(request=request)

    return None, call


_ACTIONS: dict[str, Callable] = {
    "assign": _assign,
    "start_review": _start_review,
    "ask_documents": _ask_documents,
    "mark_complete": _mark_complete,
    "note": _note,
    "to_citizen": _to_citizen,
    "from_citizen": _from_citizen,
    "decide": _decide,
    "close": _close,
    "withdraw": _withdraw,
    "implicit_decision": _implicit_decision,
}
ACTIONS = frozenset(_ACTIONS)


def _read_by_citizen(request: ServiceRequest, now: datetime) -> None:
    """The citizen has read the agents' answers of a request that is over, two hours after
    each came; those of a request still open wait for them."""
    request.refresh_from_db()
    if request.is_open:
        return
    for message in request.messages.filter(direction=Message.Direction.TO_CITIZEN):
        with recorded_at(min(message.created_at + timedelta(hours=2), now)):
            messages_mark_read_by_citizen(messages=[message])


def _motive(label: str) -> InteractionMotive:
    """A motive of the starting list (service_requests 0013), put back if an administrator
    removed it or a test emptied the table."""
    return InteractionMotive.objects.get_or_create(label=label)[0]


def _log_contact(request, citizen, contact: demo_data.Contact, world: World) -> None:
    """A counter visit or a call about the request, logged as the contact screen logs it."""
    motive = _motive(contact.motive) if contact.motive else None
    interaction_log(
        agent=world.users[contact.agent],
        channel=contact.channel,
        direction=contact.direction,
        summary=contact.summary,
        motive=motive,
        outcome=contact.outcome,
        duration_minutes=contact.duration_minutes,
        citizen=citizen,
        request=request,
    )


def create_contacts(world: World) -> int:
    """Log the demo's contacts about no request, each once (a contact has no natural key: the
    same agent and summary is taken for the same contact)."""
    now, created = timezone.now(), 0
    for contact in demo_data.CONTACTS:
        agent = world.users[contact.agent]
        day = timezone.localdate(now) - timedelta(days=contact.days_ago)
        occurred_at = _moment(day, contact.hour, 0, now)
        if Interaction.objects.filter(agent=agent, summary=contact.summary).exists():
            continue
        interaction_log(
            agent=agent,
            channel=contact.channel,
            direction=InteractionDirection.INBOUND,
            summary=contact.summary,
            motive=_motive(contact.motive),
            outcome=contact.outcome,
            duration_minutes=contact.duration_minutes,
            occurred_at=occurred_at,
            citizen=world.citizens[contact.citizen] if contact.citizen else None,
            caller=contact.caller,
        )
        created += 1
    return created


def _rows_of(request: ServiceRequest) -> int:
    """The rows the request's story made: the request and what hangs on it."""
    related = (Event, Message, Document, DocumentRequest, Interaction)
    return 1 + sum(model.objects.filter(request=request).count() for model in related)
