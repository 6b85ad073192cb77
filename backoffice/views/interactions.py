"""Stub: being written (issue 11)."""

from django.http import Http404


def log_contact(request, *args, **kwargs):
    raise Http404


def log_anonymous_contact(request, *args, **kwargs):
    raise Http404
