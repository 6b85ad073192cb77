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


def error_summary(*forms_) -> list[dict]:
    """One link per error, to its field, for the summary at the top of the page (RGAA)."""
    summary = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for name, messages in form.errors.items():
            if name in form.fields and not form.fields[name].widget.is_hidden:
                target = form[name].auto_id
                if form.fields[name].widget.use_fieldset:
                    target = f"{target}_0"  # the first radio of a group
            else:
                target = f"action-{form.prefix}" if form.prefix else "contenu"
            summary.extend({"message": message, "target": target} for message in messages)
    return summary
