"""The steering dashboards (`/agents/pilotage/`, issue 14): what every page shares.

Who sees which figures is `service_requests.permissions.dashboard_scope`; a user without a
dashboard gets a 404, like any agent page out of their reach. Each page renders through
`render_pilotage`, which hands the template the scope (`dashboard`) and the sub-navigation.
"""

from functools import wraps

from django.http import Http404

from backoffice.access import agent_required
from backoffice.views.common import render_agent
from service_requests.permissions import dashboard_scope


def dashboard_required(view):
    """Signed-in agents whose role comes with a dashboard; a 404 for the others."""

    @agent_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not dashboard_scope(request.user).allowed:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def render_pilotage(request, template: str, context: dict, *, status: int = 200):
    context = {"dashboard": dashboard_scope(request.user), **context}
    return render_agent(request, template, context, status=status)
