"""The back office's door: signed-in agents only. An anonymous visitor is sent to the login
(then back); a signed-in citizen gets a 404, the answer for a page that does not exist, on every
`/agents/` URL. The second factor is enforced before (gru.middleware)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from service_requests.permissions import scope_of


def agent_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        user = request.user
        if not (user.is_staff or scope_of(user).memberships):
            raise Http404  # gru.accounts.is_agent, from the scope the page reads anyway
        return view(request, *args, **kwargs)

    return wrapper
