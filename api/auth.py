"""Token authentication: `Authorization: Bearer gru_…`. Token only: the API takes no session,
so CSRF never applies to it and a browser's cookies give no access."""

import hmac
from datetime import timedelta

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.models import ApiClient
from api.tokens import hash_token, prefix_of

# last_used_at is written at most this often (an UPDATE per call would be a write per read).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def client_for_token(token: str) -> ApiClient | None:
    """The active client whose token this is, None for anything else (unknown, revoked)."""
    prefix = prefix_of(token or "")
    if prefix is None:
        return None
    client = (
        ApiClient.objects.select_related("user")
        .filter(token_prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if client is None or not hmac.compare_digest(client.token_hash, hash_token(token)):
        return None
    if not client.user.is_active:
        return None
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client


class ApiTokenAuthentication(BaseAuthentication):
    """request.user is the client's technical user, request.auth the ApiClient."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(code="invalid_token")
        try:
            token = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(code="invalid_token") from None
        client = client_for_token(token)
        if client is None:
            raise exceptions.AuthenticationFailed(code="invalid_token")
        return client.user, client

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
