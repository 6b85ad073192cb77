"""The agent's landing page: their work (queues of their teams, what is theirs, what falls due
soon), or the page of their role when they work no cases."""

from django.db.models import Q
from django.utils import timezone

from backoffice.access import agent_required
from backoffice.views.common import agent_memberships, render_agent
from gru.models import AccessLog, Membership, Team
from service_requests import queues
from service_requests.interaction_stats import contacts_by_channel, day_bounds
from service_requests.permissions import scope_of, visible_requests
from service_requests.services.interactions import contact_team

Role = Membership.Role
ASSIGNED_SHOWN = 20
DUE_SHOWN = 20
ACCESS_LOG_SHOWN = 30


@agent_required
def home(request):
    user, today = request.user, timezone.localdate()
    scope = scope_of(user)
    memberships = agent_memberships(user)
    roles = scope.roles
    context = {"memberships": memberships, "today": today, "scope": scope}
    if scope.sees_cases:
        visible = visible_requests(user)
        team_ids = scope.case_team_ids
        shown_teams = Team.objects.filter(is_active=True)
        if not scope.sees_every_team:
            shown_teams = shown_teams.filter(pk__in=team_ids)
        teams = list(shown_teams.order_by("name"))
        counts = queues.team_counts(visible, [team.pk for team in teams])
        context["teams"] = [(team, counts.get(team.pk, {})) for team in teams]
        if team_ids:
            assigned = queues.assigned_to(visible, user.pk)[:ASSIGNED_SHOWN]
            due = queues.due_soon(visible, team_ids=team_ids, today=today)[:DUE_SHOWN]
            context["assigned"] = queues.rows(assigned, today)
            context["due_soon"] = queues.rows(due, today)
    if Role.FRONT_DESK in roles:  # the one-stop shop's contacts of the day, per channel
        since, until = day_bounds(today)
        context["contact_team"] = contact_team(user)
        context["contacts_today"] = contacts_by_channel(
            since=since, until=until, team=context["contact_team"]
        )
    context["is_official"] = Role.OFFICIAL in roles
    context["is_dpo"] = Role.DATA_PROTECTION_OFFICER in roles
    context["is_administrator"] = Role.ADMINISTRATOR in roles or user.is_staff
    if context["is_dpo"]:
        context["access_log"] = list(
            AccessLog.objects.select_related("user").filter(~Q(user=None))[:ACCESS_LOG_SHOWN]
        )
    return render_agent(request, "backoffice/home.html", context)
