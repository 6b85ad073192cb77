"""Who may do what to a request in the back office: the one place that says it.

An agent's reach comes from their memberships (`gru.models.Membership`): instructors and team
managers work the requests of their teams; a front desk agent sees the requests of every team,
read-only, and answers those of their own team (the one-stop shop's questions: take, message,
note, close, send on to a business team) without ever deciding; the administrator, the data
protection officer and the elected official see no case (their pages are elsewhere). A request
out of reach is fetched through `visible_requests`, so it is a 404, the same answer as a
reference that does not exist.

Within reach, `allowed_actions` gives the actions the agent's role allows in the request's
current state: the lifecycle's transitions (`service_requests.lifecycle`, their `who`) and the
handling actions below. The case screen shows those and nothing else; every POST checks again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from gru.models import Membership, User
from service_requests import lifecycle
from service_requests.lifecycle import CASE_WORKERS, FRONT_DESK, TEAM_MANAGER
from service_requests.models import OPEN_STATES, ServiceRequest, Status

# The front desk's read-only reach over every team (no action comes with it).
READER = "reader"
# Who answers a team's requests: its instructors, managers and front desk agents.
ANSWERERS = CASE_WORKERS | {FRONT_DESK}

# Handling actions that change no status: the roles that may take them, the states they apply in.
HANDLING: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "take": (ANSWERERS, OPEN_STATES),
    "assign": (frozenset({TEAM_MANAGER}), OPEN_STATES),
    "unassign": (ANSWERERS, OPEN_STATES),  # a manager anyone, the others themselves
    "transfer": (ANSWERERS, OPEN_STATES),
    "reroute": (CASE_WORKERS, OPEN_STATES),
    "message": (ANSWERERS, frozenset(Status) - {Status.DRAFT, Status.WITHDRAWN}),
    "note": (ANSWERERS, frozenset(Status) - {Status.DRAFT}),
}
# Lifecycle transitions an agent takes from the case screen (the others are the citizen's or
# the sweep's; `submit` is the filing's).
CASE_TRANSITIONS = (
    "start_review",
    "ask_documents",
    "receive_documents",
    "mark_complete",
    "accept",
    "accept_partially",
    "reject",
    "close",
    "withdraw",
    "reopen",
)
DECISIONS = frozenset({"accept", "accept_partially", "reject"})
ACTIONS = (*HANDLING, *CASE_TRANSITIONS)


@dataclass
class AgentScope:
    """An agent's roles, team by team, read once per request of theirs."""

    user: User
    roles_by_team: dict[int, frozenset[str]] = field(default_factory=dict)
    # The memberships themselves, with their teams, for the pages' header.
    memberships: list[Membership] = field(default_factory=list)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset().union(*self.roles_by_team.values())

    @property
    def case_team_ids(self) -> list[int]:
        """The teams whose requests the agent works."""
        return sorted(t for t, roles in self.roles_by_team.items() if roles & CASE_WORKERS)

    @property
    def sees_every_team(self) -> bool:
        return FRONT_DESK in self.roles

    @property
    def sees_cases(self) -> bool:
        return self.sees_every_team or bool(self.case_team_ids)

    def roles_for(self, request: ServiceRequest) -> frozenset[str]:
        """The roles that count on `request`: those held in its team, and the front desk's
        read-only reach over every team (READER)."""
        roles = self.roles_by_team.get(request.team_id, frozenset()) & ANSWERERS
        if self.sees_every_team:
            roles |= {READER}
        return roles


def scope_of(user) -> AgentScope:
    """The user's scope, cached on the user object for the request (one query)."""
    cached = getattr(user, "_gru_agent_scope", None)
    if cached is not None:
        return cached
    scope = AgentScope(user=user)
    if getattr(user, "is_authenticated", False) and user.is_active:
        by_team: dict[int, set[str]] = {}
        scope.memberships = list(
            Membership.objects.filter(user=user, team__is_active=True)
            .select_related("team")
            .order_by("team__name")
        )
        for membership in scope.memberships:
            by_team.setdefault(membership.team_id, set()).add(membership.role)
        scope.roles_by_team = {team: frozenset(roles) for team, roles in by_team.items()}
    user._gru_agent_scope = scope
    return scope


def visible_requests(user) -> QuerySet[ServiceRequest]:
    """The filed requests `user` may open in the back office; none for anyone else."""
    scope = scope_of(user)
    requests = ServiceRequest.objects.exclude(status=Status.DRAFT)
    if scope.sees_every_team:
        return requests
    if scope.case_team_ids:
        return requests.filter(team_id__in=scope.case_team_ids)
    return requests.none()


def _state_allows(name: str, request: ServiceRequest) -> bool:
    if name in HANDLING:
        return request.status in HANDLING[name][1]
    if not lifecycle.transition(name).allows(request.status):
        return False
    if name == "close":  # only what calls for no decision is closed without one
        return lifecycle.closes_without_decision(request)
    if name in DECISIONS:  # a question or a report is answered, not decided
        return not lifecycle.closes_without_decision(request)
    if name in ("ask_documents", "mark_complete"):  # pieces and completeness (L114-5) are
        return not lifecycle.closes_without_decision(request)  # about a decision to come
    if name == "reopen":  # an acceptance created rights (services.decisions.request_reopen)
        return request.status not in (Status.ACCEPTED, Status.ACCEPTED_IMPLICITLY)
    return True


def _role_allows(name: str, roles: frozenset[str]) -> bool:
    who = HANDLING[name][0] if name in HANDLING else lifecycle.transition(name).who
    return bool(roles & who)


def allowed_actions(user, request: ServiceRequest) -> frozenset[str]:
    """The actions `user` may take on `request` now. Empty for a request out of their reach."""
    roles = scope_of(user).roles_for(request)
    allowed = {
        name for name in ACTIONS if _role_allows(name, roles) and _state_allows(name, request)
    }
    if request.assignee_id == user.pk:
        allowed.discard("take")
    elif TEAM_MANAGER not in roles:
        allowed.discard("unassign")  # an instructor hands back only what is theirs
    if request.assignee_id is None:
        allowed.discard("unassign")
    return frozenset(allowed)


def may_view(user, request: ServiceRequest) -> bool:
    return bool(scope_of(user).roles_for(request)) and request.status != Status.DRAFT


# --- The one-stop shop: citizens' records --------------------------------------------------------
# What an agent may do with citizens' records, whatever the team (a record is nobody's team's):
#   find     search the citizens and open their 360° view (each opening is logged)
#   edit     change contact details, preferences and declared identity, with a reason
#   contact  log a contact on any channel, with a citizen or an anonymous caller
#   file     file a request on a citizen's behalf, and create a citizen's record to do so
#   merge    merge two records of one person, and undo it within 30 days
# The front desk holds them all; instructors and managers meet citizens too (a call, a letter
# to register), so they hold all but the merge, which rewrites the identity store. The
# administrator, the data protection officer and the elected official hold none: a 404.
CITIZEN_ACTIONS = ("find", "edit", "contact", "file", "merge")
CITIZEN_RIGHTS: dict[str, frozenset[str]] = {
    "find": frozenset({FRONT_DESK}) | CASE_WORKERS,
    "edit": frozenset({FRONT_DESK}) | CASE_WORKERS,
    "contact": frozenset({FRONT_DESK}) | CASE_WORKERS,
    "file": frozenset({FRONT_DESK}) | CASE_WORKERS,
    "merge": frozenset({FRONT_DESK}),
}


def citizen_actions(user) -> frozenset[str]:
    """What `user` may do with citizens' records (CITIZEN_RIGHTS)."""
    roles = scope_of(user).roles
    return frozenset(name for name in CITIZEN_ACTIONS if roles & CITIZEN_RIGHTS[name])


def may(user, action: str) -> bool:
    """`user` may take `action`, one of CITIZEN_ACTIONS."""
    if action not in CITIZEN_RIGHTS:
        raise ValueError(f"unknown citizen action {action!r}")
    return bool(scope_of(user).roles & CITIZEN_RIGHTS[action])


def sees_internal_events(user, request: ServiceRequest) -> bool:
    """Whether `user` reads the internal notes and events of `request`: only the members of its
    team. A front desk agent's read-only reach over other teams, and the 360° view's list of
    every request of a citizen, leave them out."""
    return bool(scope_of(user).roles_by_team.get(request.team_id, frozenset()) & ANSWERERS)


# --- Steering dashboards (pilotage) ---------------------------------------------------------------
# Who sees which figures (issue 14, item 6). Figures are per team and procedure, never per agent.
#   team manager, instructor  the teams they belong to with that role
#   director                  every team; the SVA radar's references and assignees too
#   elected official          every team, aggregates only: no citizen's name, no request's
#                             content, no reference, no agent's name
# The front desk, the administrator and the DPO have no dashboard (a 404): their work is the
# counter, the settings and the access log. The stricter rule wins when roles mix: an official
# who also manages a team reads every team as an official, without personal data.
DIRECTOR = Membership.Role.DIRECTOR.value
OFFICIAL = Membership.Role.OFFICIAL.value
DASHBOARD_TEAM_ROLES = CASE_WORKERS  # see their own teams' figures
DASHBOARD_ALL_ROLES = frozenset({DIRECTOR, OFFICIAL})  # see every team's figures


@dataclass(frozen=True)
class DashboardScope:
    """What a user's dashboards cover: `team_ids` (every team when `all_teams`), and whether
    they may show personal data (a request's reference, its assignee), which an elected
    official's never do. Citizens' names and requests' content appear on no dashboard."""

    allowed: bool
    all_teams: bool
    team_ids: frozenset[int]
    personal_data: bool

    def covers(self, team_id: int | None) -> bool:
        """Whether the figures of `team_id` are in scope (an unknown team: no)."""
        if not self.allowed or team_id is None:
            return False
        return self.all_teams or team_id in self.team_ids

    def restrict(self, queryset: QuerySet, field: str = "team_id") -> QuerySet:
        """`queryset` cut to the teams in scope (`field` names the team's id column)."""
        if not self.allowed:
            return queryset.none()
        if self.all_teams:
            return queryset
        return queryset.filter(**{f"{field}__in": self.team_ids})


def dashboard_scope(user) -> DashboardScope:
    """The dashboards' scope of `user`, from the agent scope already read (no query)."""
    scope = scope_of(user)
    roles = scope.roles
    own = frozenset(t for t, r in scope.roles_by_team.items() if r & DASHBOARD_TEAM_ROLES)
    if OFFICIAL in roles:
        return DashboardScope(True, True, frozenset(scope.roles_by_team), personal_data=False)
    if DIRECTOR in roles:
        return DashboardScope(True, True, frozenset(scope.roles_by_team), personal_data=True)
    if own:
        return DashboardScope(True, False, own, personal_data=True)
    return DashboardScope(False, False, frozenset(), personal_data=False)


def may_see_dashboards(user) -> bool:
    return dashboard_scope(user).allowed
