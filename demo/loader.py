"""Loads the demo data (`demo.demo_data`) into the database, idempotently.

Reference rows (teams, accounts, citizens, démarches) are found by their natural key and put
back to their demo values when someone changed them; a save happens only when a value differs,
so a second run writes nothing. A request is created once, with its whole timeline, and never
touched again: agents may work it during a demo, and its events are append-only anyway. A
published form version is never rewritten (a database trigger forbids it).
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from unittest import mock

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt as mfa_decrypt
from allauth.mfa.utils import encrypt as mfa_encrypt
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from citizens.models import Citizen, Organisation, Representation
from demo import demo_data
from forms_builder.models import FormVersion, Procedure
from gru.models import Membership, Team, User
from service_requests.deadlines import implicit_decision_date
from service_requests.identifiers import new_tracking_token
from service_requests.models import (
    FINAL_STATES,
    DocumentRequest,
    Event,
    Interaction,
    Message,
    ServiceRequest,
    Status,
)

DEMO_PASSWORD = "demo-gru-2026"  # noqa: S105 - published on purpose: demo accounts only
# Agents must pass a TOTP second factor. Every demo agent shares this published secret (base32),
# so that a tester adds it once to an authenticator app (or runs `oathtool --totp -b SECRET`).
# A secret of its own per agent, printed once, would be safer and useless for a demo.
DEMO_TOTP_SECRET = "GRUDEMOAGENTSTOTPVILLEDEMOPUBLIC"  # noqa: S105 - demo accounts only


@dataclass
class DemoAccount:
    email: str
    name: str
    role: str
    team: str


@dataclass
class DemoSummary:
    counts: dict[str, int] = field(default_factory=dict)
    created: int = 0  # rows
    updated: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)
    admin_email: str = ""
    passwords_kept: int = 0  # existing accounts whose password was left alone

    def lines(self) -> list[str]:
        c = self.counts
        lines = [
            f"Données de démonstration chargées pour « {settings.AUTHORITY_NAME} » : "
            f"{c['teams']} équipes, {c['agents']} agents, {c['citizens']} usagers "
            f"(dont {c['citizen_accounts']} avec un compte), {c['organisations']} association, "
            f"{c['procedures']} démarches, {c['requests']} demandes, {c['events']} événements.",
            f"Lignes créées : {self.created} ; mises à jour : {self.updated}."
            if self.created or self.updated
            else "Rien à changer : la démonstration était déjà en place.",
            "",
            f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})",
        ]
        rows = [DemoAccount("Courriel", "Nom", "Rôle", "Équipe"), *self.accounts]
        widths = [max(len(getattr(row, col)) for row in rows) for col in ("email", "name", "role")]
        for row in rows:
            cells = zip((row.email, row.name, row.role), widths, strict=True)
            lines.append("  ".join(["", *(text.ljust(width) for text, width in cells), row.team]))
        lines.append(f"Administration Django (/admin/) : {self.admin_email}")
        lines.append(
            "Double authentification des agents : ajoutez le secret TOTP de démonstration "
            f"{DEMO_TOTP_SECRET} à une application d'authentification (ou "
            f"« oathtool --totp -b {DEMO_TOTP_SECRET} »), puis saisissez le code à 6 chiffres "
            "après le mot de passe."
        )
        if self.passwords_kept:
            lines.append(
                "Les comptes qui existaient déjà gardent leur mot de passe "
                "(« load_demo --reset-passwords » remet celui de la démonstration)."
            )
        return lines


@transaction.atomic
def load_demo(*, reset_passwords: bool = False) -> DemoSummary:
    """Create or restore the demo data; return what there is and what changed."""
    summary = DemoSummary()
    teams = {
        values["slug"]: _sync(Team, {"slug": values["slug"]}, values, summary)[0]
        for values in demo_data.teams()
    }
    users = {
        agent.email: _sync_agent(agent, teams, summary, reset_passwords)
        for agent in demo_data.AGENTS
    }
    citizens = {
        person.key: _sync_citizen(person, summary, reset_passwords) for person in demo_data.CITIZENS
    }
    organisations = {
        values["rna"]: _sync(Organisation, {"rna": values["rna"]}, values, summary)[0]
        for values in demo_data.ORGANISATIONS
    }
    for key, rna, role in demo_data.REPRESENTATIONS:
        lookup = {"citizen": citizens[key], "organisation": organisations[rna]}
        _sync(Representation, lookup, {"role": role}, summary)
    versions = {
        values["slug"]: _sync_procedure(values, teams, summary) for values in demo_data.procedures()
    }
    world = _World(users, citizens, organisations, versions)
    for index, spec in enumerate(demo_data.REQUESTS):
        _create_request(spec, index, world, summary)

    references = [spec.reference for spec in demo_data.REQUESTS]
    summary.counts = {
        "teams": len(teams),
        "agents": len(users),
        "citizens": len(citizens),
        "citizen_accounts": sum(1 for citizen in citizens.values() if citizen.user_id),
        "organisations": len(organisations),
        "procedures": len(versions),
        "requests": len(references),
        "events": Event.objects.filter(request__reference__in=references).count(),
    }
    return summary


# --- Reference rows ---------------------------------------------------------------------------


def _sync(model: type[models.Model], lookup: dict, values: dict, summary: DemoSummary):
    """get_or_create, then put back the demo values that differ; save only what changed."""
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    if created:
        summary.created += 1
        return obj, True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            changed.append("updated_at")
        obj.save(update_fields=changed)
        summary.updated += 1
    return obj, False


def _sync_user(email: str, values: dict, summary: DemoSummary, reset_password: bool) -> User:
    user, created = _sync(User, {"email__iexact": email}, {"email": email, **values}, summary)
    if created or (reset_password and not user.check_password(DEMO_PASSWORD)):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        summary.updated += not created
    elif not reset_password:
        summary.passwords_kept += 1
    # allauth (mandatory verification) lets an account log in by a verified address only.
    verified = {"verified": True, "primary": True}
    _sync(EmailAddress, {"user": user, "email": email}, verified, summary)
    return user


def _sync_totp(user: User, summary: DemoSummary) -> None:
    """The demo agent's TOTP authenticator, on the published demo secret, and recovery codes."""
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None:
        TOTP.activate(user, DEMO_TOTP_SECRET)
        summary.created += 1
    elif mfa_decrypt(totp.data["secret"]) != DEMO_TOTP_SECRET:
        totp.data = {**totp.data, "secret": mfa_encrypt(DEMO_TOTP_SECRET)}
        totp.save(update_fields=["data"])
        summary.updated += 1
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)
        summary.created += 1


def _sync_agent(agent: demo_data.Agent, teams, summary, reset_passwords) -> User:
    values = {
        "first_name": agent.first_name,
        "last_name": agent.last_name,
        "job_title": agent.job_title,
        "is_staff": agent.is_superuser,  # the Django admin is for the administrator only
        "is_superuser": agent.is_superuser,
    }
    user = _sync_user(agent.email, values, summary, reset_passwords)
    _sync_totp(user, summary)
    team = teams[agent.team]
    _sync(Membership, {"user": user, "team": team}, {"role": agent.role}, summary)
    role = str(Membership.Role(agent.role).label)
    summary.accounts.append(DemoAccount(agent.email, user.get_full_name(), role, team.name))
    if agent.is_superuser:
        summary.admin_email = agent.email
    return user


def _sync_citizen(person: demo_data.Person, summary: DemoSummary, reset_passwords: bool) -> Citizen:
    values = {
        "given_names": person.given_names,
        "family_name": person.family_name,
        "birth_date": person.birth_date,
        **person.values,
    }
    if not person.has_account:
        # Counter-created citizens have no other natural key than who they are.
        lookup = {key: values[key] for key in ("given_names", "family_name", "birth_date")}
        return _sync(Citizen, lookup, values, summary)[0]
    email = person.values["email"]
    names = {"first_name": person.given_names, "last_name": person.family_name}
    user = _sync_user(email, names, summary, reset_passwords)
    role = "Usager (FranceConnect)" if person.values.get("franceconnect_sub") else "Usager"
    summary.accounts.append(DemoAccount(email, user.get_full_name(), role, "—"))
    return _sync(Citizen, {"user": user}, values, summary)[0]


def _sync_procedure(values: dict, teams: dict[str, Team], summary: DemoSummary) -> FormVersion:
    values = dict(values)
    schema = values.pop("schema")
    values["default_team"] = teams[values.pop("team")]
    procedure, _ = _sync(Procedure, {"slug": values["slug"]}, values, summary)
    # A published version never changes: when the demo's form or silence rule differs from
    # the latest published one (a database loaded by an older demo), publish the next one.
    latest = procedure.versions.filter(published_at__isnull=False).order_by("-number").first()
    wanted = {
        "schema": schema,
        "silence_rule": procedure.silence_rule,
        "silence_delay": procedure.silence_delay,
    }
    if latest is not None and all(getattr(latest, key) == value for key, value in wanted.items()):
        return latest
    version = FormVersion.objects.create(
        procedure=procedure,
        number=latest.number + 1 if latest is not None else 1,
        published_at=timezone.now(),
        **wanted,
    )
    summary.created += 1
    return version


# --- Requests and their timelines ----------------------------------------------------------


@dataclass
class _World:
    users: dict[str, User]
    citizens: dict[str, Citizen]
    organisations: dict[str, Organisation]
    versions: dict[str, FormVersion]


@contextmanager
def _recorded_at(moment: datetime):
    """Let the automatic stamps (created_at, history dates) say when the demo story happened
    rather than when it was loaded: a timeline all dated today would tell nothing."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@dataclass
class _Outcome:
    """Where a request's story leaves it, and when each step happened."""

    status: str
    decision_due_on: date | None
    decided_on: date | None
    moments: list[datetime]


# The demo's documents requests are answered within this many days of being asked.
DOCUMENTS_DEADLINE_DAYS = 15


def _outcome(spec, version: FormVersion, start: date, minute: int, now: datetime) -> _Outcome:
    due_on = None
    if not spec.draft:
        # Pieces asked and not yet received: the demo tells no story of their arrival.
        document_requests = [
            (asked_on, None, asked_on + timedelta(days=DOCUMENTS_DEADLINE_DAYS))
            for asked_on in (
                start + timedelta(days=step.day)
                for step in spec.steps
                if step.kind == "documents_requested"
            )
        ]
        due_on = implicit_decision_date(
            received_on=start,
            rule=version.silence_rule,
            delay=version.silence_delay,
            document_requests=document_requests,
        )
    status, decided_on, moments = Status.DRAFT if spec.draft else Status.SUBMITTED, None, []
    # Each step an hour after the last; an implicit decision at night, when the timer runs.
    for hour, step in enumerate(spec.steps, start=10):
        day = due_on if step.day is None else start + timedelta(days=step.day)
        moments.append(_moment(day, 3 if step.day is None else min(hour, 18), minute, now))
        if step.status:
            status = step.status
            if status in FINAL_STATES and status != Status.WITHDRAWN:
                decided_on = day
    return _Outcome(status, due_on, decided_on, moments)


def _create_request(spec: demo_data.DemoRequest, index: int, world: _World, summary: DemoSummary):
    if ServiceRequest.objects.filter(reference=spec.reference).exists():
        return
    now = timezone.now()
    version = world.versions[spec.procedure]
    citizen = world.citizens[spec.citizen] if spec.citizen else None
    citizen_user = citizen.user if citizen else None
    start = timezone.localdate() - timedelta(days=spec.days_ago)
    minute = 7 * index  # requests spread over the morning
    opened_at = _moment(start + timedelta(days=spec.entered_after), 9, minute, now)
    outcome = _outcome(spec, version, start, minute, now)

    with _recorded_at(opened_at):
        request = ServiceRequest.objects.create(
            reference=spec.reference,
            tracking_token=new_tracking_token(),
            procedure=version.procedure,
            form_version=version,
            data=_resolve_dates(spec.data, start),
            channel=spec.channel,
            citizen=citizen,
            organisation=world.organisations.get(spec.organisation),
            # Routing happens on submission: a draft is in no team's queue yet.
            team=None if spec.draft else version.procedure.default_team,
            assignee=world.users.get(spec.assignee),
            filed_by=world.users.get(spec.filed_by),
            status=outcome.status,
            received_on=None if spec.draft else start,
            decision_due_on=outcome.decision_due_on,
            decided_on=outcome.decided_on,
            implicit_decision_triggered_at=outcome.moments[-1]
            if outcome.status == Status.ACCEPTED_IMPLICITLY
            else None,
            submitted_at=None if spec.draft else opened_at,
            **spec.contact,
        )
        summary.created += 1
        if spec.draft:
            return
        actor = world.users.get(spec.filed_by) or citizen_user
        payload = {"channel": spec.channel, "filed_on_behalf": bool(spec.filed_by)}
        _event(request, Event.Kind.SUBMITTED, actor, payload, summary, citizen_sees=True)
        team = request.team
        _event(request, Event.Kind.ROUTED, None, {"team_id": team.pk, "team": team.name}, summary)

    previous = Status.SUBMITTED
    for step, moment in zip(spec.steps, outcome.moments, strict=True):
        with _recorded_at(moment):
            actor = world.users[step.actor] if step.actor else citizen_user
            previous = _play(request, step, actor, previous, world, summary, now)
    for contact in spec.contacts:
        # Same minute as the filing: the counter visit is when the request was entered.
        occurred_at = _moment(start + timedelta(days=contact.day), contact.hour, minute, now)
        with _recorded_at(occurred_at):
            agent = world.users[contact.agent]
            Interaction.objects.create(
                citizen=citizen,
                request=request,
                channel=contact.channel,
                direction=contact.direction,
                agent=agent,
                team=agent.teams.first(),
                occurred_at=occurred_at,
                summary=contact.summary,
            )
        summary.created += 1


def _play(request, step, actor, previous, world, summary, now) -> str:
    """Record one step of the story; return the status it leaves the request in."""
    kind, moment = step.kind, timezone.now()
    if kind == "message":
        to_citizen = step.direction == Message.Direction.TO_CITIZEN
        # The citizen has not yet opened the last answers on a request still open.
        unread = to_citizen and request.is_open
        message = Message.objects.create(
            request=request,
            author=actor,
            direction=step.direction,
            body=step.text,
            read_at=None if unread else min(moment + timedelta(hours=2), now),
        )
        summary.created += 1
        payload = {"message_id": message.pk, "direction": step.direction}
        _event(request, Event.Kind.MESSAGE, actor, payload, summary, citizen_sees=True)
        return previous
    if kind == "assigned":
        assignee = world.users[step.assignee]
        payload = {"assignee_id": assignee.pk, "assignee": assignee.get_full_name()}
        _event(request, Event.Kind.ASSIGNED, actor, payload, summary)
        return previous
    if kind == "note":
        _event(request, Event.Kind.NOTE, actor, {"text": step.text}, summary)
        return previous
    if kind == "documents_requested":
        asked_on = timezone.localdate()
        document_request = DocumentRequest.objects.create(
            request=request,
            asked_on=asked_on,
            answer_deadline=asked_on + timedelta(days=DOCUMENTS_DEADLINE_DAYS),
            pieces=list(step.documents),
            asked_by=actor,
        )
        summary.created += 1
        payload = {
            "document_request_id": document_request.pk,
            "documents": document_request.pieces,
            "deadline": document_request.answer_deadline.isoformat(),
        }
        _event(request, Event.Kind.DOCUMENTS_REQUESTED, actor, payload, summary, citizen_sees=True)
        return previous
    payload = {"from": previous, "to": step.status}
    if kind == "decision":
        outcome = "accepted" if step.status == Status.ACCEPTED else "rejected"
        payload |= {"outcome": outcome, "motive": step.text}
    elif kind == "withdrawn":
        payload["reason"] = step.text
    elif kind == "implicit_decision":
        version = request.form_version
        payload |= {
            "rule": version.silence_rule,
            "delay": version.silence_delay,
            "due_on": request.decision_due_on.isoformat(),
        }
        actor = None  # the timer decides, not a person
    elif step.text:
        payload["comment"] = step.text
    _event(request, kind, actor, payload, summary, citizen_sees=True)
    return step.status


def _event(request, kind, actor, payload, summary, *, citizen_sees: bool = False) -> None:
    visibility = Event.Visibility.CITIZEN if citizen_sees else Event.Visibility.INTERNAL
    Event.objects.create(
        request=request, kind=kind, actor=actor, visibility=visibility, payload=payload
    )
    summary.created += 1


def _moment(day: date, hour: int, minute: int, now: datetime) -> datetime:
    """That day at that time in the authority's time zone, but never in the future."""
    moment = timezone.make_aware(datetime.combine(day, time(hour, minute % 60)))
    return min(moment, now)


def _resolve_dates(data: dict, start: date) -> dict:
    return {
        name: (start + timedelta(days=value.days)).isoformat()
        if isinstance(value, demo_data.After)
        else value
        for name, value in data.items()
    }
