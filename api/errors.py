"""Errors as JSON: a stable `code`, a French and an English message, and for invalid input the
fields at fault. Every error of the API goes through `exception_handler`.

    {"code": "validation_error",
     "message": {"fr": "Certaines données sont invalides.", "en": "Some data is invalid."},
     "fields": {"motive": [{"code": "required", "message": "Ce champ est obligatoire."}]}}
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from service_requests.errors import StaleRequest, TransitionRefused

# code -> (French, English), for the errors whose message is always the same.
MESSAGES = {
    "not_authenticated": (
        "Authentification requise : envoyez votre jeton dans l'en-tête Authorization.",
        "Authentication required: send your token in the Authorization header.",
    ),
    "invalid_token": (
        "Jeton invalide ou révoqué.",
        "Invalid or revoked token.",
    ),
    "permission_denied": (
        "Votre jeton ne permet pas cette opération.",
        "Your token does not allow this operation.",
    ),
    "scope_missing": (
        "Votre jeton n'a pas le droit « {scope} » que demande cette opération.",
        "Your token lacks the « {scope} » scope this operation needs.",
    ),
    "not_found": ("Ressource introuvable.", "Resource not found."),
    "method_not_allowed": ("Méthode non autorisée.", "Method not allowed."),
    "not_acceptable": (
        "Format de réponse non disponible : demandez application/json.",
        "Response format not available: ask for application/json.",
    ),
    "unsupported_media_type": (
        "Type de contenu non pris en charge.",
        "Unsupported content type.",
    ),
    "parse_error": ("Corps de la requête illisible.", "Malformed request body."),
    "validation_error": ("Certaines données sont invalides.", "Some data is invalid."),
    "throttled": (
        "Trop de requêtes : réessayez dans {wait} secondes.",
        "Too many requests: retry in {wait} seconds.",
    ),
    "conflict": (
        "L'état de la demande ne permet pas cette action.",
        "The request's state does not allow this action.",
    ),
    "stale": (
        "La demande a changé depuis votre dernière lecture.",
        "The request changed since you last read it.",
    ),
    "action_not_allowed": (
        "Cette action n'est pas possible sur cette demande dans son état actuel.",
        "This action is not possible on this request in its current state.",
    ),
    "server_error": ("Erreur interne.", "Internal error."),
}


class Conflict(exceptions.APIException):
    """The request's state refuses the action (409); `detail` is the French reason."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class ScopeMissing(exceptions.PermissionDenied):
    default_code = "scope_missing"

    def __init__(self, scope: str):
        super().__init__(code="scope_missing")
        self.scope = scope


def body(code: str, *, fr: str | None = None, fields: dict | None = None, **fmt) -> dict:
    default_fr, en = MESSAGES.get(code, MESSAGES["server_error"])
    data = {
        "code": code,
        "message": {"fr": fr or default_fr.format(**fmt), "en": en.format(**fmt)},
    }
    if fields is not None:
        data["fields"] = fields
    return data


def _fields(detail, codes) -> dict:
    """DRF's nested details as {"field": [{"code", "message"}]}; nested serializers' fields
    are named with dots (`answers.0.name`)."""
    out: dict[str, list[dict]] = {}

    def walk(prefix: str, detail, codes):
        if isinstance(detail, dict):
            for key, value in detail.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value, codes[key])
        elif isinstance(detail, list) and detail and not isinstance(detail[0], str):
            for i, (value, code) in enumerate(zip(detail, codes, strict=False)):
                walk(f"{prefix}.{i}", value, code)
        else:
            items = detail if isinstance(detail, list) else [detail]
            item_codes = codes if isinstance(codes, list) else [codes]
            out.setdefault(prefix or "non_field_errors", []).extend(
                {"code": str(code), "message": str(message)}
                for message, code in zip(items, item_codes, strict=False)
            )

    walk("", detail, codes)
    return out


def exception_handler(exc, context):
    """DRF's handler, answering every error in the API's shape; None (a 500) for the rest."""
    if isinstance(exc, StaleRequest):
        return Response(body("stale", fr=str(exc)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, TransitionRefused):
        return Response(body("conflict", fr=str(exc)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        headers["Retry-After"] = str(wait)
        data = body("throttled", wait=wait)
    elif isinstance(exc, exceptions.ValidationError):
        data = body("validation_error", fields=_fields(exc.detail, exc.get_codes()))
    elif isinstance(exc, Conflict):
        data = body(str(exc.get_codes()), fr=str(exc.detail))
    elif isinstance(exc, ScopeMissing):
        data = body("scope_missing", scope=exc.scope)
    elif isinstance(exc, exceptions.AuthenticationFailed):
        data = body("invalid_token")
    else:
        code = exc.get_codes()
        code = code if isinstance(code, str) and code in MESSAGES else exc.default_code
        data = body(code if code in MESSAGES else "server_error")
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    return Response(data, status=exc.status_code, headers=headers)
