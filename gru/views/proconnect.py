"""ProConnect sign-in and sign-out for agents (the OpenID Connect profile is gru.oidc)."""

from gru import oidc
from gru.proconnect import ProConnectBackend


class ProConnectMixin:
    provider = oidc.PROCONNECT
    error_template = "gru/proconnect_error.html"
    login_redirect_url = "backoffice:home"


class Login(ProConnectMixin, oidc.AuthenticationRequestView):
    pass


class Callback(ProConnectMixin, oidc.AuthenticationCallbackView):
    backend_class = ProConnectBackend


class Logout(ProConnectMixin, oidc.LogoutView):
    pass


class LogoutCallback(ProConnectMixin, oidc.LogoutCallbackView):
    pass
