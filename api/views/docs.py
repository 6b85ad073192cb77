"""The OpenAPI document and a documentation page drawn from it on the server (no script, no
CDN: drf-spectacular's Swagger UI and Redoc load theirs from one)."""

from functools import lru_cache

from django.shortcuts import render
from django.views import View
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

METHODS = ("get", "post", "put", "patch", "delete")


class Schema(SpectacularAPIView):
    """The schema is public: it tells how to call, not what is there."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    urlconf = None


@lru_cache(maxsize=1)
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict, node: dict) -> dict:
    ref = node.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return node


def _type_of(schema: dict, node: dict) -> str:
    if "$ref" in node:
        return node["$ref"].rsplit("/", 1)[1]
    if node.get("type") == "array":
        return f"liste de {_type_of(schema, node.get('items', {}))}"
    kind = node.get("type") or ("choix" if "enum" in node else "objet")
    return f"{kind} ({node['format']})" if "format" in node else kind


def _fields(schema: dict, node: dict) -> list[dict]:
    node = _resolve(schema, node)
    required = set(node.get("required", []))
    return [
        {
            "name": name,
            "type": _type_of(schema, prop),
            "required": name in required,
            "description": _resolve(schema, prop).get("description", ""),
            "enum": _resolve(schema, prop).get("enum", []),
        }
        for name, prop in node.get("properties", {}).items()
    ]


def operations(schema: dict) -> list[dict]:
    """Each operation of the schema, with what the page shows of it."""
    found = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            media, content = next(iter(body.items()), (None, {}))
            found.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "scope": operation.get("x-scope", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type_of(schema, p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body_media": media,
                    "body": _fields(schema, content.get("schema", {})) if media else [],
                    "responses": sorted(
                        (code, r.get("description", ""))
                        for code, r in operation.get("responses", {}).items()
                    ),
                }
            )
    return found


class Documentation(View):
    def get(self, request):
        schema = _schema()
        return render(
            request,
            "api/docs.html",
            {"info": schema["info"], "operations": operations(schema)},
        )
