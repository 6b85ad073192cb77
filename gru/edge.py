"""What every request goes through first (issue 13): the address a visitor sends is refused when
it carries a control character, a body announced larger than any form takes is refused before
it is read (413), a database that does not answer is a 503 rather than a 500, and every answer
says which browser features the portal never uses.

A NUL byte in a query string reached PostgreSQL as a text parameter and answered 500
(`DataError`); other control characters have no business in an address either. Refusing them
at the edge, for the path and every query parameter, protects every view at once, including
those that read `request.GET` without a form. Tabs and line breaks in a POSTed textarea are
text; the forms refuse NUL themselves (Django's `ProhibitNullCharactersValidator`, the forms
engine's `clean_text`).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.shortcuts import render

from gru.views.errors import bad_request, database_unavailable, is_database_unavailable

# C0 controls and DEL, but for tab and line breaks (whitespace a search box may receive from a
# paste, which the views strip). In an address the others can only come from a crafted link.
CONTROL_CHARACTERS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The portal uses none of these; a script injected despite the CSP gets none either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


logger = logging.getLogger("django.security.edge")


def has_control_characters(*, path: str, query_string: str) -> bool:
    """Whether the (decoded) path or the raw query string, once decoded, carries one."""
    query = unquote_to_bytes(query_string.replace("+", " "))
    return bool(CONTROL_CHARACTERS.search(path.encode()) or CONTROL_CHARACTERS.search(query))


def _announced_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class EdgeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(
            path=request.path, query_string=request.META.get("QUERY_STRING", "")
        ):
            logger.warning("Control character in the address: %r", request.get_full_path())
            response = bad_request(request)
        elif _announced_length(request) > settings.MAX_REQUEST_BODY_BYTES:
            # Refused before the body is read: Django would spool a file upload to disk first.
            logger.warning("Request body too large: %s bytes", _announced_length(request))
            limit_mb = settings.MAX_REQUEST_BODY_BYTES // (1024 * 1024)
            response = render(request, "errors/413.html", {"limit_mb": limit_mb}, status=413)
        else:
            response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    def process_exception(self, request, exception):
        """The database away while a view runs: the 503 (handler500 answers it for the
        middlewares above). Django's health check on persistent connections reconnects on the
        next request once it is back."""
        if is_database_unavailable(exception):
            logger.error("Database unavailable: %s", exception.__class__.__name__)
            return database_unavailable(request)
        return None
