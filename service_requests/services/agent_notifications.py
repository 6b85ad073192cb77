"""What an agent is told by email: a request assigned to them, a citizen who writes or sends the
pieces asked, an implicit decision born tomorrow. Each agent chooses per kind: at once, in the
morning digest, or never; the team managers cannot turn off the implicit decision's alert for
their teams' requests, for the authority answers for a decision nobody took.

The news is an `AgentNotification` row written in the transaction of what it tells (the
services call `agents_notify_of_event(event)` beside the event they record): a rolled-back
action leaves no row and sends nothing. An immediate one is sent by the worker through the
outbox (service_requests.outbox, a row written in the same transaction); the digest gathers,
once a day, each agent's rows still pending. Either stamps the row in the transaction that
sends, so that nothing goes twice. An immediate email still pending after an hour (the mail
server down) goes in the next digest if the outbox has not sent it by then.

The emails name the request, its démarche and the link to the case screen, never what the
citizen wrote: an agent's mailbox is not the place for personal data the back office guards.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from gru.models import Membership, User
from service_requests import lifecycle, outbox
from service_requests.models import (
    OPEN_STATES,
    AgentNotification,
    AgentNotificationDelivery,
    AgentNotificationKind,
    AgentNotificationPreference,
    Event,
    EventKind,
    Message,
    ServiceRequest,
)
from service_requests.services.notices import _message

Kind = AgentNotificationKind
Delivery = AgentNotificationDelivery
State = AgentNotification.State
# The alert a team manager gets for their team's requests whatever they chose.
LEGAL_ALERT = Kind.IMPLICIT_DECISION_TOMORROW
# An immediate email still pending after this long lost its task: the digest sends it.
LOST_AFTER = timedelta(hours=1)
# News older than this is no news: the agent has met it in their queues since. A digest
# runs every morning, so this leaves a missed run to the next; and the demo, whose stories
# are played at past moments with their tasks discarded, leaves no backlog to email.
STALE_AFTER = timedelta(days=2)
DIGEST_TITLES = {
    Kind.ASSIGNED: "Demandes qui vous ont été attribuées",
    Kind.CITIZEN_REPLIED: "Messages et pièces des usagers",
    Kind.IMPLICIT_DECISION_TOMORROW: "Décisions implicites qui naissent demain",
}
TEMPLATES = {
    Kind.ASSIGNED: "agents/assigned",
    Kind.CITIZEN_REPLIED: "agents/citizen_replied",
    Kind.IMPLICIT_DECISION_TOMORROW: "agents/implicit_decision_tomorrow",
}


# --- Preferences --------------------------------------------------------------------------------


def is_team_manager(user: User) -> bool:
    return Membership.objects.filter(
        user=user, role=Membership.Role.TEAM_MANAGER, team__is_active=True
    ).exists()


def may_turn_off(user: User, kind: str) -> bool:
    """Whether `user` may choose « never » for `kind`: all but a team manager's legal alert."""
    return kind != LEGAL_ALERT or not is_team_manager(user)


def preferences_of(user: User) -> dict[str, str]:
    """The agent's choice for every kind; at once where they chose nothing."""
    chosen = dict(
        AgentNotificationPreference.objects.filter(user=user).values_list("kind", "delivery")
    )
    return {kind: chosen.get(kind, Delivery.IMMEDIATE) for kind in Kind.values}


def preferences_save(*, user: User, choices: Mapping[str, str]) -> dict[str, str]:
    """Record the agent's choices, kind by kind. A team manager's « never » for the legal
    alert is refused whatever the form let through (ValidationError keyed by the kind)."""
    errors = {}
    for kind, delivery in choices.items():
        if kind not in Kind.values or delivery not in Delivery.values:
            errors[kind] = "Ce choix n'existe pas : choisissez une des options proposées."
        elif delivery == Delivery.NEVER and not may_turn_off(user, kind):
            errors[kind] = (
                "En tant que responsable d'équipe, vous ne pouvez pas désactiver l'alerte "
                "de décision implicite : choisissez « tout de suite » ou « récapitulatif »."
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for kind, delivery in choices.items():
            AgentNotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"delivery": delivery}
            )
    return preferences_of(user)


def _deliveries(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    chosen = dict(
        AgentNotificationPreference.objects.filter(
            user_id__in=list(user_ids), kind=kind
        ).values_list("user_id", "delivery")
    )
    return defaultdict(lambda: Delivery.IMMEDIATE, chosen)


# --- Recording the news ---------------------------------------------------------------------------


def _record(
    request: ServiceRequest,
    kind: str,
    recipients: Mapping[int, bool],
    *,
    event: Event | None = None,
    due_on: date | None = None,
) -> list[AgentNotification]:
    """One row per recipient (user id -> whether the alert is forced on them) who did not
    choose « never »; the immediate ones are sent once the transaction commits. Recording the
    same news twice (a retried sweep) adds nothing."""
    deliveries = _deliveries(recipients, kind)
    recorded = []
    for user_id, forced in recipients.items():
        delivery = deliveries[user_id]
        if delivery == Delivery.NEVER:
            if not forced:
                continue
            delivery = Delivery.IMMEDIATE
        notification, created = AgentNotification.objects.get_or_create(
            user_id=user_id,
            kind=kind,
            event=event,
            request=request,
            due_on=due_on,
            defaults={"delivery": delivery},
        )
        if created:
            recorded.append(notification)
            if delivery == Delivery.IMMEDIATE:
                _send_on_commit(notification)
    return recorded


def _send_on_commit(notification: AgentNotification) -> None:
    from service_requests import tasks

    outbox.enqueue(
        tasks.send_agent_notification, notification.pk, request_id=notification.request_id
    )


def _active(user_ids: Iterable[int | None]) -> set[int]:
    ids = {pk for pk in user_ids if pk is not None}
    return set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))


def _team_members(team_id: int | None, roles: Iterable[str]) -> set[int]:
    if team_id is None:
        return set()
    return set(
        Membership.objects.filter(
            team_id=team_id,
            role__in=sorted(roles),
            user__is_active=True,
            user__api_client__isnull=True,  # an API client's technical user reads no email
        ).values_list("user_id", flat=True)
    )


def agents_notify_of_event(event: Event) -> list[AgentNotification]:
    """For the services, in the transaction that wrote `event`: record what it tells the
    agents. An assignment tells the new assignee, unless they took it themselves; a citizen's
    message (or the pieces they send) tells the assignee, else the team's case workers. Other
    events tell nobody."""
    request = event.request
    if event.kind == EventKind.ASSIGNED:
        assignee = event.payload.get("assignee")
        if assignee is None or assignee == event.actor_id:
            return []
        return _record(
            request, Kind.ASSIGNED, dict.fromkeys(_active([assignee]), False), event=event
        )
    if (
        event.kind == EventKind.MESSAGE
        and event.payload.get("direction") == Message.Direction.FROM_CITIZEN
    ):
        if request.assignee_id is not None:
            told = _active([request.assignee_id])
        else:
            told = _team_members(request.team_id, lifecycle.CASE_WORKERS)
        return _record(request, Kind.CITIZEN_REPLIED, dict.fromkeys(told, False), event=event)
    return []


def implicit_decision_alerts_record(*, today: date | None = None) -> int:
    """The day before an implicit decision is born, tell the request's assignee (as they
    chose) and its team's managers (always). One transaction per request; run again, it adds
    nothing. Returns the number of alerts recorded."""
    today = today or timezone.localdate()
    tomorrow = today + timedelta(days=1)
    requests = list(ServiceRequest.objects.open().filter(decision_due_on=tomorrow).order_by("pk"))
    managers: dict[int, set[int]] = defaultdict(set)
    for team_id, user_id in Membership.objects.filter(
        team_id__in={r.team_id for r in requests if r.team_id},
        role=Membership.Role.TEAM_MANAGER,
        user__is_active=True,
    ).values_list("team_id", "user_id"):
        managers[team_id].add(user_id)
    assignees = _active(r.assignee_id for r in requests)
    recorded = 0
    for request in requests:
        recipients = dict.fromkeys(managers.get(request.team_id, ()), True)
        if request.assignee_id in assignees:
            recipients.setdefault(request.assignee_id, False)
        with transaction.atomic():
            recorded += len(_record(request, LEGAL_ALERT, recipients, due_on=tomorrow))
    return recorded


# --- Sending --------------------------------------------------------------------------------------


def _stale_before():
    return timezone.now() - STALE_AFTER


def _case_url(request: ServiceRequest) -> str:
    return settings.SITE_URL + reverse("backoffice:case", args=[request.reference])


def _still_news(notification: AgentNotification, today: date) -> bool:
    """Whether the news still calls for an email: to an active agent, not older than
    `STALE_AFTER`, an assignment the agent still holds, an alert whose date still stands and
    has not passed. A citizen's recent message always does."""
    request = notification.request
    if not notification.user.is_active or notification.created_at < _stale_before():
        return False
    if notification.kind == Kind.ASSIGNED:
        return request.assignee_id == notification.user_id and request.status in OPEN_STATES
    if notification.kind == LEGAL_ALERT:
        return (
            request.status in OPEN_STATES
            and request.decision_due_on == notification.due_on
            and notification.due_on > today
        )
    return True


def _item(notification: AgentNotification) -> dict:
    request, event = notification.request, notification.event
    actor = event.actor if event is not None else None
    return {
        "notification": notification,
        "request": request,
        "procedure": request.procedure,
        "case_url": _case_url(request),
        "actor_name": (actor.get_full_name() or actor.email) if actor else "",
        "documents": bool(event and event.payload.get("document_request_id")),
        "silence_rule": request.form_version.silence_rule,
    }


def _pending(user_id: int | None = None):
    rows = AgentNotification.objects.filter(state=State.PENDING)
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    return rows.select_related(
        "user", "event__actor", "request__procedure", "request__form_version"
    )


def _stamp(notifications: Iterable[AgentNotification], state: str) -> None:
    AgentNotification.objects.filter(pk__in=[n.pk for n in notifications]).update(
        state=state, handled_at=timezone.now()
    )


def _preferences_url() -> str:
    return settings.SITE_URL + reverse("backoffice:preferences")


def agent_notification_send(*, notification_id: int) -> bool:
    """Send one immediate email, once; return whether it went. News no longer true (the
    request was given to someone else, decided, its date moved) is dropped unsent."""
    with transaction.atomic():
        notification = (
            _pending()
            .select_for_update(of=("self",), skip_locked=True)
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return False  # sent already, or a digest is sending it right now
        if not _still_news(notification, timezone.localdate()):
            _stamp([notification], State.DROPPED)
            return False
        context = _item(notification) | {
            "user": notification.user,
            "preferences_url": _preferences_url(),
        }
        message = _message(TEMPLATES[notification.kind], context, notification.user.email)
        _stamp([notification], State.SENT)
        message.send()
    return True


def _digest_rows(user_id: int | None = None):
    """What a digest carries: the news queued for it, and immediate emails whose task was
    lost."""
    lost = timezone.now() - LOST_AFTER
    return _pending(user_id).filter(
        Q(delivery=Delivery.DIGEST) | Q(delivery=Delivery.IMMEDIATE, created_at__lt=lost)
    )


def agent_digests_enqueue() -> int:
    """Enqueue one digest per agent who is owed news; return how many."""
    from service_requests import tasks

    # Dropped in bulk here rather than row by row in each digest: one statement, and no task
    # for an agent who is owed nothing else.
    AgentNotification.objects.filter(state=State.PENDING, created_at__lt=_stale_before()).update(
        state=State.DROPPED, handled_at=timezone.now()
    )
    user_ids = sorted(set(_digest_rows().values_list("user_id", flat=True)))
    outbox.enqueue_many(
        tasks.send_agent_digest, [[pk] for pk in user_ids], unique=True, outside_transaction=True
    )
    return len(user_ids)


def agent_digest_send(*, user_id: int) -> bool:
    """One email to the agent listing the news queued since their last digest, each item
    once (rows another run holds are skipped and stay for it); return whether it went."""
    today = timezone.localdate()
    with transaction.atomic():
        rows = list(
            _digest_rows(user_id)
            .select_for_update(of=("self",), skip_locked=True)
            .order_by("created_at", "pk")
        )
        current = [row for row in rows if _still_news(row, today)]
        _stamp([row for row in rows if row not in current], State.DROPPED)
        if not current:
            return False
        items = [_item(row) for row in current]
        sections = [
            {
                "kind": kind,
                "label": DIGEST_TITLES[kind],
                "items": [i for i in items if i["notification"].kind == kind],
            }
            for kind in Kind
        ]
        context = {
            "user": current[0].user,
            "today": today,
            "count": len(items),
            "sections": [section for section in sections if section["items"]],
            "preferences_url": _preferences_url(),
        }
        message = _message("agents/digest", context, current[0].user.email)
        _stamp(current, State.SENT)
        message.send()
    return True
