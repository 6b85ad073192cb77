"""What every agent page shares: the header's name, teams and queues."""

from django.shortcuts import render

from gru.models import Membership
from service_requests.permissions import scope_of


def agent_memberships(user) -> list[Membership]:
    """The agent's memberships with their teams, read once per request (`scope_of`)."""
    return scope_of(user).memberships


def render_agent(request, template: str, context: dict, *, status: int = 200):
    memberships = context.pop("memberships", None)
    if memberships is None:
        memberships = agent_memberships(request.user)
    context = {"agent_memberships": memberships, **context}
    return render(request, template, context, status=status)
