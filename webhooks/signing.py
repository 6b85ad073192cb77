"""The signature of a delivery, and the check of a subscriber's URL."""

import hashlib
import hmac
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `{timestamp}.{body}` under `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], timestamp: int, body: bytes) -> str:
    """`v1=<hex>` per valid secret (two during a rotation), comma-separated."""
    return ", ".join(f"v1={signature(secret, timestamp, body)}" for secret in secrets)


def check_url(url: str) -> None:
    """Refuse (ValidationError, in French) a URL the platform must not post to: not https
    (http only where WEBHOOKS_ALLOW_HTTP, development and tests), or a host that resolves to a
    private, loopback, link-local or reserved address (server-side request forgery towards the
    authority's own network) unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES."""
    parts = urlsplit(url)
    allowed = {"https", "http"} if settings.WEBHOOKS_ALLOW_HTTP else {"https"}
    if parts.scheme not in allowed:
        raise ValidationError("L'adresse de réception doit commencer par https://.")
    if not parts.hostname:
        raise ValidationError("L'adresse de réception n'a pas de nom d'hôte.")
    if parts.username or parts.password:
        raise ValidationError("L'adresse de réception ne doit pas contenir d'identifiants.")
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as error:
        raise ValidationError(
            f"Le nom d'hôte « {parts.hostname} » est introuvable ou invalide."
        ) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise ValidationError(
                f"L'adresse de réception mène à une adresse interne ({address}) : refusée."
            )
