"""FranceConnect v2 sign-in, linking, sign-out (the OpenID Connect profile is gru.oidc)."""

from django.urls import reverse

from citizens.franceconnect import FranceConnectBackend
from gru import oidc

ERROR_TEMPLATE = "citizens/franceconnect_error.html"


class FranceConnectMixin:
    provider = oidc.FRANCECONNECT
    error_template = ERROR_TEMPLATE


class Login(FranceConnectMixin, oidc.AuthenticationRequestView):
    """GET: « S'identifier avec FranceConnect »."""


class Link(FranceConnectMixin, oidc.AuthenticationRequestView):
    """POST, signed in: link FranceConnect to this account (the callback attaches the `sub`)."""

    http_method_names = ["post"]
    login_required = True
    link = True

    def post(self, request):
        return self.get(request)


class Callback(FranceConnectMixin, oidc.AuthenticationCallbackView):
    backend_class = FranceConnectBackend

    def link_success_url(self) -> str:
        return reverse("citizens:profile")


class Logout(FranceConnectMixin, oidc.LogoutView):
    pass


class LogoutCallback(FranceConnectMixin, oidc.LogoutCallbackView):
    pass
