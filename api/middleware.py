"""JSON errors for the API even when the answer is not the API's own: the edge's refusals (a
control character in the address: 400; a body too large: 413; the database away: 503), an
address under /api/v1/ that matches no route (404), and a crash (500) come as the portal's
French HTML pages, which a program cannot read. This middleware, outside the edge's, rewrites
them in the API's shape (`api.errors`), keeping their status and headers (Retry-After)."""

import json

from django.http import HttpResponse

from api.errors import MESSAGES, body

PREFIX = "/api/v1/"
# The documentation page is HTML and stays so.
HTML_PAGES = ("/api/v1/docs/",)
CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "server_error",
    503: "unavailable",
}
MESSAGES.update(
    {
        "bad_request": ("Requête invalide.", "Bad request."),
        "too_large": ("Corps de la requête trop volumineux.", "Request body too large."),
        "unavailable": (
            "Service momentanément indisponible : réessayez après Retry-After secondes.",
            "Service temporarily unavailable: retry after Retry-After seconds.",
        ),
    }
)
KEPT_HEADERS = ("Retry-After", "Allow", "Permissions-Policy", "Vary")


class JsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(PREFIX)
            or request.path.startswith(HTML_PAGES)
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        code = CODES.get(response.status_code, "server_error")
        rewritten = HttpResponse(
            json.dumps(body(code), ensure_ascii=False),
            status=response.status_code,
            content_type="application/json",
        )
        for header in KEPT_HEADERS:
            if header in response:
                rewritten[header] = response[header]
        return rewritten
