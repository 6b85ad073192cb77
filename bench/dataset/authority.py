"""The authority's organisation in the dataset: teams up to the number asked (the demo's five
first, then district town halls and business services), and agents for every team, the demo's
included, with their memberships."""

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.text import slugify

from bench.dataset import catalogue, texts
from bench.dataset.context import Clock, Counts, Ids
from bench.dataset.names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from bench.dataset.places import DISTRICTS
from bench.dataset.writer import Table, Writer
from gru.models import Membership, Team, User

Role = Membership.Role
GENERATED_DOMAIN = "dataset.invalid"  # every generated address ends with it (see wipe)
AGENTS_DOMAIN = f"agents.{GENERATED_DOMAIN}"
TEAMS_DOMAIN = f"equipes.{GENERATED_DOMAIN}"

USER_FIELDS = ("id", "password", "last_login", "is_superuser", "email", "first_name",
               "last_name", "job_title", "is_staff", "is_active", "date_joined")  # fmt: skip
TEAM_FIELDS = ("id", "name", "slug", "kind", "email", "phone", "postal_address", "is_active")


@dataclass
class TeamInfo:
    id: int
    name: str
    kind: str
    category: str
    email: str
    managers: list[int] = field(default_factory=list)
    workers: list[int] = field(default_factory=list)  # who may be assigned: instructors, managers
    front_desk: list[int] = field(default_factory=list)


@dataclass
class Authority:
    teams: list[TeamInfo]
    agent_names: dict[int, str]
    agent_team: dict[int, int]  # an agent's first team
    agent_emails: dict[int, str]

    @property
    def one_stop_shops(self) -> list[TeamInfo]:
        return [team for team in self.teams if team.kind == Team.Kind.ONE_STOP_SHOP]


def build(rng: random.Random, clock: Clock, ids: Ids, counts: Counts, writer: Writer,
          password: str) -> Authority:  # fmt: skip
    teams = _existing_teams()
    agent_names, agent_team, agent_emails = _existing_agents(teams)
    team_rows = _new_teams(rng, ids, teams, counts.teams - len(teams))
    writer.copy(Table.of(Team, TEAM_FIELDS), team_rows)
    users, memberships = _agents(
        rng, clock, ids, teams, (agent_names, agent_team, agent_emails), password
    )
    writer.copy(Table.of(User, USER_FIELDS), users)
    writer.copy(Table.of(Membership, ("id", "user_id", "team_id", "role", "created_at")),
                memberships)  # fmt: skip
    return Authority(teams, agent_names, agent_team, agent_emails)


def _existing_teams() -> list[TeamInfo]:
    slugs = catalogue.DEMO_TEAM_CATEGORIES
    return [
        TeamInfo(team.id, team.name, team.kind, slugs.get(team.slug, ""), team.email)
        for team in Team.objects.order_by("id")
    ]


def _existing_agents(teams: list[TeamInfo]) -> tuple[dict, dict, dict]:
    """The demo's agents: their names, first teams and addresses, by user id."""
    by_id = {team.id: team for team in teams}
    names, first_team, emails = {}, {}, {}
    for membership in Membership.objects.select_related("user").order_by("id"):
        team = by_id.get(membership.team_id)
        if team is None:
            continue
        _enrol(team, membership.user_id, membership.role)
        names[membership.user_id] = membership.user.get_full_name()
        emails[membership.user_id] = membership.user.email
        first_team.setdefault(membership.user_id, team.id)
    return names, first_team, emails


def _enrol(team: TeamInfo, user_id: int, role: str) -> None:
    if role == Role.FRONT_DESK:
        team.front_desk.append(user_id)
    elif role in (Role.INSTRUCTOR, Role.TEAM_MANAGER):
        team.workers.append(user_id)
        if role == Role.TEAM_MANAGER:
            team.managers.append(user_id)


def _new_teams(rng, ids, teams: list[TeamInfo], n: int) -> list[tuple]:
    if n <= 0:
        return []
    taken = set(Team.objects.values_list("slug", flat=True))
    names = set(Team.objects.values_list("name", flat=True))
    shops = round(n * 0.15) if n >= 4 else 0
    business = list(catalogue.BUSINESS_TEAMS)
    rng.shuffle(business)
    specs = [(f"Mairie de quartier {d}", Team.Kind.ONE_STOP_SHOP, "") for d in DISTRICTS]
    specs = specs[:shops]
    for index in range(n - shops):
        name, category = business[index % len(business)]
        if index >= len(business):
            name = f"{name} — {catalogue.SECTORS[(index // len(business) - 1) % 5]}"
            if index >= len(business) * 6:
                name = f"{name} {index // len(business)}"
        specs.append((name, Team.Kind.BUSINESS, category))
    rows = []
    for name, kind, category in specs:
        if name in names:
            continue
        slug = unique_slug(name, taken)
        team = TeamInfo(ids.take(Team), name, kind, category, f"{slug}@{TEAMS_DOMAIN}")
        teams.append(team)
        phone = f"02 23 62 {rng.randrange(100):02d} {rng.randrange(100):02d}"
        address = f"{settings.AUTHORITY_NAME}\n{name}\nHôtel de ville\n{settings.AUTHORITY_ADDRESS}"
        rows.append((team.id, name, slug, kind, team.email, phone, address, True))
    return rows


def unique_slug(text: str, taken: set[str], length: int = 80) -> str:
    base = slugify(text)[:length].strip("-")
    slug, n = base, 2
    while slug in taken:
        slug = f"{base[: length - 4]}-{n}"
        n += 1
    taken.add(slug)
    return slug


def _agents(rng, clock: Clock, ids, teams, known: tuple[dict, dict, dict], password):
    """Agents for every team, the demo's included, up to a plausible size."""
    names, first_team, addresses = known  # completed with the agents made here
    users, memberships, emails = [], [], set(User.objects.values_list("email", flat=True))
    joined = clock.datetime(clock.at(clock.start.toordinal() - 200, 9 * 3600))

    def agent(team: TeamInfo, role: str) -> int:
        female = rng.random() < 0.6
        first = rng.choice(FEMALE_GIVEN_NAMES if female else MALE_GIVEN_NAMES)
        last = rng.choice(FAMILY_NAMES)
        user_id = ids.take(User)
        email = _unique_email(f"{_ascii(first)}.{_ascii(last)}", AGENTS_DOMAIN, emails)
        title = rng.choice(texts.JOB_TITLES[role])
        login = clock.datetime(clock.now_ts - rng.randrange(3 * 86400))
        users.append(
            (user_id, password, login, False, email, first, last, title, False, True, joined)
        )
        join(team, user_id, role)
        names[user_id], addresses[user_id] = f"{first} {last}", email
        first_team.setdefault(user_id, team.id)
        return user_id

    def join(team: TeamInfo, user_id: int, role: str) -> None:
        memberships.append((ids.take(Membership), user_id, team.id, role, joined))
        _enrol(team, user_id, role)

    business = [team for team in teams if team.kind == Team.Kind.BUSINESS]
    for team in teams:
        if team.kind == Team.Kind.ONE_STOP_SHOP:
            for _ in range(max(0, rng.randint(5, 12) - len(team.front_desk))):
                agent(team, Role.FRONT_DESK)
            if not team.managers:
                agent(team, Role.TEAM_MANAGER)
            continue
        for _ in range(max(0, rng.randint(1, 2) - len(team.managers))):
            agent(team, Role.TEAM_MANAGER)
        for _ in range(max(0, rng.randint(3, 12) - len(team.workers) + len(team.managers))):
            user_id = agent(team, Role.INSTRUCTOR)
            if len(business) > 1 and rng.random() < 0.1:  # also helps a neighbouring service
                other = rng.choice(business)
                if other is not team:
                    join(other, user_id, Role.INSTRUCTOR)
    return users, memberships


def _ascii(text: str) -> str:
    return slugify(text).replace("-", "")


def _unique_email(local: str, domain: str, taken: set[str]) -> str:
    email, n = f"{local}@{domain}", 2
    while email in taken:
        email = f"{local}{n}@{domain}"
        n += 1
    taken.add(email)
    return email
