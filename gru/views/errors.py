"""Error pages in French. The 500 and 503 pages render without context processors or the
database."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's own page is in English and speaks of tokens."""
    return render(request, "errors/403_csrf.html", status=403)


def _standalone(name: str) -> str:
    # Whatever broke (the database, a context processor, URL resolving) must not break this
    # page too: plain settings only, no request context.
    context = {
        "authority_name": settings.AUTHORITY_NAME,
        "authority_phone": settings.AUTHORITY_PHONE,
        "static_url": settings.STATIC_URL,
    }
    return loader.get_template(name).render(context)


def server_error(request):
    """handler500. Django calls it while it handles the exception, so the exception is at hand:
    a database that went away while a middleware read the session (above the views, where
    `EdgeMiddleware.process_exception` does not reach) is the 503 too, not a 500."""
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable(request)
    return HttpResponseServerError(_standalone("errors/500.html"))


def is_database_unavailable(exception: BaseException | None) -> bool:
    """PostgreSQL restarting or failing over: the connection is refused or dropped
    (`OperationalError`, `InterfaceError` on a closed one)."""
    return isinstance(exception, OperationalError | InterfaceError)


DATABASE_RETRY_AFTER_SECONDS = 30


def database_unavailable(request):
    """The database is away (restarting, failing over): a 503 the citizen can act on, and
    that a load balancer or a client knows to retry, instead of a 500."""
    response = HttpResponse(_standalone("errors/503.html"), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response
