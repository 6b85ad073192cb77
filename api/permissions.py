"""What a token may call: its scopes, per view and method. What it may reach is the
back office's rule (`service_requests.permissions`), through the client's technical user."""

from rest_framework.permissions import BasePermission

from api.errors import ScopeMissing
from api.models import ApiClient


class HasScope(BasePermission):
    """The view's `scopes` maps each method to the scope it needs (a view without it: none
    needed beyond a valid token)."""

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        scopes = getattr(view, "scopes", {})
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        needed = scopes.get(method)
        if needed is not None and not client.has_scope(needed):
            raise ScopeMissing(needed)
        return True
