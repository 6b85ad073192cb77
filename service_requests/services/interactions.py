"""Logging a contact with a citizen, or with a caller who stays anonymous, on any channel.

The Interaction row is the whole record of a contact: the 360° view and the dashboards read it,
linked to a request or not. No Event is written for a contact linked to a request: the
lifecycle declares no contact kind (EVENT_PAYLOADS), an internal note would be a note nobody
wrote (and one a front desk agent may not add to another team's request), and the 360° view
that gathers events and contacts would show the same call twice. The case screen places the
request's contacts in its history from this table (`service_requests.cases.case_screen`).

Who may log a contact is `service_requests.permissions` (`may(user, "contact")`), checked by the
screens; this checks the data.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from citizens.models import Channel, Citizen
from gru.models import Membership, Team, User
from service_requests.lifecycle import CASE_WORKERS, FRONT_DESK
from service_requests.models import (
    Interaction,
    InteractionDirection,
    InteractionMotive,
    InteractionOutcome,
    ServiceRequest,
    Status,
)
from service_requests.permissions import scope_of

MAX_SUMMARY_LENGTH = 5000
MAX_CALLER_LENGTH = 200
MAX_DURATION_MINUTES = 600
MERGED = (
    "Cette fiche a été fusionnée avec une autre : ouvrez la fiche qui la remplace pour y "
    "consigner le contact."
)


def contact_team(agent: User) -> Team | None:
    """The team a contact logged by `agent` counts for: the first (by name) where they are at
    the front desk, else the first where they work cases, else their first team; None for a
    user in no active team."""
    memberships = scope_of(agent).memberships  # active teams, by name, read once per request
    for roles in ({FRONT_DESK}, CASE_WORKERS, None):
        for membership in memberships:
            if roles is None or membership.role in roles:
                return membership.team
    return None


def _check_team(agent: User, team: Team) -> None:
    if not team.is_active:
        raise ValidationError({"team": "Cette équipe n'est plus active."})
    if not Membership.objects.filter(user=agent, team=team).exists():
        raise ValidationError(
            {"team": f"Vous n'êtes pas membre de l'équipe {team.name} : choisissez la vôtre."}
        )


def _checked_when(occurred_at: datetime | None, now: datetime) -> datetime:
    if occurred_at is None:
        return now
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > now:
        raise ValidationError(
            {"occurred_at": "La date du contact est dans le futur : indiquez quand il a eu lieu."}
        )
    return occurred_at


def _checked_fields(
    *,
    channel: str,
    direction: str,
    summary: str,
    motive: InteractionMotive | None,
    outcome: str,
    duration_minutes: int | None,
    caller: str,
) -> dict[str, str]:
    """Every field's problem at once, in French, keyed by the argument's name."""
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = "Choisissez le canal du contact."
    if direction not in InteractionDirection.values:
        errors["direction"] = "Indiquez si l'usager vous a contacté ou si vous l'avez contacté."
    if not summary:
        errors["summary"] = "Résumez le contact en quelques mots."
    elif len(summary) > MAX_SUMMARY_LENGTH:
        errors["summary"] = f"Le résumé dépasse {MAX_SUMMARY_LENGTH} caractères : raccourcissez-le."
    if motive is not None and not motive.is_active:
        errors["motive"] = (
            f"Le motif « {motive.label} » n'est plus proposé : choisissez-en un autre."
        )
    if outcome and outcome not in InteractionOutcome.values:
        errors["outcome"] = "Choisissez la suite donnée dans la liste."
    if duration_minutes is not None and not 0 <= duration_minutes <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = (
            f"Indiquez une durée entre 0 et {MAX_DURATION_MINUTES} minutes."
        )
    if len(caller) > MAX_CALLER_LENGTH:
        errors["caller"] = f"{MAX_CALLER_LENGTH} caractères au plus pour l'interlocuteur."
    return errors


def _check_request(request: ServiceRequest, citizen: Citizen | None) -> None:
    if request.status == Status.DRAFT:
        raise ValidationError({"request": "Cette demande n'a pas encore été déposée."})
    if citizen is not None and request.citizen_id != citizen.pk:
        raise ValidationError(
            {"request": f"La demande {request.reference} n'est pas une demande de cet usager."}
        )


def interaction_log(
    *,
    agent: User,
    channel: str,
    direction: str,
    summary: str,
    motive: InteractionMotive | None = None,
    outcome: str = "",
    duration_minutes: int | None = None,
    occurred_at: datetime | None = None,
    citizen: Citizen | None = None,
    request: ServiceRequest | None = None,
    caller: str = "",
    team: Team | None = None,
    idempotency_key=None,
) -> Interaction:
    """Record one contact `agent` had, now or earlier (never later than now), with `citizen`
    or an anonymous caller (`caller` may say how they introduced themselves), optionally
    about `request`, which must then be one of the citizen's filed requests. It counts for
    `team`, by default the agent's team for contacts (`contact_team`). Refusals are
    ValidationErrors keyed by the argument concerned, in French; nothing is written then.

    Once per `idempotency_key` (the form's): a double click or a replayed POST gets the contact
    the first one logged, by the same agent, and logs nothing more."""
    summary, caller = (summary or "").strip(), (caller or "").strip()
    errors = _checked_fields(
        channel=channel,
        direction=direction,
        summary=summary,
        motive=motive,
        outcome=outcome or "",
        duration_minutes=duration_minutes,
        caller=caller,
    )
    if errors:
        raise ValidationError(errors)
    if idempotency_key is not None:
        logged = _logged_with(idempotency_key, agent)
        if logged is not None:
            return logged
    with transaction.atomic():
        when = _checked_when(occurred_at, timezone.now())
        if citizen is not None:
            # As it is now: a record merged since the screen was drawn takes no new contact.
            citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
            if citizen.merged_into_id is not None:
                raise ValidationError({"citizen": MERGED})
        if request is not None:
            _check_request(ServiceRequest.objects.get(pk=request.pk), citizen)
        if team is None:
            team = contact_team(agent)
        else:
            _check_team(agent, team)
        contact = Interaction(
            citizen=citizen,
            request=request,
            channel=channel,
            direction=direction,
            agent=agent,
            team=team,
            occurred_at=when,
            summary=summary,
            motive=motive,
            outcome=outcome or "",
            duration_minutes=duration_minutes,
            caller=caller,
            idempotency_key=idempotency_key,
        )
        try:
            with transaction.atomic():
                contact.save(force_insert=True)
        except IntegrityError:  # the twin POST committed the same key first
            logged = _logged_with(idempotency_key, agent) if idempotency_key else None
            if logged is None:
                raise
            return logged
        return contact


def _logged_with(key, agent: User) -> Interaction | None:
    """The contact `agent` logged under `key`; a key another agent's contact holds is refused
    (only a forged form carries one)."""
    logged = Interaction.objects.filter(idempotency_key=key).first()
    if logged is not None and logged.agent_id != agent.pk:
        raise ValidationError({"idempotency_key": "Rechargez la page : elle est incomplète."})
    return logged
