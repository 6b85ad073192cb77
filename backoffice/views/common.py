"""What every agent page shares: the header's name, teams and queues, and the one-stop shop's
entries (the search box, the duplicates) for those who may use them."""

from django.shortcuts import render

from gru.models import Membership
from service_requests.permissions import citizen_actions, may_see_dashboards, scope_of


def agent_memberships(user) -> list[Membership]:
    """The agent's memberships with their teams, read once per request (`scope_of`)."""
    return scope_of(user).memberships


def render_agent(request, template: str, context: dict, *, status: int = 200):
    memberships = context.pop("memberships", None)
    if memberships is None:
        memberships = agent_memberships(request.user)
    actions = citizen_actions(request.user)  # from the scope already read: no query
    context = {
        "agent_memberships": memberships,
        "agent_may_find": "find" in actions,
        "agent_may_merge": "merge" in actions,
        "agent_may_steer": may_see_dashboards(request.user),  # no query either
        **context,
    }
    return render(request, template, context, status=status)
