"""Loads the demo data (`demo.demo_data`) into the database, idempotently.

Reference rows (teams, accounts, citizens, démarches) are found by their natural key and put
back to their demo values when someone changed them; a save happens only when a value differs,
so a second run writes nothing. A request is created once, its whole story played through the
services (`demo.stories`), and never touched again: agents may work it during a demo, and its
events are append-only anyway. A published form version is never rewritten (a database
trigger forbids it). The load is one transaction, and the emails and tasks the services
enqueue for after it are dropped (`demo.stories.side_effects_discarded`).
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt as mfa_decrypt
from allauth.mfa.utils import encrypt as mfa_encrypt
from django.conf import settings
from django.db import models, transaction

from citizens.models import Citizen, Organisation, Relationship, Representation
from demo import demo_data
from demo.stories import World, create_contacts, create_requests
from forms_builder.models import FormVersion, Procedure
from forms_builder.services import form_version_publish
from gru.models import Membership, Team, User
from service_requests.models import Event

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
    organisations = {}
    for values in demo_data.ORGANISATIONS:
        key = demo_data.organisation_key(values)
        organisations[next(iter(key.values()))] = _sync(Organisation, key, values, summary)[0]
    for key, number, role in demo_data.REPRESENTATIONS:
        lookup = {"citizen": citizens[key], "organisation": organisations[number]}
        _sync(Representation, lookup, {"role": role}, summary)
    for parent, child, kind in demo_data.RELATIONSHIPS:
        lookup = {"from_citizen": citizens[parent], "to_citizen": citizens[child], "kind": kind}
        _sync(Relationship, lookup, {}, summary)
    versions = {
        values["slug"]: _sync_procedure(values, teams, summary) for values in demo_data.procedures()
    }
    world = World(users, citizens, organisations, versions)
    summary.created += create_requests(world)
    summary.created += create_contacts(world)

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
    draft = FormVersion.objects.create(
        procedure=procedure, number=latest.number + 1 if latest is not None else 1, **wanted
    )
    summary.created += 1
    return form_version_publish(version=draft)  # validated as the admin's are
