"""Handling a request in the back office without deciding it: who works it (take, assign,
unassign), which team (transfer, routing again), the start of instruction, internal notes.

Each service locks the row, refuses a request that changed since the agent's screen showed it
(`seen_event_id`), makes its change and writes its event in one transaction. Who may call them
for which request is `service_requests.permissions`; these check the state and the data.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from gru.models import Membership, Team, User
from service_requests import lifecycle
from service_requests.models import OPEN_STATES, Event, ServiceRequest, Status
from service_requests.permissions import ANSWERERS
from service_requests.routing import route, routed_payload
from service_requests.services._common import check_fresh, lock, record
from service_requests.services.agent_notifications import agents_notify_of_event
from service_requests.services.errors import TransitionRefused
from service_requests.services.notifications import notify_citizen_on_commit

MAX_NOTE_LENGTH = 5000
MAX_REASON_LENGTH = 1000


def _open(locked: ServiceRequest) -> None:
    if locked.status not in OPEN_STATES:
        raise TransitionRefused(
            f"Cette demande n'est plus en cours : elle est {locked.get_status_display().lower()}."
        )


def _checked_text(text: str, *, empty: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(empty)
    if len(text) > limit:
        raise ValidationError(f"Le texte dépasse {limit} caractères : raccourcissez-le.")
    return text


def may_work_on(user: User, team: Team | None) -> bool:
    """Whether `user` answers the requests of `team` (the assignee of its requests must): its
    instructors, managers and front desk agents (permissions.ANSWERERS)."""
    if team is None:
        return False
    return Membership.objects.filter(
        user=user, team=team, role__in=sorted(ANSWERERS), user__is_active=True
    ).exists()


def request_assign(
    *,
    request: ServiceRequest,
    actor: User,
    assignee: User | None,
    seen_event_id: int | None = None,
) -> ServiceRequest:
    """Give the request to `assignee` (None: to nobody), who must instruct in its team. Taking a
    request that was just received starts its instruction (the citizen sees « en cours »)."""
    with transaction.atomic():
        locked = lock(request)
        check_fresh(locked, seen_event_id)
        _open(locked)
        if assignee is not None and not may_work_on(assignee, locked.team):
            raise ValidationError(
                f"{assignee.get_full_name() or assignee.email} ne traite pas les demandes de "
                f"l'équipe {locked.team.name if locked.team else ''} : choisissez un de ses "
                "membres."
            )
        if assignee is None and locked.assignee_id is None:
            raise TransitionRefused("Cette demande n'est attribuée à personne.")
        if assignee is not None and locked.assignee_id == assignee.pk:
            raise TransitionRefused("Cette demande est déjà attribuée à cette personne.")
        previous = locked.assignee_id
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        payload = {
            "assignee": assignee.pk if assignee else None,
            "assignee_name": assignee.get_full_name() if assignee else "",
            "previous": previous,
        }
        assigned = record(locked, Event.Kind.ASSIGNED, actor=actor, payload=payload)
        # Agents' emails (issue 10, point 11): the new assignee is told, as they chose.
        agents_notify_of_event(assigned)
        if assignee is not None and locked.status == Status.SUBMITTED:
            event = lifecycle.change_status(locked, "start_review", actor=actor, payload={})
            notify_citizen_on_commit(event)
    return locked


def request_start_review(
    *, request: ServiceRequest, actor: User, seen_event_id: int | None = None
) -> ServiceRequest:
    with transaction.atomic():
        locked = lock(request)
        check_fresh(locked, seen_event_id)
        event = lifecycle.change_status(locked, "start_review", actor=actor, payload={})
        notify_citizen_on_commit(event)
    return locked


def request_transfer(
    *,
    request: ServiceRequest,
    actor: User,
    team: Team,
    reason: str,
    seen_event_id: int | None = None,
) -> ServiceRequest:
    """Send the request to another team, with the reason; nobody there is assigned yet."""
    reason = _checked_text(
        reason, empty="Indiquez pourquoi la demande change d'équipe.", limit=MAX_REASON_LENGTH
    )
    with transaction.atomic():
        locked = lock(request)
        check_fresh(locked, seen_event_id)
        _open(locked)
        if not team.is_active:
            raise ValidationError("Cette équipe n'est plus active.")
        if locked.team_id == team.pk:
            raise ValidationError("La demande est déjà dans cette équipe.")
        previous = locked.team
        locked.team = team
        locked.assignee = None
        locked.save(update_fields=["team", "assignee", "updated_at"])
        payload = {
            "from_team": previous.pk if previous else None,
            "from_team_name": previous.name if previous else "",
            "team": team.pk,
            "team_name": team.name,
            "reason": reason,
        }
        record(locked, Event.Kind.TRANSFERRED, actor=actor, payload=payload)
    return locked


def request_reroute(
    *, request: ServiceRequest, actor: User, seen_event_id: int | None = None
) -> ServiceRequest:
    """Run the routing rules again on the request's answers (after a rule was added or fixed):
    the team they name, and the `routed` event that says which rule matched and why."""
    with transaction.atomic():
        locked = lock(request)
        check_fresh(locked, seen_event_id)
        _open(locked)
        team, rule = route(locked.procedure, locked.data)
        if team.pk != locked.team_id:
            locked.team = team
            locked.assignee = None
            locked.save(update_fields=["team", "assignee", "updated_at"])
        record(locked, Event.Kind.ROUTED, actor=actor, payload=routed_payload(team, rule))
    return locked


def request_add_note(*, request: ServiceRequest, actor: User, text: str) -> Event:
    """An internal note: for the agents, never shown to the citizen. Notes add and never
    overwrite: no staleness check."""
    text = _checked_text(text, empty="Écrivez la note avant de l'ajouter.", limit=MAX_NOTE_LENGTH)
    with transaction.atomic():
        locked = lock(request)
        if locked.status == Status.DRAFT:
            raise TransitionRefused("Cette demande n'a pas encore été déposée.")
        return record(locked, Event.Kind.NOTE, actor=actor, payload={"text": text})
