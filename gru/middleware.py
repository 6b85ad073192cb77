"""Agents' session rules: TOTP before any back-office page, idle timeout.

Citizens keep SESSION_COOKIE_AGE and are not asked for a second factor.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gru.accounts import has_totp, is_agent

# The back office: every page an agent opens to work. One place for the list.
BACK_OFFICE_PREFIXES = ("/admin/", "/agents/")
# Reachable without a TOTP authenticator even under a back-office prefix: the ProConnect login
# itself, and the admin's logout.
MFA_EXEMPT_PREFIXES = ("/agents/proconnect/", "/admin/logout/")
# Session key of the agent's last request (epoch seconds).
LAST_ACTIVITY_KEY = "gru_last_activity"
# Session key caching whether the signed-in user is an agent: [user id, bool]. Back-office
# pages check again, fresh, so a promotion or a removed TOTP applies at once.
AGENT_FLAG_KEY = "gru_agent"
# The stamp is rewritten at most this often, to spare a session write on every request.
STAMP_EVERY_SECONDS = 60


def is_back_office(path: str) -> bool:
    return path.startswith(BACK_OFFICE_PREFIXES) and not path.startswith(MFA_EXEMPT_PREFIXES)


class AgentSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        back_office = is_back_office(request.path_info)
        if self._is_agent(request, user, fresh=back_office):
            if self._idle_for_too_long(request):
                return self._end_idle_session(request)
            if back_office and not has_totp(user):
                messages.info(
                    request,
                    _(
                        "Les agents doivent activer la double authentification avant d'ouvrir "
                        "l'espace agent : ajoutez ce compte à votre application "
                        "d'authentification, puis saisissez le code qu'elle affiche."
                    ),
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _is_agent(request, user, *, fresh: bool) -> bool:
        """One query per session on public pages; one per request in the back office. The
        answer is left on the request (`request.is_agent`) for the views that show it."""
        cached = request.session.get(AGENT_FLAG_KEY)
        if not fresh and cached is not None and cached[0] == user.pk:
            request.is_agent = cached[1]
            return cached[1]
        agent = is_agent(user)
        if cached != [user.pk, agent]:
            request.session[AGENT_FLAG_KEY] = [user.pk, agent]
        request.is_agent = agent
        return agent

    @staticmethod
    def _idle_for_too_long(request) -> bool:
        now = time.time()
        last = request.session.get(LAST_ACTIVITY_KEY)
        if last is not None and now - last > settings.GRU_AGENT_IDLE_MINUTES * 60:
            return True
        if last is None or now - last >= STAMP_EVERY_SECONDS:
            request.session[LAST_ACTIVITY_KEY] = now
        return False

    @staticmethod
    def _end_idle_session(request):
        next_url = request.get_full_path() if request.method == "GET" else ""
        logout(request)  # flushes the session: a new key, nothing of the old one left
        messages.info(
            request,
            _(
                "Votre session a expiré après %(minutes)d minutes sans activité. "
                "Connectez-vous de nouveau pour continuer."
            )
            % {"minutes": settings.GRU_AGENT_IDLE_MINUTES},
        )
        login_url = reverse(settings.LOGIN_URL)
        if next_url:
            login_url = f"{login_url}?{urlencode({'next': next_url})}"
        return redirect(login_url)
