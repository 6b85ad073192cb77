"""The views of one provider: authorization request, callback, logout and its return. Every
refusal renders the provider's French error page, with no session created."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs, urlencode, urlsplit

from allauth.account import app_settings as allauth_account_settings
from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import auth
from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from gru.oidc.backend import OIDCBackend, OIDCCallback
from gru.oidc.provider import (
    NONCE_SIZE,
    STATE_SIZE,
    OIDCError,
    OIDCProvider,
    discovery,
    logger,
)

MESSAGES = {
    "provider_error": gettext_lazy(
        "La connexion a été interrompue ou refusée par le service d'identification."
    ),
    "unknown_state": gettext_lazy(
        "Cette tentative de connexion n'a pas été commencée depuis ce navigateur, ou elle a "
        "déjà été utilisée ou a expiré."
    ),
    "unavailable": gettext_lazy(
        "Le service d'identification ne répond pas pour le moment. Réessayez dans quelques minutes."
    ),
}
DEFAULT_MESSAGE = gettext_lazy(
    "La réponse du service d'identification n'a pas pu être vérifiée : par sécurité, vous "
    "n'avez pas été connecté."
)


class ProviderViewMixin:
    provider: OIDCProvider
    error_template: str
    login_required = False

    def dispatch(self, request, *args, **kwargs):
        if not self.provider.enabled:
            raise Http404
        if self.login_required and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    # Where a sign-in without `next` lands: the citizen's space; ProConnect's agents their work.
    login_redirect_url = settings.LOGIN_REDIRECT_URL

    def get_settings(self, attr, *args):
        mapping = {
            "OIDC_RP_CLIENT_ID": self.provider.client_id,
            "OIDC_RP_SCOPES": self.provider.scopes,
            "OIDC_AUTHENTICATION_CALLBACK_URL": f"{self.provider.name}:callback",
            "OIDC_STATE_SIZE": STATE_SIZE,
            "OIDC_NONCE_SIZE": NONCE_SIZE,
            "OIDC_USE_NONCE": True,
            "OIDC_USE_PKCE": False,
            "OIDC_REDIRECT_FIELD_NAME": "next",
            "OIDC_AUTH_REQUEST_EXTRA_PARAMS": (
                {"acr_values": self.provider.required_acr} if self.provider.required_acr else {}
            ),
            "LOGIN_REDIRECT_URL": self.login_redirect_url,
        }
        if attr in mapping:
            return mapping[attr]
        return OIDCAuthenticationRequestView.get_settings(attr, *args)

    def error_page(self, request, error: OIDCError):
        logger.warning("%s sign-in refused: %s", self.provider.label, error)
        message = error.message or MESSAGES.get(error.reason, DEFAULT_MESSAGE)
        context = {
            "provider_label": self.provider.label,
            "message": message,
            "reason": error.reason,
            "login_url": reverse(settings.LOGIN_URL),
        }
        return render(request, self.error_template, context, status=error.status)


@method_decorator(never_cache, name="dispatch")
class AuthenticationRequestView(ProviderViewMixin, OIDCAuthenticationRequestView):
    """GET: redirect to the provider's authorization endpoint."""

    def __init__(self, **kwargs):
        # The library reads the endpoint here; ours comes from discovery, after dispatch.
        View.__init__(self, **kwargs)

    link = False

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery(self.provider)["authorization_endpoint"]
        except (OIDCError, KeyError) as exc:
            error = exc if isinstance(exc, OIDCError) else OIDCError("discovery", str(exc))
            return self.error_page(request, error)
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        response = super().get(request)
        # Bind the state the library stored to this provider, and to the account being linked.
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        entry = request.session["oidc_states"][state]
        entry["provider"] = self.provider.name
        if self.link:
            entry["link_user_id"] = request.user.pk
        request.session.modified = True
        return response


@method_decorator(never_cache, name="dispatch")
class AuthenticationCallbackView(ProviderViewMixin, OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with `code` and `state` (or `error`)."""

    backend_class: type[OIDCBackend]

    def get(self, request):
        state = request.GET.get("state", "")
        states = request.session.get("oidc_states")
        entry = states.get(state) if isinstance(states, dict) and state else None
        if entry is not None and entry.get("provider") != self.provider.name:
            entry = None
        if entry is not None:  # a state is used once, whatever happens next
            del request.session["oidc_states"][state]
            request.session.modified = True
            request.session.save()
        if request.GET.get("error"):
            detail = f"{request.GET['error']}: {request.GET.get('error_description', '')}"
            return self.error_page(request, OIDCError("provider_error", detail[:300]))
        if entry is None:
            return self.error_page(request, OIDCError("unknown_state", "state not started here"))
        link_user_id = entry.get("link_user_id")
        if link_user_id is not None and request.user.pk != link_user_id:
            return self.error_page(request, OIDCError("unknown_state", "linking user changed"))
        # Reload the session after the slow calls to the provider, as the library does, so
        # that what another tab wrote meanwhile is not overwritten.
        backend = self.backend_class()
        try:
            user = backend.authenticate(
                request,
                oidc_callback=OIDCCallback(nonce=entry["nonce"], link_user_id=link_user_id),
            )
        except OIDCError as error:
            return self.error_page(request, error)
        request.session = request.session.__class__(request.session.session_key)
        if link_user_id is not None:
            request.session[self.provider.id_token_session_key] = backend.id_token
            flash.success(
                request, _("Votre compte est maintenant relié à %s.") % self.provider.label
            )
            return redirect(self.link_success_url())
        return self.login(request, user, backend.id_token)

    def login(self, request, user, id_token: str):
        """Sign in through allauth's stages: an agent with TOTP is asked for it."""
        user.backend = self.provider.backend
        # Kept with the session's other sign-ins (allauth): an agent sent from here to the TOTP
        # setup counts as freshly signed in (gru.accounts.AccountAdapter).
        record_authentication(request, user, method=self.provider.name)
        response = perform_login(
            request,
            user,
            email_verification=allauth_account_settings.EmailVerificationMethod.NONE,
            redirect_url=self.success_url,
        )
        request.session[self.provider.id_token_session_key] = id_token
        return response

    def link_success_url(self) -> str:
        return reverse(settings.LOGIN_REDIRECT_URL)


@method_decorator(never_cache, name="dispatch")
class LogoutView(ProviderViewMixin, View):
    """POST: sign out here, then at the provider (end_session with id_token_hint and a state
    checked on return). Without a provider session, only here."""

    http_method_names = ["post"]

    def post(self, request):
        id_token = request.session.get(self.provider.id_token_session_key)
        auth.logout(request)
        if not id_token:
            return redirect("home")
        try:
            end_session = discovery(self.provider)["end_session_endpoint"]
        except (OIDCError, KeyError) as exc:
            logger.warning("%s logout: no end_session endpoint (%s)", self.provider.label, exc)
            return redirect("home")
        state = get_random_string(STATE_SIZE)
        request.session[self.provider.logout_state_session_key] = state
        params = {
            "id_token_hint": id_token,
            "state": state,
            "post_logout_redirect_uri": request.build_absolute_uri(
                self.provider.url("logout_callback")
            ),
        }
        return HttpResponseRedirect(f"{end_session}?{urlencode(params)}")


@method_decorator(never_cache, name="dispatch")
class LogoutCallbackView(ProviderViewMixin, View):
    """The provider sends the browser back here after its own logout."""

    http_method_names = ["get"]

    def get(self, request):
        expected = request.session.pop(self.provider.logout_state_session_key, "")
        state = request.GET.get("state", "")
        if not expected or not state or not hmac.compare_digest(expected, state):
            message = _(
                "La déconnexion n'a pas pu être confirmée : elle n'a pas été demandée depuis ce "
                "navigateur. Vous êtes bien déconnecté du portail ; fermez votre navigateur pour "
                "terminer aussi votre session %(provider)s."
            ) % {"provider": self.provider.label}
            error = OIDCError("logout_state", "missing or wrong logout state", message=message)
            return self.error_page(request, error)
        flash.success(
            request,
            _("Vous êtes déconnecté du portail et de %s.") % self.provider.label,
        )
        return redirect("home")
