"""The OpenAPI document's additions: the Bearer scheme, the scope each operation needs
(`x-scope`, and said in its description), and the errors every operation may answer, in the
shape of `api.errors`."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

ERROR_RESPONSES = {
    "400": "Données invalides (les champs fautifs sont nommés dans `fields`).",
    "401": "Jeton absent, invalide ou révoqué.",
    "403": "Le jeton n'a pas le droit (scope) que demande l'opération.",
    "404": "Introuvable, ou hors des équipes du client.",
    "406": "Format de réponse non disponible.",
    "429": "Trop d'appels : réessayer après `Retry-After` secondes.",
}
WRITE_ERROR_RESPONSES = {
    "409": "L'état de la demande ne permet pas cette action.",
    "415": "Type de contenu non pris en charge.",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "Code stable de l'erreur."},
        "message": {
            "type": "object",
            "required": ["fr", "en"],
            "properties": {"fr": {"type": "string"}, "en": {"type": "string"}},
        },
        "fields": {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    },
}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiTokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "gru_<préfixe>_<secret>",
            "description": "Le jeton d'un client de l'API, créé dans l'administration.",
        }


class ApiAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        scope = getattr(self.view, "scopes", {}).get(self.method)
        if scope:
            operation["x-scope"] = scope
            needed = f"Droit requis : `{scope}`."
            operation["description"] = f"{operation.get('description', '')}\n\n{needed}".strip()
        return operation


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: the Error component and the errors of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        if path.endswith(("/schema/", "/docs/")):
            continue
        for method, operation in operations.items():
            errors = dict(ERROR_RESPONSES)
            if method in ("post", "put", "patch", "delete"):
                errors.update(WRITE_ERROR_RESPONSES)
            else:
                operation["responses"].setdefault(
                    "304", {"description": "Inchangé depuis l'ETag envoyé dans If-None-Match."}
                )
            for code, description in errors.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
