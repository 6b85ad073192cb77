"""Error pages in French. The 500 page renders without context processors or the database."""

from django.conf import settings
from django.http import HttpResponseServerError
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


def server_error(request):
    # Whatever broke (the database, a context processor, URL resolving) must not break this
    # page too: plain settings only, no request context.
    template = loader.get_template("errors/500.html")
    context = {
        "authority_name": settings.AUTHORITY_NAME,
        "authority_phone": settings.AUTHORITY_PHONE,
        "static_url": settings.STATIC_URL,
    }
    return HttpResponseServerError(template.render(context))
