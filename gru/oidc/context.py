"""The template context processor (settings.TEMPLATES: "gru.oidc.providers")."""

from __future__ import annotations

from gru.oidc.provider import FRANCECONNECT, PROCONNECT, OIDCProvider


def providers(request):
    """Template context: which sign-in buttons to show, and whether this session's logout
    must go through FranceConnect (`franceconnect_session`) or ProConnect."""
    session = getattr(request, "session", None)

    def holds_id_token(provider: OIDCProvider) -> bool:
        return bool(
            provider.enabled and session is not None and session.get(provider.id_token_session_key)
        )

    return {
        "franceconnect_enabled": FRANCECONNECT.enabled,
        "proconnect_enabled": PROCONNECT.enabled,
        "franceconnect_session": holds_id_token(FRANCECONNECT),
        "proconnect_session": holds_id_token(PROCONNECT),
    }
